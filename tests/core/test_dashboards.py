"""Role dashboards: each role's own panel, counts inside the office scope, a fixed query cost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from probity.core import dashboards, panels
from probity.core.models import Employee, EmployeeAssignment, EmployeeStatus, OrgUnit, OrgUnitKind, Role, User
from probity.core.services.org import add_org_unit
from probity.core.services.users import create_user
from tests.conftest import PASSWORD, Org, Personas, make_employee

# Each role's own panel; the adjudicator and polygraph examiner share one, as do the Giglio
# official and labor/employee relations.
OWN_PANEL = {
    Role.INTAKE: "Joint Intake Center: field offices",
    Role.AGENT: "Offices in your area",
    Role.SUPERVISOR: "Staff by office",
    Role.PROGRAM_MANAGER: "Law-enforcement officers by component",
    Role.ANALYST: "Workforce by component",
    Role.ADJUDICATOR: "Applicants in your scope",
    Role.POLYGRAPH: "Applicants in your scope",
    Role.INSPECTOR: "Offices by kind",
    Role.GIGLIO: "Law-enforcement employees by grade",
    Role.LABOR_RELATIONS: "Law-enforcement employees by grade",
    Role.AUDITOR: "Audit trail",
    Role.ADMINISTRATOR: "Administration",
}
WORKFORCE = "Workforce in your scope"


@dataclass
class Agency:
    """The conftest organisation plus a second component (Border Patrol) with a station in Arizona."""

    org: Org
    usbp: OrgUnit
    ajo: OrgUnit


@pytest.fixture
def agency(org: Org, personas: Personas) -> Agency:
    """People: (from the personas) Rita Recused, active law enforcement in OPR Tucson; then
    an officer at Nogales, a clerk in El Paso, two Border Patrol agents at Ajo, a contractor in
    Tucson, someone who left El Paso, an applicant placed in Tucson and one not yet placed."""
    usbp = add_org_unit(
        actor=None, code="USBP", name="U.S. Border Patrol", kind=OrgUnitKind.DIRECTORATE, parent=org.agency
    )
    ajo = add_org_unit(
        actor=None,
        code="USBP-AJO",
        name="Ajo Station",
        kind=OrgUnitKind.STATION,
        parent=usbp,
        city="Why",
        state="AZ",
    )
    make_employee("E1", "Nora", "Nogales", org.nogales_port, law_enforcement=True, grade="GS-12")
    make_employee("E2", "Eli", "Clerk", org.el_paso, grade="GS-9")
    make_employee("E3", "Ana", "Agent", ajo, law_enforcement=True, grade="GS-9")
    make_employee("E4", "Abe", "Agent", ajo, law_enforcement=True, grade="GS-12")
    make_employee("E5", "Cy", "Contractor", org.tucson, status=EmployeeStatus.CONTRACTOR)
    gone = make_employee("E6", "Sal", "Separated", org.el_paso, status=EmployeeStatus.SEPARATED)
    EmployeeAssignment.objects.filter(employee=gone).update(end_date=dt.date(2024, 3, 1))
    make_employee("E7", "Pat", "Placed", org.tucson, status=EmployeeStatus.APPLICANT)
    Employee.objects.create(employee_number="E8", first_name="Una", last_name="Unplaced", status="applicant")
    return Agency(org, usbp, ajo)


def user_with(role: str, scope: OrgUnit | None = None) -> User:
    return create_user(
        actor=None, username=f"{role}-user", password=PASSWORD, roles=[role], office_scope=scope
    )


def dashboard_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def titles(user: User) -> list[str]:
    return [panel.title for panel in dashboards.panels_for(user)]


def context(maker: Any, user: User) -> dict[str, Any]:
    panel: dashboards.Panel = maker(user)
    return panel.context


# Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(OWN_PANEL))
def test_each_role_sees_its_own_panel_and_no_other_roles_panel(agency: Agency, role: str) -> None:
    user = user_with(role, agency.org.tucson if role == Role.AGENT else None)

    page = dashboard_of(user)

    assert OWN_PANEL[role] in page
    assert WORKFORCE in page
    for other in set(OWN_PANEL.values()) - {OWN_PANEL[role]}:
        assert f">{other}</h2>" not in page, other


def test_an_account_without_a_role_sees_the_roles_panel_and_none_of_the_role_panels(
    agency: Agency, personas: Personas
) -> None:
    shown = titles(personas.outsider)
    page = dashboard_of(personas.outsider)

    assert "Your roles" in shown
    assert "No role has been given to this account yet." in page
    assert WORKFORCE not in shown
    assert not set(shown) & set(OWN_PANEL.values())
    assert "Nogales" not in page


def test_the_panels_use_uswds_tables_with_captions_and_column_headers(agency: Agency) -> None:
    page = dashboard_of(user_with(Role.ANALYST))

    assert '<table class="usa-table' in page
    assert page.count("<caption") == page.count("<table")
    assert 'scope="col"' in page
    assert "style=" not in page


# The numbers, and the office scope ------------------------------------------------------------


def test_the_workforce_panel_counts_the_whole_agency_for_an_agency_wide_user(agency: Agency) -> None:
    counts = context(panels.workforce_panel, user_with(Role.ANALYST))

    assert (
        counts["active"],
        counts["law_enforcement"],
        counts["applicants"],
        counts["contractors"],
        counts["separated"],
    ) == (5, 4, 2, 1, 1)


def test_an_agent_scoped_to_one_office_counts_only_that_subtree(agency: Agency, personas: Personas) -> None:
    counts = context(panels.workforce_panel, personas.agent)

    # Tucson and the Nogales port below it: Rita and Nora (both law enforcement), the
    # contractor and the placed applicant; not El Paso, Ajo, the leaver or the unplaced applicant.
    assert (
        counts["active"],
        counts["law_enforcement"],
        counts["applicants"],
        counts["contractors"],
        counts["separated"],
    ) == (2, 2, 1, 1, 0)
    page = dashboard_of(personas.agent)
    assert "In OPR Tucson and the units below it." in page


def test_a_separated_employee_counts_where_they_last_served(agency: Agency) -> None:
    el_paso = context(panels.workforce_panel, user_with(Role.SUPERVISOR, agency.org.el_paso))

    assert (el_paso["active"], el_paso["separated"]) == (1, 1)


def test_intake_sees_the_field_offices_in_scope_with_their_staff(agency: Agency) -> None:
    # Staff as on the organisation page: everyone with an open assignment who has not left,
    # so Tucson has Rita, the contractor and the placed applicant.
    offices = context(panels.intake_panel, user_with(Role.INTAKE))["offices"]

    assert [(o.code, o.employee_count, o.law_enforcement_count) for o in offices] == [
        ("OPR-ELP", 1, 0),
        ("OPR-TUC", 3, 1),
    ]


def test_an_agent_sees_the_offices_in_the_state_of_their_office(agency: Agency, personas: Personas) -> None:
    data = context(panels.area_panel, personas.agent)

    assert data["caption"] == "Offices in AZ"
    assert [(o.code, o.employee_count) for o in data["offices"]] == [
        ("OPR-TUC", 3),
        ("POE-NOG", 1),
        ("USBP-AJO", 2),
    ]


def test_an_agent_without_an_office_is_told_there_is_no_area(agency: Agency) -> None:
    page = dashboard_of(user_with(Role.AGENT))

    assert "Offices in your area" in page
    assert "no office with a state" in page


def test_applicants_are_counted_in_scope_newest_first(agency: Agency) -> None:
    everyone = context(panels.applicants_panel, user_with(Role.ADJUDICATOR))
    tucson = context(panels.applicants_panel, user_with(Role.POLYGRAPH, agency.org.tucson))

    assert everyone["count"] == 2
    assert [p.last_name for p in everyone["newest"]] == ["Unplaced", "Placed"]
    assert tucson["count"] == 1
    assert [p.last_name for p in tucson["newest"]] == ["Placed"]


def test_the_inspector_counts_offices_and_staff_by_kind_in_scope(agency: Agency) -> None:
    rows = context(panels.inspector_panel, user_with(Role.INSPECTOR, agency.org.opr))["rows"]

    assert [(row.label, row.offices, row.staff) for row in rows] == [
        ("Headquarters office", 0, 0),
        ("Field office", 2, 4),
        ("Port of entry", 1, 1),
        ("Station", 0, 0),
    ]


def test_the_analyst_sees_the_workforce_by_component(agency: Agency) -> None:
    rows = context(panels.analyst_panel, user_with(Role.ANALYST))["rows"]

    assert [(r.name, r.staff, r.law_enforcement, r.contractors) for r in rows] == [
        ("Office of Professional Responsibility", 5, 2, 1),
        ("U.S. Border Patrol", 2, 2, 0),
    ]


def test_the_program_manager_sees_officers_by_component_with_their_share(agency: Agency) -> None:
    rows = context(panels.program_manager_panel, user_with(Role.PROGRAM_MANAGER))["rows"]

    assert [(r.name, r.law_enforcement, r.law_enforcement_percent) for r in rows] == [
        ("Office of Professional Responsibility", 2, 40),
        ("U.S. Border Patrol", 2, 100),
    ]


def test_giglio_and_labor_relations_see_officers_by_grade_in_numeric_order(agency: Agency) -> None:
    everyone = context(panels.grades_panel, user_with(Role.GIGLIO))["rows"]
    tucson = context(panels.grades_panel, user_with(Role.LABOR_RELATIONS, agency.org.tucson))["rows"]

    # Rita Recused has no grade recorded; it sorts last.
    assert [(r.grade, r.employees) for r in everyone] == [("GS-9", 1), ("GS-12", 2), ("", 1)]
    assert [(r.grade, r.employees) for r in tucson] == [("GS-12", 1), ("", 1)]


# Query cost ------------------------------------------------------------------------------------


def add_people(agency: Agency, extra: int) -> None:
    for n in range(extra):
        unit = (agency.org.tucson, agency.ajo, agency.org.el_paso)[n % 3]
        make_employee(f"X{n}", "More", f"Person{n}", unit, law_enforcement=n % 2 == 0, grade="GS-11")


@pytest.fixture
def core_panels_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the platform's own panels, so that other modules' panels do not change the count."""
    registered = dashboards._panels
    core = [entry for entry in registered if entry.make.__module__.startswith("probity.core.")]
    monkeypatch.setattr(dashboards, "_panels", core)


@pytest.mark.parametrize("extra", [0, 9])
@pytest.mark.parametrize(("role", "queries"), [(Role.ANALYST, 12), (Role.INTAKE, 11)])
@pytest.mark.usefixtures("core_panels_only")
def test_the_dashboard_takes_the_same_queries_however_large_the_agency(
    agency: Agency, extra: int, role: str, queries: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    add_people(agency, extra)
    client = Client()
    client.force_login(user_with(role, agency.org.opr))
    client.get("/")  # warm the content-type cache

    # Session, user, roles, office scope, my deadlines (2), the role's own panel (analyst 2,
    # intake 1), the workforce panel (1) and the session save (3).
    with django_assert_num_queries(queries):
        response = client.get("/")

    assert response.status_code == 200
