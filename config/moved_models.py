"""For migrations that move a model to another app with its table (``db_table`` and
``SeparateDatabaseAndState``): its content type moves too, so that the permissions granted on
it, and the admin's history of its rows, follow the model instead of being orphaned."""

from __future__ import annotations

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        _move(apps, old_app, new_app, models)

    def backwards(apps, schema_editor):
        _move(apps, new_app, old_app, models)

    return migrations.RunPython(forwards, backwards)


def _move(apps, source: str, target: str, models: list[str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in models:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is None:  # the usual case: rename the row, every reference stays valid
            old.app_label = target
            old.save(update_fields=["app_label"])
            continue
        # Both exist (a post_migrate ran between the steps): keep the new one, carry over the
        # old one's permissions (and so the grants of them) that it does not have yet.
        have = set(Permission.objects.filter(content_type=new).values_list("codename", flat=True))
        Permission.objects.filter(content_type=old).exclude(codename__in=have).update(
            content_type=new
        )
        for perm in Permission.objects.filter(content_type=old):
            twin = Permission.objects.get(content_type=new, codename=perm.codename)
            twin.group_set.add(*perm.group_set.all())
            twin.user_set.add(*perm.user_set.all())
        old.delete()
