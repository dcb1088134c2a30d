"""Settings for the site and worker that the fault drills start: production's, minus the
static manifest (the drills run no collectstatic). Never used outside tests/reliability/."""

from config import settings as project

# Every setting of the project's (the upper-case names), then what differs here.
globals().update({name: value for name, value in vars(project).items() if name.isupper()})

STORAGES = {
    **project.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The drills' users are made by the test process, whose hasher is a fast one (tests/conftest.py):
# the site verifies it too (and upgrades it to Argon2 at the first login, as production would).
PASSWORD_HASHERS = [*project.PASSWORD_HASHERS, "django.contrib.auth.hashers.MD5PasswordHasher"]
