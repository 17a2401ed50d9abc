"""Shared fixtures: a small organisation and the named personas every module tests against."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from probity.core.models import Employee, EmployeeAssignment, OrgUnit, OrgUnitKind, Role, User
from probity.core.services.org import add_org_unit
from probity.core.services.users import create_user

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "research" / "data"
PASSWORD = "correct-horse-battery-staple-42"


def shared_data(*parts: str) -> Path:
    """A file from ../shared/research/data, or skip with a clear message when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"research data not present: {path} (clone ../shared beside the project)")
    return path


@dataclass
class Org:
    agency: OrgUnit
    opr: OrgUnit
    tucson: OrgUnit
    el_paso: OrgUnit
    nogales_port: OrgUnit


@pytest.fixture
def org(db: None) -> Org:
    agency = add_org_unit(
        actor=None, code="CBP", name="U.S. Customs and Border Protection", kind=OrgUnitKind.AGENCY
    )
    opr = add_org_unit(
        actor=None,
        code="OPR",
        name="Office of Professional Responsibility",
        kind=OrgUnitKind.DIRECTORATE,
        parent=agency,
    )
    tucson = add_org_unit(
        actor=None,
        code="OPR-TUC",
        name="OPR Tucson",
        kind=OrgUnitKind.FIELD_OFFICE,
        parent=opr,
        city="Tucson",
        state="AZ",
    )
    el_paso = add_org_unit(
        actor=None,
        code="OPR-ELP",
        name="OPR El Paso",
        kind=OrgUnitKind.FIELD_OFFICE,
        parent=opr,
        city="El Paso",
        state="TX",
    )
    nogales = add_org_unit(
        actor=None,
        code="POE-NOG",
        name="Nogales Port of Entry",
        kind=OrgUnitKind.PORT_OF_ENTRY,
        parent=tucson,
        city="Nogales",
        state="AZ",
    )
    return Org(agency, opr, tucson, el_paso, nogales)


def make_employee(number: str, first: str, last: str, unit: OrgUnit, **extra: object) -> Employee:
    employee = Employee.objects.create(employee_number=number, first_name=first, last_name=last, **extra)
    EmployeeAssignment.objects.create(employee=employee, org_unit=unit, start_date=dt.date(2015, 1, 1))
    return employee


@dataclass
class Personas:
    intake: User
    agent: User
    supervisor: User
    analyst: User
    auditor: User
    admin: User
    outsider: User
    recused_agent: User
    recused_employee: Employee


@pytest.fixture
def personas(org: Org) -> Personas:
    def user(
        name: str, roles: list[str], scope: OrgUnit | None = None, employee: Employee | None = None
    ) -> User:
        return create_user(
            actor=None,
            username=name,
            password=PASSWORD,
            roles=roles,
            office_scope=scope,
            employee=employee,
            first_name=name.title(),
            last_name="Persona",
        )

    recused_employee = make_employee("E900001", "Rita", "Recused", org.tucson, law_enforcement=True)
    return Personas(
        intake=user("intake", [Role.INTAKE]),
        agent=user("agent", [Role.AGENT], org.tucson),
        supervisor=user("supervisor", [Role.SUPERVISOR], org.opr),
        analyst=user("analyst", [Role.ANALYST]),
        auditor=user("auditor", [Role.AUDITOR]),
        admin=user("admin", [Role.ADMINISTRATOR]),
        outsider=user("outsider", []),
        recused_agent=user("recused", [Role.AGENT], org.tucson, recused_employee),
        recused_employee=recused_employee,
    )


@pytest.fixture
def reference_data(db: None) -> None:
    """Re-run the reference-data migrations: a transactional test's flush empties those tables."""
    import importlib

    from django.apps import apps

    for module in (
        "probity.core.migrations.0003_seed_deadline_rules",
        "probity.intake.migrations.0003_seed_reference_data",
        "probity.intake.migrations.0005_category_impeachment",
        "probity.investigations.migrations.0003_seed_reference_data",
    ):
        importlib.import_module(module).seed(apps, None)
