"""API for the workforce directory and the organisation: the same queries and audit as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Paging is limit/offset (at most MAX_LIMIT a page, anything else a 422) and every list answers
`{"items": [...], "count": N}`. Whatever does not exist or may not be seen is a 404 with a
`detail`, and so is the whole directory for an account without a role.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from probity.core import audit
from probity.core.models import AuditAction, Employee, EmployeeAssignment, OrgUnit, OrgUnitKind
from probity.core.queries import people as queries

MAX_LIMIT = 200
DEFAULT_LIMIT = 50

employees_router = Router(tags=["directory"])
org_units_router = Router(tags=["directory"])


@contextmanager
def not_found_as_json() -> Iterator[None]:
    """A 404 that says what was not found (ninja's default answer is a bare "Not Found")."""
    try:
        yield
    except Http404 as exc:
        raise HttpError(404, str(exc) or "Not found") from None


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


def page_of(rows: QuerySet[Any], paging: Paging) -> tuple[int, list[Any]]:
    """The total and one slice of an ordered queryset: two statements however many rows."""
    return rows.count(), list(rows[paging.offset : paging.offset + paging.limit])


# Shapes


class UnitRef(Schema):
    id: int
    code: str
    name: str


class PersonRef(Schema):
    id: int
    employee_number: str
    full_name: str


class EmployeeSummaryOut(Schema):
    id: int
    employee_number: str
    full_name: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    position_title: str
    series: str
    grade: str
    law_enforcement: bool
    status: str
    current_org_unit: UnitRef | None
    current_duty_station: str | None = Field(description="Name of the current duty station, if any")


class EmployeePage(Schema):
    items: list[EmployeeSummaryOut]
    count: int


class AssignmentOut(Schema):
    org_unit: UnitRef
    duty_station: UnitRef | None
    supervisor: PersonRef | None
    start_date: dt.date
    end_date: dt.date | None


class EmployeeOut(EmployeeSummaryOut):
    entry_on_duty_date: dt.date | None
    separation_date: dt.date | None
    date_of_birth: dt.date | None = Field(
        None, description="Present only for administrators and adjudicators"
    )
    current_assignment: AssignmentOut | None
    assignments: list[AssignmentOut] = Field(description="Every assignment, newest first")


class EmployeeSearch(Paging):
    q: str = Field(
        "",
        max_length=queries.MAX_QUERY_LENGTH,
        description="Words to find in names or the employee number (every word must match)",
    )


class OrgUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgUnitKind
    city: str
    state: str
    active: bool
    depth: int = Field(description="1 for the agency, 2 for the units directly below it, …")
    parent_code: str | None


class OrgUnitPage(Schema):
    items: list[OrgUnitOut]
    count: int


def _unit(unit: OrgUnit | None) -> UnitRef | None:
    return UnitRef(id=unit.pk, code=unit.code, name=unit.name) if unit is not None else None


def _summary_fields(employee: Employee) -> dict[str, Any]:
    return {
        "id": employee.pk,
        "employee_number": employee.employee_number,
        "full_name": employee.full_name,
        "first_name": employee.first_name,
        "middle_name": employee.middle_name,
        "last_name": employee.last_name,
        "suffix": employee.suffix,
        "position_title": employee.position_title,
        "series": employee.series,
        "grade": employee.grade,
        "law_enforcement": employee.law_enforcement,
        "status": employee.status,
    }


def _summary(employee: Any) -> EmployeeSummaryOut:
    # The annotations of queries.with_current_assignment, None for anyone without an open assignment.
    unit_id = employee.current_org_unit_id
    current = (
        UnitRef(id=unit_id, code=employee.current_org_unit_code, name=employee.current_org_unit_name)
        if unit_id is not None
        else None
    )
    return EmployeeSummaryOut(
        **_summary_fields(employee),
        current_org_unit=current,
        current_duty_station=employee.current_duty_station_name,
    )


def _assignment(row: EmployeeAssignment) -> AssignmentOut:
    boss = row.supervisor
    return AssignmentOut(
        org_unit=UnitRef(id=row.org_unit.pk, code=row.org_unit.code, name=row.org_unit.name),
        duty_station=_unit(row.duty_station),
        supervisor=PersonRef(id=boss.pk, employee_number=boss.employee_number, full_name=boss.full_name)
        if boss is not None
        else None,
        start_date=row.start_date,
        end_date=row.end_date,
    )


# Endpoints


@employees_router.get(
    "",
    response=EmployeePage,
    summary="Search the workforce directory",
    description=(
        "Every OPR role may search; an account without a role gets a 404. Each call records a "
        "`search` event in the audit trail. Ordered by last name, first name, employee number."
    ),
)
def list_employees(request: HttpRequest, search: Query[EmployeeSearch]) -> EmployeePage:
    user = request.auth  # type: ignore[attr-defined]
    with not_found_as_json():
        queries.require_staff(user)
    q = " ".join(search.q.split()[: queries.MAX_TERMS])
    # The list never shows the date of birth, so it is neither read nor decrypted.
    employees = queries.with_current_assignment(queries.employees_matching(q)).defer("date_of_birth")
    count, rows = page_of(employees, search)
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(Employee),
        detail={
            "q": q,
            "limit": search.limit,
            "offset": search.offset,
            "results": count,
            "channel": "api",
        },
    )
    return EmployeePage(items=[_summary(employee) for employee in rows], count=count)


