# Submitted PDFs move from the public media storage to the private one (config/storage.py).

from django.core.files.storage import storages
from django.db import migrations, models

import config.storage
import submissions.models


def move_to_private(apps, schema_editor):
    """Move files uploaded before this migration; names stay the same, so rows are unchanged."""
    Submission = apps.get_model("submissions", "Submission")
    public, private = storages["default"], storages["private"]
    for name in Submission.objects.exclude(pdf="").values_list("pdf", flat=True).iterator():
        if private.exists(name) or not public.exists(name):
            continue
        with public.open(name, "rb") as source:
            saved = private.save(name, source)
        if saved == name:
            public.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="submission",
            name="pdf",
            field=models.FileField(
                blank=True,
                storage=config.storage.private_storage,
                upload_to=submissions.models.submission_pdf_path,
            ),
        ),
        migrations.RunPython(move_to_private, migrations.RunPython.noop, elidable=True),
    ]
