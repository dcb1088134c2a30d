"""Render every workshop's current release again: after a deploy with new static files (the
stored pages link them by their hashed names), or to store releases made before rendering."""

from django.core.management.base import BaseCommand

from schedule import rendering
from workshops.models import Workshop


class Command(BaseCommand):
    help = "Render and store the pages and exports of every workshop's current release."

    def handle(self, *args, **options) -> None:
        workshops = Workshop.objects.filter(releases__isnull=False).distinct().order_by("pk")
        total = 0
        for pk in workshops.values_list("pk", flat=True):
            total += rendering.render_current_release(pk)
        self.stdout.write(f"Stored {total} pages and exports of {workshops.count()} releases.")
