"""The DCRA export reproduces the year counts of the deaths file: after importing the real ICE
(and CBP) files, every year's export has as many rows as the file has deaths that year, counted
here straight from the CSV, with the fields filled as the file allows. Also: the export is
audited, refused to those who may not make it, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from probity.core import imports
from probity.core.models import AuditEvent
from probity.oversight.services.deaths import DCRA_COLUMNS, dcra_export
from tests.conftest import Org, shared_data
from tests.oversight.conftest import Overseers
from tests.oversight.deaths_setup import record

pytestmark = pytest.mark.django_db

FOLDER = "ice-deaths-in-custody"


def source_rows(name: str) -> list[dict[str, str]]:
    with shared_data(FOLDER, name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def exported(data: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
    assert tuple(reader.fieldnames or ()) == DCRA_COLUMNS
    return list(reader)


def load(name: str, fmt: str) -> None:
    result = imports.run_import("deaths", shared_data(FOLDER, name), actor_username="cli:test", fmt=fmt)
    assert result.ok, [str(error) for error in result.errors[:5]]


def test_the_dcra_export_reproduces_the_year_counts_of_the_deaths_file(overseers: Overseers) -> None:
    source = source_rows("all_274_deaths_detailed.csv")
    by_year = Counter(dt.date.fromisoformat(row["Date_of_Death"]).year for row in source)
    load("all_274_deaths_detailed.csv", "ice-detailed")
    for year in range(min(by_year) - 1, max(by_year) + 1):
        rows = exported(dcra_export(actor=overseers.program_manager, year=year))
        assert len(rows) == by_year.get(year, 0), year
        assert all(row["date_of_death"].startswith(str(year)) for row in rows)
    assert sum(by_year.values()) == len(source)


def test_the_export_fills_the_fields_as_the_ice_file_allows(overseers: Overseers) -> None:
    source = source_rows("all_274_deaths_detailed.csv")
    load("all_274_deaths_detailed.csv", "ice-detailed")
    expected = {
        (row["Name"], row["Date_of_Death"]): row for row in source if row["Date_of_Death"].startswith("2020")
    }
    rows = exported(dcra_export(actor=overseers.program_manager, year=2020))
    assert len(rows) == len(expected)
    for row in rows:
        origin = expected[(row["name"], row["date_of_death"])]
        assert row["sex"] == origin["Sex"]
        assert row["age"] == (str(int(float(origin["Age"]))) if origin["Age"] else "")
        assert row["agency"] == "ICE"
        assert row["facility_name"] == " ".join(origin["Facility_Name"].split())
        assert row["location_of_death"] == " ".join(origin["Facility_Location"].replace("\xa0", " ").split())
        assert row["cause_of_death"] == " ".join(origin["Cause_of_Death"].split())
        assert row["country_of_citizenship"] == " ".join(origin["Country"].split())
        assert row["record_number"].startswith("DIC-2020-")
        # The file has no race, ethnicity or time of death: those stay empty rather than guessed.
        assert row["race"] == row["ethnicity"] == row["time_of_death"] == ""


def test_the_agency_filter_splits_the_two_files(overseers: Overseers) -> None:
    ice = Counter(row["Date_of_Death"][:4] for row in source_rows("all_274_deaths_detailed.csv"))
    cbp = Counter(row["Date_Standardized"][:4] for row in source_rows("cbp_deaths_in_custody.csv"))
    load("all_274_deaths_detailed.csv", "ice-detailed")
    load("cbp_deaths_in_custody.csv", "cbp-aclu")
    for year in (2019, 2020, 2021, 2024):
        pm = overseers.program_manager
        assert len(exported(dcra_export(actor=pm, year=year, agency="ICE"))) == ice[str(year)]
        assert len(exported(dcra_export(actor=pm, year=year, agency="CBP"))) == cbp[str(year)]
        assert len(exported(dcra_export(actor=pm, year=year))) == ice[str(year)] + cbp[str(year)]


def test_each_export_is_audited_with_its_year_rows_and_hash(overseers: Overseers, org: Org) -> None:
    death = record(overseers.program_manager, org)
    data = dcra_export(actor=overseers.program_manager, year=2025)
    event = AuditEvent.objects.get(action="export")
    assert event.actor_username == overseers.program_manager.username
    assert (event.detail["year"], event.detail["rows"], event.detail["export"]) == (2025, 1, "dcra")
    row = exported(data)[0]
    assert row["record_number"] == death.number
    assert (row["time_of_death"], row["race"], row["location_of_death"]) == (
        "06:30",
        "White",
        "Secondary inspection hold room 3",
    )


def test_only_a_program_manager_exports_and_bad_years_are_refused(overseers: Overseers) -> None:
    for user in (overseers.supervisor, overseers.agent, overseers.outsider):
        with pytest.raises(PermissionDenied):
            dcra_export(actor=user, year=2020)
    for year in (1800, 3000, "2020"):
        with pytest.raises(ValidationError, match="year"):
            dcra_export(actor=overseers.program_manager, year=year)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="agency"):
        dcra_export(actor=overseers.program_manager, year=2020, agency="DEA")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(overseers: Overseers, org: Org) -> None:
    record(overseers.program_manager, org, name='=HYPERLINK("http://x")', cause="-1+1")
    row = exported(dcra_export(actor=overseers.program_manager, year=2025))[0]
    assert row["name"] == '\'=HYPERLINK("http://x")'
    assert row["cause_of_death"] == "'-1+1"


def test_the_export_page_downloads_the_year_and_explains_bad_input(
    client: Client, overseers: Overseers, org: Org
) -> None:
    record(overseers.program_manager, org)
    client.force_login(overseers.program_manager)
    page = client.get(reverse("death-dcra"))
    assert page.status_code == 200 and "2025" in page.content.decode()
    response = client.get(reverse("death-dcra"), {"year": "2025", "agency": "CBP"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="dcra-2025-cbp.csv"'
    assert len(exported(response.content)) == 1
    bad = client.get(reverse("death-dcra"), {"year": "next"})
    assert bad.status_code == 400 and "Year of death" in bad.content.decode()
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_the_command_writes_the_year_to_a_file(tmp_path: Path, overseers: Overseers, org: Org) -> None:
    record(overseers.program_manager, org)
    target = tmp_path / "dcra.csv"
    err = io.StringIO()
    call_command("export", "dcra", "--year", "2025", "--output", str(target), stderr=err)
    assert "Wrote 1 death of 2025" in err.getvalue()
    assert len(exported(target.read_bytes())) == 1
    event = AuditEvent.objects.get(action="export")
    assert event.actor_username.startswith("cli:")
    out = io.StringIO()
    call_command("export", "dcra", "--year", "2024", stdout=out)
    assert out.getvalue().startswith("record_number,name,")
    with pytest.raises(CommandError, match="year"):
        call_command("export", "dcra", "--year", "1800")
