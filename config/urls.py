from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("workshops.urls")),
    path("", include("registration.urls")),
    path("", include("submissions.urls")),
    path("reviews/", include("submissions.review_urls")),
]

if settings.DEBUG:
    import posixpath

    from django.http import Http404
    from django.views.static import serve

    def serve_public_media(request, path: str):
        """Serve uploads for local development, except submitted PDFs (owner download only)."""
        if posixpath.normpath(path).lstrip("/").startswith("submissions"):
            raise Http404("Submitted files are not public.")
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve_public_media),
    ]
