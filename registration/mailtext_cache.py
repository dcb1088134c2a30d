"""A workshop's own mail texts, read from the cache: every sign-up needs them, they rarely change.

The texts are stored under a version token (workshops/version_tokens.py) that saving or
deleting a text replaces, so no request can keep serving what was there before. Reading the
token and the texts is one cache round trip, instead of a query on every sign-up. With the
cache down (config/redis_cache.py acts as an empty cache) every read goes to the database.
"""

from __future__ import annotations

from django.core.cache import cache

from registration.models import MailText
from workshops.version_tokens import VersionTokens

TIMEOUT = 24 * 3600

TOKENS = VersionTokens("registration-mailtexts-version")

Texts = dict[str, tuple[str, str]]


def _texts_key(workshop_pk: int) -> str:
    return f"registration-mailtexts:{workshop_pk}"


def workshop_texts(workshop_pk: int) -> Texts:
    """Return {kind: (subject, body)} of the workshop's own texts (the built-ins are not in it)."""
    token_key, texts_key = TOKENS.key(workshop_pk), _texts_key(workshop_pk)
    found = cache.get_many([token_key, texts_key])
    token, entry = found.get(token_key), found.get(texts_key)
    if token is not None and entry is not None and entry[0] == token:
        return entry[1]
    if token is None:
        token = TOKENS.create(workshop_pk)
    # Read before the rows: what this stores under an old token is never served.
    texts = {
        kind: (subject, body)
        for kind, subject, body in MailText.objects.filter(workshop_id=workshop_pk).values_list(
            "kind", "subject", "body"
        )
    }
    cache.set(texts_key, (token, texts), TIMEOUT)
    return texts


def _on_change(sender, instance: MailText, **kwargs) -> None:
    TOKENS.replace(instance.workshop_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_change, sender=MailText, dispatch_uid="mailtext-cache-save")
    post_delete.connect(_on_change, sender=MailText, dispatch_uid="mailtext-cache-delete")
