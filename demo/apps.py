from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo, benchmark and scale data, and the commands that load them. The one app that may
    import every other: it builds what all of them hold, and nothing imports it."""

    name = "demo"
    verbose_name = "Demo data"
