"""Load the demo workshops (and, in development, accounts to try the admin)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import load


class Command(BaseCommand):
    help = (
        "Create or refresh the demo workshops; safe to run again. Demo accounts are created "
        "when DEBUG is on or with --with-users."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Create or refresh the demo accounts (admin, organizer, speaker, reviewers) even "
            "when DEBUG is off.",
        )

    def handle(self, *args, with_users: bool = False, **options) -> None:
        with transaction.atomic():
            workshops = load.load_demo(today=timezone.localdate())
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(workshops)} demo workshops:"))
        for workshop in workshops:
            self.stdout.write(f"  {workshop.get_absolute_url()}  {workshop}")
        if not (settings.DEBUG or with_users):
            self.stdout.write("No demo accounts (DEBUG is off); pass --with-users to create them.")
            return
        self.stdout.write("Log in with one of these demo accounts:")
        for user in load.load_demo_users():
            self.stdout.write(f"  {user.email} / {user.password}  ({user.role})")
