"""`--format ccrb`: the NYC CCRB "MOS records" extract, one allegation per complaint.

The source (../shared/research/data/ccrb-mos-records/SOURCE.txt) is one row per allegation
against one officer, split across an "active" and an "inactive" file by the officer's status,
so one complaint can be in both. Give the folder of one snapshot (or one complaint file, whose
officer file beside it is used): every complaint file of the snapshot is read together.

Mapping (documented here, kept as data below):
- one Allegation per complaint_id, `source_reference` "ccrb:<complaint_id>"; channel `import`;
  status `closed` (the CCRB closed them; `closed_at` is unknown, so left empty) with no routing
  outcome, because we do not know how an intake office would have routed it; every row's
  FADO type, allegation and CCRB disposition is kept in the narrative;
- received: the extract has no received date. The first four digits of a complaint number are
  the year the CCRB received it, so `received_at` is the later of the incident date and
  1 January of that year (midnight, agency time), and the narrative says so;
- incident date: the earliest of the complaint's rows (a few complaints give several: the
  latest becomes `incident_end_date`);
- subjects: each distinct officer, matched to the directory on employee number
  "CCRB-<officer_id>" (the six-digit id, zero padding kept); when absent they are described
  (name, shield, rank and command from the officer file), or with --create-employees become
  directory entries, active or separated according to the officer file they are in;
- categories: FADO type and allegation through CATEGORY_BY_FADO / CATEGORY_BY_ALLEGATION; an
  unknown FADO type falls back to "other-misconduct";
- PREA: never set. The PREA standards cover confinement facilities, not street encounters,
  even where the category (sexual abuse) would flag it by default.

Traps handled: no header row; officer ids are zero-padded text; columns 7-8 (NYPD disposition,
penalty) are carried over to unrelated rows by the scraper, so they are ignored; values with
commas are quoted; officers appear twice in an officer file (identical rows); shield "00000"
means no shield; the 2022 `*_officers.csv` files renumbered the ids, so only the officer file
of the same snapshot is used; some complaints give more than one incident date, some none.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from probity.core.imports import ImportFileError, Progress, Row, RowError, SourceFile, malformed
from probity.intake.imports.source import (
    FALLBACK_CATEGORY,
    SourceAllegation,
    SourcePerson,
    clip,
    digest_of,
    read_bytes,
    start_of_day,
    text_of,
)
from probity.intake.imports.writer import NewEmployee
from probity.intake.models import AllegationStatus, Channel, PersonRole

COLUMNS = (
    "officer_id",
    "complaint_id",
    "incident_date",
    "fado_type",
    "allegation",
    "ccrb_disposition",
    "nypd_disposition",  # unreliable in this extract: never used
    "penalty",  # unreliable in this extract: never used
)
OFFICER_COLUMNS = ("officer_id", "command", "last_name", "first_name", "rank", "shield_no")
COMPLAINT_FILE = re.compile(r"(?P<snapshot>.+)_(?P<status>active|inactive)_complaint\.csv(?:\.gz)?")
OFFICER_ID = re.compile(r"\d{1,10}")
COMPLAINT_ID = re.compile(r"(?P<year>(?:19|20)\d\d)\d{3,8}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NO_SHIELD = re.compile(r"0*")
EMPLOYEE_PREFIX = "CCRB-"
REFERENCE_PREFIX = "ccrb:"

# The CCRB's FADO type -> our category codes.
CATEGORY_BY_FADO: dict[str, tuple[str, ...]] = {
    "force": ("excessive-force",),
    "abuse of authority": ("misuse-of-position",),
    "discourtesy": ("discourtesy",),
    "offensive language": ("harassment-discrimination",),
    "untruthful statement": ("false-statements",),
}
# Allegations whose category is more precise than their FADO type's (lower case).
CATEGORY_BY_ALLEGATION: dict[str, tuple[str, ...]] = {
    "gun fired": ("excessive-force", "firearms-mishandling"),
    "retaliatory arrest": ("retaliation",),
    "retaliatory summons": ("retaliation",),
    "refusal to obtain medical treatment": ("detainee-mistreatment",),
    "improper dissemination of medical info": ("unauthorized-disclosure",),
    "sex miscon (sexual harassment, verbal)": ("sexual-harassment",),
    "sex miscon (sexual harassment, gesture)": ("sexual-harassment",),
    "sex miscon (sexual/romantic proposition)": ("sexual-harassment",),
    "sexual misconduct (sexual humiliation)": ("sexual-abuse",),
    "sex miscon (sexually motiv strip-search)": ("sexual-abuse",),
    "sex miscon (sexually motivated frisk)": ("sexual-abuse",),
    "inaccurate official statement": ("false-statements",),
    "false official statement": ("false-statements",),
    "misleading official statement": ("false-statements",),
}
STATUS_BY_FILE = {"active": "active", "inactive": "separated"}
IGNORED_NOTE = (
    "The NYPD disposition and penalty columns are left out: in this extract they are carried "
    "over to unrelated rows (see the source's SOURCE.txt)."
)


def categories_for(fado_type: str, allegation: str) -> tuple[str, ...]:
    """Our category codes for one CCRB allegation row; unknown FADO types fall back."""
    specific = CATEGORY_BY_ALLEGATION.get(allegation.strip().lower())
    if specific:
        return specific
    return CATEGORY_BY_FADO.get(fado_type.strip().lower(), (FALLBACK_CATEGORY,))


@dataclass(frozen=True)
class Officer:
    officer_id: str
    command: str
    last_name: str
    first_name: str
    rank: str
    shield: str
    status: str  # active / separated, from the file it is in

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class _Allegation:
    line: int
    file: str
    officer_id: str
    incident_date: dt.date | None
    fado_type: str
    allegation: str
    disposition: str
    status: str  # active / separated, from the complaint file it is in


class CcrbFormat:
    name = "ccrb"
    reference_prefix = REFERENCE_PREFIX
    employee_prefix = EMPLOYEE_PREFIX

    def __init__(self) -> None:
        self.officers: dict[str, Officer] = {}
        self.officer_errors: list[RowError] = []
        self.officer_files: list[str] = []

    # --- reading ----------------------------------------------------------------------------

    def read(self, path: Path) -> SourceFile:
        complaint_files = self._complaint_files(path)
        files: list[tuple[str, bytes]] = []
        rows: list[Row] = []
        for complaint_file in complaint_files:
            data = read_bytes(complaint_file)
            files.append((complaint_file.name, data))
            rows.extend(self._rows(complaint_file, data))
            officer_file = self._officer_file_for(complaint_file)
            if officer_file is not None:
                officer_data = read_bytes(officer_file)
                files.append((officer_file.name, officer_data))
                self._read_officers(officer_file, officer_data)
        name = path.name if path.is_dir() else complaint_files[0].name
        return SourceFile(name, digest_of(files), COLUMNS, tuple(rows))

    def _complaint_files(self, path: Path) -> list[Path]:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if COMPLAINT_FILE.fullmatch(p.name))
            snapshots = sorted(
                {m.group("snapshot") for p in found if (m := COMPLAINT_FILE.fullmatch(p.name))}
            )
            if not found:
                raise ImportFileError(
                    f"{path}: holds no CCRB complaint file (named like 2021-03-20_active_complaint.csv.gz)"
                )
            if len(snapshots) > 1:
                raise ImportFileError(
                    f"{path}: holds several CCRB snapshots ({', '.join(snapshots)}); give one complaint file"
                )
            return found
        if not path.exists():
            raise ImportFileError(f"{path}: no such file")
        if not COMPLAINT_FILE.fullmatch(path.name):
            raise ImportFileError(
                f"{path.name}: a CCRB complaint file is named like 2021-03-20_active_complaint.csv(.gz); "
                "or give the folder of one snapshot"
            )
        return [path]

    @staticmethod
    def _officer_file_for(complaint_file: Path) -> Path | None:
        match = COMPLAINT_FILE.fullmatch(complaint_file.name)
        if match is None:
            return None
        stem = f"{match.group('snapshot')}_{match.group('status')}_officer.csv"
        for name in (stem, stem + ".gz"):
            candidate = complaint_file.with_name(name)
            if candidate.exists():
                return candidate
        return None

    def _rows(self, path: Path, data: bytes) -> list[Row]:
        reader = csv.reader(text_of(path, data), strict=True)
        rows: list[Row] = []
        match = COMPLAINT_FILE.fullmatch(path.name)
        status = STATUS_BY_FILE[match.group("status")] if match else "active"
        try:
            last_line = 0
            for record in reader:
                line, last_line = last_line + 1, reader.line_num
                if line == 1 and record and record[0].strip().lower() in {"officer_id", "id"}:
                    continue  # a header row, which the 2021 extract does not have but a copy might
                if not any(value.strip() for value in record):
                    continue
                if len(record) != len(COLUMNS):
                    reason = f"{len(record)} values where a CCRB allegation row has {len(COLUMNS)}"
                    rows.append(Row(line, {"": reason}, path.name))
                    continue
                values = {name: value.strip() for name, value in zip(COLUMNS, record, strict=True)}
                values["officer_status"] = status
                rows.append(Row(line, values, path.name))
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}: line {reader.line_num}: not valid CSV ({exc})") from None
        return rows

    def _read_officers(self, path: Path, data: bytes) -> None:
        match = COMPLAINT_FILE.fullmatch(path.name.replace("_officer.csv", "_complaint.csv"))
        status = STATUS_BY_FILE[match.group("status")] if match else "active"
        self.officer_files.append(path.name)
        reader = csv.reader(text_of(path, data), strict=True)
        try:
            for record in reader:
                line = reader.line_num
                if not any(value.strip() for value in record):
                    continue
                if line == 1 and record[0].strip().lower() in {"officer_id", "id"}:
                    continue
                if len(record) != len(OFFICER_COLUMNS):
                    self.officer_errors.append(
                        RowError(line, f"{len(record)} values where an officer row has 6", path.name)
                    )
                    continue
                officer_id, command, last, first, rank, shield = (value.strip() for value in record)
                if not OFFICER_ID.fullmatch(officer_id):
                    self.officer_errors.append(
                        RowError(line, f'officer id "{officer_id}" is not digits', path.name)
                    )
                    continue
                officer = Officer(
                    officer_id,
                    command,
                    last,
                    first,
                    rank,
                    "" if NO_SHIELD.fullmatch(shield) else shield,
                    status,
                )
                known = self.officers.get(officer_id)
                if known is not None and known != officer:
                    self.officer_errors.append(
                        RowError(
                            line, f"officer {officer_id} is listed twice with different details", path.name
                        )
                    )
                    continue
                self.officers[officer_id] = officer  # an identical repeat changes nothing
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}: line {reader.line_num}: not valid CSV ({exc})") from None

    # --- parsing ----------------------------------------------------------------------------

    def parse(
        self, rows: Sequence[Row], errors: list[RowError], progress: Progress
    ) -> list[SourceAllegation]:
        errors.extend(self.officer_errors)
        complaints: dict[str, list[_Allegation]] = {}
        for done, row in enumerate(rows, start=1):
            parsed = self._parse_row(row, errors)
            if parsed is not None:
                complaints.setdefault(row.values["complaint_id"], []).append(parsed)
            if done % 5000 == 0 or done == len(rows):
                progress(5000 if done % 5000 == 0 else done % 5000, len(rows))
        return [self._allegation(complaint_id, members) for complaint_id, members in complaints.items()]

    def _parse_row(self, row: Row, errors: list[RowError]) -> _Allegation | None:
        reason = malformed(row)
        if reason is not None:
            errors.append(RowError(row.line, reason, row.file))
            return None
        values = row.values
        problems = []
        if not OFFICER_ID.fullmatch(values["officer_id"]):
            problems.append(f'officer_id "{values["officer_id"]}" is not a number')
        if not COMPLAINT_ID.fullmatch(values["complaint_id"]):
            problems.append(
                f'complaint_id "{values["complaint_id"]}" is not a CCRB complaint number (year and sequence)'
            )
        incident: dt.date | None = None
        if values["incident_date"]:
            try:
                if not ISO_DATE.fullmatch(values["incident_date"]):
                    raise ValueError
                incident = dt.date.fromisoformat(values["incident_date"])
            except ValueError:
                problems.append(f'incident_date "{values["incident_date"]}" is not a date (YYYY-MM-DD)')
        if not values["fado_type"]:
            problems.append("fado_type is empty")
        if problems:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            return None
        return _Allegation(
            row.line,
            row.file,
            values["officer_id"],
            incident,
            values["fado_type"],
            values["allegation"],
            values["ccrb_disposition"],
            values["officer_status"],
        )

    def _allegation(self, complaint_id: str, members: list[_Allegation]) -> SourceAllegation:
        first = members[0]
        dates = sorted({m.incident_date for m in members if m.incident_date is not None})
        year_received = dt.date(int(complaint_id[:4]), 1, 1)  # checked by COMPLAINT_ID
        received = max(year_received, dates[0]) if dates else year_received
        officers = list(dict.fromkeys(m.officer_id for m in members))
        codes = list(
            dict.fromkeys(code for m in members for code in categories_for(m.fado_type, m.allegation))
        )
        fado_types = list(dict.fromkeys(m.fado_type for m in members))
        summary = clip(
            f"CCRB complaint {complaint_id}: {', '.join(fado_types)} "
            f"({len(members)} allegation{'s' if len(members) != 1 else ''} against "
            f"{len(officers)} officer{'s' if len(officers) != 1 else ''})",
            200,
        )
        return SourceAllegation(
            line=first.line,
            file=first.file,
            source_reference=f"{REFERENCE_PREFIX}{complaint_id}",
            channel=Channel.IMPORT,
            received_at=start_of_day(received),
            summary=summary,
            narrative=self._narrative(complaint_id, members, dates, received),
            category_codes=codes,
            incident_date=dates[0] if dates else None,
            incident_end_date=dates[-1] if len(dates) > 1 else None,
            prea=False,
            people=[self._subject(officer_id, members) for officer_id in officers],
            status=AllegationStatus.CLOSED,
        )

    def _subject(self, officer_id: str, members: list[_Allegation]) -> SourcePerson:
        number = f"{EMPLOYEE_PREFIX}{officer_id}"
        reference = f"ccrb-officer:{officer_id}"
        officer = self.officers.get(officer_id)
        if officer is None:
            return SourcePerson(
                role=PersonRole.SUBJECT,
                employee_number=number,
                description=f"CCRB officer {officer_id} (not in the officer file)",
                source_reference=reference,
            )
        return SourcePerson(
            role=PersonRole.SUBJECT,
            employee_number=number,
            name=officer.name,
            badge_number=officer.shield,
            description=", ".join(part for part in (officer.rank, officer.command) if part),
            source_reference=reference,
            new_employee=NewEmployee(
                employee_number=number,
                first_name=officer.first_name,
                last_name=officer.last_name,
                position_title=officer.rank,
                status=officer.status,
                law_enforcement=True,
                source="ccrb officer file",
            ),
        )

    def _narrative(
        self, complaint_id: str, members: list[_Allegation], dates: list[dt.date], received: dt.date
    ) -> str:
        lines = [f"Imported from the NYC CCRB MOS records, complaint {complaint_id}; closed by the CCRB."]
        if len(dates) > 1:
            lines.append(
                f"The source gives {len(dates)} incident dates: {', '.join(d.isoformat() for d in dates)}."
            )
        elif not dates:
            lines.append("The source gives no incident date.")
        lines.append(
            f"Received date: not in the source; {received.isoformat()} is the earliest date consistent "
            "with the complaint number's year and the incident date."
        )
        lines.append("")
        lines.append("Allegations (officer: FADO type / allegation — CCRB disposition):")
        counted: dict[str, int] = {}
        for member in members:
            officer = self.officers.get(member.officer_id)
            who = f"{officer.name}, {officer.rank}" if officer else "not in the officer file"
            if officer and officer.shield:
                who += f", shield {officer.shield}"
            text = (
                f"- officer {member.officer_id} ({who}): {member.fado_type} / "
                f"{member.allegation or 'unspecified'} — {member.disposition or 'no disposition'}"
            )
            counted[text] = counted.get(text, 0) + 1
        lines.extend(
            text if times == 1 else f"{text} (listed {times} times)" for text, times in counted.items()
        )
        lines.append("")
        lines.append(IGNORED_NOTE)
        return "\n".join(lines)
