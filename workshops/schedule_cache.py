"""The public schedule's cache: one version token per workshop, replaced on every change.

Everything derived from a workshop's schedule (the rendered pages, the exports) is stored with
the token that was current when it was built, and served only while that token is still
current. Changing the schedule never deletes keys: ``bump_schedule_version`` replaces the token
and every stale entry stops matching (they expire on their own). A cached read is one round
trip: the token and the entry together.

The workshop row itself is not cached: it is read (one query) on every request. A cached
workshop would outlive rows changed without signals (a restored database, a test's rollback)
and serve another workshop's schedule under its slug; the query costs a fraction of a
millisecond.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# Entries expire eventually so that the cache does not keep what nobody asks for any more.
ENTRY_TIMEOUT = 24 * 3600
# Part of every entry's key: raise it when what the entries hold changes shape (a deploy then
# starts from an empty cache instead of unpickling objects of the old shape).
FORMAT = 6
# What the public pages' nav reads from the workshop's one-to-one relations (select_related
# with the workshop). The nav is cached with the pages, so their changes bump the version too
# (workshops.signals).
NAV_RELATED = ("registration_settings", "cfa")


def version_key(workshop_pk: int) -> str:
    return f"schedule-version:{workshop_pk}"


def entry_key(workshop_pk: int, name: str) -> str:
    return f"schedule:{FORMAT}:{workshop_pk}:{name}"


def bump_schedule_version(workshop_pk: int) -> None:
    """Invalidate everything cached for this workshop's schedule, now and again after commit."""
    _new_token(workshop_pk)
    # A request running between our change and its commit can only see the old rows and may
    # store them under the token set above; the second bump retires what it stored.
    transaction.on_commit(lambda: _new_token(workshop_pk))


def _new_token(workshop_pk: int) -> str:
    token = uuid.uuid4().hex
    cache.set(version_key(workshop_pk), token, None)
    return token


def current_version(workshop_pk: int) -> str:
    """Return this workshop's schedule version token, creating one if the cache has none."""
    token = cache.get(version_key(workshop_pk))
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(version_key(workshop_pk), token, None):
            token = cache.get(version_key(workshop_pk)) or token
    return token


def cached(workshop_pk: int, name: str, build: Callable[[], T]) -> T:
    """Return what ``build()`` returns for this workshop's schedule, cached per version.

    ``name`` says what it is (``"schedule.xml"``, ``"page"``, ``"item:42"``); the value must
    not depend on the request. ``build`` must read what it needs from the database itself
    (it runs after the token was read, so a change committed meanwhile retires its result).
    A ``None`` is returned but not kept: anyone can ask for unknown item ids.
    """
    key, versions = entry_key(workshop_pk, name), version_key(workshop_pk)
    found = cache.get_many([versions, key])
    token = found.get(versions) or current_version(workshop_pk)
    entry = found.get(key)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = build()
    if value is not None:
        cache.set(key, (token, value), ENTRY_TIMEOUT)
    return value
