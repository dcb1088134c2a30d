from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        # Register the delivery tasks in every process, not only in the worker: the outbox
        # hands mail to them by name (outbox/dispatch.py), and in eager mode runs them here.
        from outbox import tasks  # noqa: F401
