"""Per-workshop organizer access in the admin.

An organizer is an active staff user listed in a workshop's ``organizers``. In the admin they
see, open and change only their own workshops and what hangs off them; superusers see all.
Django's per-model permissions are not used for this: access follows the workshop, so giving
someone a workshop is one click, and taking it away removes every child with it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from workshops.models import SpeakerProfile, Workshop


def is_organizer(user) -> bool:
    return bool(user.is_active and user.is_staff)


def managed_workshops(user) -> QuerySet[Workshop]:
    return Workshop.objects.managed_by(user)


class WorkshopScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows belong to a workshop reached through ``workshop_path``."""

    workshop_path = "workshop"

    def workshop_of(self, obj: Model) -> Workshop | None:
        target = obj
        for part in self.workshop_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target

    def manages(self, request: HttpRequest, obj: Model | None) -> bool:
        user = request.user
        if not is_organizer(user):
            return False
        if user.is_superuser or obj is None:
            return True
        workshop = self.workshop_of(obj)
        if workshop is None:
            return False
        return workshop.organizers.filter(pk=user.pk).exists()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        if not is_organizer(request.user):
            return qs.none()
        return qs.filter(**{f"{self.workshop_path}__organizers": request.user})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_organizer(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.manages(request, obj)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return is_organizer(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.manages(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.manages(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limited = limit_choices(db_field.related_model, request)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limited = limit_choices(db_field.related_model, request)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class WorkshopScopedInline:
    """Inline rows of a workshop: choices limited like the scoped admins'."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limited = limit_choices(db_field.related_model, request)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        return is_organizer(request.user)

    def has_add_permission(self, request, obj=None):
        return is_organizer(request.user)

    def has_change_permission(self, request, obj=None):
        return is_organizer(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_organizer(request.user)


def limit_choices(model: type[Model], request: HttpRequest) -> QuerySet | None:
    """Return the rows of ``model`` this user may pick in a form, or None for no limit."""
    user = request.user
    if model is Workshop:
        return Workshop.objects.managed_by(user)
    if model is SpeakerProfile:
        return SpeakerProfile.objects.selectable_by(user)
    if any(f.name == "workshop" and f.many_to_one for f in model._meta.get_fields()):
        # Rows of a workshop (topics, rooms, …): those of this user's workshops.
        return model._meta.default_manager.filter(workshop__in=Workshop.objects.managed_by(user))
    return None
