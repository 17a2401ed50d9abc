"""`--format chicago-cpdp`: Chicago police complaints (CR/log numbers) from the Invisible Institute.

Reads the pair `complaints-complaints_<release>.csv(.gz)` (one row per complaint) and
`complaints-accused_<release>.csv(.gz)` (one row per accused officer and allegation) of the
2000-2023 FOIA release (../shared/research/data/chicago-cpdp/SOURCE.txt, part B). Give the
folder or the complaints file; the accused file beside it is read with it. The 2019-2022 CMS
release (`complaints-complaints-cms_…`) has another layout and is not read by this format.

Mapping (data below):
- one Allegation per cr_id, `source_reference` "cpdp:<cr_id>"; channel `import`;
  received = complaint_date; status `closed` with `closed_at` = closed_date when the source has
  one (no routing outcome: the source's findings and penalties are kept in the narrative), else
  `received`, so complaints still open at the source land in the queue;
- subjects: each distinct accused person of the complaint, matched to the directory on employee
  number "CPDP-<id>", where id is the Invisible Institute's person id for this FOIA release
  (the `…_ID` column; the cross-release UID is not published). With --create-employees a
  directory entry is made (status active: the release does not say who has left; entry on duty
  = appointed_date). Accused recorded as "UNKNOWN" share one id across thousands of
  complaints, and some have no name at all; they are never matched nor created, but described
  as an unidentified officer;
- categories: allegation_category through CATEGORY_BY_ALLEGATION; blank and "In
  Process-Allegation Pending" fall back to "other-misconduct"; PREA never set (street policing).

Traps handled: cr_ids in two styles ("1000001", "2019-0000001"); stars and birth years written
as floats ("2235.0"); findings in two cases ("NOT SUSTAINED", "Not Sustained"); complaints
without an accused row; closed dates before the complaint date (kept as the complaint date,
said in the narrative); incident dates after the complaint date (kept as given).
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

COMPLAINTS_FILE = re.compile(r"complaints-complaints_(?P<release>[^/]+?)\.csv(?:\.gz)?")
COMPLAINT_COLUMNS = (
    "cr_id",
    "incident_date",
    "complaint_date",
    "closed_date",
    "case_type",
    "address",
    "beat",
)
ACCUSED_COLUMNS = (
    "cr_id",
    "star",
    "rank",
    "allegation_category",
    "complaint_code",
    "final_finding",
    "final_penalty",
    "first_name",
    "last_name",
    "middle_initial",
    "appointed_date",
)
CR_ID = re.compile(r"\d{1,9}|\d{4}-\d{7}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0+)?")
UNKNOWN = "UNKNOWN"
EMPLOYEE_PREFIX = "CPDP-"
REFERENCE_PREFIX = "cpdp:"
COMPLAINT_FILE_TAG = "complaints"
ACCUSED_FILE_TAG = "accused"

# CPD allegation category (lower case) -> our category codes.
CATEGORY_BY_ALLEGATION: dict[str, tuple[str, ...]] = {
    "excessive force": ("excessive-force",),
    "taser discharge": ("excessive-force",),
    "oc discharge": ("excessive-force",),
    "fourth amendment/improper search": ("misuse-of-position",),
    "abuse of authority": ("misuse-of-position",),
    "coercion": ("misuse-of-position",),
    "verbal abuse": ("discourtesy",),
    "unnecessary display of weapon": ("firearms-mishandling",),
    "firearm discharge-no contact": ("firearms-mishandling",),
    "firearm discharge-injury": ("firearms-mishandling",),
    "firearm discharge-fatal": ("firearms-mishandling",),
    "firearm discharge at animal": ("firearms-mishandling",),
    "firearm discharge-accidental": ("firearms-mishandling",),
    "firearm discharge-officer suicide": ("firearms-mishandling",),
    "domestic violence": ("domestic-violence",),
    "proper care": ("detainee-mistreatment",),
    "denial of counsel": ("detainee-mistreatment",),
    "incident in custody": ("detainee-mistreatment",),
    "post-arrest procedure": ("detainee-mistreatment",),
    "rule 14 violation": ("false-statements",),  # CPD Rule 14: making a false report
    "legal violation": ("off-duty-criminal",),
    "murder / manslaughter, etc.": ("off-duty-criminal",),
    "first amendment": ("retaliation",),
    "sexual misconduct": ("sexual-abuse",),
    "operational violation": (FALLBACK_CATEGORY,),
    "traffic": (FALLBACK_CATEGORY,),
    "motor vehicle incident": (FALLBACK_CATEGORY,),
    "miscellaneous notification": (FALLBACK_CATEGORY,),
    "conspiracy": (FALLBACK_CATEGORY,),
    "in process-allegation pending": (FALLBACK_CATEGORY,),
}


def categories_for(allegation_category: str) -> tuple[str, ...]:
    return CATEGORY_BY_ALLEGATION.get(allegation_category.strip().lower(), (FALLBACK_CATEGORY,))


def _whole(value: str) -> str:
    """ "2235.0" -> "2235"; anything else as given."""
    match = WHOLE_NUMBER.fullmatch(value)
    return match.group(1) if match else value


def _title(text: str) -> str:
    """ "SERGEANT OF POLICE" -> "Sergeant of Police"."""
    return re.sub(r"\b(Of|And|The)\b", lambda m: m.group(1).lower(), text.title())


def _date(name: str, raw: str, problems: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        if not ISO_DATE.fullmatch(raw[:10]):
            raise ValueError
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(f'{name} "{raw}" is not a date (YYYY-MM-DD)')
        return None


@dataclass(frozen=True)
class _Complaint:
    line: int
    file: str
    cr_id: str
    received: dt.date
    incident: dt.date | None
    closed: dt.date | None
    case_type: str
    place: str


@dataclass(frozen=True)
class _Accused:
    person_id: str
    star: str
    rank: str
    category: str
    code: str
    finding: str
    penalty: str
    first_name: str
    last_name: str
    middle_initial: str
    appointed: dt.date | None

    @property
    def unknown(self) -> bool:
        # "UNKNOWN" (one id shared by thousands of complaints) or no name at all: never matched.
        return self.last_name.upper() in {UNKNOWN, ""} or not self.person_id

    @property
    def name(self) -> str:
        return " ".join(
            p for p in (self.first_name.title(), self.middle_initial, self.last_name.title()) if p
        )


class ChicagoFormat:
    name = "chicago-cpdp"
    reference_prefix = REFERENCE_PREFIX
    employee_prefix = EMPLOYEE_PREFIX

    def __init__(self) -> None:
        self.id_column = ""

    # --- reading ----------------------------------------------------------------------------

    def read(self, path: Path) -> SourceFile:
        complaints_path = self._complaints_file(path)
        release = complaints_path.name.removeprefix("complaints-complaints_").split(".csv")[0]
        accused_path = self._sibling(complaints_path, f"complaints-accused_{release}")
        complaints_data, accused_data = read_bytes(complaints_path), read_bytes(accused_path)
        rows = self._rows(complaints_path, complaints_data, COMPLAINT_COLUMNS, COMPLAINT_FILE_TAG)
        accused_rows = self._rows(accused_path, accused_data, ACCUSED_COLUMNS, ACCUSED_FILE_TAG)
        digest = digest_of([(complaints_path.name, complaints_data), (accused_path.name, accused_data)])
        name = path.name if path.is_dir() else complaints_path.name
        return SourceFile(name, digest, COMPLAINT_COLUMNS, tuple(rows + accused_rows))

    @staticmethod
    def _complaints_file(path: Path) -> Path:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if COMPLAINTS_FILE.fullmatch(p.name))
            if len(found) != 1:
                what = "no" if not found else "several"
                raise ImportFileError(
                    f"{path}: holds {what} Chicago complaints file(s) named like "
                    "complaints-complaints_2000-2023_2023-08_p053540.csv.gz; give one file"
                )
            return found[0]
        if not path.exists():
            raise ImportFileError(f"{path}: no such file")
        if not COMPLAINTS_FILE.fullmatch(path.name):
            raise ImportFileError(
                f"{path.name}: a Chicago complaints file is named like "
                "complaints-complaints_2000-2023_2023-08_p053540.csv.gz (the CMS release is not supported)"
            )
        return path

    @staticmethod
    def _sibling(path: Path, stem: str) -> Path:
        for name in (f"{stem}.csv.gz", f"{stem}.csv"):
            candidate = path.with_name(name)
            if candidate.exists():
                return candidate
        raise ImportFileError(f"{path.name}: the accused file {stem}.csv(.gz) is not beside it")

    def _rows(self, path: Path, data: bytes, wanted: tuple[str, ...], tag: str) -> list[Row]:
        reader = csv.reader(text_of(path, data), strict=True)
        try:
            header = [name.strip() for name in next(reader, [])]
            missing = [name for name in wanted if name not in header]
            if missing:
                raise ImportFileError(f"{path.name}: the header lacks column(s) {', '.join(missing)}")
            if tag == ACCUSED_FILE_TAG:
                ids = [name for name in header if name.endswith("_ID")]
                if len(ids) != 1:
                    raise ImportFileError(f"{path.name}: expected one person id column ending in _ID")
                self.id_column = ids[0]
            keep = [*wanted, self.id_column] if tag == ACCUSED_FILE_TAG else list(wanted)
            positions = [header.index(name) for name in keep]
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
                values = {name: record[i].strip() for name, i in zip(keep, positions, strict=True)}
                values["_tag"] = tag
                rows.append(Row(line, values, path.name))
        except csv.Error as exc:
            raise ImportFileError(f"{path.name}: line {reader.line_num}: not valid CSV ({exc})") from None
        return rows

    # --- parsing ----------------------------------------------------------------------------

    def parse(
        self, rows: Sequence[Row], errors: list[RowError], progress: Progress
    ) -> list[SourceAllegation]:
        complaints: dict[str, _Complaint] = {}
        accused: dict[str, list[_Accused]] = {}
        orphans: list[tuple[Row, str]] = []
        for done, row in enumerate(rows, start=1):
            reason = malformed(row)
            if reason is not None:
                errors.append(RowError(row.line, reason, row.file))
            elif row.values["_tag"] == COMPLAINT_FILE_TAG:
                complaint = self._complaint(row, errors)
                if complaint is not None:
                    if complaint.cr_id in complaints:
                        earlier = complaints[complaint.cr_id].line
                        errors.append(
                            RowError(
                                row.line, f"cr_id {complaint.cr_id} is already on line {earlier}", row.file
                            )
                        )
                    else:
                        complaints[complaint.cr_id] = complaint
            else:
                person = self._accused(row, errors)
                if person is not None:
                    accused.setdefault(row.values["cr_id"], []).append(person)
                    orphans.append((row, row.values["cr_id"]))
            if done % 5000 == 0 or done == len(rows):
                progress(5000 if done % 5000 == 0 else done % 5000, len(rows))
        for row, cr_id in orphans:
            if cr_id not in complaints:
                errors.append(RowError(row.line, f"cr_id {cr_id} is not in the complaints file", row.file))
        return [
            self._allegation(complaint, accused.get(cr_id, [])) for cr_id, complaint in complaints.items()
        ]

    def _complaint(self, row: Row, errors: list[RowError]) -> _Complaint | None:
        values, problems = row.values, []
        if not CR_ID.fullmatch(values["cr_id"]):
            problems.append(f'cr_id "{values["cr_id"]}" is not a CR number')
        received = _date("complaint_date", values["complaint_date"], problems)
        if received is None and not values["complaint_date"]:
            problems.append("complaint_date is empty")
        incident = _date("incident_date", values["incident_date"], problems)
        closed = _date("closed_date", values["closed_date"], problems)
        if problems or received is None:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            return None
        beat = _whole(values["beat"])
        place = values["address"] + (f" (beat {beat})" if beat else "")
        return _Complaint(
            row.line, row.file, values["cr_id"], received, incident, closed, values["case_type"], place
        )

    def _accused(self, row: Row, errors: list[RowError]) -> _Accused | None:
        values, problems = row.values, []
        if not CR_ID.fullmatch(values["cr_id"]):
            problems.append(f'cr_id "{values["cr_id"]}" is not a CR number')
        appointed = _date("appointed_date", values["appointed_date"], problems)
        if problems:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            return None
        return _Accused(
            person_id=_whole(values[self.id_column]),
            star=_whole(values["star"]),
            rank=_title(values["rank"]),
            category=values["allegation_category"],
            code=values["complaint_code"],
            finding=values["final_finding"].title(),
            penalty=values["final_penalty"],
            first_name=values["first_name"],
            last_name=values["last_name"],
            middle_initial=values["middle_initial"],
            appointed=appointed,
        )

    def _allegation(self, complaint: _Complaint, accused: list[_Accused]) -> SourceAllegation:
        people: dict[str, SourcePerson] = {}
        for person in accused:
            key = "unknown" if person.unknown else person.person_id
            if key not in people:
                people[key] = self._subject(person)
        codes = list(dict.fromkeys(code for person in accused for code in categories_for(person.category)))
        named = list(dict.fromkeys(p.category for p in accused if p.category))
        closed = complaint.closed is not None
        officers = len(people)
        summary = clip(
            f"CPD CR {complaint.cr_id} ({complaint.case_type or 'complaint'}): "
            f"{', '.join(named) or 'no allegation category'} "
            f"({len(accused)} allegation{'s' if len(accused) != 1 else ''} against "
            f"{officers} officer{'s' if officers != 1 else ''})",
            200,
        )
        return SourceAllegation(
            line=complaint.line,
            file=complaint.file,
            source_reference=f"{REFERENCE_PREFIX}{complaint.cr_id}",
            channel=Channel.IMPORT,
            received_at=start_of_day(complaint.received),
            summary=summary,
            narrative=self._narrative(complaint, accused),
            category_codes=codes or [FALLBACK_CATEGORY],
            incident_date=complaint.incident,
            incident_place=clip(complaint.place, 300),
            prea=False,
            people=list(people.values()),
            status=AllegationStatus.CLOSED if closed else AllegationStatus.RECEIVED,
            closed_at=start_of_day(max(complaint.closed, complaint.received)) if complaint.closed else None,
        )

    @staticmethod
    def _subject(person: _Accused) -> SourcePerson:
        if person.unknown:
            return SourcePerson(
                role=PersonRole.SUBJECT,
                badge_number=person.star,
                description="Unidentified officer (no name in the source)",
            )
        number = f"{EMPLOYEE_PREFIX}{person.person_id}"
        return SourcePerson(
            role=PersonRole.SUBJECT,
            employee_number=number,
            name=person.name,
            badge_number=person.star,
            description=person.rank,
            source_reference=f"cpdp-accused:{person.person_id}",
            new_employee=NewEmployee(
                employee_number=number,
                first_name=person.first_name.title(),
                last_name=person.last_name.title(),
                middle_name=person.middle_initial,
                position_title=person.rank,
                status="active",
                law_enforcement=True,
                entry_on_duty_date=person.appointed,
                source="chicago-cpdp accused file",
            ),
        )

    @staticmethod
    def _narrative(complaint: _Complaint, accused: list[_Accused]) -> str:
        state = (
            f"closed at the source on {complaint.closed.isoformat()}"
            if complaint.closed
            else "still open at the source"
        )
        lines = [
            f"Imported from the Invisible Institute's chicago-police-data, CR {complaint.cr_id} "
            f"({complaint.case_type or 'no case type'}); {state}."
        ]
        if complaint.closed and complaint.closed < complaint.received:
            lines.append(
                f"The source's closed date {complaint.closed.isoformat()} precedes its complaint date; "
                "the complaint date is used."
            )
        if not accused:
            lines.append("The source names no accused officer.")
        else:
            lines.append("")
            lines.append("Allegations (accused: category [code] — final finding; final penalty):")
            for person in accused:
                who = (
                    "unidentified officer"
                    if person.unknown
                    else f"{person.name}, {person.rank or 'rank unknown'}"
                )
                if person.star:
                    who += f", star {person.star}"
                finding = person.finding or "no finding"
                penalty = f"; {person.penalty}" if person.penalty else ""
                lines.append(
                    f"- {who}: {person.category or 'no category'} [{person.code or '-'}] — {finding}{penalty}"
                )
        return "\n".join(lines)
