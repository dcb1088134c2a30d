"""Uploads kept across a form that is sent back.

A browser never gives a chosen file back: a form sent back for another field's error, a
refused rule or (without scripts) an "Add an author" round trip would make the person choose
their PDF or photo again. Instead, the upload that passed its own checks waits in private
storage under ``pending/``, and the page carries a signed token naming it (a hidden
``<field>_kept`` input). Posted again without a new file, the kept one takes the field's
place and goes through the same checks as a fresh upload. A token names the account it was
made for and expires after MAX_AGE; ``sweep()`` (a periodic task) deletes what is older.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from config.storage import private_storage

SALT = "workshops.pending_uploads"
MAX_AGE = 24 * 3600  # seconds
FOLDER = "pending"
PER_OWNER = 4  # kept at once per account: keeping a fifth drops the oldest


@dataclass(frozen=True)
class Kept:
    token: str
    filename: str  # as the person chose it: the page names it


def keep(upload: UploadedFile, *, owner_id: int) -> Kept:
    """Store the upload and return the token that gives it back to ``owner_id``; an account
    keeps at most PER_OWNER files (the oldest go), so nobody fills the disk with them."""
    storage = private_storage()
    folder = f"{FOLDER}/{int(owner_id)}"
    _trim(storage, folder, keep=PER_OWNER - 1)
    upload.seek(0)
    name = storage.save(f"{folder}/{secrets.token_hex(16)}", ContentFile(upload.read()))
    filename = os.path.basename(upload.name or "upload")[:120]
    payload = {
        "n": name,
        "o": owner_id,
        "f": filename,
        "t": getattr(upload, "content_type", "") or "application/octet-stream",
    }
    return Kept(signing.dumps(payload, salt=SALT), filename)


def _files_in(storage, folder: str) -> list[str]:
    try:
        return [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
    except FileNotFoundError:
        return []


def _trim(storage, folder: str, *, keep: int) -> None:
    paths = sorted(_files_in(storage, folder), key=storage.get_modified_time)
    for path in paths[: max(len(paths) - keep, 0)]:
        storage.delete(path)


def _payload(token: str, owner_id: int) -> dict | None:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # forged, altered or expired (SignatureExpired)
        return None
    if not isinstance(data, dict) or data.get("o") != owner_id:
        return None
    name = str(data.get("n", ""))
    if not name.startswith(f"{FOLDER}/{int(owner_id)}/") or not private_storage().exists(name):
        return None
    return data


def take(token: str, *, owner_id: int) -> tuple[UploadedFile, Kept] | None:
    """The kept upload as a fresh one (for the form's own checks), or None."""
    data = _payload(token, owner_id)
    if data is None:
        return None
    with private_storage().open(data["n"]) as stored:
        content = stored.read()
    upload = SimpleUploadedFile(data["f"], content, content_type=data["t"])
    return upload, Kept(token, data["f"])


def with_kept(
    post, files, *, fields: tuple[str, ...], owner_id: int
) -> tuple[MultiValueDict, dict[str, Kept]]:
    """Return ``files`` with each of ``fields`` that came without a new file but with a valid
    ``<field>_kept`` token filled in from it, and those kept uploads by field."""
    files = files.copy()
    kept = {}
    for field in fields:
        token = post.get(f"{field}_kept", "")
        if files.get(field) or not token:
            continue
        found = take(token, owner_id=owner_id)
        if found is not None:
            files[field], kept[field] = found
    return files, kept


def keep_valid(form, files, kept: dict[str, Kept], *, owner_id: int) -> dict[str, Kept]:
    """After ``form`` (bound to ``files``) was sent back: keep each new upload among its
    fields that passed its own checks (a rejected file is not kept: the page says why), next
    to those kept before."""
    if not form.is_bound:
        raise ValueError("keep_valid() needs the bound form that checked the files.")
    kept = dict(kept)
    for field in kept.copy():
        if form.has_error(field):
            del kept[field]
    for field, upload in files.items():
        if field in kept or field not in form.fields or form.has_error(field):
            continue
        if isinstance(upload, UploadedFile) and upload.size:
            kept[field] = keep(upload, owner_id=owner_id)
    return kept


def sweep(now: dt.datetime | None = None) -> int:
    """Delete kept uploads older than their tokens; return how many."""
    storage = private_storage()
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=MAX_AGE)
    try:
        owners = storage.listdir(FOLDER)[0]
    except FileNotFoundError:
        return 0
    deleted = 0
    for owner in owners:
        for path in _files_in(storage, f"{FOLDER}/{owner}"):
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                deleted += 1
    return deleted
