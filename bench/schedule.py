"""Serve the 300-talk benchmark workshop's schedule through gunicorn, against a bare view.

    .venv/bin/python bench/schedule.py [--database wp_bench_schedule] [--clients 8] [--seconds 5]

Not a test: it needs PostgreSQL and Redis on 127.0.0.1 and takes about a minute and a half.
It drops and recreates its own database, loads ../shared/bench-data/lorainne25.json with
``manage.py load_bench_schedule`` (300 talks, 330 speakers, 3 rooms, 3 days), and serves it
with gunicorn (2 sync workers, production settings from bench/settings.py, DEBUG off).

For each URL it counts the responses that ``--clients`` concurrent clients get in ``--seconds``
(each client sends its next request as soon as the previous answer is in, over keep-alive
connections that gunicorn's sync workers close after each answer), with and without
``Accept-Encoding: gzip``, and compares with two views on the same server in the same run:

- ``/bench/sized/<n>/``, which returns a stored body of the same size as the URL's answer (for
  gzip clients, its compressed size): the ceiling for sending that many bytes;
- ``/bench/bare/``, a 2-byte hello: the ceiling for any answer (the 304s are held to it).

The seconds are split in ``--rounds`` rounds of every probe in turn, and each ratio is the
median of the rounds' ratios: other load on the machine drifts.

- warm: the cache is Redis (CACHE_URL, shared by both workers as in production), filled by
  the first request; every measured request is a cache hit.
- cold: a second gunicorn whose cache is Django's DummyCache, which stores nothing: every
  request looks the workshop up and reads the stored release bytes from PostgreSQL, as the
  first request after a flush does. Nothing is rendered in either: the release was rendered
  when it was published, and the bench times that render too.
- 304: the URL asked with ``If-None-Match`` its ETag (the speakers page, live, has none).

PASS when every URL reaches 0.6 of its same-size view warm, 0.4 cold, and every 304 0.7 of
the hello view; and the release renders in under 3 s. The ratios move with the machine's
other load; bench/schedule_cost.py measures what a request costs in CPU time instead.
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
TARGETS = {"warm": 0.6, "cold": 0.4, "304": 0.7}
RENDER_TARGET_SECONDS = 3.0
ENCODINGS = ("gzip", "identity")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=3.0, help="per probe and mode")
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


def load_workshop(args: argparse.Namespace) -> tuple[int, float]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_bench_schedule", str(args.data))  # publishes, and renders at commit
    from schedule import rendering
    from workshops.models import Workshop

    workshop = Workshop.objects.get(slug=SLUG)
    started = time.perf_counter()
    stored = rendering.render_current_release(workshop.pk)  # what the worker does
    seconds = time.perf_counter() - started
    django.db.connections.close_all()
    return stored, seconds


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

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, int]:
        """Return the status and the body length of one GET."""
        return (await self.request(path, headers))[:2]

    async def request(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, int, dict[str, str]]:
        """Return the status, the body length and the headers of one GET."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port, limit=2**20)
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n{extra}Connection: keep-alive\r\n\r\n".encode()
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
        return status, len(body), headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def fetch(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, int, dict[str, str]]:
    connection = Connection(port)
    try:
        return await connection.request(path, headers)
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


@dataclass(frozen=True)
class Probe:
    path: str
    headers: dict[str, str]
    status: int = 200


async def hammer(port: int, probe: Probe, clients: int, seconds: float) -> Result:
    """Keep ``clients`` requests in flight for ``seconds``; count the expected answers."""
    deadline = time.monotonic() + seconds
    counts = [0] * clients
    failures = [0] * clients

    async def client(n: int) -> None:
        connection = Connection(port)
        while time.monotonic() < deadline:
            try:
                status, _ = await connection.get(probe.path, probe.headers)
            except (OSError, asyncio.IncompleteReadError):
                connection.close()
                failures[n] += 1
                continue
            if status == probe.status:
                counts[n] += 1
            else:
                failures[n] += 1
        connection.close()

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(clients)))
    return Result(sum(counts), time.monotonic() - started, sum(failures))


