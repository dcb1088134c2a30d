"""Decide and notify 2,000 submissions; time their decision mail through one real Celery worker.

    .venv/bin/python bench/decisions.py [--count 2000] [--pool solo|prefork] [--database NAME]
        [--broker-db N]

Not a test: it needs PostgreSQL and Redis on 127.0.0.1 and takes about a minute. It drops and
recreates its own database (wp_bench_decisions), uses Redis database 8 (or --broker-db) and
deletes only the keys of its own queue there at the end, and starts an SMTP sink (aiosmtpd)
in this process.

Two ways of getting the same messages into the same sink, in the same run:

- outbox: ``notify_authors`` (in a process of its own, as in a web request) over the decided
  submissions, timed from the call until the sink holds every message: rendering, the outbox
  rows, Celery tasks through Redis (one per 50 mails), and ONE worker process (``--pool=solo``
  by default: one process, nothing forked) that claims each batch's queued rows, then sends
  them through Django's email backend over one connection per batch and records each as sent
  with the ORM, in a transaction of its own (outbox/delivery.py);
- baseline: a plain smtplib loop over the same rendered messages (subject, text, HTML and
  headers as the outbox stored them), each built with the standard library's MIME classes (the
  ones Django builds with) and sent over ONE SMTP connection kept open for the whole loop: what
  a script without Django, Celery or an outbox would do, with the cheapest connection handling.
  It runs in a process of its own, as the worker does, so both reach the sink (a thread of
  this process) across a process boundary. Building and sending cost the same on both paths,
  so the ratio measures what the outbox adds.

The two alternate in ``--rounds`` rounds (the count split evenly), so that a change in the
machine's load hits both alike. It checks that every submission got exactly one mail, prints
messages per second for both, the ratio, and the worker's peak resident memory (VmHWM from
/proc, summed over the worker's processes), and PASS if the ratio is at least 0.4 and the peak
under 200 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import re
import secrets
import shutil
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email.charset import Charset
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where bench/registration.py would
# shadow the project's own ``registration`` app.
sys.path[0] = str(ROOT)

from bench.common import free_port, recreate_database, stop  # noqa: E402

HOST = "127.0.0.1"
BROKER_DB = 8
TARGET_RATIO = 0.4  # public APIs only (Django email backend, ORM marks): issue #12
TARGET_PEAK_MB = 200.0
DECISIONS = ("talk", "poster", "spotlight", "reject")
OUTBOX_KEY = re.compile(rb"^X-Outbox-Key: (\S+)\r?$", re.MULTILINE)


class CountingSink:
    """An SMTP server that keeps only what the bench checks: each message's outbox key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.keys: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        match = OUTBOX_KEY.search(envelope.content)
        with self._lock:
            self.keys.append(match[1] if match else b"")
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self._lock:
            return len(self.keys)

    def reset(self) -> list[bytes]:
        with self._lock:
            keys, self.keys = self.keys, []
        return keys

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.count() < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="submissions (and mails)")
    parser.add_argument(
        "--pool",
        choices=["solo", "prefork"],
        default="solo",
        help="the one worker: solo (one process) or prefork with concurrency 1",
    )
    parser.add_argument("--postgres", default=f"postgres://postgres@{HOST}:5432")
    parser.add_argument("--database", default="wp_bench_decisions")
    parser.add_argument("--redis", default=f"redis://{HOST}:6379")
    parser.add_argument("--broker-db", type=int, default=BROKER_DB, help="Redis database number")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to deliver all")
    parser.add_argument(
        "--rounds", type=int, default=4, help="outbox/baseline alternations (count split evenly)"
    )
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args()


