from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

import config.converters  # noqa: F401  (registers <id:…> before the apps' URLs load)
from config.admin_shortcut import view_on_site
from config.media import serve_public_media

# /healthz is answered by config.health.HealthCheckMiddleware, ahead of every URL here.
urlpatterns = [
    # Ahead of the admin's own "view on site": only for objects the user's admin shows.
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("workshops.urls")),
    path("", include("schedule.urls")),
    path("", include("registration.urls")),
    path("", include("submissions.urls")),
    path("reviews/", include("submissions.review_urls")),
    # Speaker photos; in docker-compose nginx serves the same files by the same rules first.
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>speakers/.*)$", serve_public_media),
]
