"""The public schedule's cache: one version token per workshop, replaced on every change.

Everything derived from a workshop's schedule (the rendered pages, the exports, the workshop
row the public pages look up by slug) is stored together with the token that was current when
it was built, and served only while that token is still current. Changing the schedule never
deletes keys: ``bump_schedule_version`` replaces the token and every stale entry stops
matching (they expire on their own).

A warm request makes two cache round trips and no query: one for the workshop (by slug), one
for the version token together with the entry. The workshop read in the first trip is only
known to be current after the second; ``cached`` raises ``StaleWorkshop`` when it was not,
and the caller reads the workshop again (``serve`` in ``schedule_views``).

A slug's entry can also go stale without any signal about its workshop: when that workshop's
row disappears without one (a rolled-back test, a restored database) and another workshop
takes the slug. Saving the new row deletes the slug's entry (``forget_slug``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

from workshops.models import Workshop
from workshops.version_tokens import VersionTokens

T = TypeVar("T")

# Entries expire eventually so that the cache does not keep what nobody asks for any more.
ENTRY_TIMEOUT = 24 * 3600
# Part of every entry's key: raise it when what the entries hold changes shape (a deploy then
# starts from an empty cache instead of unpickling objects of the old shape).
FORMAT = 2  # 2: Stored has its frame key
# What the public pages' nav reads from the workshop's one-to-one relations; the cached
# workshop carries them, so their changes bump the version too (workshops.signals).
NAV_RELATED = ("registration_settings", "cfa")
TOKENS = VersionTokens("schedule-version")


class StaleWorkshop(Exception):
    """The workshop read from the cache changed since: read it again from the database."""


def version_key(workshop_pk: int) -> str:
    return TOKENS.key(workshop_pk)


def entry_key(workshop_pk: int, name: str) -> str:
    return f"schedule:{FORMAT}:{workshop_pk}:{name}"


def slug_key(slug: str) -> str:
    return f"schedule-workshop:{FORMAT}:{slug}"


def bump_schedule_version(workshop_pk: int) -> None:
    """Invalidate everything cached for this workshop's schedule, now and again after commit."""
    TOKENS.replace(workshop_pk)


def forget_slug(slug: str) -> None:
    """Drop the workshop cached under this slug (a new or changed row now has it)."""
    cache.delete(slug_key(slug))
    _pk_hints.pop(slug, None)
    transaction.on_commit(lambda: cache.delete(slug_key(slug)))


def current_version(workshop_pk: int) -> str:
    """Return this workshop's schedule version token, creating one if the cache has none."""
    return TOKENS.current(workshop_pk)


# Which workshop pk this process last saw under each slug: only a guess (checked against the
# cached workshop every time), that lets a warm request read the workshop, the version token
# and its entries in one round trip instead of two. A few bytes per slug.
_pk_hints: dict[str, int] = {}


def cached_workshop(slug: str, names: Sequence[str] = ()) -> Workshop | None:
    """Return the workshop with this slug as last cached (not yet checked), or fresh_workshop.

    With ``names``, the version token and those entries are read in the same round trip when
    this process knows the slug's workshop, and kept on it for ``lookup`` (as read now: the
    same as if ``lookup`` read them a moment later).
    """
    hint = _pk_hints.get(slug)
    keys = [slug_key(slug)]
    if hint is not None and names:
        keys += [version_key(hint), *(entry_key(hint, name) for name in names)]
    found = cache.get_many(keys)
    entry = found.pop(slug_key(slug), None)
    if entry is None:
        return fresh_workshop(slug)
    token, workshop = entry
    workshop._schedule_version, workshop._schedule_checked = token, False
    if workshop.pk == hint and names:
        workshop._prefetched = (frozenset(keys[1:]), found)
    _pk_hints[slug] = workshop.pk
    return workshop