@employees_router.get(
    "/{employee_id}",
    response=EmployeeOut,
    exclude_unset=True,
    summary="One employee with their assignment history",
    description=(
        "Records a `view` event. `date_of_birth` is present only for administrators and "
        "adjudicators. A missing employee, or any employee for an account without a role, is a 404."
    ),
)
def get_employee(request: HttpRequest, employee_id: int) -> EmployeeOut:
    user = request.auth  # type: ignore[attr-defined]
    with not_found_as_json():
        employee = queries.get_employee_for(user, employee_id)
    history = [_assignment(row) for row in employee.history]  # type: ignore[attr-defined]
    current = next((row for row in history if row.end_date is None), None)
    fields: dict[str, Any] = {
        **_summary_fields(employee),
        "current_org_unit": current.org_unit if current else None,
        "current_duty_station": current.duty_station.name if current and current.duty_station else None,
        "entry_on_duty_date": employee.entry_on_duty_date,
        "separation_date": employee.separation_date,
        "current_assignment": current,
        "assignments": history,
    }
    # Left unset (so absent from the answer, not null) when the user may not see it; the
    # deferred field is then never loaded nor decrypted.
    if queries.may_see_date_of_birth(user):
        fields["date_of_birth"] = employee.date_of_birth
    return EmployeeOut(**fields)


@org_units_router.get(
    "",
    response=OrgUnitPage,
    summary="The organisation as a flat list, in tree order",
    description="Parents come before their children; `depth` and `parent_code` rebuild the tree.",
)
def list_org_units(request: HttpRequest, paging: Query[Paging]) -> OrgUnitPage:
    with not_found_as_json():
        queries.require_staff(request.auth)  # type: ignore[attr-defined]
    steplen = OrgUnit.steplen
    # A unit's parent is the unit whose path is its own minus the last step.
    parent = OrgUnit.objects.filter(
        path=Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * steplen)
    ).values("code")[:1]
    units = OrgUnit.objects.annotate(parent_code=Subquery(parent)).order_by("path")
    count, rows = page_of(units, paging)
    return OrgUnitPage(
        items=[
            OrgUnitOut(
                id=unit.pk,
                code=unit.code,
                name=unit.name,
                kind=OrgUnitKind(unit.kind),
                city=unit.city,
                state=unit.state,
                active=unit.active,
                depth=unit.depth,
                parent_code=unit.parent_code,
            )
            for unit in rows
        ],
        count=count,
    )
