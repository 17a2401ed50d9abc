"""What a use-of-force file says about one incident, before it is checked against the database.

Each format (chicago-trr, seattle-uof) turns its rows into `SourceIncident`s: the incident, the
employees as the source names them, the subjects and each action or weapon used, with every
text already cut to its column's length. The importer then drops the ones already imported
and writes the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from probity.core.imports import ImportFileError, Progress, Row, RowError, SourceFile
from probity.intake.imports.source import text_of
from probity.oversight.models import ForceUsed, IncidentEmployee, IncidentStatus, IncidentSubject

TAG = "_tag"  # which file of a multi-file source a row comes from
STEP = 5000  # rows between two progress reports

# Every text is cut to its model column (a public data set never decides our column sizes).
ACTION_LIMIT = ForceUsed._meta.get_field("action").max_length or 120
DETAIL_LIMIT = ForceUsed._meta.get_field("detail").max_length or 300
EMPLOYEE_ID_LIMIT = IncidentEmployee._meta.get_field("source_id").max_length or 60
DESCRIPTION_LIMIT = IncidentEmployee._meta.get_field("description").max_length or 300
SUBJECT_ID_LIMIT = IncidentSubject._meta.get_field("source_id").max_length or 60
SEX_LIMIT = IncidentSubject._meta.get_field("sex").max_length or 20
RACE_LIMIT = IncidentSubject._meta.get_field("race").max_length or 60
WEAPON_LIMIT = IncidentSubject._meta.get_field("weapon").max_length or 200
WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0+)?")


@dataclass
class SourceEmployee:
    source_id: str
    description: str
    actions: str = ""
    injured: bool = False


@dataclass
class SourceSubject:
    source_id: str = ""
    description: str = ""
    age: int | None = None
    sex: str = ""
    race: str = ""
    injured: bool = False
    injuries: str = ""
    armed: bool | None = None
    weapon: str = ""


@dataclass
class SourceForce:
    action: str
    detail: str = ""
    employee: int | None = None  # index into SourceIncident.employees; None: the subject's action
    by_subject: bool = False


@dataclass
class SourceIncident:
    line: int
    file: str
    source_reference: str
    kind: str
    occurred_at: dt.datetime  # aware, UTC
    summary: str
    status: str = IncidentStatus.CLOSED
    place: str = ""
    narrative: str = ""
    facts: str = ""
    responders: str = ""
    serious_injury: bool = False
    death: bool = False
    employees: list[SourceEmployee] = field(default_factory=list)
    subjects: list[SourceSubject] = field(default_factory=list)
    force: list[SourceForce] = field(default_factory=list)


class Format(Protocol):
    """One file format of `probity import incidents`."""

    name: str  # also the incidents' source_system
    warnings: list[str]

    def read(self, path: Path) -> SourceFile: ...

    def parse(
        self, rows: Sequence[Row], errors: list[RowError], progress: Progress
    ) -> list[SourceIncident]: ...


# --- helpers shared by the formats ----------------------------------------------------------


def read_table(path: Path, data: bytes, wanted: Sequence[str], tag: str) -> list[Row]:
    """The rows of one CSV file, keeping only the `wanted` columns (all must be in the header).

    A column named "*_ID" in `wanted` stands for the one column of the header ending in "_ID"
    (the Invisible Institute names it after the file). Lines count from the header, line 1.
    """
    reader = csv.reader(text_of(path, data), strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
        columns = list(wanted)
        if "*_ID" in columns:
            ids = [name for name in header if name.endswith("_ID")]
            if len(ids) != 1:
                raise ImportFileError(f"{path.name}: expected one person id column ending in _ID")
            columns[columns.index("*_ID")] = ids[0]
        missing = [name for name in columns if name not in header]
        if missing:
            raise ImportFileError(f"{path.name}: the header lacks column(s) {', '.join(missing)}")
        positions = [header.index(name) for name in columns]
        names = list(wanted)
        rows: list[Row] = []
        last_line = reader.line_num
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if not any(value.strip() for value in record):
                continue
            if len(record) != len(header):
                rows.append(
                    Row(line, {"": f"{len(record)} values where the header has {len(header)}"}, path.name)
                )
                continue
            values = {name: record[i].strip() for name, i in zip(names, positions, strict=True)}
            values[TAG] = tag
            rows.append(Row(line, values, path.name))
    except csv.Error as exc:
        raise ImportFileError(f"{path.name}: line {reader.line_num}: not valid CSV ({exc})") from None
    return rows


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Midnight of `day` where it happened, in UTC: the time of day is not in the source."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)


def in_utc(moment: dt.datetime, zone: ZoneInfo) -> tuple[dt.datetime, bool]:
    """A naive local wall time as aware UTC, and whether the wall time exists there.

    A time the clocks skipped (spring forward) is read with the offset before the change; a
    time that happened twice (fall back) is the first of the two (fold=0).
    """
    local = moment.replace(tzinfo=zone)
    utc = local.astimezone(dt.UTC)
    exists = utc.astimezone(zone).replace(tzinfo=None) == moment
    return utc, exists


def whole(value: str) -> str:
    """ "2235.0" -> "2235"; anything else as given."""
    match = WHOLE_NUMBER.fullmatch(value)
    return match.group(1) if match else value


def title(text: str) -> str:
    """ "SERGEANT OF POLICE" -> "Sergeant of Police"."""
    return re.sub(r"\b(Of|And|The|Or)\b", lambda m: m.group(1).lower(), text.title())


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
