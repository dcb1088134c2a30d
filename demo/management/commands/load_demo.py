"""Load the demo workshops (and, in development, accounts to try the admin)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import load


class Command(BaseCommand):
    help = (
        "Create the demo workshops that do not exist yet; existing ones are left as they are "
        "(--reset deletes and recreates them, with dates counted from today). Demo accounts "
        "are created when DEBUG is on or with --with-users."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Create or refresh the demo accounts (admin, organizer, speaker, reviewers) even "
            "when DEBUG is off.",
        )

        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo workshops (with their registrations, submissions and "
            "schedule) and create them again.",
        )

    def handle(self, *args, with_users: bool = False, reset: bool = False, **options) -> None:
        with transaction.atomic():
            loaded = load.load_demo(today=timezone.localdate(), reset=reset)
        created = sum(1 for row in loaded if row.created)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo workshops: {created} created, {len(loaded) - created} left as they were"
                + ("" if created == len(loaded) else " (--reset recreates them)")
                + ":"
            )
        )
        for row in loaded:
            state = "created" if row.created else "kept   "
            self.stdout.write(f"  {state}  {row.workshop.get_absolute_url()}  {row.workshop}")
        if not (settings.DEBUG or with_users):
            self.stdout.write("No demo accounts (DEBUG is off); pass --with-users to create them.")
            return
        self.stdout.write("Log in with one of these demo accounts:")
        for user in load.load_demo_users():
            self.stdout.write(f"  {user.email} / {user.password}  ({user.role})")
