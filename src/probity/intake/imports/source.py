"""What a source file says about one allegation, before it is checked against the database.

Each format (probity-csv, ccrb, chicago-cpdp) turns its rows into `SourceAllegation`s, with
the source's own allegation types already mapped to our category codes; the importer then
resolves categories, offices and employees once for the whole file and validates each one
with the rules of `record_allegation`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings

from probity.core.imports import ImportFileError, Progress, Row, RowError, SourceFile
from probity.intake.imports.writer import NewEmployee
from probity.intake.models import AllegationStatus, DatePrecision

FALLBACK_CATEGORY = "other-misconduct"


@dataclass
class SourcePerson:
    role: str
    employee_number: str = ""  # the directory identifier this person is matched on
    name: str = ""
    badge_number: str = ""
    description: str = ""
    anonymous: bool = False
    contact: str = ""
    source_reference: str = ""
    # What --create-employees would add to the directory when the number is not there yet;
    # None: the person stays described (name, badge) if unmatched.
    new_employee: NewEmployee | None = None
    # An identifier the file asserts is in the directory (probity-csv): unknown is an error.
    must_exist: bool = False


@dataclass
class SourceAllegation:
    line: int
    source_reference: str
    channel: str
    received_at: dt.datetime
    summary: str
    file: str = ""
    narrative: str = ""
    category_codes: list[str] = field(default_factory=list)
    # True: an unknown code is an error (our own CSV); False: it falls back to FALLBACK_CATEGORY
    # with a warning (a public source whose types we map).
    strict_categories: bool = False
    incident_date: dt.date | None = None
    incident_date_precision: str = DatePrecision.DAY
    incident_end_date: dt.date | None = None
    incident_place: str = ""
    office_code: str = ""
    prea: bool | None = None
    use_of_force: bool | None = None
    self_report_kind: str = ""
    arrest_category_code: str = ""
    people: list[SourcePerson] = field(default_factory=list)
    status: str = AllegationStatus.RECEIVED
    closed_at: dt.datetime | None = None


class Format(Protocol):
    """One file format of `probity import allegations`."""

    name: str
    reference_prefix: str  # every source_reference it makes starts so ("" = any)
    employee_prefix: str  # every directory number it matches starts so ("" = any)

    def read(self, path: Path) -> SourceFile: ...

    def parse(
        self, rows: Sequence[Row], errors: list[RowError], progress: Progress
    ) -> list[SourceAllegation]: ...


# --- helpers shared by the formats ----------------------------------------------------------


def agency_zone() -> ZoneInfo:
    return ZoneInfo(settings.PROBITY_AGENCY_TIME_ZONE)


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the agency's time zone, so the date reads the same on every screen."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=agency_zone())


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise ImportFileError(f"{path}: is not a readable gzip file ({exc})") from None
    return data


def text_of(path: Path, data: bytes) -> io.StringIO:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(f"{path.name}: line {line} is not UTF-8 text") from None
    if "\x00" in text:
        raise ImportFileError(f"{path.name}: holds NUL bytes, so it is not a CSV text file")
    return io.StringIO(text, newline="")


def digest_of(files: Sequence[tuple[str, bytes]]) -> str:
    """SHA-256 of one file, or of a sha256sum-style manifest when one import reads several
    (each file's digest and name, sorted by name), so the same set of files gives the same digest."""
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files, key=lambda f: f[0])
    )
    return hashlib.sha256(manifest.encode()).hexdigest()


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
