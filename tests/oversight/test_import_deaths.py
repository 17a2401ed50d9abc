"""`probity import deaths`: hand-made files with bad rows (every bad line reported, nothing
written), dry runs, re-imports that change nothing, historic deaths without clocks, and the real
ICE and CBP files counted against their SOURCE.txt."""

from __future__ import annotations

import csv
import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from probity.core import imports
from probity.core.models import AuditEvent, Deadline, NumberSequence
from probity.oversight.models import CriticalIncident, DeathInCustody
from tests.conftest import shared_data
from tests.oversight.conftest import Overseers
from tests.oversight.deaths_setup import written

pytestmark = pytest.mark.django_db

FOLDER = "ice-deaths-in-custody"
ICE_HEADER = (
    "Name,Sex,Age,Country,Date_of_Death,Cause_of_Death,Facility_Name,Facility_Location,Facility_Type,"
    "PDF_URL,Period"
)
CBP_HEADER = (
    "Case_Number,Name,Age,Date,Location,State,Nationality,Incident_Type,Minor,US_Citizen_LPR,In_Custody,"
    "Off_Duty,Firearm,Wall_Related,Vehicle_Pursuit,Cross_Border_Shooting,Death_Immigration_Enforcement,"
    "Source,Date_Standardized,Year,SBCC_Cause_of_Death,SBCC_Description,In_SBCC"
)
GOOD_ICE = [
    "VERDECIA-CARRILLO HERIBERTO,Male,40.0,CUBA,2003-10-07,Acute coronary occlusion,"
    "Atwater US Penitentiary CA,"
    '"Atwater\xa0US Penitentiary,\xa0CA",BOP,https://www.ice.gov/x.pdf,FY2003-2017',
    "GUTIERREZ RAMIRO,Male,,MEXICO,2004-01-17,Asphyxia,Sacramento County Jail CA,"
    '"Sacramento County Jail, CA",IGSA,https://www.ice.gov/y.pdf,FY2003-2017',
    "DOE JANE,Female,37.0,Nigeria,2004-03-02,Sepsis,Otero County Processing Center,"
    '"Chaparral, NM",IGSA,https://www.ice.gov/z.pdf,FY2003-2017',
]


