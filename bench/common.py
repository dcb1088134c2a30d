"""What every benchmark script needs: a free port on 127.0.0.1, a database of its own, and
servers started in a process group of their own and stopped with everything they forked."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def recreate_database(args: argparse.Namespace, *, create: bool = True) -> None:
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{args.database}"')


def start_gunicorn(
    workers: int, port: int, env: dict[str, str], log, *, ready: Callable[[], int], what: str
) -> subprocess.Popen:
    """Serve config.wsgi with ``workers`` sync workers; return once ``ready()`` gives 200.

    ``ready`` requests the page ``what`` names and returns its status (OSError: not up yet).
    """
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi",
        "-w", str(workers), "-k", "sync", "-b", f"{HOST}:{port}", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            status = ready()
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return server
        stop(server)
        raise SystemExit(f"{what} answered {status}; see {log.name}")
    stop(server)
    raise SystemExit("gunicorn did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    """Stop a process started with start_new_session=True, and its children."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
