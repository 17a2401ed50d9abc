"""`--format probity-csv` (the default): our own allegation CSV, one row per allegation.

Meant for moving allegations from another case system: every column below must be in the
header (values may be blank unless starred). Lists within a cell are separated by ";".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from probity.core.imports import (
    BadValue,
    Column,
    Progress,
    Row,
    RowError,
    SourceFile,
    malformed,
    parse_bool,
    parse_date,
    read_csv,
)
from probity.intake.imports.source import SourceAllegation, SourcePerson, agency_zone, start_of_day
from probity.intake.models import AllegationStatus, Channel, DatePrecision, PersonRole

COLUMNS = (
    Column("external_id", "the allegation's identifier where it comes from; re-imports match on it", True),
    Column(
        "received", "when it was received: YYYY-MM-DD or YYYY-MM-DDTHH:MM (+HH:MM; none: agency time)", True
    ),
    Column("channel", f"{', '.join(Channel.values)} (blank: import)"),
    Column("summary", "a short summary, at most 200 characters", True),
    Column("narrative", "what happened, in full"),
    Column("categories", "allegation category codes, separated by ';'"),
    Column("incident_date", "YYYY-MM-DD, or YYYY-MM / YYYY when only the month or year is known"),
    Column("incident_end_date", "YYYY-MM-DD, for an incident over several days"),
    Column("incident_place", "where it happened"),
    Column("office_code", "code of the office or port concerned"),
    Column("prea", "true/false (blank: as the categories say)"),
    Column("use_of_force", "true/false (blank: as the categories say)"),
    Column("self_report_kind", "arrest, citation, detention or indictment (self_report channel only)"),
    Column("arrest_category", "arrest category code of a self-report"),
    Column("subject_employee_numbers", "subjects in the directory: employee numbers separated by ';'"),
    Column("other_subjects", "subjects not identified: 'name|badge|description' entries separated by ';'"),
    Column("complainant_name", "the complainant's name (blank: none, or anonymous)"),
    Column("complainant_contact", "email, phone or address (stored encrypted)"),
    Column("complainant_anonymous", "true/false: the complainant asked not to be named"),
    Column("status", "received (blank) or closed: a closed record from the old system"),
    Column("closed", "YYYY-MM-DD: when it was closed (status closed only)"),
)
EXTERNAL_ID = re.compile(r"[^\s;]{1,100}")
YEAR = re.compile(r"\d{4}")
YEAR_MONTH = re.compile(r"\d{4}-\d{2}")


def _received(raw: str) -> dt.datetime:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return start_of_day(dt.date.fromisoformat(raw))
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise BadValue(f'received "{raw}" is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)') from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=agency_zone())


def _incident(raw: str) -> tuple[dt.date | None, DatePrecision]:
    """The incident date and how precisely it is known."""
    if YEAR.fullmatch(raw):
        return dt.date(int(raw), 1, 1), DatePrecision.YEAR
    if YEAR_MONTH.fullmatch(raw):
        try:
            return dt.date(int(raw[:4]), int(raw[5:]), 1), DatePrecision.MONTH
        except ValueError:
            raise BadValue(f'incident_date "{raw}" is not a month (YYYY-MM)') from None
    return parse_date("incident_date", raw), DatePrecision.DAY


def _optional_bool(name: str, raw: str) -> bool | None:
    return None if not raw else parse_bool(name, raw)


def _typed(values: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The dates and flags of a row; each value that cannot be read adds a problem (and is None)."""
    readers: dict[str, Callable[[str], Any]] = {
        "received": _received,
        "incident_date": _incident,
        "incident_end_date": lambda raw: parse_date("incident_end_date", raw),
        "closed": lambda raw: start_of_day(day) if (day := parse_date("closed", raw)) else None,
        "prea": lambda raw: _optional_bool("prea", raw),
        "use_of_force": lambda raw: _optional_bool("use_of_force", raw),
    }
    typed: dict[str, Any] = dict.fromkeys(readers)
    for name, read in readers.items():
        try:
            typed[name] = read(values[name]) if values[name] else None
        except BadValue as exc:
            problems.append(str(exc))
    typed["incident_date"], typed["precision"] = typed["incident_date"] or (None, DatePrecision.DAY)
    return typed


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(";") if part.strip()]