def fresh_workshop(slug: str) -> Workshop | None:
    """Read the workshop with this slug from the database and cache it.

    The version token is read before the row (a change committed in between retires this
    entry), so the pk comes first: from this process's hint (one query, checked: a slug that
    changed hands reads again), else from the database (two).
    """
    hint = _pk_hints.get(slug)
    if hint is not None:
        token = current_version(hint)
        workshop = Workshop.objects.select_related(*NAV_RELATED).filter(slug=slug).first()
        if workshop is None or workshop.pk == hint:
            return _fresh(slug, token, workshop)
    pk = Workshop.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        return None
    token = current_version(pk)
    workshop = Workshop.objects.select_related(*NAV_RELATED).filter(pk=pk).first()
    return _fresh(slug, token, workshop)  # None: deleted in between


def _fresh(slug: str, token: str, workshop: Workshop | None) -> Workshop | None:
    if workshop is None:
        return None
    cache.set(slug_key(slug), (token, workshop), ENTRY_TIMEOUT)
    workshop._schedule_version, workshop._schedule_checked = token, True
    _pk_hints[slug] = workshop.pk
    return workshop


def is_current(workshop: Workshop) -> bool:
    """Return whether the workshop row is as it was when cached (one cache read if unsure)."""
    if getattr(workshop, "_schedule_checked", True):
        return True
    return cache.get(version_key(workshop.pk)) == workshop._schedule_version


def lookup(
    workshop: Workshop, names: list[str], *, strict: bool = True
) -> tuple[str, dict[str, Any]]:
    """Return the current version token and those of the entries ``names`` built under it.

    One round trip for the token and all the entries. Raise StaleWorkshop if the workshop
    came from the cache and has changed since (unless ``strict`` is off: the caller has just
    read it from the database).
    """
    versions = version_key(workshop.pk)
    keys = [versions, *(entry_key(workshop.pk, name) for name in names)]
    found = _prefetched(workshop, keys)
    if found is None:
        found = cache.get_many(keys)
    token = found.get(versions)
    if token is None:
        # The cache lost the token (or keeps nothing, like DummyCache). A workshop just read
        # from the database carries the token read before it: still the one to build under.
        checked = getattr(workshop, "_schedule_checked", False)
        token = workshop._schedule_version if checked else current_version(workshop.pk)
    if strict and token != getattr(workshop, "_schedule_version", token):
        raise StaleWorkshop
    return token, _current(workshop, token, names, found)


def _prefetched(workshop: Workshop, keys: list[str]) -> dict[str, Any] | None:
    """What ``cached_workshop`` read of ``keys`` with the workshop (once), if it read them all."""
    prefetched = getattr(workshop, "_prefetched", None)
    if prefetched is None:
        return None
    del workshop._prefetched  # a second look-up reads afresh
    asked, found = prefetched
    return found if asked.issuperset(keys) else None


def fetch(workshop: Workshop, token: str, names: list[str]) -> dict[str, Any]:
    """Return those of the entries ``names`` built under ``token`` (one round trip)."""
    found = cache.get_many([entry_key(workshop.pk, name) for name in names])
    return _current(workshop, token, names, found)


def _current(workshop: Workshop, token: str, names: list[str], found: dict) -> dict[str, Any]:
    entries = ((name, found.get(entry_key(workshop.pk, name))) for name in names)
    return {name: entry[1] for name, entry in entries if entry is not None and entry[0] == token}


def store(workshop: Workshop, token: str, name: str, value: Any) -> None:
    """Keep ``value`` as entry ``name``, built from what was current under ``token``."""
    cache.set(entry_key(workshop.pk, name), (token, value), ENTRY_TIMEOUT)


def cached(workshop: Workshop, name: str, build: Callable[[], T], *, strict: bool = True) -> T:
    """Return what ``build()`` returns for this workshop's schedule, cached per version.

    ``name`` says what it is (``"schedule.xml"``, ``"page"``, ``"item:42"``); the value must
    not depend on the request. Raise StaleWorkshop as ``lookup`` does. A ``None`` is returned
    but not kept: anyone can ask for unknown item ids.
    """
    token, found = lookup(workshop, [name], strict=strict)
    if name in found:
        return found[name]
    value = build()
    if value is not None:
        store(workshop, token, name, value)
    return value
