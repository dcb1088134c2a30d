"""What every benchmark script needs: a free port on 127.0.0.1 and a database of its own."""

import argparse
import socket

HOST = "127.0.0.1"


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
