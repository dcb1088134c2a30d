"""The admin's "view on site" redirect, for objects the user may open in the admin only.

Django's own (``admin/r/<content type>/<id>/``) sends any member of staff to any object's
``get_absolute_url()``. Ours are not all public: a registration's is its secret
self-service link, and an unpublished workshop's names it. An organizer of another workshop
could read them by counting ids; here the object must be in the user's admin first.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpRequest, HttpResponse


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """Redirect to the object's page if this user's admin shows the object; else 404."""
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError) as exc:
        raise Http404("No such object.") from exc
    if model is None:  # a content type whose model is gone
        raise Http404("No such object.")
    try:
        model_admin = admin.site.get_model_admin(model)
    except NotRegistered as exc:
        raise Http404("No such object.") from exc
    obj = model_admin.get_object(request, object_id)
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404("No such object.")
    return shortcut(request, content_type_id, object_id)
