"""`probity import employees FILE`: every bad row reported, all or nothing, idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection

from probity.core.models import AuditAction, AuditEvent, Employee, EmployeeAssignment
from tests.conftest import Org, make_employee

COLUMNS = [
    "employee_number",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "date_of_birth",
    "position_title",
    "series",
    "grade",
    "law_enforcement",
    "status",
    "org_unit_code",
    "duty_station_code",
    "supervisor_employee_number",
    "entry_on_duty_date",
]
# Ben's supervisor, Cara, comes later in the file than Ben: references resolve within the file.
GOOD = [
    ["X0001", "Alma", "", "Reyes", "", "1970-02-03", "Port Director", "1895", "GS-15", "yes", "active",
     "POE-NOG", "", "", "2005-04-01"],
    ["X0002", "Ben", "Q", "Okafor", "Jr.", "1990-11-30", "CBP Officer", "1895", "GS-12", "TRUE", "active",
     "POE-NOG", "", "X0003", "2015-09-14"],
    ["X0003", "Cara", "", "Lindqvist", "", "1984-07-19", "Supervisory CBP Officer", "1895", "GS-13", "1",
     "Active", "POE-NOG", "OPR-TUC", "X0001", "2010-01-11"],
    ["X0004", "Dana", "", "Appleby", "", "", "", "", "", "", "applicant", "", "", "", ""],
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import", *args, stdout=io.StringIO(), stderr=err)
    return excinfo.value, err.getvalue()


def snapshot() -> tuple[int, int, int]:
    return Employee.objects.count(), EmployeeAssignment.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def good_file(tmp_path: Path, org: Org) -> Path:
    return write_csv(tmp_path / "staff.csv", GOOD)


def test_a_good_file_imports_every_employee_and_assignment(good_file: Path, org: Org) -> None:
    out, _ = run("employees", str(good_file))
    assert "4 rows: 4 new, 0 changed, 0 unchanged" in out
    ben = Employee.objects.get(employee_number="X0002")
    assert (ben.middle_name, ben.suffix, ben.law_enforcement, ben.date_of_birth) == (
        "Q",
        "Jr.",
        True,
        dt.date(1990, 11, 30),
    )
    cara_at = EmployeeAssignment.objects.get(employee__employee_number="X0003")
    assert (cara_at.org_unit, cara_at.duty_station, cara_at.start_date) == (
        org.nogales_port,
        org.tucson,
        dt.date(2010, 1, 11),
    )
    assert EmployeeAssignment.objects.get(employee=ben).supervisor.employee_number == "X0003"  # type: ignore[union-attr]
    assert not EmployeeAssignment.objects.filter(employee__employee_number="X0004").exists()
    assert Employee.objects.get(employee_number="X0004").status == "applicant"


def test_an_import_is_audited_once_per_employee_and_once_for_the_file(good_file: Path) -> None:
    run("employees", str(good_file))
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.employee")
    assert created.count() == 4
    ben = created.get(object_id=str(Employee.objects.get(employee_number="X0002").pk))
    assert ben.changes["date_of_birth"] == [None, "<encrypted>"]
    assert ben.changes["assignment"] == [
        None,
        {"org_unit": "POE-NOG", "duty_station": None, "supervisor": "X0003"},
    ]
    (event,) = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert event.detail == {
        "kind": "employees",
        "file": "staff.csv",
        "sha256": hashlib.sha256(good_file.read_bytes()).hexdigest(),
        "rows": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
    }
    assert event.actor_username.startswith("cli:")
    assert "1990-11-30" not in str(list(AuditEvent.objects.values_list("changes", "detail")))


def test_the_date_of_birth_is_encrypted_in_the_database(good_file: Path) -> None:
    run("employees", str(good_file))
    with connection.cursor() as cursor:
        cursor.execute("SELECT date_of_birth FROM core_employee WHERE employee_number = %s", ["X0002"])
        (raw,) = cursor.fetchone()
    assert raw and "1990" not in raw and "11-30" not in raw
    assert Employee.objects.get(employee_number="X0002").date_of_birth == dt.date(1990, 11, 30)


def test_a_file_with_bad_rows_reports_every_one_and_writes_nothing(tmp_path: Path, org: Org) -> None:
    make_employee("K0001", "Known", "Boss", org.tucson)
    before = snapshot()
    bad = [
        GOOD[0],
        ["B0002", "Dee", "", "Ng", "", "1985-13-01", "", "", "", "", "active", "POE-NOG", "", "", ""],
        ["B0003", "", "", "Ortiz", "", "", "", "18950", "", "maybe", "retired", "POE-XXX", "NOPE", "", ""],
        ["X0001", "Eve", "", "Park", "", "", "", "", "", "", "active", "", "", "", ""],
        ["B0005", "Fay", "", "Loop", "", "", "", "", "", "", "active", "POE-NOG", "", "B0006", ""],
        ["B0006", "Gus", "", "Loop", "", "", "", "", "", "", "active", "POE-NOG", "", "B0005", ""],
        ["B0007", "Hal", "", "Lone", "", "", "", "", "", "", "active", "POE-NOG", "", "Z9999", ""],
        ["B0008", "Ida", "", "Fine", "", "", "", "", "", "", "active", "POE-NOG", "", "K0001", "2001-02-30"],
        ["B0009", "Jo", "", "Self", "", "", "", "", "", "", "active", "POE-NOG", "", "B0009", ""],
    ]  # fmt: skip
    error, err = run_failing("employees", str(write_csv(tmp_path / "bad.csv", bad)))
    assert error.returncode == 1
    assert "nothing was written" in str(error)
    for expected in (
        'line 3: date_of_birth "1985-13-01" is not a date (YYYY-MM-DD)',
        "line 4: first_name is required",
        'line 4: series "18950" is not a four-digit series',
        'line 4: law_enforcement "maybe" is not true/false',
        'line 4: status "retired" is not one of active, separated, applicant, contractor',
        'line 4: org_unit_code "POE-XXX" is not a known org unit',
        'line 4: duty_station_code "NOPE" is not a known org unit',
        'line 5: employee_number "X0001" is already on line 2',
        "line 6: the supervisor chain loops back to this employee (B0005 → B0006 → B0005)",
        "line 7: the supervisor chain loops back to this employee (B0006 → B0005 → B0006)",
        'line 8: supervisor_employee_number "Z9999" is neither in this file nor in the directory',
        'line 9: entry_on_duty_date "2001-02-30" is not a date (YYYY-MM-DD)',
        "line 10: an employee cannot be their own supervisor",
    ):
        assert expected in err, expected
    assert "line 2:" not in err
    assert "Traceback" not in err
    assert snapshot() == before
    assert (
        not AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.IMPORT])
        .exclude(object_type="core.orgunit")
        .exists()
    )


def test_reimporting_the_same_file_changes_nothing(good_file: Path) -> None:
    run("employees", str(good_file))
    employees = list(Employee.objects.order_by("pk").values())
    assignments = list(EmployeeAssignment.objects.order_by("pk").values())
    out, _ = run("employees", str(good_file))
    assert "4 rows: 0 new, 0 changed, 4 unchanged" in out
    assert list(Employee.objects.order_by("pk").values()) == employees
    assert list(EmployeeAssignment.objects.order_by("pk").values()) == assignments
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.employee").count() == 4
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 2


@time_machine.travel(dt.datetime(2025, 3, 10, 15, 0, tzinfo=dt.UTC), tick=False)
def test_changed_rows_update_the_employee_and_move_them_from_today(
    tmp_path: Path, good_file: Path, org: Org
) -> None:
    run("employees", str(good_file))
    changed = [list(row) for row in GOOD]
    changed[1][8] = "GS-13"  # Ben's grade
    changed[1][5] = "1990-11-29"  # Ben's date of birth, corrected
    changed[2][11] = "OPR-ELP"  # Cara moves
    out, _ = run("employees", str(write_csv(tmp_path / "staff-v2.csv", changed)))
    assert "4 rows: 0 new, 2 changed, 2 unchanged" in out
    ben = Employee.objects.get(employee_number="X0002")
    assert (ben.grade, ben.date_of_birth) == ("GS-13", dt.date(1990, 11, 29))
    old, new = EmployeeAssignment.objects.filter(employee__employee_number="X0003").order_by("start_date")
    assert (old.org_unit, old.end_date) == (org.nogales_port, dt.date(2025, 3, 9))
    assert (new.org_unit, new.start_date, new.end_date) == (org.el_paso, dt.date(2025, 3, 10), None)
    updates = {e.object_repr: e.changes for e in AuditEvent.objects.filter(action=AuditAction.UPDATE)}
    assert updates["Ben Okafor (X0002)"] == {
        "grade": ["GS-12", "GS-13"],
        "date_of_birth": ["<encrypted>", "<encrypted>"],
    }
    assert updates["Cara Lindqvist (X0003)"]["assignment"][1]["org_unit"] == "OPR-ELP"


def test_a_supervisor_already_in_the_directory_is_found(tmp_path: Path, org: Org) -> None:
    boss = make_employee("K0001", "Known", "Boss", org.tucson)
    row = [
        "N0001",
        "Nia",
        "",
        "New",
        "",
        "",
        "",
        "",
        "",
        "no",
        "active",
        "OPR-TUC",
        "",
        "K0001",
        "2020-05-04",
    ]
    run("employees", str(write_csv(tmp_path / "one.csv", [row])))
    assert EmployeeAssignment.objects.get(employee__employee_number="N0001").supervisor == boss


def test_a_dry_run_checks_and_writes_nothing(good_file: Path) -> None:
    before = snapshot()
    out, _ = run("employees", str(good_file), "--dry-run")
    assert "4 new" in out and "Nothing was written" in out
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"employee_number,first_name\nX1,Ana\n", "the header lacks column(s) middle_name"),
        (",".join(COLUMNS).encode() + b"\nX1,Jos\xe9\n", "line 2 is not UTF-8 text"),
        (",".join(COLUMNS).encode() + b'\n"X1,unterminated\n', "not valid CSV"),
    ],
)
def test_a_file_that_cannot_be_used_is_one_clear_line_and_exit_2(
    tmp_path: Path, org: Org, content: bytes | None, expected: str
) -> None:
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content)
    before = snapshot()
    error, _ = run_failing("employees", str(path))
    assert error.returncode == 2
    assert expected in str(error)
    assert "\n" not in str(error)
    assert snapshot() == before


def test_an_unknown_kind_is_refused(good_file: Path) -> None:
    error, _ = run_failing("widgets", str(good_file))
    assert error.returncode == 2
    assert "known kinds:" in str(error)
    assert "employees" in str(error)


def test_a_row_with_the_wrong_number_of_values_is_a_bad_row(tmp_path: Path, org: Org) -> None:
    path = tmp_path / "short.csv"
    path.write_text(",".join(COLUMNS) + "\nX1,Ana,,Lee\n", encoding="utf-8")
    error, err = run_failing("employees", str(path))
    assert error.returncode == 1
    assert "line 2: 4 values where the header has 15" in err


def test_the_probity_command_accepts_import_as_a_verb(tmp_path: Path) -> None:
    env = {**os.environ, "PROBITY_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "probity.settings"}
    command = [sys.executable, "-c", "from probity.cli import main; main()"]
    helped = subprocess.run(  # noqa: S603  (our own interpreter and arguments)
        [*command, "import", "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert helped.returncode == 0
    assert "supervisor_employee_number" in helped.stdout
    missing = subprocess.run(  # noqa: S603
        [*command, "import", "employees", str(tmp_path / "absent.csv")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr


@time_machine.travel(dt.datetime(2025, 3, 10, 15, 0, tzinfo=dt.UTC), tick=False)
def test_a_second_move_on_the_same_day_corrects_the_first(tmp_path: Path, good_file: Path, org: Org) -> None:
    run("employees", str(good_file))
    moved = [list(row) for row in GOOD]
    moved[2][11] = "OPR-ELP"
    run("employees", str(write_csv(tmp_path / "v2.csv", moved)))
    moved[2][11], moved[2][13] = "OPR-TUC", ""
    run("employees", str(write_csv(tmp_path / "v3.csv", moved)))
    history = list(
        EmployeeAssignment.objects.filter(employee__employee_number="X0003")
        .order_by("start_date")
        .values_list("org_unit__code", "supervisor__employee_number", "start_date", "end_date")
    )
    assert history == [
        ("POE-NOG", "X0001", dt.date(2010, 1, 11), dt.date(2025, 3, 9)),
        ("OPR-TUC", None, dt.date(2025, 3, 10), None),
    ]


def test_an_employee_left_without_an_org_unit_has_their_assignment_closed(
    tmp_path: Path, good_file: Path
) -> None:
    run("employees", str(good_file))
    with time_machine.travel(dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC), tick=False):
        rows = [list(row) for row in GOOD]
        rows[0][10], rows[0][11] = "separated", ""  # Alma leaves
        rows[2][13] = ""  # and Cara, whom she supervised, reports to no one for now
        out, _ = run("employees", str(write_csv(tmp_path / "left.csv", rows)))
    assert "2 changed" in out
    alma = EmployeeAssignment.objects.get(employee__employee_number="X0001")
    assert alma.end_date == dt.date(2026, 1, 4)
