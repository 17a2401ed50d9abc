"""`--format chicago-trr`: Chicago police tactical response reports (use of force), 2021-2023.

Reads the seven TRR files of the Invisible Institute's FOIA p877988 release
(../shared/research/data/chicago-cpdp/SOURCE.txt, part C). Give the TRR-main file or its
folder; the sibling files of the same release (`TRR-<part>_<release>.csv(.gz)`: officers,
actions-responses, subjects, subject-weapons, weapon-discharges, statuses) are read with it.

Mapping:
- a report is one row of TRR-main, joined to its reporting member (officers), subject
  (subjects, subject-weapons), actions (actions-responses) and weapon discharges on `row_id`
  (the same row number in every file, checked against trr_id); review rows (statuses) join on
  trr_id only, their row_ids are their own.
- one CriticalIncident per trr_id, `source_reference` "chicago-trr:<trr_id>". 9,338 reports
  carry 9,331 trr_ids: seven trr_ids have two reports (two members of one event, the same
  subject), which become one incident with two employees.
- kind: firearm discharge when a member discharged a firearm (a firearm in the member's
  "Response With Weapon" actions or in weapon-discharges); else less-lethal when a TASER,
  OC/chemical weapon, baton, impact munition, less-lethal shotgun or control instrument was
  used; else physical.
- serious_injury when a subject's injury from the force is "NON-FATAL - MAJOR INJURY"; death
  when it is "FATAL".
- status: `closed` when every report of the incident is APPROVED at the source (the review
  chain finished); PRELIMINARY, SUBMITTED or REJECTED reports were still in review when the
  data was released, so the incident stays `reported`. The source's status and each review row
  (reviewing supervisor, on scene, complied with duties, complaint log number) are in `facts`.
- occurred_at: trr_date at midnight in Chicago (America/Chicago), in UTC; the source has no
  time of day, which the narrative says.
- IncidentEmployee per report (name, rank, star, unit as described; not matched to the
  directory: the member ids are this file's own), IncidentSubject per distinct subject (the
  hashed CB number, cut to its first 16 hex digits, is the source id; age is the incident year
  minus the birth year, so it may be one year high), ForceUsed per non-blank member or subject
  action and per weapon discharge.

Traps handled: trr_ids repeated over two reports (one pair dated a day apart: the
incident takes the earlier date, the narrative gives both); stars, beats and birth years written as floats
("1886.0"); blank action rows (a "Response With Weapon" heading with no weapon, 14,886 rows,
skipped); one review row whose trr_id is not in TRR-main (a warning, not an error: it carries no
report).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from probity.core.imports import ImportFileError, Progress, Row, RowError, SourceFile, malformed
from probity.intake.imports.source import clip, digest_of, read_bytes
from probity.oversight.imports.source import (
    ACTION_LIMIT,
    DESCRIPTION_LIMIT,
    DETAIL_LIMIT,
    EMPLOYEE_ID_LIMIT,
    RACE_LIMIT,
    SEX_LIMIT,
    STEP,
    SUBJECT_ID_LIMIT,
    TAG,
    WEAPON_LIMIT,
    SourceEmployee,
    SourceForce,
    SourceIncident,
    SourceSubject,
    local_midnight,
    plural,
    read_table,
    title,
    whole,
)
from probity.oversight.models import IncidentKind, IncidentStatus

NAME = "chicago-trr"
REFERENCE_PREFIX = f"{NAME}:"
ZONE = ZoneInfo("America/Chicago")
MAIN_FILE = re.compile(r"TRR-main_(?P<release>.+?)\.csv(?:\.gz)?")
MAIN = "main"
OFFICERS = "officers"
ACTIONS = "actions-responses"
SUBJECTS = "subjects"
SUBJECT_WEAPONS = "subject-weapons"
DISCHARGES = "weapon-discharges"
STATUSES = "statuses"
# The columns read from each file, in the order the files are read (TRR-main first).
COLUMNS: dict[str, tuple[str, ...]] = {
    MAIN: (
        "row_id",
        "trr_id",
        "trr_status",
        "trr_date",
        "event_no",
        "indoor_or_outdoor",
        "lighting_condition",
        "weather_condition",
        "notify_district_sergeant",
        "notify_OP_command",
        "notify_OEMC",
        "beat",
        "location",
        "direction",
        "street",
        "block",
    ),
    OFFICERS: (
        "row_id",
        "trr_id",
        "rank",
        "unit",
        "duty_status",
        "in_uniform",
        "injured",
        "star1",
        "first_name",
        "middle_initial",
        "last_name",
        "suffix_name",
        "*_ID",
    ),
    ACTIONS: ("row_id", "trr_id", "person", "action", "other_description"),
    SUBJECTS: (
        "row_id",
        "trr_id",
        "subject_cb_no",
        "gender",
        "race",
        "birth_year",
        "condition_new_trr",
        "injured",
        "alleged_injury",
        "med_treatment_new_trr",
        "inj_mem_uoff_new_trr",
        "hospitalized",
        "armed",
        "armed_with",
        "weapon_use",
        "drug_related",
        "gang_related",
    ),
    SUBJECT_WEAPONS: ("row_id", "trr_id", "weapon_category"),
    DISCHARGES: (
        "row_id",
        "trr_id",
        "weapon_type_new_trr",
        "weapon_type",
        "total_number_of_shots",
        "accidental_discharge",
        "discharge_to_destruct_animal",
        "objstrck_disch_memweap_new_trr",
        "weapcontribute_subinjry",
    ),
    STATUSES: (
        "trr_id",
        "member_first_name",
        "member_last_name",
        "on_scene_response_i",
        "evident_technician",
        "supsubinj_new_trr",
        "complied_with_duties",
        "reviewed_affirm_complete",
        "complaint_log_number_obtained",
        "log_no",
        "rank",
        "star",
        "first_name",
        "middle_initial",
        "last_name",
    ),
}
TRR_ID = re.compile(r"\d{4}-\d{5}")
ROW_ID = re.compile(r"\d{1,9}")
NUMBER = re.compile(r"\d+(?:\.\d*)?")
APPROVED = "APPROVED"
SOURCE_STATUSES = frozenset({APPROVED, "PRELIMINARY", "SUBMITTED", "REJECTED"})
MEMBER, SUBJECT = "Member Action", "Subject Action"
FIREARMS = frozenset({"SEMI-AUTO PISTOL", "REVOLVER", "RIFLE", "SHOTGUN"})
LESS_LETHAL = frozenset(
    {
        "TASER",
        "OC/CHEMICAL WEAPON",
        "OC/CHEM WPN W/AUTHORIZATION*",
        "CHEMICAL WEAPON",
        "BATON / EXPANDABLE BATON",
        "IMPACT MUNITIONS (DESCIRBE)",  # sic
        "LESS LETHAL SHOTGUN",
        "CONTROL INSTRUMENT",
    }
)
FATAL, MAJOR = "FATAL", "NON-FATAL - MAJOR INJURY"
HURT = frozenset({FATAL, MAJOR, "NON-FATAL - MINOR INJURY"})
YES, NO = frozenset({"yes", "y"}), frozenset({"no", "n"})


def _flag(name: str, raw: str, problems: list[str]) -> bool | None:
    value = raw.lower()
    if value in YES:
        return True
    if value in NO:
        return False
    if value:
        problems.append(f'{name} "{raw}" is not Yes or No')
    return None


def _tokens(text: str) -> list[str]:
    """ "HANDS/FISTS, HANDS/FISTS, FEET" -> ["HANDS/FISTS", "FEET"]."""
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _yes_no(value: bool | None) -> str:
    return "not stated" if value is None else ("yes" if value else "no")


@dataclass
class _Report:
    """One row of TRR-main and what the other files say about it."""

    line: int
    file: str
    row_id: int
    trr_id: str
    day: dt.date
    status: str
    values: dict[str, str]
    member: SourceEmployee | None = None
    member_line: int = 0
    subject: SourceSubject | None = None
    subject_key: str = ""
    subject_line: int = 0
    weapon_category: str = ""
    weapons_line: int = 0
    hurt: list[str] = field(default_factory=list)  # the subject's injury from the force used
    member_actions: list[tuple[str, str]] = field(default_factory=list)
    subject_actions: list[tuple[str, str]] = field(default_factory=list)
    discharges: list[tuple[list[str], str]] = field(default_factory=list)  # (weapon types, detail)


@dataclass
class _State:
    """What the rows read so far say."""

    today: dt.date
    reports: dict[int, _Report] = field(default_factory=dict)
    bad_main: set[int] = field(default_factory=set)  # row_ids of bad main rows: theirs add no error
    reviews: dict[str, list[str]] = field(default_factory=dict)
    responders: dict[str, list[str]] = field(default_factory=dict)
    reviewed: list[str] = field(default_factory=list)  # the trr_id of every review row
    blank_actions: int = 0


class ChicagoTrrFormat:
    name = NAME

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.main_name = "TRR-main"

    # --- reading ----------------------------------------------------------------------------

    def read(self, path: Path) -> SourceFile:
        main_path = self._main_file(path)
        self.main_name = main_path.name
        release = MAIN_FILE.fullmatch(main_path.name)
        if release is None:  # _main_file checked the name already
            raise ImportFileError(f"{main_path.name}: not a TRR-main file")
        paths = {MAIN: main_path}
        for part in COLUMNS:
            if part != MAIN:
                paths[part] = self._sibling(main_path, f"TRR-{part}_{release.group('release')}")
        files = [(p.name, read_bytes(p)) for p in paths.values()]
        rows: list[Row] = []
        for (part, p), (_, data) in zip(paths.items(), files, strict=True):
            rows.extend(read_table(p, data, COLUMNS[part], part))
        name = path.name if path.is_dir() else main_path.name
        return SourceFile(name, digest_of(files), COLUMNS[MAIN], tuple(rows))

    @staticmethod
    def _main_file(path: Path) -> Path:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if MAIN_FILE.fullmatch(p.name))
            if len(found) != 1:
                what = "no" if not found else "several"
                raise ImportFileError(
                    f"{path}: holds {what} Chicago TRR-main file(s) named like "
                    "TRR-main_2021-2023_2023-10_p877988.csv.gz; give one file"
                )
            return found[0]
        if not path.exists():
            raise ImportFileError(f"{path}: no such file")
        if not MAIN_FILE.fullmatch(path.name):
            raise ImportFileError(
                f"{path.name}: --format chicago-trr reads a TRR-main file named like "
                "TRR-main_2021-2023_2023-10_p877988.csv.gz (or its folder); for Seattle's "
                "Use_Of_Force.csv give --format seattle-uof"
            )
        return path

    @staticmethod
    def _sibling(main: Path, stem: str) -> Path:
        for name in (f"{stem}.csv.gz", f"{stem}.csv"):
            candidate = main.with_name(name)
            if candidate.exists():
                return candidate
        raise ImportFileError(f"{main.name}: the file {stem}.csv(.gz) is not beside it")

    # --- parsing ----------------------------------------------------------------------------

    def parse(self, rows: Sequence[Row], errors: list[RowError], progress: Progress) -> list[SourceIncident]:
        state = _State(today=timezone.now().astimezone(ZONE).date())
        for done, row in enumerate(sorted(rows, key=lambda r: r.values.get(TAG) != MAIN), start=1):
            if done % STEP == 0 or done == len(rows):
                progress(STEP if done % STEP == 0 else done % STEP, len(rows))
            self._read_row(row, state, errors)
        for report in state.reports.values():
            if not report.member_line:
                errors.append(
                    RowError(
                        report.line,
                        f"row_id {report.row_id} (trr_id {report.trr_id}) has no reporting member "
                        "in the TRR-officers file",
                        report.file,
                    )
                )
        self._warn(state)
        incidents: dict[str, list[_Report]] = {}
        for report in state.reports.values():
            incidents.setdefault(report.trr_id, []).append(report)
        return [
            self._incident(trr_id, group, state.reviews.get(trr_id, []), state.responders.get(trr_id, []))
            for trr_id, group in incidents.items()
            if all(report.member is not None for report in group)
        ]

    def _read_row(self, row: Row, state: _State, errors: list[RowError]) -> None:
        reason = malformed(row)
        if reason is not None:
            errors.append(RowError(row.line, reason, row.file))
            return
        tag = row.values[TAG]
        if tag == MAIN:
            self._main(row, state.reports, state.bad_main, state.today, errors)
            return
        if tag == STATUSES:
            self._review(row, state, errors)
            return
        report = self._report_of(row, state.reports, state.bad_main, errors)
        if report is None:
            return
        if tag == ACTIONS:
            state.blank_actions += self._action(row, report, errors)
            return
        handlers = {OFFICERS: self._member, SUBJECTS: self._subject, SUBJECT_WEAPONS: self._weapons}
        handlers.get(tag, self._discharge)(row, report, errors)

    def _warn(self, state: _State) -> None:
        # Reviews of reports that are not in TRR-main carry no incident: said, not fatal.
        known = {report.trr_id for report in state.reports.values()}
        unknown = [trr_id for trr_id in state.reviewed if trr_id not in known]
        if unknown:
            self.warnings.append(
                f"{plural(len(unknown), 'review row')} in the TRR-statuses file name "
                f"{'a trr_id' if len(set(unknown)) == 1 else 'trr_ids'} not in {self.main_name} "
                f"({', '.join(sorted(set(unknown))[:5])}); ignored"
            )
        if state.blank_actions:
            self.warnings.append(
                f"{plural(state.blank_actions, 'blank action row')} in the TRR-actions-responses file "
                "(a heading without an action) skipped"
            )

    def _main(
        self,
        row: Row,
        reports: dict[int, _Report],
        bad_main: set[int],
        today: dt.date,
        errors: list[RowError],
    ) -> None:
        values, problems = row.values, list[str]()
        row_id = int(values["row_id"]) if ROW_ID.fullmatch(values["row_id"]) else None
        if row_id is None:
            problems.append(f'row_id "{values["row_id"]}" is not a number')
        if not TRR_ID.fullmatch(values["trr_id"]):
            problems.append(f'trr_id "{values["trr_id"]}" is not a TRR number (YYYY-NNNNN)')
        day = None
        try:
            day = dt.date.fromisoformat(values["trr_date"])
        except ValueError:
            problems.append(f'trr_date "{values["trr_date"]}" is not a date (YYYY-MM-DD)')
        if day is not None and day > today:
            problems.append(f"trr_date {day.isoformat()} is in the future")
        if values["trr_status"] not in SOURCE_STATUSES:
            problems.append(
                f'trr_status "{values["trr_status"]}" is not one of {", ".join(sorted(SOURCE_STATUSES))}'
            )
        for name in ("notify_district_sergeant", "notify_OP_command", "notify_OEMC"):
            _flag(name, values[name], problems)
        if row_id is not None and row_id in reports:
            problems.append(f"row_id {row_id} is already on line {reports[row_id].line}")
        if problems or row_id is None or day is None:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            if row_id is not None and row_id not in reports:
                bad_main.add(row_id)
            return
        reports[row_id] = _Report(
            row.line, row.file, row_id, values["trr_id"], day, values["trr_status"], values
        )

    def _report_of(
        self, row: Row, reports: dict[int, _Report], bad_main: set[int], errors: list[RowError]
    ) -> _Report | None:
        values = row.values
        if not ROW_ID.fullmatch(values["row_id"]):
            errors.append(RowError(row.line, f'row_id "{values["row_id"]}" is not a number', row.file))
            return None
        row_id = int(values["row_id"])
        report = reports.get(row_id)
        if report is not None and report.trr_id == values["trr_id"]:
            return report
        if row_id not in bad_main:
            errors.append(
                RowError(
                    row.line,
                    f"row_id {row_id} with trr_id {values['trr_id']} is not a report in {self.main_name}",
                    row.file,
                )
            )
        return None

    @staticmethod
    def _once(row: Row, kind: str, earlier: int, errors: list[RowError]) -> bool:
        if earlier:
            errors.append(
                RowError(
                    row.line, f"a second {kind} for row_id {row.values['row_id']} (line {earlier})", row.file
                )
            )
            return False
        return True

    def _member(self, row: Row, report: _Report, errors: list[RowError]) -> None:
        if not self._once(row, "reporting member", report.member_line, errors):
            return
        report.member_line = row.line  # even when bad: its errors say enough
        values, problems = row.values, list[str]()
        injured = _flag("injured", values["injured"], problems)
        on_duty = _flag("duty_status", values["duty_status"], problems)
        in_uniform = _flag("in_uniform", values["in_uniform"], problems)
        if problems:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            return
        name = " ".join(
            part
            for part in (
                values["first_name"].title(),
                values["middle_initial"],
                values["last_name"].title(),
                values["suffix_name"].title(),
            )
            if part
        )
        parts = [name or "unnamed member", title(values["rank"]) or "rank not stated"]
        if whole(values["star1"]):
            parts.append(f"star {whole(values['star1'])}")
        if values["unit"]:
            parts.append(f"unit {whole(values['unit'])}")
        if on_duty is False:
            parts.append("off duty")
        if in_uniform is False:
            parts.append("not in uniform")
        person_id = whole(values["*_ID"])
        report.member = SourceEmployee(
            source_id=clip(f"trr-member:{person_id}", EMPLOYEE_ID_LIMIT) if person_id else "",
            description=clip(", ".join(parts), DESCRIPTION_LIMIT),
            injured=bool(injured),
        )

    def _subject(self, row: Row, report: _Report, errors: list[RowError]) -> None:
        if not self._once(row, "subject", report.subject_line, errors):
            return
        values, problems = row.values, list[str]()
        flags = {
            name: _flag(name, values[name], problems)
            for name in ("injured", "alleged_injury", "hospitalized", "armed", "drug_related", "gang_related")
        }
        born = values["birth_year"]
        if born and not NUMBER.fullmatch(born):
            problems.append(f'birth_year "{born}" is not a year')
        if problems:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            return
        year = int(float(born)) if born else None
        age = report.day.year - year if year else None
        hurt = _tokens(values["inj_mem_uoff_new_trr"])
        injuries = []
        if any(token in HURT for token in hurt):
            injuries.append(f"injury from the force used: {', '.join(t for t in hurt if t in HURT)}")
        if flags["alleged_injury"]:
            injuries.append("alleges an injury")
        if flags["hospitalized"]:
            injuries.append("hospitalized")
        if values["med_treatment_new_trr"]:
            injuries.append(f"medical aid: {values['med_treatment_new_trr']}")
        described = [f"born {year}"] if year else []
        if values["condition_new_trr"]:
            described.append(f"condition: {values['condition_new_trr']}")
        described += [
            label
            for label, on in (
                ("drug related", flags["drug_related"]),
                ("gang related", flags["gang_related"]),
            )
            if on
        ]
        armed_with = values["armed_with"]
        if armed_with and values["weapon_use"]:
            armed_with += f" ({values['weapon_use']})"
        report.subject_key = values["subject_cb_no"]
        report.hurt = hurt
        report.subject = SourceSubject(
            source_id=clip(f"cb:{values['subject_cb_no'][:16]}", SUBJECT_ID_LIMIT)
            if values["subject_cb_no"]
            else "",
            description=clip("; ".join(described), DESCRIPTION_LIMIT),
            age=age if age is not None and 0 < age < 120 else None,
            sex=clip(values["gender"].title(), SEX_LIMIT),
            race=clip(title(values["race"]), RACE_LIMIT),
            injured=bool(flags["injured"]) or any(token in HURT for token in hurt),
            injuries="; ".join(injuries),
            armed=flags["armed"],
            weapon=armed_with,
        )
        report.subject_line = row.line

    def _weapons(self, row: Row, report: _Report, errors: list[RowError]) -> None:
        if self._once(row, "subject-weapons row", report.weapons_line, errors):
            report.weapon_category = ", ".join(_tokens(row.values["weapon_category"]))
            report.weapons_line = row.line

    @staticmethod
    def _action(row: Row, report: _Report, errors: list[RowError]) -> int:
        """Record one action; 1 if it was a blank heading row, skipped."""
        values = row.values
        if values["person"] not in (MEMBER, SUBJECT):
            errors.append(
                RowError(row.line, f'person "{values["person"]}" is not {MEMBER} or {SUBJECT}', row.file)
            )
            return 0
        if not values["action"]:
            return 1
        actions = report.member_actions if values["person"] == MEMBER else report.subject_actions
        actions.append((values["action"], values["other_description"]))
        return 0

    @staticmethod
    def _discharge(row: Row, report: _Report, errors: list[RowError]) -> None:
        values, problems = row.values, list[str]()
        shots = values["total_number_of_shots"]
        if shots and not NUMBER.fullmatch(shots):
            problems.append(f'total_number_of_shots "{shots}" is not a number')
        accidental = _flag("accidental_discharge", values["accidental_discharge"], problems)
        animal = _flag("discharge_to_destruct_animal", values["discharge_to_destruct_animal"], problems)
        contributed = _flag("weapcontribute_subinjry", values["weapcontribute_subinjry"], problems)
        if problems:
            errors.extend(RowError(row.line, problem, row.file) for problem in problems)
            return
        types = _tokens(f"{values['weapon_type_new_trr']},{values['weapon_type']}")
        detail = [plural(int(float(shots)), "shot")] if shots else []
        if values["objstrck_disch_memweap_new_trr"]:
            detail.append(f"struck: {values['objstrck_disch_memweap_new_trr']}")
        detail += [
            text
            for text, on in (
                ("accidental", accidental),
                ("to destroy an animal", animal),
                ("contributed to the subject's injury", contributed),
            )
            if on
        ]
        report.discharges.append((types, "; ".join(detail)))

    @staticmethod
    def _review(row: Row, state: _State, errors: list[RowError]) -> None:
        values = row.values
        trr_id = values["trr_id"]
        if not TRR_ID.fullmatch(trr_id):
            errors.append(RowError(row.line, f'trr_id "{trr_id}" is not a TRR number (YYYY-NNNNN)', row.file))
            return
        state.reviewed.append(trr_id)
        reviewer = " ".join(
            p
            for p in (values["first_name"].title(), values["middle_initial"], values["last_name"].title())
            if p
        )
        who = " ".join(p for p in (title(values["rank"]), reviewer) if p) or "an unnamed reviewer"
        if whole(values["star"]):
            who += f" (star {whole(values['star'])})"
        member = " ".join(p for p in (values["member_first_name"], values["member_last_name"]) if p).title()
        said = [
            f"{label}: {values[name]}"
            for label, name in (
                ("supervisor on scene", "on_scene_response_i"),
                ("complied with duties", "complied_with_duties"),
                ("review affirmed complete", "reviewed_affirm_complete"),
                ("evidence technician", "evident_technician"),
                ("subject's injury as seen by the supervisor", "supsubinj_new_trr"),
                ("complaint log number obtained", "complaint_log_number_obtained"),
                ("log number", "log_no"),
            )
            if values[name]
        ]
        line = f"{who} reviewed the report of {member or 'an unnamed member'}"
        state.reviews.setdefault(trr_id, []).append(line + (f": {'; '.join(said)}" if said else ""))
        if values["on_scene_response_i"].upper() == "Y":
            state.responders.setdefault(trr_id, []).append(f"{who}, reviewing supervisor")
        if values["evident_technician"].upper() == "RESPONDED":
            state.responders.setdefault(trr_id, []).append("an evidence technician")

    # --- one incident -----------------------------------------------------------------------

    def _incident(
        self, trr_id: str, reports: list[_Report], reviews: list[str], responders: list[str]
    ) -> SourceIncident:
        first = reports[0]
        day = min(report.day for report in reports)
        employees: list[SourceEmployee] = []
        subjects: dict[str, SourceSubject] = {}
        force: list[SourceForce] = []
        weapons: set[str] = set()
        for index, report in enumerate(reports):
            member = report.member
            if member is None:  # the caller passes only reports with their member
                raise ValueError(f"row_id {report.row_id} has no reporting member")
            member.actions = "; ".join(dict.fromkeys(action for action, _ in report.member_actions))
            employees.append(member)
            if report.subject is not None:
                subject = report.subject
                if report.weapon_category:
                    subject.weapon = "; ".join(p for p in (subject.weapon, report.weapon_category) if p)
                subject.weapon = clip(subject.weapon, WEAPON_LIMIT)
                # The same subject in two reports of one event is one subject (the first account).
                subjects.setdefault(report.subject_key or f"row {report.row_id}", subject)
            for action, detail in report.member_actions:
                weapons.add(action)
                force.append(SourceForce(clip(action, ACTION_LIMIT), clip(detail, DETAIL_LIMIT), index))
            for action, detail in report.subject_actions:
                force.append(
                    SourceForce(clip(action, ACTION_LIMIT), clip(detail, DETAIL_LIMIT), by_subject=True)
                )
            for types, detail in report.discharges:
                weapons.update(types)
                action = f"Weapon discharged: {', '.join(types) or 'type not stated'}"
                force.append(SourceForce(clip(action, ACTION_LIMIT), clip(detail, DETAIL_LIMIT), index))
        if weapons & FIREARMS:
            kind = IncidentKind.FIREARM
        elif weapons & LESS_LETHAL:
            kind = IncidentKind.LESS_LETHAL
        else:
            kind = IncidentKind.PHYSICAL
        hurt = {token for report in reports for token in report.hurt}
        statuses = list(dict.fromkeys(report.status for report in reports))
        closed = statuses == [APPROVED]
        label = str(IncidentKind(kind).label).removeprefix("Use of force: ")
        member_actions = list(dict.fromkeys(a for r in reports for a, _ in r.member_actions))
        summary = (
            f"CPD TRR {trr_id}: {label} by {plural(len(employees), 'member')} on "
            f"{plural(len(subjects), 'subject')}"
            + (f" ({', '.join(member_actions).lower()})" if member_actions else "")
        )
        state = (
            "every report APPROVED: the department's review was complete, imported as closed"
            if closed
            else "not every report APPROVED: the review was still open at release, imported as reported"
        )
        facts = [f"Source status: {', '.join(statuses)} ({state})."]
        if reviews:
            facts += ["", "Review at the source (TRR-statuses):"]
            facts += [f"- {line}" for line in dict.fromkeys(reviews)]
        else:
            facts.append("The source has no review row for this report.")
        return SourceIncident(
            line=first.line,
            file=first.file,
            source_reference=f"{REFERENCE_PREFIX}{trr_id}",
            kind=kind,
            status=IncidentStatus.CLOSED if closed else IncidentStatus.REPORTED,
            occurred_at=local_midnight(day, ZONE),
            summary=clip(summary, 300),
            place=clip(self._place(first.values), 300),
            narrative=self._narrative(trr_id, reports, employees, list(subjects.values())),
            facts="\n".join(facts),
            responders="; ".join(dict.fromkeys(responders)),
            serious_injury=MAJOR in hurt,
            death=FATAL in hurt,
            employees=employees,
            subjects=list(subjects.values()),
            force=force,
        )

    @staticmethod
    def _place(values: dict[str, str]) -> str:
        street = " ".join(p for p in (values["block"], values["direction"], values["street"]) if p)
        where = [title(values["location"])] if values["location"] else []
        if values["indoor_or_outdoor"]:
            where.append(values["indoor_or_outdoor"].lower())
        if whole(values["beat"]):
            where.append(f"beat {whole(values['beat'])}")
        return f"{street or 'street not stated'}, Chicago" + (f" ({', '.join(where)})" if where else "")

    def _narrative(
        self,
        trr_id: str,
        reports: list[_Report],
        employees: list[SourceEmployee],
        subjects: list[SourceSubject],
    ) -> str:
        first = reports[0].values
        lines = [
            f"Imported from the Invisible Institute's chicago-police-data (CPD tactical response "
            f"reports, FOIA p877988), TRR {trr_id}: {plural(len(reports), 'report')} "
            f"(row_id {', '.join(str(r.row_id) for r in reports)}).",
        ]
        days = sorted({report.day for report in reports})
        lines.append(
            f"Date {days[0].isoformat()}; the source gives no time of day (recorded as midnight, "
            "Chicago time)."
            + (
                f" Its reports are dated {' and '.join(d.isoformat() for d in days)}."
                if len(days) > 1
                else ""
            )
        )
        conditions = [
            f"event {whole(first['event_no'])}" if first["event_no"] else "",
            first["indoor_or_outdoor"].lower(),
            first["lighting_condition"].lower(),
            f"weather {first['weather_condition'].lower()}" if first["weather_condition"] else "",
        ]
        if any(conditions):
            lines.append("Conditions: " + ", ".join(c for c in conditions if c) + ".")
        notified = [
            f"{label} {_yes_no(_flag(name, first[name], []))}"
            for label, name in (
                ("district sergeant", "notify_district_sergeant"),
                ("OP command", "notify_OP_command"),
                ("OEMC", "notify_OEMC"),
            )
        ]
        lines.append(f"Notified: {', '.join(notified)}.")
        lines += ["", "Reporting members (actions as reported):"]
        for employee in employees:
            injured = "; injured" if employee.injured else ""
            lines.append(f"- {employee.description}{injured}: {employee.actions or 'no action listed'}")
        subject_actions = list(dict.fromkeys(a for r in reports for a, _ in r.subject_actions))
        if subject_actions:
            lines += ["", f"Subject actions: {'; '.join(subject_actions)}."]
        if subjects:
            lines += ["", "Subjects:"]
            for subject in subjects:
                about = ", ".join(p for p in (subject.sex, subject.race, subject.description) if p)
                lines.append(
                    f"- {about or 'not described'}; armed: {_yes_no(subject.armed)}"
                    + (f" ({subject.weapon})" if subject.weapon else "")
                    + (f"; {subject.injuries}" if subject.injuries else "")
                )
        discharges = [(types, detail) for r in reports for types, detail in r.discharges]
        if discharges:
            lines += ["", "Weapon discharges:"]
            lines += [
                f"- {', '.join(types) or 'type not stated'}: {detail or 'no detail'}"
                for types, detail in discharges
            ]
        return "\n".join(lines)
