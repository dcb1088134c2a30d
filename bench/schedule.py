"""Serve the 300-talk benchmark workshop's schedule through gunicorn, against a bare view.

    .venv/bin/python bench/schedule.py [--database wp_bench_schedule] [--clients 8] [--seconds 5]

Not a test: it needs PostgreSQL and Redis on 127.0.0.1 and takes about a minute and a half.
It drops and recreates its own database, loads ../shared/bench-data/lorainne25.json with
``manage.py load_bench_schedule`` (300 talks, 330 speakers, 3 rooms, 3 days), and serves it
with gunicorn (2 sync workers, production settings from bench/settings.py, DEBUG off).

For each URL it counts the responses that ``--clients`` concurrent clients get in ``--seconds``
(each client sends its next request as soon as the previous answer is in, asking for gzip as
browsers and schedule apps do; gunicorn's sync workers close every connection, so each request
opens one) and compares with ``/bench/bare/``, a view returning a constant, on the same server
in the same run. The seconds are split in ``--rounds`` rounds of every URL in turn, bare view
included, and the ratio is the median of the rounds' ratios: other load on the machine drifts.

- warm: the cache is Redis (CACHE_URL, shared by both workers as in production), filled by
  the first request; every measured request is a cache hit.
- cold: a second gunicorn whose cache is Django's DummyCache, which stores nothing: every
  request looks the workshop up and reads and renders the whole schedule from PostgreSQL,
  as the first request after any change does. Nothing else differs between the two servers.

PASS when every URL reaches 0.5 of the bare view warm and 0.2 cold. The ratios move with the
machine's other load; bench/schedule_cost.py measures what a request costs in CPU time instead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path; the project root must come first.
sys.path[0] = str(ROOT)

from bench import common  # noqa: E402
from bench.common import free_port, recreate_database, stop  # noqa: E402

HOST = "127.0.0.1"
SLUG = "lorainne25"
BARE = "/bench/bare/"
PAGES = {
    "schedule page": f"/workshops/{SLUG}/schedule/",
    "schedule.xml": f"/workshops/{SLUG}/schedule.xml",
    "schedule.json": f"/workshops/{SLUG}/schedule.json",
    "schedule.ics": f"/workshops/{SLUG}/schedule.ics",
    "speakers page": f"/workshops/{SLUG}/speakers/",
}
TARGETS = {"warm": 0.5, "cold": 0.2}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="per URL and mode")
    parser.add_argument("--rounds", type=int, default=5, help="the seconds are split in rounds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--postgres", default=f"postgres://postgres@{HOST}:5432")
    parser.add_argument("--database", default="wp_bench_schedule")
    parser.add_argument("--redis", default=f"redis://{HOST}:6379/9")
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "bench-data" / "lorainne25.json"
    )
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def django_environment(args: argparse.Namespace, port: int) -> dict[str, str]:
    """Production settings (bench/settings.py, DEBUG off), loosened for plain HTTP on 127.0.0.1."""
    return {
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
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": tempfile.mkdtemp(prefix="wp-bench-"),
    }


def load_workshop(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_bench_schedule", str(args.data))
    django.db.connections.close_all()


def start_gunicorn(args, port: int, env: dict[str, str], log):
    return common.start_gunicorn(
        args.workers,
        port,
        env,
        log,
        ready=lambda: asyncio.run(fetch(port, BARE))[0],
        what="the bare view",
    )


class Connection:
    """A keep-alive HTTP/1.1 client connection that reopens when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, int]:
        """Return the status and the body length of one GET."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=2**20)
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: gzip\r\n"
            "Connection: keep-alive\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        headers = {k.lower(): v for k, v in headers.items()}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        else:
            body = await self.reader.read()
        if headers.get("connection", "").lower() == "close" or "content-length" not in headers:
            self.close()
        return status, len(body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def fetch(port: int, path: str) -> tuple[int, int]:
    connection = Connection(port)
    try:
        return await connection.get(path)
    finally:
        connection.close()


@dataclass
class Result:
    requests: int
    seconds: float
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def hammer(port: int, path: str, clients: int, seconds: float) -> Result:
    """Keep ``clients`` requests in flight for ``seconds``; count the 200s."""
    deadline = time.monotonic() + seconds
    counts = [0] * clients
    failures = [0] * clients

    async def client(n: int) -> None:
        connection = Connection(port)
        while time.monotonic() < deadline:
            try:
                status, _ = await connection.get(path)
            except (OSError, asyncio.IncompleteReadError):
                connection.close()
                failures[n] += 1
                continue
            if status == 200:
                counts[n] += 1
            else:
                failures[n] += 1
        connection.close()

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return Result(sum(counts), time.monotonic() - started, sum(failures))


def measure(args, port: int) -> dict[str, list[Result]]:
    """Warm every worker up on every URL, then measure the bare view and each URL in turn,
    ``--rounds`` times over (this machine's other load drifts; each round has its own bare
    view to compare with)."""
    urls = {"bare view": BARE, **PAGES}
    for path in urls.values():
        asyncio.run(hammer(port, path, args.workers * 2, 0.5))
    results: dict[str, list[Result]] = {name: [] for name in urls}
    for _ in range(args.rounds):
        for name, path in urls.items():
            seconds = args.seconds / args.rounds
            results[name].append(asyncio.run(hammer(port, path, args.clients, seconds)))
    return results


def ratio(results: dict[str, list[Result]], name: str) -> float:
    """The median over the rounds of this URL's throughput over the bare view's."""
    rounds = zip(results[name], results["bare view"], strict=True)
    return statistics.median(r.per_second / bare.per_second for r, bare in rounds)


def throughput(rounds: list[Result]) -> float:
    return sum(r.requests for r in rounds) / sum(r.seconds for r in rounds)


def forget_cache(args: argparse.Namespace, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(args.redis)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def main() -> int:
    args = parse_args()
    if not args.data.exists():
        raise SystemExit(f"No benchmark data at {args.data}")
    started = time.monotonic()
    port = free_port()
    env = django_environment(args, port)
    os.environ.update(env)
    recreate_database(args)
    load_workshop(args)
    print(f"database {args.database} loaded in {time.monotonic() - started:.1f} s")

    prefix = f"bench-schedule-{secrets.token_hex(4)}"
    caches = {
        "warm": f"{args.redis}?key_prefix={prefix}",
        "cold": "dummycache://",  # stores nothing: every request computes everything
    }
    results: dict[str, dict[str, list[Result]]] = {}
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (kept for the reader after the run)
        "w", prefix="wp-bench-gunicorn-", suffix=".log", delete=False
    )
    try:
        for mode, cache_url in caches.items():
            server = start_gunicorn(args, port, {**env, "CACHE_URL": cache_url}, log)
            try:
                results[mode] = measure(args, port)
            finally:
                stop(server)
    finally:
        forget_cache(args, prefix)
        if not args.keep_database:
            recreate_database(args, create=False)

    print(
        f"\ngunicorn -w {args.workers} (sync), {args.clients} clients, {args.seconds:g} s per URL "
        f"in {args.rounds} rounds, PostgreSQL; warm cache: Redis, cold cache: DummyCache"
    )
    print(f"{'':15} {'warm req/s':>11} {'ratio':>6}   {'cold req/s':>11} {'ratio':>6}")
    passed = True
    for name in ["bare view", *PAGES]:
        cells = []
        for mode in caches:
            rounds = results[mode][name]
            value = ratio(results[mode], name)
            ok = name == "bare view" or value >= TARGETS[mode]
            failures = sum(r.failures for r in rounds)
            passed &= ok and failures == 0
            failed = f" ({failures} failed)" if failures else ""
            cells.append(f"{throughput(rounds):11.1f} {value:6.3f}{'' if ok else '!':1}{failed}")
        print(f"{name:15} {'  '.join(cells)}")
    print("ratio: the median over the rounds of (URL req/s / bare view req/s in that round)")
    print(f"targets: warm >= {TARGETS['warm']}, cold >= {TARGETS['cold']} of the bare view")
    print(f"total {time.monotonic() - started:.0f} s")
    print("PASS" if passed else f"FAIL (gunicorn log: {log.name})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