def write(tmp_path: Path, name: str, header: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(path: Path, fmt: str, **kwargs: object) -> imports.ImportResult:
    return imports.run_import("deaths", path, actor_username="cli:test", fmt=fmt, **kwargs)  # type: ignore[arg-type]


def expected_rows(file_name: str) -> int:
    """The row count SOURCE.txt states for one file ("name  274 rows")."""
    text = shared_data(FOLDER, "SOURCE.txt").read_text(encoding="utf-8")
    found = re.search(rf"{re.escape(file_name)}\s+(\d+) rows", text)
    assert found is not None, f"SOURCE.txt gives no row count for {file_name}"
    return int(found.group(1))


# Hand-made files


def test_a_good_ice_file_imports_historic_deaths_without_clocks_or_incidents(tmp_path: Path) -> None:
    result = run(write(tmp_path, "ice.csv", ICE_HEADER, GOOD_ICE), "ice-detailed")
    assert result.ok and result.created == 3
    assert "ignored column(s) not used for deaths: pdf_url, period" in result.warnings
    first = DeathInCustody.objects.get(name="VERDECIA-CARRILLO HERIBERTO")
    assert first.number == "DIC-2003-000001"
    assert first.source_reference == "ice:2003-10-07:VERDECIA-CARRILLO HERIBERTO"
    assert first.source_system == "ice-detailed"
    assert (first.age, first.sex, first.country, first.agency) == (40, "Male", "CUBA", "ICE")
    assert first.facility_location == "Atwater US Penitentiary, CA"  # non-breaking spaces made plain
    assert first.cause == "Acute coronary occlusion"
    assert first.date_of_death == dt.date(2003, 10, 7)
    assert first.reported_at.date() == dt.date(2003, 10, 7)
    assert DeathInCustody.objects.get(name="GUTIERREZ RAMIRO").age is None
    assert sorted(DeathInCustody.objects.values_list("number", flat=True)) == [
        "DIC-2003-000001",
        "DIC-2004-000001",
        "DIC-2004-000002",
    ]
    assert not Deadline.objects.exists()
    assert not CriticalIncident.objects.exists()
    assert AuditEvent.objects.filter(action="create", object_type="oversight.deathincustody").count() == 3
    event = AuditEvent.objects.get(action="import")
    assert event.detail["created"] == 3 and event.detail["format"] == "ice-detailed"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    lines = [
        GOOD_ICE[0],  # line 2
        "LATE ONE,Male,30.0,PERU,2004-13-01,x,Jail,Place,IGSA,u,p",  # line 3: no such month
        "OLD ONE,Male,forty,PERU,2004-01-01,x,Jail,Place,IGSA,u,p",  # line 4: age
        ",Male,30.0,PERU,2004-01-02,x,Jail,Place,IGSA,u,p",  # line 5: no name
        GOOD_ICE[0],  # line 6: the same death again
        "FUTURE ONE,Male,30.0,PERU,2999-01-01,x,Jail,Place,IGSA,u,p",  # line 7
        "SHORT ROW,Male",  # line 8
        "AGED ONE,Male,300,PERU,2004-01-03,x,Jail,Place,IGSA,u,p",  # line 9
    ]
    before = written()
    result = run(write(tmp_path, "bad.csv", ICE_HEADER, lines), "ice-detailed")
    assert not result.ok
    by_line = {error.line: error.message for error in result.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9}
    assert "date_of_death" in by_line[3]
    assert 'age "forty"' in by_line[4]
    assert "name" in by_line[5]
    assert "already on line 2" in by_line[6]
    assert "future" in by_line[7]
    assert "2 values where the header has 11" in by_line[8]
    assert "age" in by_line[9]
    assert written() == before
    assert not NumberSequence.objects.filter(prefix="DIC").exists()


def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path: Path) -> None:
    before = written()
    result = run(write(tmp_path, "ice.csv", ICE_HEADER, GOOD_ICE), "ice-detailed", dry_run=True)
    assert result.ok and result.created == 3 and not result.written
    assert written() == before
    assert not AuditEvent.objects.filter(action="import").exists()


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "ice.csv", ICE_HEADER, GOOD_ICE)
    run(path, "ice-detailed")
    before = written()
    again = run(path, "ice-detailed")
    assert (again.created, again.unchanged) == (0, 3)
    assert "3 deaths were already imported and left as recorded" in again.warnings
    # Only the second `import` event is new.
    assert written()[:-1] == before[:-1] and written()[-1] == before[-1] + 1


def test_cbp_records_spanning_lines_are_read_and_errors_name_the_line_a_record_starts(tmp_path: Path) -> None:
    lines = [
        '349,Unkown,Infant,2024-10-24,"Eagle Pass",TX,Mexican,"1. Minor (infant)\n2. In Custody",'
        "1,0,1,0,0,0,0,0,0,ACLU,2024-10-24,2024,,,0",  # lines 2-3
        '350,"Anadith Danay Reyes\nAlvarez",8,2023-05-17,"Harlingen, TX",TX,Panamanian,'
        '"1. Minor\n2. In Custody",'
        "1,0,1,0,0,0,0,0,0,ACLU,2023-05-17,2023,,,0",  # lines 4-6
        '351,Unknown,Adult,2021-02-02,"Campo Border Patrol\nStation near San\nDiego",CA,Mexican,'
        '"1. In Custody",0,0,1,0,0,0,0,0,0,ACLU,2021-02-02,2021,,,0',  # lines 7-9
    ]
    path = write(tmp_path, "cbp.csv", CBP_HEADER, lines)
    result = run(path, "cbp-aclu")
    assert result.ok and result.created == 3
    infant = DeathInCustody.objects.get(source_reference="aclu-cbp:349")
    assert (infant.name, infant.age, infant.agency, infant.country) == ("Unknown", 0, "CBP", "Mexican")
    assert infant.place_of_death == "Eagle Pass, TX"
    assert "Minor (infant); In Custody" in infant.circumstances
    assert "Age given as Infant." in infant.circumstances
    named = DeathInCustody.objects.get(source_reference="aclu-cbp:350")
    assert (named.name, named.age, named.place_of_death) == (
        "Anadith Danay Reyes Alvarez",
        8,
        "Harlingen, TX",
    )
    adult = DeathInCustody.objects.get(source_reference="aclu-cbp:351")
    assert adult.age is None and "Age given as Adult." in adult.circumstances
    assert adult.place_of_death == "Campo Border Patrol Station near San Diego, CA"

    bad = [
        lines[0],
        '352,Unknown,about ten,2021-02-02,"Yuma",AZ,Mexican,"1. In\nCustody",0,0,1,0,0,0,0,0,0,ACLU,'
        "2021-02-02,2020,,,0",  # lines 4-5: age and year
    ]
    before = written()
    result = run(write(tmp_path, "cbp-bad.csv", CBP_HEADER, bad), "cbp-aclu")
    assert {error.line for error in result.errors} == {4}
    messages = " ".join(error.message for error in result.errors)
    assert 'age "about ten"' in messages and 'year "2020" does not match' in messages
    assert written() == before