def probes(port: int) -> dict[str, Probe]:
    """Every probe: the hello view; each URL in each encoding, its same-size view and, when
    it has an ETag, its 304."""
    found = {"hello": Probe(BARE, {})}
    for name, path in PAGES.items():
        for encoding in ENCODINGS:
            headers = {"Accept-Encoding": encoding}
            status, size, answer = asyncio.run(fetch(port, path, headers))
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            found[f"{name} {encoding}"] = Probe(path, headers)
            found[f"{name} {encoding} same-size"] = Probe(f"/bench/sized/{size}/", {})
            if "etag" in answer:
                conditional = {**headers, "If-None-Match": answer["etag"]}
                found[f"{name} {encoding} 304"] = Probe(path, conditional, status=304)
    return found


def measure(args, port: int) -> dict[str, list[Result]]:
    """Warm every worker up on every probe, then measure each probe in turn, ``--rounds``
    times over (this machine's other load drifts; each round has its own baselines)."""
    found = probes(port)
    for probe in found.values():
        asyncio.run(hammer(port, probe, args.workers * 2, 0.3))
    results: dict[str, list[Result]] = {name: [] for name in found}
    seconds = args.seconds / args.rounds
    for _ in range(args.rounds):
        for name, probe in found.items():
            results[name].append(asyncio.run(hammer(port, probe, args.clients, seconds)))
    return results


def ratio(results: dict[str, list[Result]], name: str, baseline: str) -> float:
    """The median over the rounds of this probe's throughput over the baseline's."""
    rounds = zip(results[name], results[baseline], strict=True)
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
    artifacts, render_seconds = load_workshop(args)
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
        f"\ngunicorn -w {args.workers} (sync), {args.clients} clients, {args.seconds:g} s per "
        f"probe in {args.rounds} rounds, PostgreSQL; warm cache: Redis, cold cache: DummyCache"
    )
    passed = render_seconds < RENDER_TARGET_SECONDS
    print(
        f"publishing the release renders {artifacts} pages and exports in {render_seconds:.2f} s"
        f" (target < {RENDER_TARGET_SECONDS:g} s){'' if passed else '  !'}"
    )
    print(f"\n{'':27} {'req/s':>8} {'/same-size':>10} {'/hello':>7}")
    for mode in caches:
        found = results[mode]
        hello = throughput(found["hello"])
        print(f"{mode} cache{'':17} hello view {hello:8.1f}")
        for name in PAGES:
            for encoding in ENCODINGS:
                label = f"{name} {encoding}"
                for kind, target_name, baseline in (
                    ("", mode, f"{label} same-size"),
                    (" 304", "304", "hello"),
                ):
                    probe = f"{label}{kind}"
                    if probe not in found:
                        continue
                    sized = ratio(found, probe, f"{label} same-size")
                    against_hello = ratio(found, probe, "hello")
                    value = sized if baseline != "hello" else against_hello
                    ok = value >= TARGETS[target_name]
                    failures = sum(r.failures for r in found[probe])
                    passed &= ok and failures == 0
                    print(
                        f"  {probe:25} {throughput(found[probe]):8.1f} {sized:10.3f} "
                        f"{against_hello:7.3f}{'' if ok else ' !'}"
                        f"{f' ({failures} failed)' if failures else ''}"
                    )
                same = f"{label} same-size"
                print(f"  {same:25} {throughput(found[same]):8.1f}")
    print("ratio: the median over the rounds of (probe req/s / baseline req/s in that round)")
    print(
        f"targets: against the same-size view, warm >= {TARGETS['warm']}, cold >= "
        f"{TARGETS['cold']}; a 304 >= {TARGETS['304']} of the hello view"
    )
    print(f"total {time.monotonic() - started:.0f} s")
    print("PASS" if passed else f"FAIL (gunicorn log: {log.name})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
