"""`probity import deaths FILE --format {ice-detailed,cbp-aclu}`: deaths in custody from the public record.

The formats are the files in ../shared/research/data/ice-deaths-in-custody (see its SOURCE.txt):

- ice-detailed (`all_274_deaths_detailed.csv`): ICE detainee deaths, FY2004 to 2026. Name
  ("SURNAME GIVEN" as ICE writes it), sex, age ("40.0"; one blank), country, date, cause,
  facility name, location (with non-breaking spaces, made plain) and type. The file has no id:
  a death is known by date and name (`ice:2003-10-07:NAME`), unique in the file. Its report URL
  and reporting period are not kept.
- cbp-aclu (`cbp_deaths_in_custody.csv`): CBP in-custody deaths compiled by the ACLU, known by
  its case number (`aclu-cbp:346`). Most names are "Unknown" ("Unkown" is read so too); ages
  are years or words ("Infant" is 0; "Adult", "Minor", "Unknown" leave the age empty and are
  noted in the circumstances, with the ACLU's incident type); the place is the location and
  state; the nationality is kept as the country. Records span several lines: line numbers in
  errors are where a record starts.

Every row is checked first (with the rules `record_death` applies, circumstances optional);
only a file without a bad row is written, all of it in one transaction. A death already
imported (same source reference) is left as it is, so importing a file again changes nothing.

Historic deaths start no clocks and open no critical incident: their notifications, releases
and reports were made (or not) outside Probity and their times are unknown, so a clock would
either be overdue for years or invent a time it was met. `reported_at` is the start of the day
of death (agency time), which also numbers them by the year of death (DIC-2004-000001).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.utils import timezone

from probity.core import audit, imports
from probity.core.deadlines import agency_time_zone
from probity.core.imports import BadValue, Column, Progress, Row, RowError, SourceFile, Staging
from probity.core.models import AuditAction
from probity.core.numbering import next_numbers
from probity.oversight.models import CustodyAgency, DeathInCustody
from probity.oversight.services.deaths import NUMBER_PREFIX, death_problems, local_start

ICE_COLUMNS = (
    Column("name", "the person's name", required=True),
    Column("sex", "Male or Female"),
    Column("age", 'age in years ("40" or "40.0"); empty if unknown'),
    Column("country", "country of citizenship"),
    Column("date_of_death", "YYYY-MM-DD", required=True),
    Column("cause_of_death", "the cause as reported"),
    Column("facility_name", "where the person was detained"),
    Column("facility_location", "the facility's city and state"),
    Column("facility_type", "IGSA, DIGSA, CDF, SPC, BOP, USMS IGA, ..."),
)
CBP_COLUMNS = (
    Column("case_number", "the ACLU's case number", required=True),
    Column("name", '"Unknown" when not released'),
    Column("age", "years, or Infant, Adult, Minor, Unknown"),
    Column("date_standardized", "YYYY-MM-DD", required=True),
    Column("year", "the year of the date"),
    Column("location", "town, station or port"),
    Column("state", "two-letter state"),
    Column("nationality", "kept as the country of citizenship"),
    Column("incident_type", "the ACLU's incident type (numbered lines)"),
    Column("sbcc_cause_of_death", "cause of death, when given"),
)
COLUMNS = {"ice-detailed": ICE_COLUMNS, "cbp-aclu": CBP_COLUMNS}
SYSTEMS = {"ice-detailed": "ice-detailed", "cbp-aclu": "cbp-aclu"}
REFERENCE_LENGTH = 100
YEARS = re.compile(r"\d{1,3}(\.0+)?")
UNKNOWN_NAMES = frozenset({"", "unknown", "unkown"})
# Ages the ACLU file gives as words: the age in years they mean (None: not known).
AGE_WORDS: dict[str, int | None] = {
    "": None,
    "unknown": None,
    "adult": None,
    "minor": None,
    "n/a (adult)": None,
    "infant": 0,
}
NUMBERING = re.compile(r"^\s*\d+\.\s*")


@dataclass
class DeathRecord:
    line: int
    reference: str
    fields: dict[str, Any]


@dataclass
class DeathStaging(Staging):
    records: list[DeathRecord] = field(default_factory=list)


def _plain(value: str) -> str:
    """Whitespace (line breaks, non-breaking spaces) made single spaces."""
    return " ".join(value.replace("\xa0", " ").split())


def _reference(prefix: str, *parts: str) -> str:
    reference = ":".join((prefix, *parts))
    if len(reference) <= REFERENCE_LENGTH:
        return reference
    digest = hashlib.sha256(reference.encode()).hexdigest()[:20]
    return f"{prefix}:{parts[0]}:{digest}"


def _ice_age(raw: str) -> int | None:
    if not raw:
        return None
    if not YEARS.fullmatch(raw):
        raise BadValue(f'age "{raw}" is not a whole number of years')
    return int(float(raw))


def _cbp_age(raw: str, notes: list[str]) -> int | None:
    plain = _plain(raw)
    if plain.isdigit() and len(plain) <= 3:
        return int(plain)
    word = plain.lower()
    if word not in AGE_WORDS:
        raise BadValue(f'age "{plain}" is neither years nor one of Infant, Adult, Minor, Unknown')
    if plain and word != "unknown":
        notes.append(f"Age given as {plain}.")
    return AGE_WORDS[word]


class DeathImporter(imports.Importer[DeathStaging]):
    kind = "deaths"
    summary = "deaths in custody from the public record (--format ice-detailed, cbp-aclu)"
    permissions = ("oversight.add_deathincustody",)
    columns: ClassVar[tuple[Column, ...]] = ICE_COLUMNS
    formats = ("ice-detailed", "cbp-aclu")

    @classmethod
    def column_help(cls) -> str:
        names = ", ".join(column.name for column in CBP_COLUMNS)
        return super().column_help() + f"\n  --format cbp-aclu: the ACLU's CBP file, columns {names}"

    def read(self, path: Path) -> SourceFile:
        return imports.read_csv(path, COLUMNS[self.format])

    # --- checking ---------------------------------------------------------------------------

    def stage(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> DeathStaging:
        staging = DeathStaging()
        today = timezone.localdate(timezone=agency_time_zone())
        parse = self._ice if self.format == "ice-detailed" else self._cbp
        first_line: dict[str, int] = {}
        parsed: list[DeathRecord] = []
        for done, row in enumerate(rows, start=1):
            reason = imports.malformed(row)
            if reason is not None:
                errors.append(RowError(row.line, reason))
                continue
            problems: list[str] = []
            record = parse(row, today, problems)
            if record is not None and record.reference in first_line:
                problems.append(f"the same death is already on line {first_line[record.reference]}")
            elif record is not None:
                first_line[record.reference] = row.line
            if problems:
                errors.extend(RowError(row.line, problem) for problem in problems)
            elif record is not None:
                parsed.append(record)
            if done % 100 == 0 or done == len(rows):
                progress(done % 100 or 100, len(rows))
        imported = set(
            DeathInCustody.objects.filter(source_reference__in=list(first_line)).values_list(
                "source_reference", flat=True
            )
        )
        for record in parsed:
            if record.reference in imported:
                staging.unchanged += 1
            else:
                staging.records.append(record)
        staging.created = len(staging.records)
        if staging.unchanged:
            staging.warnings.append(
                f"{staging.unchanged} death{'s were' if staging.unchanged != 1 else ' was'} already "
                "imported and left as recorded"
            )
        staging.detail = {
            "deaths": staging.created,
            "already_imported": staging.unchanged,
            "by_year": dict(sorted(Counter(r.fields["date_of_death"].year for r in staging.records).items())),
        }
        return staging

    def _checked(self, values: dict[str, Any], today: dt.date, problems: list[str]) -> dict[str, Any] | None:
        fields, errors = death_problems(**values, today=today, require_circumstances=False)
        if values["date_of_death"] is None:
            errors.pop("date_of_death", None)  # already reported, in the file's own column name
        for name, messages in errors.items():
            problems.extend(f"{name.replace('_', ' ')}: {message}" for message in messages)
        return None if errors else fields

    def _ice(self, row: Row, today: dt.date, problems: list[str]) -> DeathRecord | None:
        values = row.values
        name = _plain(values["name"])
        died = self._date(values["date_of_death"], "date_of_death", problems)
        try:
            age = _ice_age(values["age"])
        except BadValue as exc:
            problems.append(str(exc))
            age = None
        fields = self._checked(
            {
                "name": name,
                "sex": _plain(values["sex"]),
                "race": "",
                "ethnicity": "",
                "age": age,
                "country": _plain(values["country"]),
                "date_of_death": died,
                "time_of_death": None,
                "place_of_death": "",
                "facility_name": _plain(values["facility_name"]),
                "facility_location": _plain(values["facility_location"]),
                "facility_type": _plain(values["facility_type"]),
                "agency": CustodyAgency.ICE,
                "circumstances": "",
                "cause": _plain(values["cause_of_death"]),
            },
            today,
            problems,
        )
        if fields is None or died is None or problems:
            return None
        return DeathRecord(row.line, _reference("ice", died.isoformat(), name), fields)

    def _cbp(self, row: Row, today: dt.date, problems: list[str]) -> DeathRecord | None:
        values = row.values
        case_number = values["case_number"]
        if not case_number.isdigit():
            problems.append(f'case_number "{case_number[:20]}" is not a number')
        died = self._date(values["date_standardized"], "date_standardized", problems)
        year = values["year"]
        if died is not None and year and year != str(died.year):
            problems.append(f'year "{year[:10]}" does not match the date {died.isoformat()}')
        notes: list[str] = []
        try:
            age = _cbp_age(values["age"], notes)
        except BadValue as exc:
            problems.append(str(exc))
            age = None
        name = _plain(values["name"])
        if name.lower() in UNKNOWN_NAMES:
            name = "Unknown"
        location = _plain(values["location"]).rstrip(", ")
        state = _plain(values["state"])
        place = (
            location
            if not state or location.endswith(state)
            else ", ".join(p for p in (location, state) if p)
        )
        kinds = [NUMBERING.sub("", line).strip() for line in values["incident_type"].splitlines()]
        kinds = [kind for kind in kinds if kind]
        circumstances = " ".join([*([f"ACLU incident type: {'; '.join(kinds)}."] if kinds else []), *notes])
        fields = self._checked(
            {
                "name": name,
                "sex": "",
                "race": "",
                "ethnicity": "",
                "age": age,
                "country": _plain(values["nationality"]),
                "date_of_death": died,
                "time_of_death": None,
                "place_of_death": place,
                "facility_name": "",
                "facility_location": "",
                "facility_type": "",
                "agency": CustodyAgency.CBP,
                "circumstances": circumstances,
                "cause": _plain(values["sbcc_cause_of_death"]),
            },
            today,
            problems,
        )
        if fields is None or died is None or problems:
            return None
        return DeathRecord(row.line, _reference("aclu-cbp", case_number), fields)

    @staticmethod
    def _date(raw: str, name: str, problems: list[str]) -> dt.date | None:
        try:
            value = imports.parse_date(name, raw)
        except BadValue as exc:
            problems.append(str(exc))
            return None
        if value is None:
            problems.append(f"{name} is required")
        return value

    # --- writing ----------------------------------------------------------------------------

    def write(self, staged: DeathStaging, *, actor: Any, actor_username: str) -> list[audit.EventSpec]:
        now = timezone.now()
        records = sorted(staged.records, key=lambda r: (r.fields["date_of_death"], r.line))
        by_year: dict[int, list[DeathRecord]] = {}
        for record in records:
            by_year.setdefault(record.fields["date_of_death"].year, []).append(record)
        numbers: dict[str, str] = {}
        for year, group in sorted(by_year.items()):
            for record, number in zip(group, next_numbers(NUMBER_PREFIX, year, len(group)), strict=True):
                numbers[record.reference] = number
        system = SYSTEMS[self.format]
        DeathInCustody.objects.bulk_create(
            [
                DeathInCustody(
                    number=numbers[record.reference],
                    reported_at=local_start(record.fields["date_of_death"]),
                    source_system=system,
                    source_reference=record.reference,
                    created_at=now,
                    created_by=actor if getattr(actor, "pk", None) else None,
                    **record.fields,
                )
                for record in records
            ],
            batch_size=imports.CHUNK,
        )
        ids: dict[str, int] = {}
        for chunk in imports.chunked([record.reference for record in records]):
            found = DeathInCustody.objects.filter(source_reference__in=chunk)
            ids.update((str(reference), pk) for reference, pk in found.values_list("source_reference", "pk"))
        return [
            audit.EventSpec(
                action=AuditAction.CREATE,
                actor=actor,
                actor_username=actor_username,
                object_type=audit.label_of(DeathInCustody),
                object_id=str(ids[record.reference]),
                object_repr=f"{numbers[record.reference]}: {record.fields['name']}"[:200],
                changes={
                    **{k: [None, v] for k, v in record.fields.items() if v not in ("", None)},
                    "source_reference": [None, record.reference],
                },
                detail={"import": self.format, "line": record.line},
            )
            for record in records
        ]


def connect() -> None:
    """Register the `deaths` kind with `probity import` (from connect_deaths.connect())."""
    imports.register(DeathImporter)