def test_a_file_without_the_formats_columns_is_refused_whole(tmp_path: Path) -> None:
    path = write(tmp_path, "wrong.csv", "name,date", ["A,2020-01-01"])
    with pytest.raises(imports.ImportFileError, match="lacks column"):
        run(path, "ice-detailed")
    with pytest.raises(imports.ImportFileError, match="cannot be read as"):
        run(path, "ccrb")


def test_only_users_who_may_record_deaths_may_import_them(tmp_path: Path, overseers: Overseers) -> None:
    path = write(tmp_path, "ice.csv", ICE_HEADER, GOOD_ICE)
    with pytest.raises(PermissionDenied):
        imports.run_import("deaths", path, actor=overseers.supervisor, fmt="ice-detailed")
    result = imports.run_import("deaths", path, actor=overseers.program_manager, fmt="ice-detailed")
    assert result.created == 3
    assert DeathInCustody.objects.filter(created_by=overseers.program_manager).count() == 3


def test_the_command_reports_bad_rows_and_exits_1(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", ICE_HEADER, ["X,Male,old,PERU,2004-01-01,x,J,P,IGSA,u,p"])
    err = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import", "deaths", str(path), "--format", "ice-detailed", stderr=err)
    assert failed.value.returncode == 1
    assert 'line 2: age "old"' in err.getvalue()
    assert not DeathInCustody.objects.exists()


# The real files


def test_the_real_ice_file_imports_every_death_source_txt_counts(tmp_path: Path) -> None:
    path = shared_data(FOLDER, "all_274_deaths_detailed.csv")
    expected = expected_rows("all_274_deaths_detailed.csv")
    out = StringIO()
    call_command("import", "deaths", str(path), "--format", "ice-detailed", stdout=out, stderr=StringIO())
    assert f"{expected} rows: {expected} new" in out.getvalue()
    assert DeathInCustody.objects.filter(agency="ICE", source_system="ice-detailed").count() == expected
    with path.open(encoding="utf-8-sig", newline="") as handle:
        source = list(csv.DictReader(handle))
    assert len(source) == expected
    assert not Deadline.objects.exists() and not CriticalIncident.objects.exists()
    assert DeathInCustody.objects.filter(age__isnull=True).count() == sum(1 for r in source if not r["Age"])
    again = run(path, "ice-detailed")
    assert (again.created, again.unchanged) == (0, expected)


def test_the_real_cbp_file_imports_every_death_source_txt_counts() -> None:
    path = shared_data(FOLDER, "cbp_deaths_in_custody.csv")
    expected = expected_rows("cbp_deaths_in_custody.csv")
    result = run(path, "cbp-aclu")
    assert result.ok, [str(error) for error in result.errors[:5]]
    assert result.rows == expected and result.created == expected
    assert DeathInCustody.objects.filter(agency="CBP", source_system="cbp-aclu").count() == expected
    with path.open(encoding="utf-8-sig", newline="") as handle:
        source = {row["Case_Number"]: row for row in csv.DictReader(handle)}
    for death in DeathInCustody.objects.all():
        row = source[death.source_reference.removeprefix("aclu-cbp:")]  # type: ignore[union-attr]
        assert death.date_of_death.isoformat() == row["Date_Standardized"]
        assert death.place_of_death.endswith(row["State"])
    assert not Deadline.objects.exists()