def django_environment(args: argparse.Namespace, smtp_port: int) -> dict[str, str]:
    """What the worker and this process run with: production settings, SMTP to the sink."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{args.postgres}/{args.database}",
        "CELERY_BROKER_URL": f"{args.redis}/{args.broker_db}",
        "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
        "EMAIL_TIMEOUT": "10",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": "https://workshops.example.org",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": tempfile.mkdtemp(prefix="wp-bench-decisions-"),
    }


def set_up(args: argparse.Namespace):
    """Migrate; create one workshop with ``--count`` submitted abstracts, decided by the service."""
    import datetime as dt

    import django
    from django.core.management import call_command
    from django.utils import timezone

    django.setup()
    call_command("migrate", verbosity=0)

    from accounts.models import User
    from submissions import services
    from submissions.models import Author, Submission, SubmissionType
    from workshops.models import Workshop

    today = timezone.localdate()
    workshop = Workshop.objects.create(
        title="Benchmark Workshop on Decisions",
        slug="bench-decisions",
        published=True,
        time_zone="Europe/Paris",
        start_date=today + dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=62),
        venue_name="IDMC",
        city="Nancy",
        contact_email="contact@example.org",
    )
    types = services.ensure_submission_types(workshop)
    # Setup only: bulk rows (accounts without a usable password), then the real decisions.
    users = User.objects.bulk_create(
        User(email=f"author{i}@example.org", full_name=f"Author {i}", password="!")
        for i in range(args.count)
    )
    now = timezone.now()
    submissions = Submission.objects.bulk_create(
        Submission(
            workshop=workshop,
            submitter=user,
            title=f"Abstract number {i}",
            abstract="We study low-rank structure. " * 20,
            type=types[i % len(types)],
            status=Submission.Status.SUBMITTED,
            submitted_at=now,
        )
        for i, user in enumerate(users)
    )
    Author.objects.bulk_create(
        Author(
            submission=s,
            name=s.submitter.full_name,
            email=s.submitter.email,
            affiliation="Université de Lorraine",
            is_presenter=True,
        )
        for s in submissions
    )
    expected = {}
    for i, submission in enumerate(submissions):
        decision = DECISIONS[i % len(DECISIONS)]
        services.decide_submission(submission=submission, decision=decision)
        expected[f"decision:{submission.pk}".encode()] = decision
    assert SubmissionType.objects.filter(workshop=workshop).count() == len(types)
    return workshop, expected


def start_worker(args, env, queue: str, nodename: str, log) -> subprocess.Popen:
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker"),
        *(f"--pool={args.pool}", "--concurrency=1", "-Q", queue, "-n", nodename),
        *("--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"),
    ]
    worker = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from config.celery_app import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the worker exited with {worker.returncode}; see {log.name}")
        if app.control.ping(destination=[nodename], timeout=0.5):
            return worker
    raise SystemExit(f"the worker did not answer within 60 s; see {log.name}")


def process_tree(pid: int) -> list[int]:
    """Return ``pid`` and its descendants, from /proc."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return pids


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of the process tree: the sum of each process's VmHWM."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        if match := re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE):
            total_kb += int(match[1])
    return total_kb / 1024


def forget_queue(args: argparse.Namespace, queue: str) -> None:
    """Delete this run's keys in its Redis database (its queue and control replies), no more."""
    import redis

    from config.celery_app import app

    client = redis.Redis.from_url(f"{args.redis}/{args.broker_db}")
    try:
        marks = (queue, app.control.mailbox.oid)
        for mark in marks:
            keys = list(client.scan_iter(match=f"*{mark}*", count=500))
            if keys:
                client.delete(*keys)
        for binding in client.scan_iter(match="_kombu.binding*pidbox", count=500):
            stale = [m for m in client.smembers(binding) if any(x.encode() in m for x in marks)]
            if stale:
                client.srem(binding, *stale)
    finally:
        client.close()


def warm_up(sink: CountingSink) -> None:
    """One mail through the whole path first: imports and connections are not what we time."""
    from django.db import transaction

    from outbox.mail import queue_mail

    with transaction.atomic():
        queue_mail(
            key="bench-warm-up",
            to="warm-up@example.org",
            template="outbox/emails/notice",
            context={"subject": "Warm-up", "body": "Warm-up.", "workshop": None},
        )
    if not sink.wait_for(1, timeout=30):
        raise SystemExit("the warm-up mail did not arrive within 30 s")
    sink.reset()


