"""Importing public complaint data: NYC CCRB (one allegation per complaint, officers as subjects)
and Chicago CPDP, on slices of the real files in ../shared (skipped when absent)."""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from probity.core.imports import run_import
from probity.core.models import AuditAction, AuditEvent, Deadline, Employee, EmployeeStatus
from probity.intake.models import Allegation, AllegationPerson, AllegationStatus, Channel, PersonRole
from tests.conftest import make_employee, shared_data

CCRB = "ccrb-mos-records"
SNAPSHOT = "2021-03-20"
SLICE_LINES = 500


def _gz_rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, rows: list[list[str]], header: list[str] | None = None) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if header:
            writer.writerow(header)
        writer.writerows(rows)


@dataclass
class CcrbSlice:
    folder: Path
    subjects: dict[str, set[str]]  # complaint id -> officer ids, as the slice says
    in_both: set[str]  # complaints whose officers are split between the two files


@pytest.fixture
def ccrb_slice(tmp_path: Path, db: None) -> CcrbSlice:
    """The first 500 lines of the active file, the inactive rows of the same complaints, and
    the officer rows they name: a snapshot folder like the real one, only smaller."""
    active = _gz_rows(shared_data(CCRB, f"{SNAPSHOT}_active_complaint.csv.gz"))[:SLICE_LINES]
    wanted = {row[1] for row in active}
    inactive = [
        row
        for row in _gz_rows(shared_data(CCRB, f"{SNAPSHOT}_inactive_complaint.csv.gz"))
        if row[1] in wanted
    ]
    folder = tmp_path / "ccrb"
    folder.mkdir()
    subjects: dict[str, set[str]] = defaultdict(set)
    for status, rows in (("active", active), ("inactive", inactive)):
        _write(folder / f"{SNAPSHOT}_{status}_complaint.csv", rows)
        officers = {row[0] for row in rows}
        for row in rows:
            subjects[row[1]].add(row[0])
        with shared_data(CCRB, f"{SNAPSHOT}_{status}_officer.csv").open(
            encoding="utf-8", newline=""
        ) as handle:
            _write(
                folder / f"{SNAPSHOT}_{status}_officer.csv",
                [r for r in csv.reader(handle) if r[0] in officers],
            )
    in_both = {row[1] for row in inactive} & {row[1] for row in active}
    return CcrbSlice(folder, dict(subjects), in_both)


