"""Load the public registration form through gunicorn and PostgreSQL, against a baseline.

    .venv/bin/python bench/registration.py [--clients 32] [--total 2000] [--capacity 500]

Not a test: it needs PostgreSQL and Redis (databases ``--broker-db`` and ``--cache-db``, 10
by default) on 127.0.0.1, takes one to three minutes (at most ``--budget`` seconds of it
measuring), and prints registrations/s and latency for two paths through the same gunicorn:

- form: the real page, /workshops/<slug>/register/, with its rate limit, row lock, capacity
  check, waiting list and outbox mail (handed to a Redis broker no worker reads, as in
  production where a separate worker delivers);
- baseline: bench/baseline_views.py, the same CSRF-checked form validated and one row inserted,
  nothing else (only routed by bench/settings.py, so it never ships).

Each client GETs the form once for its CSRF cookie and token, then POSTs new people until
``--total`` registrations are in; only the POSTs are timed, in ``--rounds`` that alternate
the two paths, so that a change in the machine's load hits both alike. It drops and recreates
its own database each run, checks that exactly ``--capacity`` people got a seat and everyone
else is waiting, and prints PASS if the form reaches half the baseline's throughput.

Then the latency, open loop: a closed loop's p99 says little (its clients fire again the moment
they are answered, so their mean wait is clients / throughput by Little's law). Sign-ups arrive
at ``--rate`` per second (100) for ``--open-seconds`` (20), Poisson arrivals, each timed from
its arrival; PASS needs the form's p99 under 250 ms. The highest arrival rate whose p99 stays
under 250 ms is printed for the form and the baseline.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where this file would shadow the
# project's own ``registration`` app.
sys.path[0] = str(ROOT)

from bench import common  # noqa: E402
from bench.common import free_port, recreate_database, stop  # noqa: E402

HOST = "127.0.0.1"
TARGET_RATIO = 0.5
# Open loop: sign-ups arrive at a fixed rate whatever the answers take (Poisson arrivals).
OPEN_RATE = 100.0
OPEN_SECONDS = 20.0
OPEN_TARGET_P99_MS = 250.0
STEP_SECONDS = 6.0  # per rate, when looking for the highest rate that keeps the p99
REDIS_DB = 10  # a Redis database of its own (CI uses 13 and 14), emptied of our keys at the end


@dataclass
class Phase:
    name: str
    path: str
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        """Return the p-th percentile latency in milliseconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    def line(self) -> str:
        return (
            f"{self.name:<9} {len(self.latencies):>6} ok {len(self.failures):>4} failed  "
            f"{self.throughput:8.1f} registrations/s  p50 {self.percentile(50):6.1f} ms  "
            f"p99 {self.percentile(99):6.1f} ms"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--total", type=int, default=2000, help="registrations per path")
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--rounds", type=int, default=4, help="baseline/form alternations")
    parser.add_argument("--postgres", default=f"postgres://postgres@{HOST}:5432")
    parser.add_argument("--database", default="wp_bench_registration")
    parser.add_argument("--redis", default=f"redis://{HOST}:6379")
    parser.add_argument("--broker-db", type=int, default=REDIS_DB, help="Redis database number")
    parser.add_argument("--cache-db", type=int, default=REDIS_DB, help="Redis database number")
    parser.add_argument(
        "--cache", choices=["redis", "locmem"], default="redis", help="rate-limit counter store"
    )
    parser.add_argument(
        "--budget", type=float, default=150.0, help="seconds for all the timed rounds together"
    )
    parser.add_argument("--rate", type=float, default=OPEN_RATE, help="open-loop arrivals/s")
    parser.add_argument("--open-seconds", type=float, default=OPEN_SECONDS)
    parser.add_argument("--no-open-loop", action="store_true")
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def django_environment(args: argparse.Namespace, port: int) -> dict[str, str]:
    """What gunicorn and this process run with: production settings, loosened for 127.0.0.1."""
    broker = f"{args.redis}/{args.broker_db}"
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "REGISTRATION_POSTS_PER_MINUTE": str(10**9),
        "CELERY_BROKER_URL": broker,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": tempfile.mkdtemp(prefix="wp-bench-registration-"),
    }
    if args.cache == "redis":
        env["CACHE_URL"] = f"{args.redis}/{args.cache_db}"
    return env