def rendered_messages(pks: list[int]) -> list[dict[str, str]]:
    """The decision mails as the outbox rendered them: addresses, subject, text and HTML."""
    from outbox.models import OutgoingMail

    rows = OutgoingMail.objects.filter(key__in=[f"decision:{pk}" for pk in pks])
    return list(
        rows.order_by("pk").values(
            "key", "from_email", "to", "reply_to", "subject", "body_text", "body_html"
        )
    )


# Django's choice for UTF-8 bodies: 8-bit, not base64, so both paths encode alike.
UTF8 = Charset("utf-8")
UTF8.body_encoding = None
CRLF = compat32.clone(linesep="\r\n")  # smtplib sends bytes as they are


def send_plainly(messages: list[dict[str, str]], port: int) -> None:
    """What one would write without Django, Celery or an outbox: for each rendered message,
    build it with the standard library's MIME classes (the ones Django uses: text and HTML
    alternatives, the same headers) and send it, all over ONE SMTP connection."""
    smtp = smtplib.SMTP(HOST, port, timeout=10)
    try:
        for row in messages:
            message = MIMEMultipart("alternative")
            message.attach(MIMEText(row["body_text"], "plain", UTF8))
            if row["body_html"]:
                message.attach(MIMEText(row["body_html"], "html", UTF8))
            message["Subject"] = row["subject"]
            message["From"] = row["from_email"]
            message["To"] = row["to"]
            if row["reply_to"]:
                message["Reply-To"] = row["reply_to"]
            message["Date"] = formatdate(localtime=True)
            message["Message-ID"] = make_msgid(domain="localhost")
            message["X-Outbox-Key"] = row["key"]
            smtp.sendmail(row["from_email"], [row["to"]], message.as_bytes(policy=CRLF))
    finally:
        smtp.quit()


def _notify(pks: list[int], queue: str, times, queued) -> None:
    import django

    django.setup()
    from config.celery_app import app
    from submissions import services
    from submissions.models import Submission

    app.conf.task_default_queue = queue
    times[0] = time.monotonic()
    queued.value = services.notify_authors(submissions=Submission.objects.filter(pk__in=pks))
    times[1] = time.monotonic()


def run_notify(pks: list[int], queue: str, args) -> tuple[int, float, float]:
    """Call notify_authors in a process of its own, as an organizer's request runs in a web
    process, not in the mail server's. Return (mails queued, when it started, seconds it took);
    the process start and Django's set-up are not counted."""
    context = multiprocessing.get_context("spawn")
    times, queued = context.Array("d", 2), context.Value("i", 0)
    notifier = context.Process(target=_notify, args=(pks, queue, times, queued))
    notifier.start()
    notifier.join(timeout=args.timeout)
    return queued.value, times[0], times[1] - times[0]


def _plain_sender(messages: list[dict[str, str]], port: int, started) -> None:
    started.value = time.monotonic()
    send_plainly(messages, port)


def run_plain_sender(messages, port: int, sink: CountingSink, timeout: float) -> float:
    """Run the plain loop in a process of its own, like the worker: both paths then reach the
    sink across a process boundary. Return the seconds from its first message to the sink
    holding all of them (the process start-up is not counted)."""
    context = multiprocessing.get_context("spawn")
    started = context.Value("d", 0.0)
    sender = context.Process(target=_plain_sender, args=(messages, port, started))
    sender.start()
    sink.wait_for(len(messages), timeout=timeout)
    finished = time.monotonic()
    sender.join(timeout=30)
    return finished - started.value


