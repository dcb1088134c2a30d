"""Where uploads live: public media (speaker photos) and private files (submitted PDFs).

Private files sit under ``PRIVATE_MEDIA_ROOT``, beside ``MEDIA_ROOT`` rather than inside it, so
no web server rule for /media/ can reach them, and their storage has no URL at all: the only
way out is a view that checks who is asking (submissions.views.download_pdf,
submissions.review_views.review_pdf).
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateStorage(FileSystemStorage):
    """A file system storage under ``settings.PRIVATE_MEDIA_ROOT``, read at each use, so it
    follows the setting when it changes (a test's own directory)."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL; link to a permission-checked view.")


def private_storage() -> Storage:
    """Return the "private" storage of settings.STORAGES (evaluated when models load)."""
    return storages["private"]
