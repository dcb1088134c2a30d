"""Version tokens: what a cache entry built from rows is checked against before it is served.

Each workshop has a token per kind of cached data (its schedule, its registration mail texts).
An entry is stored together with the token that was current when its rows were read, and is
served only while that token is still current. A change replaces the token instead of deleting
entries: nothing stale can be served, and the old entries expire on their own.

The token is read before the rows. A change committed in between replaces it, so what a
racing reader stores under the old token is never served; and a change replaces it twice, now
and again after commit, because a request running between the change and its commit can only
see the old rows and may store them under the token set first.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction


class VersionTokens:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def key(self, workshop_pk: int) -> str:
        return f"{self.prefix}:{workshop_pk}"

    def current(self, workshop_pk: int) -> str:
        """Return the workshop's token, creating one if the cache has none."""
        token = cache.get(self.key(workshop_pk))
        return token if token is not None else self.create(workshop_pk)

    def create(self, workshop_pk: int) -> str:
        """Make a token for a workshop the cache has none for (another request may have made
        one first: that one wins)."""
        token = uuid.uuid4().hex
        if not cache.add(self.key(workshop_pk), token, None):
            token = cache.get(self.key(workshop_pk)) or token
        return token

    def replace(self, workshop_pk: int) -> None:
        """Retire every entry built under the current token, now and again after commit."""
        self._new(workshop_pk)
        transaction.on_commit(lambda: self._new(workshop_pk))

    def _new(self, workshop_pk: int) -> None:
        cache.set(self.key(workshop_pk), uuid.uuid4().hex, None)
