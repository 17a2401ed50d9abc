"""`probity seed-demo`: a reproducible synthetic agency with one login per role."""

from __future__ import annotations

import datetime as dt
import io
import stat
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction

from probity.core import demo
from probity.core.models import (
    AuditAction,
    AuditEvent,
    Employee,
    EmployeeAssignment,
    EmployeeStatus,
    OrgUnit,
    OrgUnitKind,
    Role,
    User,
)
from tests.conftest import Org

TODAY = dt.date(2025, 3, 10)
# Noon in New York on TODAY, so the agency's date is TODAY whatever the runner's zone.
FROZEN = dt.datetime(2025, 3, 10, 16, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def demo_settings(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.PROBITY_DEMO_PASSWORD = ""
    return tmp_path


def seed(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(FROZEN, tick=False):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db: None) -> str:
    return seed("--scale", "0.05", "--seed", "3")


class _Undo(Exception):
    pass


def _digest_of_a_fresh_seed(*args: str) -> str:
    """Seed inside a savepoint, read the digest, roll it all back: a fresh database each time."""
    digest = ""
    try:
        with transaction.atomic():
            seed(*args)
            digest = demo.directory_digest()
            raise _Undo
    except _Undo:
        pass
    return digest


def test_the_same_seed_gives_the_same_agency(db: None) -> None:
    first = _digest_of_a_fresh_seed("--scale", "0.05", "--seed", "3")
    assert not OrgUnit.objects.exists()
    second = _digest_of_a_fresh_seed("--scale", "0.05", "--seed", "3")
    assert first == second
    assert first == demo.plan_demo(scale=0.05, seed=3, today=TODAY).digest()
    assert first != demo.plan_demo(scale=0.05, seed=4, today=TODAY).digest()


def test_a_twentieth_of_the_agency_is_about_three_hundred_people(seeded: str) -> None:
    assert 280 <= Employee.objects.count() <= 340
    assert "Demo agency loaded" in seeded
    statuses = set(Employee.objects.values_list("status", flat=True))
    assert EmployeeStatus.ACTIVE in statuses and len(statuses) >= 3


def test_every_role_has_a_login_and_the_logins_are_printed(seeded: str, demo_settings: Path) -> None:
    password = (demo_settings / demo.PASSWORD_FILE).read_text().strip()
    users = {user.username: user for user in User.objects.select_related("office_scope")}
    for role in Role.values:
        user = users[role]
        assert user.roles == {role}
        assert user.check_password(password)
        assert role in seeded
    assert password in seeded
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not users["agent"].is_staff
    assert users["agent"].office_scope.code == demo.AGENT_OFFICE  # type: ignore[union-attr]
    assert users["supervisor"].office_scope.name == "Investigative Operations Directorate"  # type: ignore[union-attr]
    assert users["intake"].office_scope is None and users["auditor"].office_scope is None


def test_the_recused_login_is_an_agent_linked_to_a_demo_employee(seeded: str) -> None:
    recused = User.objects.get(username="recused")
    assert recused.roles == {Role.AGENT}
    assert recused.employee is not None
    assert recused.employee.status == EmployeeStatus.ACTIVE
    assert recused.employee.series == "1811"
    here = recused.employee.assignment_as_of(TODAY)
    assert here is not None and here.org_unit.code == demo.AGENT_OFFICE
    logins = [login.username for login in demo.DEMO_LOGINS]
    linked = User.objects.filter(username__in=logins, employee__isnull=False)
    assert list(linked.values_list("username", flat=True)) == ["recused"]
    # The other offices' special agents (made by the investigations demo) sign in with no password.
    for agent in User.objects.filter(employee__isnull=False).exclude(username__in=logins):
        assert agent.roles == {Role.AGENT} and not agent.has_usable_password()


def test_supervisors_form_one_hierarchy_without_loops(seeded: str) -> None:
    current = {
        a.employee_id: a
        for a in EmployeeAssignment.objects.filter(end_date__isnull=True).select_related("org_unit")
    }
    tops = [a for a in current.values() if a.supervisor_id is None]
    assert [a.org_unit.code for a in tops] == [demo.AGENCY]
    for employee_id, assignment in current.items():
        seen = {employee_id}
        boss = assignment.supervisor_id
        while boss is not None:
            assert boss not in seen, f"loop through {boss}"
            seen.add(boss)
            boss = current[boss].supervisor_id
        if assignment.supervisor_id is not None:
            unit, boss_unit = assignment.org_unit, current[assignment.supervisor_id].org_unit
            assert boss_unit == unit or unit.path[: -OrgUnit.steplen] == boss_unit.path


def test_the_agency_has_opr_field_offices_ports_and_sectors(seeded: str) -> None:
    offices = OrgUnit.objects.filter(kind=OrgUnitKind.FIELD_OFFICE, code__startswith="OPR-")
    assert offices.count() == 26
    assert {("Glynco", "GA"), ("San Juan", "PR"), ("Jamaica", "NY")} <= set(
        offices.values_list("city", "state")
    )
    names = set(OrgUnit.objects.values_list("name", flat=True))
    assert {
        "Office of Professional Responsibility",
        "Investigative Operations Directorate",
        "Security Operations Directorate",
        "Joint Intake Center",
        "San Ysidro Port of Entry",
        "Laredo Port of Entry",
        "Tucson Sector",
        "Rio Grande Valley Sector",
        "Air and Marine Operations",
    } <= names


def test_positions_carry_their_series_and_grades(seeded: str) -> None:
    officers = Employee.objects.filter(position_title="CBP Officer")
    assert officers.exists()
    assert set(officers.values_list("series", flat=True)) == {"1895"}
    assert set(officers.values_list("grade", flat=True)) <= {"GS-5", "GS-7", "GS-9", "GS-11", "GS-12"}
    agents = Employee.objects.filter(position_title="Special Agent (Criminal Investigator)")
    assert set(agents.values_list("grade", flat=True)) <= {"GS-12", "GS-13"}
    assert set(agents.values_list("law_enforcement", flat=True)) == {True}
    supervisory = Employee.objects.filter(position_title="Supervisory Special Agent")
    assert set(supervisory.values_list("grade", flat=True)) <= {"GS-14"}


def test_each_demo_employee_has_one_create_event(seeded: str) -> None:
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.employee")
    assert created.count() == Employee.objects.count()
    assert all(event.changes["date_of_birth"] == [None, "<encrypted>"] for event in created)


def test_production_mode_is_refused(db: None, settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production") as excinfo:
        seed("--scale", "0.05")
    assert excinfo.value.returncode == 2
    assert not OrgUnit.objects.exists() and not User.objects.exists()


def test_if_empty_leaves_an_existing_organisation_alone(org: Org) -> None:
    before = OrgUnit.objects.count(), Employee.objects.count()
    out = seed("--scale", "0.05", "--if-empty")
    assert "no demo data was added" in out
    assert (OrgUnit.objects.count(), Employee.objects.count()) == before
    with pytest.raises(CommandError, match="empty database") as excinfo:
        seed("--scale", "0.05")
    assert excinfo.value.returncode == 2


def test_a_scale_out_of_range_is_refused(db: None) -> None:
    for scale in ("0", "-1", "500"):
        with pytest.raises(CommandError, match="--scale") as excinfo:
            seed("--scale", scale)
        assert excinfo.value.returncode == 2
    assert not OrgUnit.objects.exists()


def test_the_demo_password_comes_from_the_environment_or_a_kept_file(
    settings: Any, demo_settings: Path
) -> None:
    made, where = demo.demo_password()
    path = demo_settings / demo.PASSWORD_FILE
    assert where == str(path) and path.read_text().strip() == made and len(made) >= 16
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert demo.demo_password() == (made, str(path))
    path.unlink()
    assert demo.demo_password(create=False) == ("", "")
    assert not path.exists()
    settings.PROBITY_DEMO_PASSWORD = "chosen-by-the-operator"
    assert demo.demo_password() == ("chosen-by-the-operator", "PROBITY_DEMO_PASSWORD")
