"""What one request for the benchmark workshop's schedule costs in this process, without gunicorn.

    .venv/bin/python bench/schedule_cost.py [--database wp_bench_schedule] [--cache cold|warm]

The CPU time of this process per request (``time.process_time``, so other load on the machine
counts less than in wall time) for the same URLs as bench/schedule.py, through the whole
middleware stack with Django's test client, and the queries each one makes. ``cold``: DummyCache,
every request builds everything; ``warm``: an in-memory cache, filled by the first request.
``--profile NAME`` prints the functions that the URL's requests spend their CPU time in.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from bench.common import recreate_database  # noqa: E402
from bench.schedule import BARE, PAGES, django_environment, load_workshop  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", choices=["cold", "warm"], default="cold")
    parser.add_argument("--requests", type=int, default=0, help="per URL (default 30 / 300)")
    parser.add_argument("--profile", choices=list(PAGES), help="profile this URL's requests")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="wp_bench_schedule")
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "bench-data" / "lorainne25.json"
    )
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def cost(client, path: str, requests: int) -> tuple[float, float]:
    """Return the CPU and the wall milliseconds per request (after one request to start)."""
    assert client.get(path).status_code == 200, path
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        client.get(path)
    return (
        (time.process_time() - cpu) * 1000 / requests,
        (time.perf_counter() - wall) * 1000 / requests,
    )


def main() -> int:
    args = parse_args()
    requests = args.requests or (30 if args.cache == "cold" else 300)
    env = django_environment(args, port=8000)
    env["ALLOWED_HOSTS"] = "testserver"
    env["CACHE_URL"] = "dummycache://" if args.cache == "cold" else "locmemcache://"
    os.environ.update(env)
    recreate_database(args)
    try:
        load_workshop(args)
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client(headers={"Accept-Encoding": "gzip"})
        print(f"{args.cache}, {requests} requests per URL: ms per request in this process")
        print(f"{'':15} {'cpu':>7} {'wall':>7} {'queries':>8}")
        for name, path in {"bare view": BARE, **PAGES}.items():
            cpu, wall = cost(client, path, requests)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            print(f"{name:15} {cpu:7.2f} {wall:7.2f} {len(queries):8}")
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.runcall(cost, client, PAGES[args.profile], requests)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_database:
            recreate_database(args, create=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