def set_up_workshops(args: argparse.Namespace) -> None:
    """Migrate and create the open workshops: measured and baseline, closed and open loop, and
    one to warm up on."""
    import datetime as dt

    import django
    from django.core.management import call_command
    from django.utils import timezone

    django.setup()
    call_command("migrate", verbosity=0)

    from registration.models import RegistrationSettings
    from workshops.models import Workshop

    today = timezone.localdate()
    workshops = (
        ("bench", args.capacity), ("bench-baseline", None), ("warm-up", None),
        ("open-loop", args.capacity), ("open-loop-baseline", None),
    )  # fmt: skip
    for slug, capacity in workshops:
        workshop = Workshop.objects.create(
            title=f"Benchmark {slug}",
            slug=slug,
            published=True,
            time_zone="Europe/Paris",
            start_date=today + dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=31),
            venue_name="IDMC",
            city="Nancy",
            contact_email="contact@example.org",
        )
        RegistrationSettings.objects.create(
            workshop=workshop,
            opens_at=timezone.now() - dt.timedelta(days=1),
            closes_at=timezone.now() + dt.timedelta(days=10),
            capacity=capacity,
            waitlist_enabled=True,
        )
    django.db.connections.close_all()


def start_gunicorn(args: argparse.Namespace, port: int, env: dict[str, str], log):
    return common.start_gunicorn(
        args.workers,
        port,
        env,
        log,
        ready=lambda: request("GET", port, "/workshops/bench/register/")[0],
        what="the form page",
    )