class ProbityCsvFormat:
    name = "probity-csv"
    reference_prefix = ""
    employee_prefix = ""

    def read(self, path: Path) -> SourceFile:
        return read_csv(path, COLUMNS)

    def parse(
        self, rows: Sequence[Row], errors: list[RowError], progress: Progress
    ) -> list[SourceAllegation]:
        found: list[SourceAllegation] = []
        first_line: dict[str, int] = {}
        for done, row in enumerate(rows, start=1):
            allegation = self._parse(row, errors)
            external = row.values.get("external_id", "")
            if external in first_line:
                errors.append(
                    RowError(row.line, f'external_id "{external}" is already on line {first_line[external]}')
                )
                allegation = None
            elif external:
                first_line[external] = row.line
            if allegation is not None:
                found.append(allegation)
            if done % 1000 == 0 or done == len(rows):
                progress(1000 if done % 1000 == 0 else done % 1000, len(rows))
        return found

    def _parse(self, row: Row, errors: list[RowError]) -> SourceAllegation | None:
        reason = malformed(row)
        if reason is not None:
            errors.append(RowError(row.line, reason))
            return None
        values = row.values
        problems = [f"{c.name} is required" for c in COLUMNS if c.required and not values[c.name]]
        external = values["external_id"]
        if external and not EXTERNAL_ID.fullmatch(external):
            problems.append("external_id must be at most 100 characters, without spaces or ';'")
        typed = _typed(values, problems)
        received, closed = typed["received"], typed["closed"]
        status = values["status"].lower() or AllegationStatus.RECEIVED
        if status not in (AllegationStatus.RECEIVED, AllegationStatus.CLOSED):
            problems.append(f'status "{values["status"]}" is not received or closed')
        if closed is not None and status != AllegationStatus.CLOSED:
            problems.append("closed is given but the status is not closed")
        if closed is not None and received is not None and closed < received:
            problems.append("closed is before received")
        people, person_problems = self._people(values)
        problems.extend(person_problems)
        if problems or received is None:
            errors.extend(RowError(row.line, problem) for problem in problems)
            return None
        return SourceAllegation(
            line=row.line,
            source_reference=external,
            channel=values["channel"] or Channel.IMPORT,
            received_at=received,
            summary=values["summary"],
            narrative=values["narrative"],
            category_codes=_split(values["categories"]),
            strict_categories=True,
            incident_date=typed["incident_date"],
            incident_date_precision=typed["precision"],
            incident_end_date=typed["incident_end_date"],
            incident_place=values["incident_place"],
            office_code=values["office_code"],
            prea=typed["prea"],
            use_of_force=typed["use_of_force"],
            self_report_kind=values["self_report_kind"].lower(),
            arrest_category_code=values["arrest_category"],
            people=people,
            status=status,
            closed_at=closed,
        )

    @staticmethod
    def _people(values: dict[str, str]) -> tuple[list[SourcePerson], list[str]]:
        people = [
            SourcePerson(role=PersonRole.SUBJECT, employee_number=number, must_exist=True)
            for number in dict.fromkeys(_split(values["subject_employee_numbers"]))
        ]
        problems = []
        for entry in _split(values["other_subjects"]):
            parts = [part.strip() for part in entry.split("|")]
            if len(parts) > 3:
                problems.append(f'other_subjects entry "{entry}" has more than name|badge|description')
                continue
            name, badge, description = [*parts, "", ""][:3]
            people.append(
                SourcePerson(role=PersonRole.SUBJECT, name=name, badge_number=badge, description=description)
            )
        try:
            anonymous = parse_bool("complainant_anonymous", values["complainant_anonymous"])
        except BadValue as exc:
            problems.append(str(exc))
            anonymous = False
        if values["complainant_name"] or values["complainant_contact"] or anonymous:
            people.append(
                SourcePerson(
                    role=PersonRole.COMPLAINANT,
                    name="" if anonymous else values["complainant_name"],
                    contact=values["complainant_contact"],
                    anonymous=anonymous,
                )
            )
        return people, problems
