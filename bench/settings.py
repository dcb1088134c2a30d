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

# django-environ 0.14 keeps CACHE_URL's ?key_prefix= as "key_prefix", which Django ignores
# (it reads KEY_PREFIX): bench/schedule.py keeps its entries apart, and deletes them, by it.
if "key_prefix" in CACHES["default"]:  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = CACHES["default"].pop("key_prefix")  # noqa: F405
