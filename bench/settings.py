"""Settings for the bench/ scripts only: the project's own, plus the endpoints they compare to.

Nothing in config/ knows about bench/urls.py, so no deployment can switch them on by accident.
"""

from config import settings as project

# Every setting of the project's (the upper-case names), then what differs here.
globals().update({name: value for name, value in vars(project).items() if name.isupper()})

ROOT_URLCONF = "bench.urls"
# The form page links static files; the bench does not run collectstatic for the manifest.
STORAGES = {
    **project.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