def main() -> int:
    args = parse_args()
    from aiosmtpd.controller import Controller

    sink = CountingSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname=HOST, port=smtp_port)
    controller.start()
    env = django_environment(args, smtp_port)
    os.environ.update(env)
    recreate_database(args)
    started = time.monotonic()
    workshop, expected = set_up(args)
    print(
        f"database {args.database}: {args.count} submissions decided in "
        f"{time.monotonic() - started:.1f} s"
    )

    from django.db import connections

    from config.celery_app import app
    from outbox.models import OutgoingMail

    queue = f"bench-decisions-{uuid.uuid4().hex[:12]}"
    nodename = f"{queue}@localhost"
    app.conf.task_default_queue = queue
    log_path = Path(env["VAR_DIR"]) / "worker.log"
    pks = sorted(int(key.split(b":")[1]) for key in expected)
    size = -(-len(pks) // args.rounds)
    outbox_keys, outbox_seconds, notify_seconds, queued, delivered_all = [], 0.0, 0.0, 0, True
    baseline_count, baseline_seconds = 0, 0.0
    with open(log_path, "w") as log:
        worker = start_worker(args, env, queue, nodename, log)
        try:
            warm_up(sink)
            # Alternate the two paths, so that a change in the machine's load hits both alike.
            for start in range(0, len(pks), size):
                group = pks[start : start + size]
                count, began, took = run_notify(group, queue, args)
                delivered_all &= sink.wait_for(len(group), timeout=args.timeout)
                outbox_seconds += time.monotonic() - began
                notify_seconds += took
                queued += count
                outbox_keys += sink.reset()
                messages = rendered_messages(group)
                baseline_seconds += run_plain_sender(messages, smtp_port, sink, args.timeout)
                baseline_count += len(sink.reset())
            time.sleep(0.5)  # a duplicate would arrive now
            outbox_keys += sink.reset()
            peak_mb = peak_rss_mb(worker.pid)
        finally:
            stop(worker)
            forget_queue(args, queue)
    controller.stop()
    sent = OutgoingMail.objects.filter(workshop=workshop, status="sent").count()

    connections.close_all()
    if not args.keep_database:
        recreate_database(args, create=False)

    outbox_rate = len(outbox_keys) / outbox_seconds
    baseline_rate = baseline_count / baseline_seconds
    ratio = outbox_rate / baseline_rate
    checks = {
        f"notify_authors queued one mail per submission ({queued})": queued == args.count,
        f"all delivered within {args.timeout:.0f} s": delivered_all,
        f"each submission's mail exactly once ({len(outbox_keys)} messages)": (
            sorted(outbox_keys) == sorted(expected)
        ),
        f"every outbox row recorded as sent ({sent})": sent == args.count,
        f"baseline delivered every message ({baseline_count})": baseline_count == args.count,
        f"outbox/baseline >= {TARGET_RATIO} ({ratio:.2f})": ratio >= TARGET_RATIO,
        f"worker peak memory < {TARGET_PEAK_MB:.0f} MB ({peak_mb:.1f} MB)": (
            peak_mb < TARGET_PEAK_MB
        ),
    }
    print(
        f"\n{args.count} decision mails, one Celery worker (--pool={args.pool}, concurrency 1), "
        f"Redis db {args.broker_db}, SMTP sink on {HOST}:{smtp_port}"
    )
    print(
        f"outbox    {outbox_rate:8.1f} msgs/s  ({outbox_seconds:.2f} s from notify to the last "
        f"delivery, in {args.rounds} rounds; notify_authors itself took {notify_seconds:.2f} s)"
    )
    print(
        f"baseline  {baseline_rate:8.1f} msgs/s  ({baseline_seconds:.2f} s: plain smtplib, the "
        "same rendered messages built with the standard library, one connection for all, in a "
        "process of its own)"
    )
    print(f"ratio     {ratio:.2f} (outbox / baseline)")
    print(f"worker    peak resident memory {peak_mb:.1f} MB")
    for check, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {check}")
    passed = all(checks.values())
    print("PASS" if passed else f"FAIL (worker log: {log_path})")
    if passed:
        shutil.rmtree(env["VAR_DIR"], ignore_errors=True)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
