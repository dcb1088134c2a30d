"""Time the organizers' admin lists and CSV exports on a large event and on one ten times smaller.

    .venv/bin/python bench/scale.py [--repeat 7] [--database wp_bench_scale]

Not a test: it needs PostgreSQL on 127.0.0.1 and takes a minute or two. It drops and recreates
its own database, generates two events with ``manage.py generate_scale_data`` (factor 0.1,
"1x": 500 registrations, 100 submissions, 300 reviews, 30 schedule items; factor 1.0, "10x":
5,000, 1,000, 3,000 and 300), each managed by an organizer of its own, and requests every URL
as that organizer through Django's test client (in-process: no server, so that what is timed
is our code and the database), the two sizes alternating. It prints the median time of each
URL at 1x and 10x and their ratio. A list page is paginated (100 rows), so its ratio should
stay near 1; an export holds every row, so its ratio is near 10 at most, never worse.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where a module could shadow an app.
sys.path[0] = str(ROOT)

from bench.common import HOST, recreate_database  # noqa: E402

FACTORS = {"1x": 0.1, "10x": 1.0}
ADMIN_LISTS = {
    "registrations": "admin:registration_registration_changelist",
    "submissions": "admin:submissions_submission_changelist",
    "reviews": "admin:submissions_review_changelist",
    "outbox": "admin:outbox_outgoingmail_changelist",
    "schedule items": "admin:schedule_scheduleitem_changelist",
    "workshops": "admin:workshops_workshop_changelist",
}
EXPORTS = {  # admin action over every row ("select all"), on the changelist it belongs to
    "registrations.csv": ("admin:registration_registration_changelist", "export_csv"),
    "reviews.csv": ("admin:submissions_submission_changelist", "export_reviews_csv"),
}


@dataclass
class Timing:
    name: str
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def median_ms(self, size: str) -> float:
        return statistics.median(self.seconds[size]) * 1000

    def line(self) -> str:
        small, large = self.median_ms("1x"), self.median_ms("10x")
        return f"{self.name:<30} {small:9.1f} {large:9.1f} {large / small:8.2f}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="requests per URL and size")
    parser.add_argument("--postgres", default=f"postgres://postgres@{HOST}:5432")
    parser.add_argument("--database", default="wp_bench_scale")
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def django_environment(args: argparse.Namespace) -> dict[str, str]:
    """Production settings (DEBUG off), on a database of our own, loosened for the test client."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": tempfile.mkdtemp(prefix="wp-bench-scale-"),
    }


def set_up_events() -> dict[str, tuple[str, object]]:
    """Migrate, generate both events; return {size: (workshop slug, organizer)}."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)

    from accounts.models import User
    from workshops.models import Workshop

    events = {}
    for size, factor in FACTORS.items():
        slug = f"scale-{size}"
        started = time.monotonic()
        call_command("generate_scale_data", factor=factor, slug=slug, verbosity=0)
        organizer = User.objects.create_user(f"organizer@{slug}.example.org", is_staff=True)
        Workshop.objects.get(slug=slug).organizers.add(organizer)
        print(f"generated {slug} (factor {factor}) in {time.monotonic() - started:.1f} s")
        events[size] = (slug, organizer)
    return events


def requests_to_time(slug: str) -> dict[str, tuple[str, str, dict]]:
    """Return {name: (method, path, data)} for one event."""
    from django.urls import reverse

    urls = {name: ("get", reverse(view), {}) for name, view in ADMIN_LISTS.items()}
    for name, (changelist, action) in EXPORTS.items():
        data = {"action": action, "select_across": "1", "index": "0", "_selected_action": "0"}
        urls[name] = ("post", reverse(changelist), data)
    urls["schedule.csv (cold cache)"] = ("get", reverse("schedule:schedule_csv", args=[slug]), {})
    return urls


def timed(client, method: str, path: str, data: dict) -> float:
    """Return the seconds one request takes, its streamed body read to the end."""
    from django.core.cache import cache

    cache.clear()  # the public exports are cached: time building them, not a cache hit
    started = time.perf_counter()
    response = getattr(client, method)(path, data)
    size = (
        sum(map(len, response.streaming_content)) if response.streaming else len(response.content)
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or not size:
        raise SystemExit(f"{method.upper()} {path}: {response.status_code}, {size} bytes")
    return elapsed


def main() -> int:
    args = parse_args()
    env = django_environment(args)
    os.environ.update(env)
    static = Path(env["VAR_DIR"]) / "static"
    static.mkdir()  # whitenoise warns about a missing STATIC_ROOT at every request otherwise
    recreate_database(args)
    events = set_up_events()

    from django.db import connections
    from django.test import Client

    clients, urls = {}, {}
    for size, (slug, organizer) in events.items():
        clients[size] = Client()
        clients[size].force_login(organizer)
        urls[size] = requests_to_time(slug)
    timings = [Timing(name) for name in urls["1x"]]
    for timing in timings:
        for size in FACTORS:
            timed(clients[size], *urls[size][timing.name])  # warm-up, not counted
            timing.seconds[size] = []
        for _ in range(args.repeat):
            for size in FACTORS:  # alternate: a change in the machine's load hits both
                timing.seconds[size].append(timed(clients[size], *urls[size][timing.name]))

    print(f"\nmedian of {args.repeat} requests, ms (1x = factor 0.1, 10x = factor 1.0)")
    print(f"{'URL':<30} {'1x':>9} {'10x':>9} {'10x/1x':>8}")
    for timing in timings:
        print(timing.line())
    connections.close_all()
    if not args.keep_database:
        recreate_database(args, create=False)
    shutil.rmtree(env["VAR_DIR"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