def request(
    method: str, port: int, path: str, body: str = "", cookie: str = ""
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        conn.close()


def csrf(port: int, slug: str) -> tuple[str, str]:
    """GET the form as a visitor does; return the CSRF cookie header and the form's token."""
    status, headers, page = request("GET", port, f"/workshops/{slug}/register/")
    assert status == 200, status
    cookie = re.search(r"csrftoken=([^;]+)", headers["set-cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return f"csrftoken={cookie}", token


def person(n: int, token: str) -> str:
    return urlencode(
        {
            "csrfmiddlewaretoken": token,
            "first_name": f"Ada{n}",
            "last_name": "Lovelace",
            "email": f"ada{n}@example.org",
            "affiliation": "Université de Lorraine",
            "career_stage": "phd",
            "dietary_needs": "",
            "website": "",
        }
    )


def run(
    phase: Phase, args: argparse.Namespace, port: int, *, count: int, first: int, expect: str
) -> None:
    """POST ``count`` new people from ``--clients`` threads; time each POST."""
    numbers = itertools.count(first)
    remaining = itertools.count(count, -1)
    guard = threading.Lock()
    # Each path gets an equal share of the budget in each round; what is left out counts as
    # unanswered, and fails the run.
    timeout = args.budget / (2 * args.rounds)
    deadline: list[float] = []
    ready = threading.Barrier(
        args.clients + 1, action=lambda: deadline.append(time.monotonic() + timeout)
    )

    def next_number() -> int | None:
        with guard:
            if next(remaining) <= 0 or time.monotonic() > deadline[0]:
                return None
            return next(numbers)

    def client() -> None:
        cookie, token = csrf(port, "bench")
        ready.wait()
        while (n := next_number()) is not None:
            started = time.perf_counter()
            try:
                status, headers, _ = request("POST", port, phase.path, person(n, token), cookie)
            except OSError as exc:
                phase.failures.append(repr(exc))
                continue
            elapsed = time.perf_counter() - started
            if status == 302 and re.fullmatch(expect, headers.get("location", "")):
                phase.latencies.append(elapsed)
            else:
                phase.failures.append(f"{status} {headers.get('location', '')}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=60)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=timeout + 15)
    phase.seconds += time.perf_counter() - started


def open_loop(
    phase: Phase,
    port: int,
    tokens: list[tuple[str, str]],
    *,
    rate: float,
    seconds: float,
    first: int,
    expect: str,
) -> None:
    """Send sign-ups at Poisson arrival times, ``rate`` per second for ``seconds``, whatever
    the answers take; each latency counts from the arrival time, so waiting for a free client
    thread counts too (no coordinated omission)."""
    rng = random.Random(first)
    arrivals, moment = [], 0.0
    while (moment := moment + rng.expovariate(rate)) < seconds:
        arrivals.append(moment)
    start = time.perf_counter() + 0.2

    def send(n: int, at: float) -> None:
        cookie, token = tokens[n % len(tokens)]
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        try:
            status, headers, _ = request("POST", port, phase.path, person(first + n, token), cookie)
        except OSError as exc:
            phase.failures.append(repr(exc))
            return
        elapsed = time.perf_counter() - (start + at)
        if status == 302 and re.fullmatch(expect, headers.get("location", "")):
            phase.latencies.append(elapsed)
        else:
            phase.failures.append(f"{status} {headers.get('location', '')}")

    with ThreadPoolExecutor(max_workers=256) as pool:
        for n, at in enumerate(arrivals):
            pool.submit(send, n, at)
    phase.seconds += seconds


def highest_rate(port: int, tokens, path: str, expect: str, *, first: int) -> tuple[float, int]:
    """Raise the arrival rate by half each step while the p99 stays under the target (and
    nothing fails); return the last rate that did, and the next sign-up number."""
    rate, best = OPEN_RATE / 2, 0.0
    while rate <= 5000:
        phase = Phase(f"{rate:.0f}/s", path)
        open_loop(phase, port, tokens, rate=rate, seconds=STEP_SECONDS, first=first, expect=expect)
        first += len(phase.latencies) + len(phase.failures)
        if phase.failures or phase.percentile(99) >= OPEN_TARGET_P99_MS:
            break
        best, rate = rate, rate * 1.5
    return best, first


def warm_up(args: argparse.Namespace, port: int) -> None:
    """Let every worker import and connect before anything is timed."""
    for path, first in (("/workshops/warm-up/register/", 10**6), ("/bench/baseline/warm-up/", 0)):
        run(Phase("warm-up", path), args, port, count=8 * args.workers, first=first, expect=".*")


def outcome(args: argparse.Namespace) -> dict[str, int]:
    from django.db.models import Count

    from outbox.models import OutgoingMail
    from registration.models import Registration

    counts = dict(
        Registration.objects.filter(workshop__slug="bench")
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counts["mails"] = OutgoingMail.objects.filter(workshop__slug="bench").count()
    return counts


def forget_redis_keys(args: argparse.Namespace) -> None:
    """Delete what the run left in its Redis database: queued tasks and cache entries."""
    import redis

    patterns: dict[int, list[str]] = {}
    patterns.setdefault(args.broker_db, []).extend(["celery*", "_kombu.*"])
    patterns.setdefault(args.cache_db, []).append(":1:*")  # ":1:" starts Django's cache keys
    for db in sorted(patterns):
        client = redis.Redis.from_url(f"{args.redis}/{db}")
        keys = [key for pattern in patterns[db] for key in client.scan_iter(pattern)]
        if keys:
            client.delete(*keys)


OPEN_PATHS = {
    "baseline": (
        "/bench/baseline/open-loop-baseline/",
        r"/workshops/open-loop-baseline/register/thanks/",
    ),
    "form": ("/workshops/open-loop/register/", r"/registrations/\d+/\w+/"),
}


def measure_open_loop(args: argparse.Namespace, port: int) -> dict[str, tuple[Phase, float]]:
    """For each path: ``--rate`` sign-ups/s for ``--open-seconds``, then the highest rate
    whose p99 stays under the target."""
    tokens = [csrf(port, "open-loop") for _ in range(64)]
    results = {}
    for n, (name, (path, expect)) in enumerate(OPEN_PATHS.items()):
        first = 10**7 * (n + 1)
        phase = Phase(name, path)
        open_loop(
            phase, port, tokens, rate=args.rate, seconds=args.open_seconds, first=first,
            expect=expect,
        )  # fmt: skip
        best, _ = highest_rate(port, tokens, path, expect, first=first + 10**6)
        results[name] = (phase, best)
    return results


def main() -> int:
    args = parse_args()
    port = free_port()
    env = django_environment(args, port)
    os.environ.update(env)
    recreate_database(args)
    started = time.monotonic()
    set_up_workshops(args)
    print(f"database {args.database} ready in {time.monotonic() - started:.1f} s")

    log_path = Path(env["VAR_DIR"]) / "gunicorn.log"
    with open(log_path, "w") as log:
        server = start_gunicorn(args, port, env, log)
        open_results: dict[str, tuple[Phase, float]] = {}
        try:
            warm_up(args, port)
            baseline = Phase("baseline", "/bench/baseline/bench-baseline/")
            form = Phase("form", "/workshops/bench/register/")
            # Alternate the two paths so that a change in the machine's load hits both alike.
            chunk = -(-args.total // args.rounds)
            for first in range(0, args.total, chunk):
                count = min(chunk, args.total - first)
                thanks = r"/workshops/bench-baseline/register/thanks/"
                run(baseline, args, port, count=count, first=first, expect=thanks)
                run(form, args, port, count=count, first=first, expect=r"/registrations/\d+/\w+/")
            if not args.no_open_loop:
                open_results = measure_open_loop(args, port)
        finally:
            stop(server)
            forget_redis_keys(args)

    counts = outcome(args)
    from django.db import connections

    connections.close_all()
    if not args.keep_database:
        recreate_database(args, create=False)

    confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
    ratio = form.throughput / baseline.throughput if baseline.throughput else 0.0
    checks = {
        f"every registration answered ({args.total} per path)": (
            len(baseline.latencies) == len(form.latencies) == args.total
        ),
        f"confirmed == capacity ({confirmed} == {args.capacity})": confirmed == args.capacity,
        f"confirmed + waitlisted == total ({confirmed + waitlisted} == {args.total})": (
            confirmed + waitlisted == args.total
        ),
        f"one mail per registration ({counts['mails']})": counts["mails"] == args.total,
        f"form/baseline throughput >= {TARGET_RATIO} ({ratio:.2f})": ratio >= TARGET_RATIO,
    }
    print(
        f"\n{args.clients} clients, {args.total} registrations per path, capacity "
        f"{args.capacity}, gunicorn -w {args.workers}, rate-limit cache: {args.cache}"
    )
    print("closed loop (each client sends again as soon as it is answered):")
    print(baseline.line())
    print(form.line())
    print(f"ratio     {ratio:.2f} (form throughput / baseline throughput)")
    if open_results:
        print(
            f"open loop: Poisson arrivals at {args.rate:g}/s for {args.open_seconds:g} s; then "
            f"the highest rate (x1.5 steps of {STEP_SECONDS:g} s) with p99 < "
            f"{OPEN_TARGET_P99_MS:g} ms"
        )
        for phase, best in open_results.values():
            print(f"{phase.line()}  highest rate {best:6.0f}/s")
        form_open = open_results["form"][0]
        checks[f"open loop {args.rate:g}/s: form p99 < {OPEN_TARGET_P99_MS:g} ms "
               f"({form_open.percentile(99):.1f} ms)"] = (
            not form_open.failures and form_open.percentile(99) < OPEN_TARGET_P99_MS
        )  # fmt: skip
    for failure in sorted(set(form.failures + baseline.failures))[:5]:
        print(f"  failure: {failure}")
    for check, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {check}")
    passed = all(checks.values())
    print("PASS" if passed else f"FAIL (gunicorn log: {log_path})")
    if passed:
        shutil.rmtree(env["VAR_DIR"])
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
