"""Settings for the bench/ scripts only: the project's own, plus the endpoints they compare to.

Nothing in config/ knows about bench/urls.py, so no deployment can switch them on by accident.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# The form page links static files; the bench does not run collectstatic for the manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
