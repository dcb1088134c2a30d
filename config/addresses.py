"""Email addresses in one stored form, and the look-alike test between two of them.

Every address the site keeps (accounts, allauth's addresses, registrations, authors, speakers)
is stored as ``normalize_email()`` makes it and matched exactly on that form. Matching with
``iexact`` instead let PostgreSQL's ``UPPER()`` make two accounts one: it maps the dotless
``ı`` to ``I``, so ``organızer@`` matched ``organizer@``.

``skeleton()`` is Unicode TR 39's confusable skeleton (ICU's SpoofChecker): two addresses with
the same skeleton look the same to a reader (``раypal`` in Cyrillic and ``paypal``), and a new
account may not take an address that looks like an existing one.
"""

from __future__ import annotations

import contextlib
import unicodedata

import icu
import idna
from django.db import IntegrityError, models, transaction

# A SpoofChecker is safe to share once configured; getSkeleton() only reads it.
_SPOOF_CHECKER = icu.SpoofChecker()


def normalize_email(address: str) -> str:
    """Return the stored form of an address: NFKC, case-folded, the domain as IDNA maps it.

    Never raises: a domain IDNA refuses keeps its case-folded text (the form's validator
    refuses such an address; lookups with it simply find nothing).
    """
    text = unicodedata.normalize("NFKC", address.strip()).casefold()
    text = unicodedata.normalize("NFKC", text)  # case folding can leave a non-NFKC text
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    # UTS 46 mapping, then back to Unicode: one readable form per domain
    # (“Bücher.EXAMPLE” and “xn--bcher-kva.example” are both “bücher.example”).
    with contextlib.suppress(idna.IDNAError):
        domain = idna.decode(idna.encode(domain, uts46=True))
    return f"{local}@{domain}"


def skeleton(address: str) -> str:
    """Return the TR 39 skeleton of the address's stored form (for comparison only)."""
    return _SPOOF_CHECKER.getSkeleton(0, normalize_email(address))


class EmailAddressField(models.EmailField):
    """An ``EmailField`` that stores, and looks up, the address as ``normalize_email()`` makes it.

    ``filter(email=typed)`` finds the row whatever case or compatibility form was typed; the
    instance carries the stored form as soon as it is saved.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return normalize_email(value) if isinstance(value, str) and value else value

    def pre_save(self, model_instance, add: bool):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str) and value:
            value = normalize_email(value)
            setattr(model_instance, self.attname, value)
        return value


def normalize_stored_addresses(model, field: str, extra=None) -> None:
    """Rewrite each row's address in its stored form (a data migration's step); ``extra`` maps
    the stored form to more fields to write with it.

    A row whose stored form another row holds already keeps its address as it was: a unique
    constraint refuses the change, and no row may be lost to it.
    """
    for row in model.objects.iterator(chunk_size=500):
        typed = getattr(row, field)
        stored = normalize_email(typed) if typed else typed
        values = {field: stored, **(extra(stored) if extra else {})}
        if all(getattr(row, name) == value for name, value in values.items()):
            continue
        try:
            with transaction.atomic():
                model.objects.filter(pk=row.pk).update(**values)
        except IntegrityError:
            continue
