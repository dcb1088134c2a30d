"""A workshop's own mail texts, read from the cache: every sign-up needs them, they rarely change.

The texts are stored together with a version token, and served only while that token is
still the workshop's current one; saving or deleting a text replaces the token (now and again
after commit), so no request can keep serving what was there before. Reading the token and
the texts is one cache round trip, instead of a query on every sign-up. With the cache down
(config/redis_cache.py acts as an empty cache) every read goes to the database.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

from registration.models import MailText

TIMEOUT = 24 * 3600

Texts = dict[str, tuple[str, str]]


def _token_key(workshop_pk: int) -> str:
    return f"registration-mailtexts-version:{workshop_pk}"


def _texts_key(workshop_pk: int) -> str:
    return f"registration-mailtexts:{workshop_pk}"


def workshop_texts(workshop_pk: int) -> Texts:
    """Return {kind: (subject, body)} of the workshop's own texts (the built-ins are not in it)."""
    token_key, texts_key = _token_key(workshop_pk), _texts_key(workshop_pk)
    found = cache.get_many([token_key, texts_key])
    token, entry = found.get(token_key), found.get(texts_key)
    if token is not None and entry is not None and entry[0] == token:
        return entry[1]
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(token_key, token, None):
            token = cache.get(token_key) or token
    # The token is read before the rows: a change committed in between replaces it, and what
    # this stores under the old one is never served.
    texts = {
        kind: (subject, body)
        for kind, subject, body in MailText.objects.filter(workshop_id=workshop_pk).values_list(
            "kind", "subject", "body"
        )
    }
    cache.set(texts_key, (token, texts), TIMEOUT)
    return texts


def forget_texts(workshop_pk: int) -> None:
    """Retire what is cached for this workshop's texts, now and again after commit.

    A request running between the change and its commit can only see the old rows, and may
    store them under the token set now; the second replacement retires what it stored.
    """
    _new_token(workshop_pk)
    transaction.on_commit(lambda: _new_token(workshop_pk))


def _new_token(workshop_pk: int) -> None:
    cache.set(_token_key(workshop_pk), uuid.uuid4().hex, None)


def _on_change(sender, instance: MailText, **kwargs) -> None:
    forget_texts(instance.workshop_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_change, sender=MailText, dispatch_uid="mailtext-cache-save")
    post_delete.connect(_on_change, sender=MailText, dispatch_uid="mailtext-cache-delete")
