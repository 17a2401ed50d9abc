"""`--format seattle-uof`: Seattle Police Department use of force, 2014-2021 (City of Seattle).

Reads Use_Of_Force.csv as published on data.seattle.gov (dataset ppi5-g2bj;
../shared/research/data/seattle-use-of-force/SOURCE.txt): one row per officer and subject
(13,170 rows), several rows per incident (12,426 Incident_Nums).

Mapping:
- one CriticalIncident per Incident_Num, `source_reference` "seattle-uof:<Incident_Num>"; its
  rows must agree on type, time and place (a row that does not is an error).
- kind from SPD's force levels (SPD manual 8.050): "Level 3 - OIS" (officer-involved shooting)
  → firearm discharge; "Level 2 - Use of Force" → less-lethal: Type II is chiefly the use of
  a Taser, OC spray, impact weapon or beanbag (it also covers bodily force that hurts more than
  transitory pain, which the data does not tell apart); "Level 1 - Use of Force" (transitory
  pain, no injury) → physical; "Level 3 - Use of Force" → physical with serious_injury set,
  since Type III is force that causes (or is reasonably expected to cause) great or substantial
  bodily harm, loss of consciousness or death — the same incidents our board's criteria take.
  An OIS does not set serious_injury (the data does not say anyone was hit); the discharge
  itself meets the board's criteria.
- status `closed`: historic records; the data set gives no review status or outcome.
- occurred_at: Occured_date_time (sic), Seattle wall time (America/Los_Angeles), in UTC; a
  time the clocks skipped is read with the offset before the change, a time that happened
  twice as the first of the two, each counted in a warning.
- IncidentEmployee per distinct Officer_ID (a pseudonymous id; not matched to the directory),
  IncidentSubject per distinct Subject_ID (race and gender; "Not Specified" left blank),
  ForceUsed per row: the officer's force on that subject, at the incident's level.

Traps handled: "X", "-" and "0" for an unknown precinct, sector or beat (left out of the place).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from probity.core.imports import Column, ImportFileError, Progress, Row, RowError, SourceFile, malformed
from probity.intake.imports.source import clip, digest_of, read_bytes
from probity.oversight.imports.source import (
    ACTION_LIMIT,
    DETAIL_LIMIT,
    EMPLOYEE_ID_LIMIT,
    RACE_LIMIT,
    SEX_LIMIT,
    STEP,
    SUBJECT_ID_LIMIT,
    SourceEmployee,
    SourceForce,
    SourceIncident,
    SourceSubject,
    in_utc,
    plural,
    read_table,
)
from probity.oversight.models import IncidentKind, IncidentStatus

NAME = "seattle-uof"
REFERENCE_PREFIX = f"{NAME}:"
ZONE = ZoneInfo("America/Los_Angeles")
COLUMNS = (
    Column("ID", "the row's id, e.g. 2014UOF-0001-1377-203", required=True),
    Column("Incident_Num", "the incident number; an incident has one row per officer and subject", True),
    Column("Incident_Type", "Level 1 - Use of Force, Level 2 - …, Level 3 - … or Level 3 - OIS", True),
    Column("Occured_date_time", "MM/DD/YYYY hh:mm:ss AM/PM, Seattle time", required=True),
    Column("Precinct", "X, - or 0: unknown"),
    Column("Sector", "X, - or 0: unknown"),
    Column("Beat", "X, - or 0: unknown"),
    Column("Officer_ID", "the officer's pseudonymous id", required=True),
    Column("Subject_ID", "the subject's pseudonymous id", required=True),
    Column("Subject_Race", "as published; Not Specified: blank"),
    Column("Subject_Gender", "as published; Not Specified: blank"),
)
LEVEL_1, LEVEL_2 = "Level 1 - Use of Force", "Level 2 - Use of Force"
LEVEL_3, OIS = "Level 3 - Use of Force", "Level 3 - OIS"
KIND_BY_TYPE = {
    LEVEL_1: IncidentKind.PHYSICAL,
    LEVEL_2: IncidentKind.LESS_LETHAL,
    LEVEL_3: IncidentKind.PHYSICAL,
    OIS: IncidentKind.FIREARM,
}
SERIOUS = frozenset({LEVEL_3})
WHEN = "%m/%d/%Y %I:%M:%S %p"
INCIDENT_NUM = re.compile(r"\d{1,12}")
PSEUDONYM = re.compile(r"[A-Za-z0-9-]{1,40}")
UNKNOWN = frozenset({"", "X", "-", "0"})
NOT_SPECIFIED = "Not Specified"


@dataclass
class _Incident:
    line: int
    file: str
    number: str
    kind_text: str
    occurred_at: dt.datetime
    precinct: str
    sector: str
    beat: str
    officers: dict[str, int] = field(default_factory=dict)  # officer id -> index
    subjects: dict[str, SourceSubject] = field(default_factory=dict)
    force: list[SourceForce] = field(default_factory=list)
    row_ids: list[str] = field(default_factory=list)
    pairs: dict[tuple[str, str], int] = field(default_factory=dict)  # (officer, subject) -> line


class SeattleUofFormat:
    name = NAME

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def read(self, path: Path) -> SourceFile:
        if path.is_dir():
            path = path / "Use_Of_Force.csv"
        if not path.exists():
            raise ImportFileError(f"{path}: no such file")
        data = read_bytes(path)
        try:
            rows = read_table(path, data, [c.name for c in COLUMNS], NAME)
        except ImportFileError as exc:
            raise ImportFileError(f"{exc} (--format seattle-uof reads Seattle's Use_Of_Force.csv)") from None
        return SourceFile(
            path.name, digest_of([(path.name, data)]), tuple(c.name for c in COLUMNS), tuple(rows)
        )

    def parse(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> list[SourceIncident]:
        incidents: dict[str, _Incident] = {}
        ids: dict[str, int] = {}
        skipped, doubled = 0, 0
        now = timezone.now()
        for done, row in enumerate(rows, start=1):
            if done % STEP == 0 or done == len(rows):
                progress(STEP if done % STEP == 0 else done % STEP, len(rows))
            reason = malformed(row)
            if reason is not None:
                errors.append(RowError(row.line, reason, row.file))
                continue
            problems: list[str] = []
            values = row.values
            occurred, exists, twice = self._check(values, ids, now, problems)
            if problems or occurred is None:
                errors.extend(RowError(row.line, problem, row.file) for problem in problems)
                continue
            ids[values["ID"]] = row.line
            incident = incidents.get(values["Incident_Num"])
            if incident is None:
                incident = incidents[values["Incident_Num"]] = self._new(row, occurred)
                skipped += not exists
                doubled += twice
            elif not self._agrees(row, incident, occurred, errors):
                continue
            self._add(row, incident, errors)
        if skipped:
            self.warnings.append(
                f"{plural(skipped, 'incident')} at a time Seattle's clocks skipped (spring forward): "
                "read with the offset before the change"
            )
        if doubled:
            self.warnings.append(
                f"{plural(doubled, 'incident')} at a time that happened twice (fall back): read as the first"
            )
        return [self._incident(incident) for incident in incidents.values()]

    def _check(
        self, values: dict[str, str], ids: dict[str, int], now: dt.datetime, problems: list[str]
    ) -> tuple[dt.datetime | None, bool, bool]:
        """Add what is wrong with one row to `problems`; return what `_when` says of its time."""
        when = self._when(values["Occured_date_time"], now, problems)
        for column in COLUMNS:
            if column.required and not values[column.name]:
                problems.append(f"{column.name} is empty")
        if values["Incident_Num"] and not INCIDENT_NUM.fullmatch(values["Incident_Num"]):
            problems.append(f'Incident_Num "{values["Incident_Num"]}" is not a number')
        if values["Incident_Type"] and values["Incident_Type"] not in KIND_BY_TYPE:
            problems.append(
                f'Incident_Type "{values["Incident_Type"]}" is not one of {", ".join(KIND_BY_TYPE)}'
            )
        for name in ("Officer_ID", "Subject_ID"):
            if values[name] and not PSEUDONYM.fullmatch(values[name]):
                problems.append(f'{name} "{values[name]}" is not an id (letters, digits, -)')
        if values["ID"] in ids:
            problems.append(f'ID "{values["ID"]}" is already on line {ids[values["ID"]]}')
        return when

    @staticmethod
    def _when(raw: str, now: dt.datetime, problems: list[str]) -> tuple[dt.datetime | None, bool, bool]:
        """(UTC time, whether the wall time exists, whether it happened twice)."""
        if not raw:
            return None, True, False
        try:
            naive = dt.datetime.strptime(raw, WHEN)  # noqa: DTZ007 (Seattle wall time, made aware next)
        except ValueError:
            problems.append(f'Occured_date_time "{raw}" is not a time (MM/DD/YYYY hh:mm:ss AM/PM)')
            return None, True, False
        occurred, exists = in_utc(naive, ZONE)
        later = naive.replace(fold=1, tzinfo=ZONE).astimezone(dt.UTC)
        if occurred > now:
            problems.append(f'Occured_date_time "{raw}" is in the future')
            return None, exists, False
        return occurred, exists, exists and later != occurred

    @staticmethod
    def _new(row: Row, occurred: dt.datetime) -> _Incident:
        values = row.values
        return _Incident(
            line=row.line,
            file=row.file,
            number=values["Incident_Num"],
            kind_text=values["Incident_Type"],
            occurred_at=occurred,
            precinct=values["Precinct"],
            sector=values["Sector"],
            beat=values["Beat"],
        )

    @staticmethod
    def _agrees(row: Row, incident: _Incident, occurred: dt.datetime, errors: list[RowError]) -> bool:
        values = row.values
        differ = [
            name
            for name, mine, theirs in (
                ("Incident_Type", values["Incident_Type"], incident.kind_text),
                ("Occured_date_time", occurred, incident.occurred_at),
                ("Precinct", values["Precinct"], incident.precinct),
                ("Sector", values["Sector"], incident.sector),
                ("Beat", values["Beat"], incident.beat),
            )
            if mine != theirs
        ]
        if differ:
            errors.append(
                RowError(
                    row.line,
                    f"Incident_Num {incident.number} has another {', '.join(differ)} on line {incident.line}",
                    row.file,
                )
            )
        return not differ

    @staticmethod
    def _add(row: Row, incident: _Incident, errors: list[RowError]) -> None:
        values = row.values
        officer, subject = values["Officer_ID"], values["Subject_ID"]
        if (officer, subject) in incident.pairs:
            errors.append(
                RowError(
                    row.line,
                    f"officer {officer} and subject {subject} of incident {incident.number} are already "
                    f"on line {incident.pairs[officer, subject]}",
                    row.file,
                )
            )
            return
        incident.pairs[officer, subject] = row.line
        index = incident.officers.setdefault(officer, len(incident.officers))
        if subject not in incident.subjects:
            race, sex = values["Subject_Race"], values["Subject_Gender"]
            incident.subjects[subject] = SourceSubject(
                source_id=clip(subject, SUBJECT_ID_LIMIT),
                sex=clip("" if sex == NOT_SPECIFIED else sex, SEX_LIMIT),
                race=clip("" if race == NOT_SPECIFIED else race, RACE_LIMIT),
            )
        incident.row_ids.append(values["ID"])
        incident.force.append(
            SourceForce(
                clip(values["Incident_Type"], ACTION_LIMIT),
                clip(f"on subject {subject} (row {values['ID']})", DETAIL_LIMIT),
                index,
            )
        )

    @staticmethod
    def _incident(incident: _Incident) -> SourceIncident:
        kind = KIND_BY_TYPE[incident.kind_text]
        officers, subjects = len(incident.officers), len(incident.subjects)
        where = [
            f"{label} {value.title() if label == 'sector' else value}"
            for label, value in (
                ("precinct", incident.precinct),
                ("sector", incident.sector),
                ("beat", incident.beat),
            )
            if value not in UNKNOWN
        ]
        local = incident.occurred_at.astimezone(ZONE)
        narrative = "\n".join(
            [
                "Imported from the City of Seattle's open data set Use Of Force (data.seattle.gov, "
                f"ppi5-g2bj), incident {incident.number}: {plural(len(incident.row_ids), 'row')} "
                f"({', '.join(incident.row_ids)}).",
                f"{incident.kind_text} on {local:%Y-%m-%d at %H:%M} Seattle time, by "
                f"{plural(officers, 'officer')} (ids {', '.join(incident.officers)}) on "
                f"{plural(subjects, 'subject')} (ids {', '.join(incident.subjects)}); the ids are "
                "the city's pseudonyms.",
            ]
        )
        return SourceIncident(
            line=incident.line,
            file=incident.file,
            source_reference=f"{REFERENCE_PREFIX}{incident.number}",
            kind=kind,
            status=IncidentStatus.CLOSED,
            occurred_at=incident.occurred_at,
            summary=clip(
                f"SPD use of force {incident.number}: {incident.kind_text} by "
                f"{plural(officers, 'officer')} on {plural(subjects, 'subject')}",
                300,
            ),
            place=clip(", ".join(where) + ", Seattle" if where else "Seattle", 300),
            narrative=narrative,
            facts=(
                f"Source classification: {incident.kind_text}. The data set gives no review status "
                "or outcome; imported as closed (historic)."
            ),
            serious_injury=incident.kind_text in SERIOUS,
            employees=[
                SourceEmployee(
                    source_id=clip(f"spd-officer:{officer}", EMPLOYEE_ID_LIMIT),
                    description=f"SPD officer {officer} (pseudonymous id)",
                    actions=f"{incident.kind_text} on subject(s) "
                    + ", ".join(subject for (who, subject) in incident.pairs if who == officer),
                )
                for officer in incident.officers
            ],
            subjects=list(incident.subjects.values()),
            force=incident.force,
        )
