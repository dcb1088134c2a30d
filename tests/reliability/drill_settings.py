"""Settings for the site and worker that the fault drills start: production's, minus the
static manifest (the drills run no collectstatic). Never used outside tests/reliability/."""

from config.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
