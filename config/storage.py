"""Where uploads live: public media (speaker photos) and private files (submitted PDFs).

Private files sit under ``PRIVATE_MEDIA_ROOT``, beside ``MEDIA_ROOT`` rather than inside it, so
no web server rule for /media/ can reach them, and their storage has no URL at all: the only
way out is a view that checks who is asking (submissions.views.download_pdf,
submissions.review_views.review_pdf).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """A file system storage under ``settings.PRIVATE_MEDIA_ROOT``, followed when it changes."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; link to a permission-checked view.")


def private_storage() -> Storage:
    """Return the "private" storage of settings.STORAGES (evaluated when models load)."""
    return storages["private"]