def ccrb_import(folder: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "import", "allegations", str(folder), "--format", "ccrb", *extra, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_ccrb_gives_one_allegation_per_complaint_with_every_officer_as_a_subject(
    ccrb_slice: CcrbSlice,
) -> None:
    assert ccrb_slice.in_both, "the slice should hold complaints split across the two files"
    out = ccrb_import(ccrb_slice.folder)
    assert f"{len(ccrb_slice.subjects)} new" in out
    assert Allegation.objects.count() == len(ccrb_slice.subjects)
    counts: dict[str | None, int] = defaultdict(int)
    for reference in AllegationPerson.objects.filter(role=PersonRole.SUBJECT).values_list(
        "allegation__source_reference", flat=True
    ):
        counts[reference] += 1
    assert counts == {f"ccrb:{cid}": len(officers) for cid, officers in ccrb_slice.subjects.items()}
    split_id = sorted(ccrb_slice.in_both)[0]
    split = Allegation.objects.get(source_reference=f"ccrb:{split_id}")
    assert split.people.count() == len(ccrb_slice.subjects[split_id])
    statuses = set(Allegation.objects.values_list("status", "channel", "routing_outcome"))
    assert statuses == {(AllegationStatus.CLOSED, Channel.IMPORT, "")}
    assert not Allegation.objects.filter(prea=True).exists()
    assert not Deadline.objects.filter(content_type=ContentType.objects.get_for_model(Allegation)).exists()
    # The directory does not know these officers: they are described from the officer file.
    assert not AllegationPerson.objects.filter(employee__isnull=False).exists()
    assert not AllegationPerson.objects.filter(name="", description="").exists()
    assert not AllegationPerson.objects.filter(badge_number__regex=r"^0+$").exists()  # "00000": no shield


def test_ccrb_keeps_every_allegation_row_and_its_disposition_in_the_narrative(ccrb_slice: CcrbSlice) -> None:
    ccrb_import(ccrb_slice.folder)
    complaint = Allegation.objects.get(source_reference="ccrb:200000038")
    assert complaint.summary.startswith("CCRB complaint 200000038: Abuse of Authority, Force, Discourtesy")
    assert complaint.summary.endswith("(8 allegations against 3 officers)")  # rows from both files
    assert "Abuse of Authority / Question and/or stop — Exonerated" in complaint.narrative
    assert "Force / Physical force — Unfounded" in complaint.narrative
    assert "NYPD disposition and penalty columns are left out" in complaint.narrative
    assert set(complaint.categories.values_list("code", flat=True)) == {
        "excessive-force",
        "misuse-of-position",
        "discourtesy",
    }
    assert complaint.use_of_force
    # The complaint number's year, not the incident date's, when the incident was the year before.
    late = Allegation.objects.get(source_reference="ccrb:200000050")
    assert late.incident_date.isoformat() == "1999-12-31"  # type: ignore[union-attr]
    assert late.number.startswith("JIC-2000-")


def test_ccrb_with_create_employees_adds_the_officers_once_and_links_them(ccrb_slice: CcrbSlice) -> None:
    officers = {officer for ids in ccrb_slice.subjects.values() for officer in ids}
    known = make_employee_for("CCRB-" + sorted(officers)[0])
    ccrb_import(ccrb_slice.folder, "--create-employees")
    created = Employee.objects.filter(employee_number__startswith="CCRB-").exclude(pk=known.pk)
    assert created.count() == len(officers) - 1
    assert set(created.values_list("status", flat=True)) <= {EmployeeStatus.ACTIVE, EmployeeStatus.SEPARATED}
    assert not AllegationPerson.objects.filter(role=PersonRole.SUBJECT, employee__isnull=True).exists()
    assert AllegationPerson.objects.filter(employee=known).exists()
    assert (
        AuditEvent.objects.filter(object_type="core.employee", action=AuditAction.CREATE).count()
        == len(officers) - 1
    )
    before = (Employee.objects.count(), Allegation.objects.count(), AllegationPerson.objects.count())
    assert "0 new" in ccrb_import(ccrb_slice.folder, "--create-employees")
    assert (Employee.objects.count(), Allegation.objects.count(), AllegationPerson.objects.count()) == before


def make_employee_for(number: str) -> Employee:
    from probity.core.services.org import add_org_unit

    unit = add_org_unit(actor=None, code="NYPD", name="NYPD", kind="agency")
    return make_employee(number, "Known", "Officer", unit)


def test_a_bad_ccrb_row_names_its_file_and_line_and_nothing_is_written(ccrb_slice: CcrbSlice) -> None:
    path = ccrb_slice.folder / f"{SNAPSHOT}_active_complaint.csv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("0x12,200000003,2000-13-01,Force,Physical force,Unfounded,,\n")
        handle.write("000001,200000003\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "allegations", str(ccrb_slice.folder), "--format", "ccrb", stderr=err)
    assert excinfo.value.returncode == 1
    lines = err.getvalue().splitlines()
    name = f"{SNAPSHOT}_active_complaint.csv"
    assert f'{name} line {SLICE_LINES + 1}: officer_id "0x12" is not a number' in lines
    assert f'{name} line {SLICE_LINES + 1}: incident_date "2000-13-01" is not a date (YYYY-MM-DD)' in lines
    assert f"{name} line {SLICE_LINES + 2}: 2 values where a CCRB allegation row has 8" in lines
    assert not Allegation.objects.exists() and not AllegationPerson.objects.exists()
    assert not AuditEvent.objects.filter(object_type="intake.allegation").exists()


# --- Chicago ---------------------------------------------------------------------------------

CPDP = "chicago-cpdp"
RELEASE = "2000-2023_2023-08_p053540"


@pytest.fixture
def chicago_slice(tmp_path: Path, db: None) -> tuple[Path, dict[str, list[dict[str, str]]], set[str]]:
    with gzip.open(shared_data(CPDP, f"complaints-complaints_{RELEASE}.csv.gz"), "rt", encoding="utf-8") as h:
        reader = csv.DictReader(h)
        header = list(reader.fieldnames or [])
        complaints = [row for _, row in zip(range(400), reader, strict=False)]
    wanted = {row["cr_id"] for row in complaints}
    with gzip.open(shared_data(CPDP, f"complaints-accused_{RELEASE}.csv.gz"), "rt", encoding="utf-8") as h:
        reader = csv.DictReader(h)
        accused_header = list(reader.fieldnames or [])
        accused = [row for row in reader if row["cr_id"] in wanted]
    folder = tmp_path / "cpdp"
    folder.mkdir()
    _write(folder / "complaints-complaints_slice.csv", [[r[c] for c in header] for r in complaints], header)
    _write(
        folder / "complaints-accused_slice.csv",
        [[r[c] for c in accused_header] for r in accused],
        accused_header,
    )
    by_cr: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in accused:
        by_cr[row["cr_id"]].append(row)
    open_ones = {row["cr_id"] for row in complaints if not row["closed_date"]}
    return folder, {cr: by_cr.get(cr, []) for cr in wanted}, open_ones


def test_chicago_gives_one_allegation_per_cr_with_named_and_unidentified_accused(
    chicago_slice: tuple[Path, dict[str, list[dict[str, str]]], set[str]],
) -> None:
    folder, accused, open_ones = chicago_slice
    result = run_import("allegations", folder, fmt="chicago-cpdp", actor_username="test")
    assert result.errors == [] and result.created == len(accused)
    id_column = next(
        name for name in next(iter(r for rows in accused.values() for r in rows)) if name.endswith("_ID")
    )

    def expected(rows: list[dict[str, str]]) -> int:
        named = {r[id_column] for r in rows if r["last_name"] not in ("UNKNOWN", "")}
        return len(named) + (1 if any(r["last_name"] in ("UNKNOWN", "") for r in rows) else 0)

    for cr_id, rows in accused.items():
        allegation = Allegation.objects.get(source_reference=f"cpdp:{cr_id}")
        assert allegation.people.filter(role=PersonRole.SUBJECT).count() == expected(rows), cr_id
        want = AllegationStatus.RECEIVED if cr_id in open_ones else AllegationStatus.CLOSED
        assert allegation.status == want
    assert not Employee.objects.exists()
    again = run_import("allegations", folder, fmt="chicago-cpdp", actor_username="test")
    assert (again.created, again.unchanged) == (0, len(accused))


def test_chicago_never_makes_an_employee_of_the_unknown_officer(
    chicago_slice: tuple[Path, dict[str, list[dict[str, str]]], set[str]],
) -> None:
    folder, _, _ = chicago_slice
    run_import(
        "allegations", folder, fmt="chicago-cpdp", actor_username="test", options={"create_employees": True}
    )
    assert not Employee.objects.filter(last_name__in=["Unknown", "UNKNOWN", ""]).exists()
    unidentified = AllegationPerson.objects.filter(employee__isnull=True, role=PersonRole.SUBJECT)
    assert set(unidentified.values_list("description", flat=True)) <= {
        "Unidentified officer (no name in the source)"
    }
    assert Employee.objects.filter(employee_number__startswith="CPDP-").exists()
