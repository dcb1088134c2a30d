from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"

    def ready(self) -> None:
        from django.contrib import admin

        from submissions import cfa_admin

        # The call for abstracts' admin lives in its own module (submissions/admin.py holds the
        # review and decision side); the admin's autodiscovery has run by now.
        cfa_admin.register(admin.site)
