"""`probity import incidents FILE --format {chicago-trr,seattle-uof}`: small hand-made files for
each format (mapping, every kind of bad row with its file and line, all or nothing, re-imports,
dry runs), then the full public files in ../shared with the counts their SOURCE.txt publishes."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from probity.core.imports import run_import
from probity.core.models import AuditAction, AuditEvent
from probity.oversight.models import (
    CriticalIncident,
    ForceUsed,
    IncidentEmployee,
    IncidentKind,
    IncidentStatus,
    IncidentSubject,
)
from probity.oversight.services.incidents import NUMBER_PREFIX
from tests.conftest import shared_data

NOW = dt.datetime(2025, 3, 10, 16, 0, tzinfo=dt.UTC)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("import", "incidents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError) as excinfo:
        call_command("import", "incidents", *args, stdout=io.StringIO(), stderr=err)
    return excinfo.value, err.getvalue()


def snapshot() -> tuple[int, int, int, int, int, int]:
    return (
        CriticalIncident.objects.count(),
        IncidentEmployee.objects.count(),
        IncidentSubject.objects.count(),
        ForceUsed.objects.count(),
        AuditEvent.objects.filter(object_type="oversight.criticalincident").count(),
        AuditEvent.objects.filter(action=AuditAction.IMPORT).count(),
    )


NOTHING = (0, 0, 0, 0, 0, 0)


def assert_errors(err: str, expected: list[tuple[str, str]]) -> None:
    """Each (where, reason): a reported line starts with `where` ("file line N:") and holds `reason`."""
    lines = err.splitlines()
    for where, reason in expected:
        assert any(line.startswith(where) and reason in line for line in lines), (
            f"{where} {reason!r} not in\n{err}"
        )


# --- Seattle ---------------------------------------------------------------------------------

SEATTLE_HEADER = [
    "ID",
    "Incident_Num",
    "Incident_Type",
    "Occured_date_time",
    "Precinct",
    "Sector",
    "Beat",
    "Officer_ID",
    "Subject_ID",
    "Subject_Race",
    "Subject_Gender",
]
L1, L2, L3, OIS = (
    "Level 1 - Use of Force",
    "Level 2 - Use of Force",
    "Level 3 - Use of Force",
    "Level 3 - OIS",
)
SEATTLE_GOOD = [
    ["2019UOF-0001-100-500", "1001", L1, "06/07/2019 11:30:00 PM", "East", "CHARLIE", "C2", "100", "500",
     "White", "Male"],
    ["2019UOF-0001-101-500", "1001", L1, "06/07/2019 11:30:00 PM", "East", "CHARLIE", "C2", "101", "500",
     "White", "Male"],
    ["2019UOF-0001-101-501", "1001", L1, "06/07/2019 11:30:00 PM", "East", "CHARLIE", "C2", "101", "501",
     "Not Specified", "Female"],
    ["2019UOF-0002-102-502", "1002", OIS, "12/31/2019 11:15:00 PM", "X", "-", "0", "102", "502",
     "Black or African American", "Male"],
    ["2020UOF-0003-100-503", "1003", L2, "02/01/2020 10:05:00 AM", "North", "NORA", "N1", "100", "503",
     "Asian", "Not Specified"],
    ["2020UOF-0004-104-504", "1004", L3, "08/15/2020 04:45:00 PM", "West", "KING", "K3", "104", "504",
     "White", "Male"],
]  # fmt: skip


def write_seattle(path: Path, rows: list[list[str]], header: list[str] = SEATTLE_HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def seattle_row(**values: str) -> list[str]:
    """A valid row of a new incident, changed as given."""
    row = dict(
        zip(
            SEATTLE_HEADER,
            ["2021UOF-0009-900-900", "9009", L1, "01/02/2021 01:02:03 PM", "South", "ROBERT", "R2", "900",
             "900", "White", "Male"],
            strict=True,
        )
    )  # fmt: skip
    row.update(values)
    return [row[name] for name in SEATTLE_HEADER]


@pytest.fixture
def seattle_file(tmp_path: Path, db: None) -> Path:
    return write_seattle(tmp_path / "uof.csv", SEATTLE_GOOD)


def test_seattle_gives_one_incident_per_incident_number_with_its_officers_and_subjects(
    seattle_file: Path,
) -> None:
    out, _ = run(str(seattle_file), "--format", "seattle-uof")
    assert "Imported uof.csv (incidents): 6 rows: 4 new, 0 changed, 0 unchanged" in out
    assert snapshot() == (4, 5, 5, 6, 4, 1)
    first = CriticalIncident.objects.get(source_reference="seattle-uof:1001")
    # 11:30 pm on a June evening in Seattle (PDT, UTC-7) is the next morning in UTC.
    assert first.occurred_at == dt.datetime(2019, 6, 8, 6, 30, tzinfo=dt.UTC)
    assert (first.kind, first.status, first.source_system, first.office) == (
        IncidentKind.PHYSICAL,
        IncidentStatus.CLOSED,
        "seattle-uof",
        None,
    )
    assert first.number.startswith(f"{NUMBER_PREFIX}-2019-")
    assert first.place == "precinct East, sector Charlie, beat C2, Seattle"
    assert first.summary == "SPD use of force 1001: Level 1 - Use of Force by 2 officers on 2 subjects"
    assert list(first.employees.values_list("source_id", flat=True)) == ["spd-officer:100", "spd-officer:101"]
    assert list(first.subjects.values_list("source_id", "race", "sex")) == [
        ("500", "White", "Male"),
        ("501", "", "Female"),
    ]
    force = list(first.force.values_list("by_employee__source_id", "action", "detail"))
    assert force == [
        ("spd-officer:100", L1, "on subject 500 (row 2019UOF-0001-100-500)"),
        ("spd-officer:101", L1, "on subject 500 (row 2019UOF-0001-101-500)"),
        ("spd-officer:101", L1, "on subject 501 (row 2019UOF-0001-101-501)"),
    ]
    shooting = CriticalIncident.objects.get(source_reference="seattle-uof:1002")
    assert shooting.kind == IncidentKind.FIREARM and shooting.meets_board_criteria
    assert not shooting.serious_injury and shooting.place == "Seattle"  # X, - and 0: unknown
    assert shooting.occurred_at == dt.datetime(2020, 1, 1, 7, 15, tzinfo=dt.UTC)  # PST, UTC-8
    assert CriticalIncident.objects.get(source_reference="seattle-uof:1003").kind == IncidentKind.LESS_LETHAL
    severe = CriticalIncident.objects.get(source_reference="seattle-uof:1004")
    assert (severe.kind, severe.serious_injury, severe.meets_board_criteria) == (
        IncidentKind.PHYSICAL,
        True,
        True,
    )
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail["format"] == "seattle-uof" and event.detail["created"] == 4
    assert event.detail["kinds"] == {"firearm_discharge": 1, "less_lethal": 1, "physical": 2}
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(first.pk))
    assert created.changes["source_reference"] == [None, "seattle-uof:1001"]
    assert created.detail["line"] == 2 and created.detail["file"] == "uof.csv"


def test_seattle_times_the_clocks_skipped_or_repeated_are_read_one_way_and_said(
    tmp_path: Path, db: None
) -> None:
    path = write_seattle(
        tmp_path / "dst.csv",
        [
            seattle_row(ID="A", Incident_Num="1", Occured_date_time="03/10/2019 02:30:00 AM"),
            seattle_row(ID="B", Incident_Num="2", Occured_date_time="11/03/2019 01:30:00 AM"),
        ],
    )
    _, err = run(str(path), "--format", "seattle-uof")
    assert "1 incident at a time Seattle's clocks skipped" in err
    assert "1 incident at a time that happened twice" in err
    times = dict(CriticalIncident.objects.values_list("source_reference", "occurred_at"))
    assert times["seattle-uof:1"] == dt.datetime(2019, 3, 10, 10, 30, tzinfo=dt.UTC)  # PST offset
    assert times["seattle-uof:2"] == dt.datetime(2019, 11, 3, 8, 30, tzinfo=dt.UTC)  # the first 1:30 (PDT)


def test_every_bad_seattle_row_is_reported_with_its_line_and_nothing_is_written(
    tmp_path: Path, db: None
) -> None:
    rows = [
        *SEATTLE_GOOD[:2],  # lines 2-3
        ["2021UOF-0005-1", "5"],  # line 4
        seattle_row(ID="R5", Incident_Num="5", Incident_Type="Level 9 - Unknown"),
        seattle_row(ID="R6", Incident_Num="6", Occured_date_time="2021-01-02 13:02"),
        seattle_row(ID="R7", Incident_Num="7", Occured_date_time="01/01/2030 10:00:00 AM"),
        seattle_row(ID="2019UOF-0001-100-500", Incident_Num="8"),  # line 8: ID of line 2
        seattle_row(ID="R9", Incident_Num="1001", Incident_Type=L2,
                    Occured_date_time="06/07/2019 11:30:00 PM", Precinct="East", Sector="CHARLIE", Beat="C2"),
        seattle_row(ID="R10", Incident_Num="1001", Occured_date_time="06/07/2019 11:30:00 PM",
                    Precinct="East", Sector="CHARLIE", Beat="C2", Officer_ID="100", Subject_ID="500"),
        seattle_row(ID="R11", Incident_Num="11", Officer_ID=""),
        seattle_row(ID="R12", Incident_Num="12a"),
        seattle_row(ID="R13", Incident_Num="13", Subject_ID="5 00"),
    ]  # fmt: skip
    path = write_seattle(tmp_path / "bad.csv", rows)
    error, err = run_failing(str(path), "--format", "seattle-uof")
    assert error.returncode == 1
    assert "bad.csv: 10 bad rows" in str(error) and "nothing was written" in str(error)
    assert_errors(
        err,
        [
            ("bad.csv line 4:", "2 values where the header has 11"),
            ("bad.csv line 5:", 'Incident_Type "Level 9 - Unknown" is not one of Level 1 - Use of Force'),
            ("bad.csv line 6:",
             'Occured_date_time "2021-01-02 13:02" is not a time (MM/DD/YYYY hh:mm:ss AM/PM)'),
            ("bad.csv line 7:", 'Occured_date_time "01/01/2030 10:00:00 AM" is in the future'),
            ("bad.csv line 8:", 'ID "2019UOF-0001-100-500" is already on line 2'),
            ("bad.csv line 9:", "Incident_Num 1001 has another Incident_Type on line 2"),
            ("bad.csv line 10:", "officer 100 and subject 500 of incident 1001 are already on line 2"),
            ("bad.csv line 11:", "Officer_ID is empty"),
            ("bad.csv line 12:", 'Incident_Num "12a" is not a number'),
            ("bad.csv line 13:", 'Subject_ID "5 00" is not an id'),
        ],
    )  # fmt: skip
    assert "line 2:" not in err and "line 3:" not in err
    assert snapshot() == NOTHING


def test_one_bad_row_keeps_every_good_incident_out(tmp_path: Path, db: None) -> None:
    path = write_seattle(tmp_path / "one.csv", [*SEATTLE_GOOD, seattle_row(Occured_date_time="yesterday")])
    error, err = run_failing(str(path), "--format", "seattle-uof")
    assert "one.csv: 1 bad row (1 problem); nothing was written" in str(error)
    assert err.splitlines()[-1].startswith("one.csv line 8:")
    assert snapshot() == NOTHING


def test_importing_the_same_seattle_file_again_adds_and_changes_nothing(seattle_file: Path) -> None:
    run(str(seattle_file), "--format", "seattle-uof")
    before = list(CriticalIncident.objects.order_by("pk").values())
    counts = snapshot()
    out, err = run(str(seattle_file), "--format", "seattle-uof")
    assert "6 rows: 0 new, 0 changed, 4 unchanged" in out
    assert "4 incidents were already imported and left as recorded" in err
    assert list(CriticalIncident.objects.order_by("pk").values()) == before
    assert snapshot() == (*counts[:5], counts[5] + 1)  # only the attempt itself is in the trail


def test_a_new_incident_in_a_later_file_is_added_beside_the_imported_ones(
    seattle_file: Path, tmp_path: Path
) -> None:
    run(str(seattle_file), "--format", "seattle-uof")
    later = write_seattle(tmp_path / "later.csv", [*SEATTLE_GOOD, seattle_row()])
    out, _ = run(str(later), "--format", "seattle-uof")
    assert "7 rows: 1 new, 0 changed, 4 unchanged" in out
    assert CriticalIncident.objects.filter(source_reference="seattle-uof:9009").count() == 1
    assert CriticalIncident.objects.count() == 5


def test_a_seattle_dry_run_checks_everything_and_writes_nothing(seattle_file: Path) -> None:
    out, _ = run(str(seattle_file), "--format", "seattle-uof", "--dry-run")
    assert "every row is valid; 6 rows: 4 new" in out and "Nothing was written" in out
    assert snapshot() == NOTHING


def test_files_that_cannot_be_read_as_the_format_are_refused_whole(tmp_path: Path, db: None) -> None:
    short = write_seattle(tmp_path / "short.csv", [["1", "2"]], header=["ID", "Incident_Num"])
    error, _ = run_failing(str(short), "--format", "seattle-uof")
    assert error.returncode == 2 and "lacks column(s) Incident_Type" in str(error)
    error, _ = run_failing(str(short), "--format", "chicago-trr")
    assert error.returncode == 2 and "for Seattle's Use_Of_Force.csv give --format seattle-uof" in str(error)
    error, _ = run_failing(str(tmp_path / "missing.csv"), "--format", "seattle-uof")
    assert error.returncode == 2 and "no such file" in str(error)
    assert snapshot() == NOTHING


# --- Chicago ---------------------------------------------------------------------------------

RELEASE = "2021-2023_test"
ID_COLUMN = f"TRR-officers_{RELEASE}_ID"
CHICAGO_HEADERS = {
    "main": ["row_id", "trr_id", "trr_status", "trr_date", "rd_no", "event_no", "indoor_or_outdoor",
             "lighting_condition", "weather_condition", "notify_district_sergeant", "notify_OP_command",
             "notify_OEMC", "beat", "location", "direction", "street", "block"],
    "officers": ["row_id", "trr_id", "rank", "unit", "duty_status", "in_uniform", "injured", "star1",
                 "first_name", "middle_initial", "last_name", "suffix_name", ID_COLUMN],
    "actions-responses": ["row_id", "trr_id", "person", "action", "other_description"],
    "subjects": ["row_id", "trr_id", "subject_cb_no", "gender", "race", "birth_year", "condition_new_trr",
                 "injured", "alleged_injury", "med_treatment_new_trr", "inj_mem_uoff_new_trr", "hospitalized",
                 "armed", "armed_with", "weapon_use", "drug_related", "gang_related"],
    "subject-weapons": ["row_id", "trr_id", "event_no", "armed_i", "weapon_category"],
    "weapon-discharges": ["row_id", "trr_id", "weapon_type_new_trr", "weapon_type", "total_number_of_shots",
                          "accidental_discharge", "discharge_to_destruct_animal",
                          "objstrck_disch_memweap_new_trr", "weapcontribute_subinjry"],
    "statuses": ["row_id", "trr_id", "member_first_name", "member_last_name", "on_scene_response_i",
                 "evident_technician", "supsubinj_new_trr", "complied_with_duties",
                 "reviewed_affirm_complete", "complaint_log_number_obtained", "log_no", "rank", "star",
                 "first_name", "middle_initial", "last_name"],
}  # fmt: skip
CB_ONE, CB_TWO, CB_THREE = "a" * 64, "b" * 64, "c" * 64


def trr(row_id: int, trr_id: str, day: str, status: str = "APPROVED", **extra: str) -> dict[str, str]:
    return {"row_id": str(row_id), "trr_id": trr_id, "trr_status": status, "trr_date": day,
            "event_no": "2100100591.0", "indoor_or_outdoor": "OUTDOOR", "lighting_condition": "DARKNESS",
            "weather_condition": "CLEAR", "notify_district_sergeant": "Y", "notify_OP_command": "Y",
            "notify_OEMC": "", "beat": "1233.0", "location": "SIDEWALK", "direction": "W",
            "street": "HASTINGS ST", "block": "13XX", **extra}  # fmt: skip


def member(row_id: int, trr_id: str, person: str, last: str, **extra: str) -> dict[str, str]:
    return {"row_id": str(row_id), "trr_id": trr_id, "rank": "POLICE OFFICER", "unit": "12",
            "duty_status": "Y", "in_uniform": "Y", "injured": "No", "star1": "1886.0", "first_name": "PAT",
            "middle_initial": "Q", "last_name": last, ID_COLUMN: person, **extra}  # fmt: skip


def subject(row_id: int, trr_id: str, cb: str, **extra: str) -> dict[str, str]:
    return {"row_id": str(row_id), "trr_id": trr_id, "subject_cb_no": cb, "gender": "MALE", "race": "BLACK",
            "birth_year": "1990.0", "condition_new_trr": "APPARENTLY NORMAL", "injured": "No",
            "alleged_injury": "No", "inj_mem_uoff_new_trr": "NONE / NONE APPARENT", "hospitalized": "No",
            "armed": "No", "drug_related": "No", "gang_related": "No", **extra}  # fmt: skip


def action(
    row_id: int | str, trr_id: str, what: str, person: str = "Member Action", group: str = ""
) -> dict[str, str]:
    return {
        "row_id": str(row_id),
        "trr_id": trr_id,
        "person": person,
        "action": what,
        "other_description": group,
    }


def review(trr_id: str, reviewer: str, member_last: str, **extra: str) -> dict[str, str]:
    return {"row_id": "77", "trr_id": trr_id, "member_first_name": "PAT", "member_last_name": member_last,
            "on_scene_response_i": "Y", "evident_technician": "RESPONDED", "complied_with_duties": "Y",
            "reviewed_affirm_complete": "Y", "rank": "SERGEANT OF POLICE", "star": "2587.0",
            "first_name": "MORGAN", "last_name": reviewer, **extra}  # fmt: skip


def chicago_good() -> dict[str, list[dict[str, str]]]:
    t1, t2, t3 = "2021-00001", "2021-00002", "2021-00003"
    return {
        "main": [trr(1, t1, "2021-01-01"), trr(2, t2, "2021-03-14"), trr(3, t3, "2021-07-04", "SUBMITTED"),
                 trr(4, t3, "2021-07-05")],
        "officers": [member(1, t1, "11", "ABLE"), member(2, t2, "12", "BAKER", injured="Yes"),
                     member(3, t3, "13", "CHASE", duty_status="N"), member(4, t3, "14", "DOYLE")],
        "actions-responses": [
            action(1, t1, "MEMBER PRESENCE", group="Force Mitigation"),
            action(1, t1, "TAKE DOWN", group="Response Without Weapons"),
            action(1, t1, "", group="Response With Weapon"),  # a heading with no weapon: skipped
            action(1, t1, "PULLED AWAY", person="Subject Action"),
            action(2, t2, "SEMI-AUTO PISTOL", group="Response With Weapon"),
            action(3, t3, "TASER", group="Response With Weapon"),
            action(4, t3, "ESCORT HOLDS", group="Control Tactic"),
        ],
        "subjects": [
            subject(1, t1, CB_ONE),
            subject(2, t2, CB_TWO, inj_mem_uoff_new_trr="FATAL", injured="Yes", armed="Yes",
                    armed_with="REVOLVER", weapon_use="MEMBER SHOT/SHOT AT"),
            subject(3, t3, CB_THREE, inj_mem_uoff_new_trr="NON-FATAL - MAJOR INJURY", hospitalized="Yes",
                    med_treatment_new_trr="TAKEN TO HOSPITAL"),
            subject(4, t3, CB_THREE),
        ],
        "subject-weapons": [{"row_id": str(n), "trr_id": t, "weapon_category": "HANDS/FISTS, HANDS/FISTS"}
                            for n, t in ((1, t1), (2, t2), (3, t3), (4, t3))],
        "weapon-discharges": [{"row_id": "2", "trr_id": t2, "weapon_type_new_trr": "SEMI-AUTO PISTOL",
                               "total_number_of_shots": "3.0", "accidental_discharge": "No",
                               "discharge_to_destruct_animal": "No",
                               "objstrck_disch_memweap_new_trr": "SUBJECT", "weapcontribute_subinjry": "Y"}],
        "statuses": [review(t1, "REVIEWER", "ABLE", log_no="2021-0004814", complaint_log_number_obtained="Y"),
                     review(t3, "SECOND", "CHASE", on_scene_response_i="N", evident_technician="DNA"),
                     review("2021-09999", "ORPHAN", "NOBODY")],
    }  # fmt: skip


def write_chicago(folder: Path, files: dict[str, list[dict[str, str]]], *, gz: bool = True) -> Path:
    folder.mkdir(exist_ok=True)
    for part, rows in files.items():
        header = CHICAGO_HEADERS[part]
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=header, restval="")
        writer.writeheader()
        for row in rows:
            if "_raw" in row:
                buffer.write(row["_raw"] + "\r\n")
            else:
                writer.writerow(row)
        name = f"TRR-{part}_{RELEASE}.csv"
        if gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(buffer.getvalue().encode()))
        else:
            (folder / name).write_text(buffer.getvalue(), encoding="utf-8")
    return folder / f"TRR-main_{RELEASE}.csv{'.gz' if gz else ''}"


@pytest.fixture
def chicago_file(tmp_path: Path, db: None) -> Path:
    return write_chicago(tmp_path / "trr", chicago_good())


def test_chicago_gives_one_incident_per_trr_id_from_its_seven_files(chicago_file: Path) -> None:
    out, err = run(str(chicago_file), "--format", "chicago-trr")
    assert f"Imported TRR-main_{RELEASE}.csv.gz (incidents)" in out and "3 new" in out
    assert "1 review row in the TRR-statuses file name a trr_id not in" in err and "2021-09999" in err
    assert "1 blank action row in the TRR-actions-responses file" in err
    # 4 reports, 3 trr_ids: the two reports of 2021-00003 are one incident with two members.
    assert snapshot() == (3, 4, 3, 7, 3, 1)
    plain = CriticalIncident.objects.get(source_reference="chicago-trr:2021-00001")
    assert (plain.kind, plain.status, plain.source_system) == (
        IncidentKind.PHYSICAL,
        IncidentStatus.CLOSED,
        "chicago-trr",
    )
    assert plain.occurred_at == dt.datetime(2021, 1, 1, 6, 0, tzinfo=dt.UTC)  # midnight, CST
    assert plain.place == "13XX W HASTINGS ST, Chicago (Sidewalk, outdoor, beat 1233)"
    assert (
        plain.summary == "CPD TRR 2021-00001: physical by 1 member on 1 subject (member presence, take down)"
    )
    assert "Sergeant of Police Morgan Reviewer (star 2587) reviewed the report of Pat Able" in plain.facts
    assert "log number: 2021-0004814" in plain.facts and "Source status: APPROVED" in plain.facts
    assert (
        plain.responders
        == "Sergeant of Police Morgan Reviewer (star 2587), reviewing supervisor; an evidence technician"
    )
    assert "the source gives no time of day" in plain.narrative
    officer = plain.employees.get()
    assert (officer.source_id, officer.employee) == ("trr-member:11", None)
    assert officer.description == "Pat Q Able, Police Officer, star 1886, unit 12"
    assert officer.actions == "MEMBER PRESENCE; TAKE DOWN"
    assert list(plain.force.values_list("action", "detail", "by_subject", "by_employee")) == [
        ("MEMBER PRESENCE", "Force Mitigation", False, officer.pk),
        ("TAKE DOWN", "Response Without Weapons", False, officer.pk),
        ("PULLED AWAY", "", True, None),
    ]
    person = plain.subjects.get()
    assert (person.source_id, person.age, person.sex, person.race, person.armed, person.injured) == (
        "cb:aaaaaaaaaaaaaaaa",
        31,  # 2021 - 1990
        "Male",
        "Black",
        False,
        False,
    )
    assert person.weapon == "HANDS/FISTS"

    shooting = CriticalIncident.objects.get(source_reference="chicago-trr:2021-00002")
    assert (shooting.kind, shooting.death, shooting.meets_board_criteria) == (
        IncidentKind.FIREARM,
        True,
        True,
    )
    assert shooting.employees.get().injured
    assert shooting.subjects.get().weapon == "REVOLVER (MEMBER SHOT/SHOT AT); HANDS/FISTS"
    assert shooting.force.filter(
        action="Weapon discharged: SEMI-AUTO PISTOL",
        detail="3 shots; struck: SUBJECT; contributed to the subject's injury",
    ).exists()
    assert shooting.occurred_at == dt.datetime(2021, 3, 14, 6, 0, tzinfo=dt.UTC)  # the day DST began

    pair = CriticalIncident.objects.get(source_reference="chicago-trr:2021-00003")
    assert (pair.kind, pair.status, pair.serious_injury, pair.death) == (
        IncidentKind.LESS_LETHAL,
        IncidentStatus.REPORTED,  # one report was still SUBMITTED at release
        True,
        False,
    )
    assert pair.occurred_at == dt.datetime(2021, 7, 4, 5, 0, tzinfo=dt.UTC)  # the earlier date, CDT
    assert "Its reports are dated 2021-07-04 and 2021-07-05" in pair.narrative
    assert "Source status: SUBMITTED, APPROVED" in pair.facts
    assert pair.responders == ""  # the reviewer was not on scene, no technician came
    assert list(pair.employees.values_list("description", flat=True)) == [
        "Pat Q Chase, Police Officer, star 1886, unit 12, off duty",
        "Pat Q Doyle, Police Officer, star 1886, unit 12",
    ]
    assert pair.subjects.get().injuries == (
        "injury from the force used: NON-FATAL - MAJOR INJURY; hospitalized; medical aid: TAKEN TO HOSPITAL"
    )
    numbers = sorted(CriticalIncident.objects.values_list("number", flat=True))
    assert numbers == [f"{NUMBER_PREFIX}-2021-{n:06d}" for n in (1, 2, 3)]
    assert (
        CriticalIncident.objects.get(number=f"{NUMBER_PREFIX}-2021-000001") == plain
    )  # in order of occurrence


def test_chicago_reads_the_folder_and_plain_csv_files_too(tmp_path: Path, db: None) -> None:
    main = write_chicago(tmp_path / "plain", chicago_good(), gz=False)
    result = run_import("incidents", main.parent, fmt="chicago-trr", actor_username="test")
    assert (result.errors, result.created, result.file_name) == ([], 3, "plain")


def test_every_bad_chicago_row_names_its_file_and_line_and_nothing_is_written(
    tmp_path: Path, db: None
) -> None:
    files = chicago_good()
    t1 = "2021-00001"
    files["main"] += [
        trr(5, "21-5", "2021-01-02"),  # line 6
        trr(6, "2021-00006", "2021-13-01"),  # line 7
        trr(7, "2021-00007", "2021-01-02", "LOST"),  # line 8
        trr(1, "2021-00008", "2021-01-02"),  # line 9: row_id of line 2
        trr(8, "2021-00009", "2031-01-02"),  # line 10
        trr(9, "2021-00010", "2021-01-02", notify_OEMC="maybe"),  # line 11
        trr(10, "2021-00011", "2021-01-02"),  # line 12: no reporting member
        {"_raw": "11,2021-00012"},  # line 13
    ]
    files["officers"] += [
        member(1, t1, "99", "AGAIN"),  # line 6: a second member for row_id 1
        member(6, "2021-00006", "98", "QUIET"),  # line 7: its report is bad already: no error
    ]
    files["officers"][1]["injured"] = "Maybe"  # line 3
    files["actions-responses"] += [
        action(1, t1, "TASER", person="Bystander"),  # line 9
        action(99, t1, "TASER"),  # line 10: no such report
        action(2, t1, "TASER"),  # line 11: row_id 2 is another trr_id
        action("x", t1, "TASER"),  # line 12
    ]
    files["subjects"][0]["birth_year"] = "199x"  # line 2
    files["weapon-discharges"][0]["total_number_of_shots"] = "many"  # line 2
    files["statuses"].append(review("bad", "WHO", "WHOM"))  # line 5
    main = write_chicago(tmp_path / "bad", files)
    error, err = run_failing(str(main), "--format", "chicago-trr")
    assert error.returncode == 1 and "nothing was written" in str(error)
    m, o, a = (f"TRR-{part}_{RELEASE}.csv.gz" for part in ("main", "officers", "actions-responses"))
    s, d, st = (f"TRR-{part}_{RELEASE}.csv.gz" for part in ("subjects", "weapon-discharges", "statuses"))
    assert_errors(
        err,
        [
            (f"{m} line 6:", 'trr_id "21-5" is not a TRR number (YYYY-NNNNN)'),
            (f"{m} line 7:", 'trr_date "2021-13-01" is not a date (YYYY-MM-DD)'),
            (f"{m} line 8:", 'trr_status "LOST" is not one of APPROVED, PRELIMINARY, REJECTED, SUBMITTED'),
            (f"{m} line 9:", "row_id 1 is already on line 2"),
            (f"{m} line 10:", "trr_date 2031-01-02 is in the future"),
            (f"{m} line 11:", 'notify_OEMC "maybe" is not Yes or No'),
            (
                f"{m} line 12:",
                "row_id 10 (trr_id 2021-00011) has no reporting member in the TRR-officers file",
            ),
            (f"{m} line 13:", "2 values where the header has 17"),
            (f"{o} line 6:", "a second reporting member for row_id 1 (line 2)"),
            (f"{o} line 3:", 'injured "Maybe" is not Yes or No'),
            (f"{a} line 9:", 'person "Bystander" is not Member Action or Subject Action'),
            (f"{a} line 10:", f"row_id 99 with trr_id {t1} is not a report in TRR-main_{RELEASE}.csv.gz"),
            (f"{a} line 11:", f"row_id 2 with trr_id {t1} is not a report in"),
            (f"{a} line 12:", 'row_id "x" is not a number'),
            (f"{s} line 2:", 'birth_year "199x" is not a year'),
            (f"{d} line 2:", 'total_number_of_shots "many" is not a number'),
            (f"{st} line 5:", 'trr_id "bad" is not a TRR number'),
        ],
    )
    assert f"{o} line 7:" not in err  # the member of a bad report adds no error of its own
    assert "row_id 2 (trr_id 2021-00002) has no reporting member" not in err  # its member is bad
    assert snapshot() == NOTHING


def test_a_chicago_release_missing_one_of_its_files_is_refused(chicago_file: Path) -> None:
    (chicago_file.parent / f"TRR-statuses_{RELEASE}.csv.gz").unlink()
    error, _ = run_failing(str(chicago_file), "--format", "chicago-trr")
    assert error.returncode == 2 and f"TRR-statuses_{RELEASE}.csv(.gz) is not beside it" in str(error)
    error, _ = run_failing(str(chicago_file.parent.parent), "--format", "chicago-trr")
    assert error.returncode == 2 and "holds no Chicago TRR-main file" in str(error)
    assert snapshot() == NOTHING


def test_importing_the_same_chicago_files_again_adds_nothing_and_a_dry_run_writes_nothing(
    chicago_file: Path,
) -> None:
    out, _ = run(str(chicago_file), "--format", "chicago-trr", "--dry-run")
    assert "every row is valid" in out and "3 new" in out
    assert snapshot() == NOTHING
    run(str(chicago_file), "--format", "chicago-trr")
    counts = snapshot()
    out, _ = run(str(chicago_file), "--format", "chicago-trr")
    assert "0 new, 0 changed, 3 unchanged" in out
    assert snapshot() == (*counts[:5], counts[5] + 1)


def test_an_operator_without_the_permission_may_not_import(chicago_file: Path, personas: object) -> None:
    from django.core.exceptions import PermissionDenied

    analyst = personas.analyst  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        run_import("incidents", chicago_file, fmt="chicago-trr", actor=analyst)
    assert snapshot() == NOTHING


# --- the full public files --------------------------------------------------------------------

CPDP = "chicago-cpdp"
CPDP_RELEASE = "2021-2023_2023-10_p877988"


def test_the_whole_seattle_file_gives_the_counts_of_its_source_txt(db: None) -> None:
    path = shared_data("seattle-use-of-force", "Use_Of_Force.csv")
    result = run_import("incidents", path, fmt="seattle-uof", actor_username="test")
    assert result.errors == []
    # SOURCE.txt: 13,170 data rows, 12,426 distinct Incident_Num, 1,265 distinct Officer_ID.
    assert (result.rows, result.created) == (13_170, 12_426)
    assert CriticalIncident.objects.filter(source_system="seattle-uof").count() == 12_426
    assert ForceUsed.objects.count() == 13_170  # one per officer x subject row
    assert IncidentEmployee.objects.values("source_id").distinct().count() == 1_265
    by_type = Counter(ForceUsed.objects.values_list("action", flat=True))
    assert by_type == {L1: 9_362, L2: 3_594, L3: 121, OIS: 93}
    assert set(CriticalIncident.objects.values_list("status", flat=True)) == {IncidentStatus.CLOSED}
    again = run_import("incidents", path, fmt="seattle-uof", actor_username="test")
    assert (again.created, again.unchanged) == (0, 12_426)
    assert CriticalIncident.objects.count() == 12_426


def test_the_whole_chicago_trr_release_gives_the_counts_of_its_source_txt(db: None) -> None:
    main = shared_data(CPDP, f"TRR-main_{CPDP_RELEASE}.csv.gz")
    result = run_import("incidents", main, fmt="chicago-trr", actor_username="test")
    assert result.errors == []
    # SOURCE.txt part C: 9,338 reports (TRR-main rows, one reporting member each) on 9,331
    # trr_ids (seven carry two reports), 4,322 distinct members, 678 weapon discharges,
    # 102,946 action rows of which 14,886 are blank headings.
    assert result.created == 9_331
    assert CriticalIncident.objects.filter(source_system="chicago-trr").count() == 9_331
    assert IncidentEmployee.objects.count() == 9_338
    assert IncidentEmployee.objects.values("source_id").distinct().count() == 4_322
    discharges = ForceUsed.objects.filter(action__startswith="Weapon discharged")
    assert discharges.count() == 678
    assert ForceUsed.objects.exclude(pk__in=discharges).count() == 102_946 - 14_886
    assert any("14886 blank action rows" in warning for warning in result.warnings)
    assert 9_331 <= IncidentSubject.objects.count() <= 9_338
    kinds = Counter(CriticalIncident.objects.values_list("kind", flat=True))
    assert kinds[IncidentKind.FIREARM] == 155  # every trr_id with a firearm discharge
    statuses = Counter(CriticalIncident.objects.values_list("status", flat=True))
    assert statuses[IncidentStatus.REPORTED] > 0 and statuses[IncidentStatus.CLOSED] > 8_000
    again = run_import("incidents", main.parent, fmt="chicago-trr", actor_username="test")
    assert (again.created, again.unchanged) == (0, 9_331)
