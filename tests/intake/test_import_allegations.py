"""`probity import allegations FILE` (probity-csv): every bad row reported, all or nothing, idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection

from probity.core.imports import run_import
from probity.core.models import AuditAction, AuditEvent, Deadline
from probity.intake.imports.probity_csv import COLUMNS
from probity.intake.models import Allegation, AllegationPerson, AllegationStatus, Channel, PersonRole
from tests.conftest import Org, Personas

NOW = dt.datetime(2025, 3, 10, 16, 0, tzinfo=dt.UTC)
HEADER = [column.name for column in COLUMNS]


def row(**values: str) -> dict[str, str]:
    return {"received": "2024-06-01", "summary": "Officer demanded money at the port", **values}


GOOD = [
    row(
        external_id="OLD-1",
        channel="phone",
        narrative="The caller says the officer asked for $200 to let the truck through.",
        categories="corruption-bribery",
        incident_date="2024-05-30",
        incident_place="Lane 4, Mariposa crossing",
        office_code="POE-NOG",
        subject_employee_numbers="E900001",
        complainant_name="Ana Ruiz",
        complainant_contact="ana@example.org",
    ),
    row(
        external_id="OLD-2",
        received="2023-12-31T23:30-05:00",
        summary="Unidentified agent pushed a detainee",
        categories="excessive-force;detainee-mistreatment",
        incident_date="2023-12",
        other_subjects="J. Doe|4521|tall, grey moustache;|  |short agent in green",
        complainant_anonymous="yes",
        status="closed",
        closed="2024-02-01",
    ),
    row(external_id="OLD-3", summary="Detainee reports sexual abuse in a holding cell",
        categories="sexual-abuse", channel="oig_hotline", incident_date="2024"),
]  # fmt: skip


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("import", "allegations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[CommandError, str]:
    err = io.StringIO()
    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError) as excinfo:
        call_command("import", "allegations", *args, stdout=io.StringIO(), stderr=err)
    return excinfo.value, err.getvalue()


def allegation_events() -> int:
    return AuditEvent.objects.filter(object_type="intake.allegation").count()


def snapshot() -> tuple[int, int, int, int, int]:
    return (
        Allegation.objects.count(),
        AllegationPerson.objects.count(),
        allegation_events(),
        AuditEvent.objects.filter(action=AuditAction.IMPORT).count(),
        Deadline.objects.count(),
    )


@pytest.fixture
def good_file(tmp_path: Path, personas: Personas) -> Path:
    return write_csv(tmp_path / "legacy.csv", GOOD)


def test_a_small_probity_csv_file_imports_with_its_people_and_categories(good_file: Path, org: Org) -> None:
    out, _ = run(str(good_file))
    assert "Imported legacy.csv (allegations): 3 rows: 3 new" in out
    bribe = Allegation.objects.get(source_reference="OLD-1")
    assert bribe.number.startswith("JIC-2024-")
    assert (bribe.channel, bribe.status, bribe.office) == (
        Channel.PHONE,
        AllegationStatus.RECEIVED,
        org.nogales_port,
    )
    assert bribe.incident_date == dt.date(2024, 5, 30)
    assert list(bribe.categories.values_list("code", flat=True)) == ["corruption-bribery"]
    subject = bribe.people.get(role=PersonRole.SUBJECT)
    assert subject.employee is not None and subject.employee.employee_number == "E900001"
    complainant = bribe.people.get(role=PersonRole.COMPLAINANT)
    assert (complainant.name, complainant.contact) == ("Ana Ruiz", "ana@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact FROM intake_allegationperson WHERE id = %s", [complainant.pk])
        assert "ana@example.org" not in cursor.fetchone()[0]  # encrypted at rest

    force = Allegation.objects.get(source_reference="OLD-2")
    # 23:30 in New York on New Year's Eve is 2024 in UTC, but the agency's year is 2023.
    assert force.number.startswith("JIC-2023-") and force.status == AllegationStatus.CLOSED
    assert force.closed_at is not None and force.channel == Channel.IMPORT
    assert (force.incident_date, force.incident_date_precision) == (dt.date(2023, 12, 1), "month")
    assert force.use_of_force and not force.prea
    described = force.people.filter(role=PersonRole.SUBJECT).order_by("pk")
    assert [(p.name, p.badge_number, p.description) for p in described] == [
        ("J. Doe", "4521", "tall, grey moustache"),
        ("", "", "short agent in green"),
    ]
    assert force.people.get(role=PersonRole.COMPLAINANT).anonymous

    prea = Allegation.objects.get(source_reference="OLD-3")
    assert prea.prea and prea.incident_date_precision == "year"
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="intake.allegation")
    assert created.count() == 3
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.detail["sha256"] in out and event.detail["created"] == 3
    assert event.detail["format"] == "probity-csv" and event.detail["people"] == 5


def test_new_work_gets_the_recording_clocks_and_history_does_not(good_file: Path) -> None:
    run(str(good_file))
    clocks = Deadline.objects.filter(content_type=ContentType.objects.get_for_model(Allegation))

    def rules(reference: str) -> set[str]:
        pk = Allegation.objects.get(source_reference=reference).pk
        return set(clocks.filter(object_id=pk).values_list("rule__code", flat=True))

    assert rules("OLD-1") == {"intake-triage-target"}
    assert rules("OLD-2") == set()  # closed, imported history
    assert rules("OLD-3") == {"intake-triage-target", "prea-intake-notification", "prea-contact-removal"}
    assert AuditEvent.objects.filter(object_type="core.deadline", action=AuditAction.CREATE).count() == 4


def test_importing_the_same_file_again_adds_and_changes_nothing(good_file: Path) -> None:
    run(str(good_file))
    before = list(Allegation.objects.order_by("pk").values())
    counts = snapshot()
    out, err = run(str(good_file))
    assert "3 rows: 0 new, 0 changed, 3 unchanged" in out
    assert "already imported" in err
    assert list(Allegation.objects.order_by("pk").values()) == before
    after = snapshot()
    assert after[:3] == counts[:3] and after[4] == counts[4]
    assert after[3] == counts[3] + 1  # the attempt itself is in the trail


def test_a_dry_run_checks_everything_and_writes_nothing(good_file: Path) -> None:
    out, _ = run(str(good_file), "--dry-run")
    assert "every row is valid; 3 rows: 3 new" in out and "Nothing was written" in out
    assert snapshot() == (0, 0, 0, 0, 0)


def test_a_file_with_several_bad_rows_reports_every_one_and_writes_nothing(
    tmp_path: Path, personas: Personas
) -> None:
    bad = [
        GOOD[0],
        row(external_id="B-1", categories="corruption-bribery;no-such-thing"),  # line 3
        row(external_id="B-2", subject_employee_numbers="E404"),  # line 4
        row(external_id="B-3", summary=""),  # line 5
        row(external_id="B-4", received="yesterday"),  # line 6
        row(external_id="OLD-1"),  # line 7: already on line 2
        row(external_id="B-5", channel="carrier-pigeon"),  # line 8
        row(external_id="B-6", self_report_kind="arrest"),  # line 9: not a self-report
        row(external_id="B-7", office_code="NOWHERE", incident_date="2999-01-01"),  # line 10
        row(external_id="B-8", status="closed", closed="2024-01-01"),  # line 11: closed before received
    ]
    path = write_csv(tmp_path / "bad.csv", bad)
    error, err = run_failing(str(path))
    assert error.returncode == 1
    assert "bad.csv: 9 bad rows" in str(error) and "nothing was written" in str(error)
    for line, reason in [
        (3, 'category "no-such-thing"'),
        (4, 'employee "E404" is not in the directory'),
        (5, "summary is required"),
        (6, 'received "yesterday"'),
        (7, 'external_id "OLD-1" is already on line 2'),
        (8, "Unknown channel 'carrier-pigeon'"),
        (9, "Only an employee self-report has a self-report kind"),
        (10, 'office_code "NOWHERE" is not a known office'),
        (10, "incident date cannot be in the future"),
        (11, "closed is before received"),
    ]:
        assert any(text.startswith(f"line {line}:") and reason in text for text in err.splitlines()), (
            f"line {line}: {reason!r} not in\n{err}"
        )
    assert "line 2:" not in err
    assert snapshot() == (0, 0, 0, 0, 0)


def test_a_file_without_the_columns_is_refused_with_the_missing_names(tmp_path: Path, db: None) -> None:
    path = write_csv(tmp_path / "short.csv", [{"external_id": "X"}], header=["external_id"])
    error, _ = run_failing(str(path))
    assert error.returncode == 2 and "lacks column(s) received" in str(error)
    assert snapshot() == (0, 0, 0, 0, 0)


def test_options_that_do_not_fit_the_kind_are_refused(tmp_path: Path, good_file: Path) -> None:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "employees", str(good_file), "--format", "ccrb", stderr=err)
    assert excinfo.value.returncode == 2 and "employees cannot be read as 'ccrb'" in str(excinfo.value)
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "employees", str(good_file), "--create-employees", stderr=err)
    assert "--create-employees does not apply to employees" in str(excinfo.value)
    assert snapshot() == (0, 0, 0, 0, 0)


def test_numbers_follow_the_order_of_receipt_within_each_year(tmp_path: Path, db: None) -> None:
    rows = [row(external_id=f"N-{day}", received=f"2024-03-{day:02d}") for day in (9, 2, 5)]
    with time_machine.travel(NOW, tick=False):
        result = run_import("allegations", write_csv(tmp_path / "n.csv", rows), actor_username="test")
    assert result.created == 3
    numbers = dict(Allegation.objects.values_list("source_reference", "number"))
    assert numbers["N-2"] < numbers["N-5"] < numbers["N-9"]
