"""The content-addressed file store: type checks, size limit, SHA-256 names, verified reads.

A blob is stored under `ab/cd/abcd…` (its SHA-256) through Django's default storage, so local
disk and S3-compatible stores behave alike and the same content is stored once. The type is
read from the content with libmagic, never from the file name or the browser's claim.
"""

from __future__ import annotations

import hashlib
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

from probity.core.models import StoredFile

CHUNK_BYTES = 64 * 1024
SNIFF_BYTES = 8 * 1024
# Downloads are verified into a spool that stays in memory up to this size, then spills to disk.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024

# Plain names for types people commonly try to upload, for the refusal message.
REFUSED_TYPE_NAMES = {
    "application/vnd.microsoft.portable-executable": "a Windows program",
    "application/x-dosexec": "a Windows program",
    "application/x-msdownload": "a Windows program",
    "application/x-msi": "a Windows installer",
    "application/x-executable": "a program",
    "application/x-pie-executable": "a program",
    "application/x-sharedlib": "a program library",
    "application/x-mach-binary": "a Mac program",
    "application/zip": "a ZIP archive",
    "application/x-rar": "a RAR archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/gzip": "a compressed archive",
    "application/x-tar": "a TAR archive",
    "text/html": "a web page (HTML)",
    "image/svg+xml": "an SVG drawing (which can carry scripts)",
    "application/msword": "an old-format Word document (DOC); save it as DOCX or PDF",
    "application/vnd.ms-excel": "an old-format Excel workbook (XLS); save it as XLSX or CSV",
    "application/x-ole-storage": "an old-format Office document; save it as DOCX, XLSX or PDF",
    "text/x-shellscript": "a script",
    "text/x-script.python": "a script",
    "text/x-python": "a script",
    "application/javascript": "a script",
    "text/javascript": "a script",
}
# Kinds grouped in the "Accepted: …" list, so it reads "images (JPEG, PNG, …)".
_GROUPED_KINDS = ("image", "audio", "video")


class FileIntegrityError(Exception):
    """A stored blob no longer matches the SHA-256 it was stored under (or is missing)."""

    def __init__(self, stored_file: StoredFile, reason: str) -> None:
        super().__init__(f"{stored_file.sha256}: {reason}")
        self.stored_file = stored_file
        self.reason = reason


def allowed_types() -> dict[str, str]:
    types: dict[str, str] = settings.PROBITY_UPLOAD_ALLOWED_TYPES
    return types


def accepted_summary() -> str:
    """The accepted types in plain words: "PDF, images (JPEG, PNG, …), …, CSV"."""
    plain: list[str] = []
    grouped: dict[str, list[str]] = {kind: [] for kind in _GROUPED_KINDS}
    for label in dict.fromkeys(allowed_types().values()):
        name, _, kind = label.rpartition(" ")
        if kind in grouped and name:
            grouped[kind].append(name)
        else:
            plain.append(label)
    groups = [
        f"{'images' if kind == 'image' else kind} ({', '.join(names)})"
        for kind, names in grouped.items()
        if names
    ]
    return ", ".join([*plain[:1], *groups, *plain[1:]])


def storage_name(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def detect_type(head: bytes) -> str:
    return str(magic.from_buffer(head, mime=True))


def check_type(content_type: str) -> None:
    if content_type in allowed_types():
        return
    what = REFUSED_TYPE_NAMES.get(content_type)
    refusal = (
        f"This file is {what}, which is not accepted."
        if what
        else f"This file's type ({content_type}) is not accepted."
    )
    raise ValidationError(f"{refusal} Accepted: {accepted_summary()}.", code="file_type")


def max_bytes() -> int:
    return int(settings.PROBITY_UPLOAD_MAX_BYTES)


def _too_large() -> ValidationError:
    return ValidationError(
        f"This file is larger than the {filesizeformat(max_bytes())} limit. Split it or reduce its size.",
        code="file_size",
    )


def _chunks(upload: Any) -> Iterator[bytes]:
    if hasattr(upload, "chunks"):
        yield from upload.chunks(CHUNK_BYTES)
        return
    if getattr(upload, "seekable", lambda: False)():
        upload.seek(0)
    while chunk := upload.read(CHUNK_BYTES):
        yield chunk


@dataclass(frozen=True)
class Received:
    """An upload that passed the checks, held in a temporary file until it is stored."""

    sha256: str
    size: int
    content_type: str
    file: IO[bytes]


@contextmanager
def receive(upload: Any) -> Iterator[Received]:
    """Check and hash an upload while streaming it into a temporary file.

    The type is judged on the first 8 KB before anything else is written, and the size limit
    is applied as bytes arrive, so a refused upload is dropped early and never reaches the
    store. The temporary file is removed when the block ends.
    """
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large()
    digest = hashlib.sha256()
    size = 0
    head = b""
    content_type = ""
    with tempfile.TemporaryFile() as spool:
        for chunk in _chunks(upload):
            size += len(chunk)
            if size > limit:
                raise _too_large()
            digest.update(chunk)
            if not content_type:
                head += chunk
                if len(head) < SNIFF_BYTES:
                    continue
                content_type = detect_type(head[:SNIFF_BYTES])
                check_type(content_type)
                spool.write(head)
                continue
            spool.write(chunk)
        if size == 0:
            raise ValidationError("This file is empty.", code="file_empty")
        if not content_type:
            content_type = detect_type(head)
            check_type(content_type)
            spool.write(head)
        spool.seek(0)
        yield Received(sha256=digest.hexdigest(), size=size, content_type=content_type, file=spool)


def _stored_hash(name: str) -> str | None:
    try:
        with default_storage.open(name, "rb") as blob:
            digest = hashlib.sha256()
            while chunk := blob.read(CHUNK_BYTES):
                digest.update(chunk)
            return digest.hexdigest()
    except OSError:
        return None


def put_blob(received: Received, name: str | None = None) -> str:
    """Make sure the store holds the received content under its name; returns the name.

    An existing blob with the right hash is kept as is; a damaged or missing one is replaced
    from this upload, whose hash proves it is the same content.
    """
    name = name or storage_name(received.sha256)
    if default_storage.exists(name):
        if _stored_hash(name) == received.sha256:
            return name
        default_storage.delete(name)
    received.file.seek(0)
    saved = default_storage.save(name, File(received.file, name=name))
    if saved != name:
        # Another request wrote the same content in the meantime; keep one copy.
        default_storage.delete(saved)
    return name


def open_verified(stored_file: StoredFile) -> IO[bytes]:
    """The stored content, re-hashed now; raises `FileIntegrityError` if it was altered.

    What is returned is the copy that was hashed, so nothing changed after the check is served.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115  (returned open)
    digest = hashlib.sha256()
    size = 0
    try:
        with default_storage.open(stored_file.storage_name, "rb") as blob:
            while chunk := blob.read(CHUNK_BYTES):
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
    except OSError:
        spool.close()
        raise FileIntegrityError(stored_file, "the stored file is missing or unreadable") from None
    if digest.hexdigest() != stored_file.sha256 or size != stored_file.size:
        spool.close()
        raise FileIntegrityError(stored_file, "the stored content does not match its SHA-256")
    spool.seek(0)
    return spool


def clean_filename(raw: str) -> str:
    """The name to show and download under: no folders, no control characters, at most 255."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if not name or name in {".", ".."}:
        raise ValidationError("Give the file a name.", code="file_name")
    if len(name) > 255:
        raise ValidationError("The file name may be at most 255 characters.", code="file_name")
    return name
