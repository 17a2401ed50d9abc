"""Dashboard panels for each role's work today, read from the workforce directory and the org tree.

Every count stays inside the user's office scope (the subtree of their office; the whole agency
when the scope is empty), and every panel costs a fixed number of queries however large the
agency. "Staff" means people with an open assignment who have not separated, as on the
organisation page. Registered from CoreConfig.ready().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr

from probity.core.dashboards import Panel, register_panel
from probity.core.models import (
    Employee,
    EmployeeAssignment,
    EmployeeStatus,
    OrgUnit,
    OrgUnitKind,
    Role,
)
from probity.core.models.org import OFFICE_KINDS
from probity.core.queries.people import org_units_with_counts

STAFF_ROLES = frozenset(Role.values)
NEWEST = 5
# Longer tables start folded, so that the dashboard stays a page of summaries.
FOLD_AFTER = 10
SEPARATED = EmployeeStatus.SEPARATED
# Office kinds in the order a table lists them.
OFFICE_KIND_ORDER = [kind for kind in OrgUnitKind if kind in OFFICE_KINDS]


def _scope(user: Any) -> OrgUnit | None:
    scope: OrgUnit | None = user.office_scope
    return scope


def _in_subtree(scope: OrgUnit | None, unit: str = "") -> Q:
    """Rows whose org unit (reached by the lookup `unit`, or the row itself) is inside `scope`."""
    if scope is None:
        return Q()
    return Q(**{f"{unit}{'__' if unit else ''}path__startswith": scope.path})


def _scope_context(user: Any) -> dict[str, Any]:
    return {"scope": _scope(user), "show_scope": True}


def employees_in_scope(user: Any) -> QuerySet[Employee]:
    """Everyone in the directory whose latest assignment is inside the user's scope.

    The latest, not only an open one, so that separated employees count where they last
    served. With an agency-wide scope everyone counts, including applicants who have no
    assignment yet.
    """
    employees = Employee.objects.all()
    scope = _scope(user)
    if scope is None:
        return employees
    latest = (
        EmployeeAssignment.objects.filter(employee=OuterRef("pk"))
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "-pk")
        .values("org_unit__path")[:1]
    )
    return employees.alias(latest_unit_path=Subquery(latest)).filter(latest_unit_path__startswith=scope.path)


def current_staff_assignments(user: Any) -> QuerySet[EmployeeAssignment]:
    """The open assignments in the user's scope of people who have not separated."""
    return (
        EmployeeAssignment.objects.filter(end_date__isnull=True)
        .exclude(employee__status=SEPARATED)
        .filter(_in_subtree(_scope(user), "org_unit"))
    )


def offices_with_counts(units: Q) -> list[OrgUnit]:
    """Active offices matching `units`, each with `employee_count` and `law_enforcement_count`."""
    law_enforcement = (
        EmployeeAssignment.objects.filter(
            org_unit=OuterRef("pk"), end_date__isnull=True, employee__law_enforcement=True
        )
        .exclude(employee__status=SEPARATED)
        .order_by()
        .values("org_unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    offices = (
        org_units_with_counts()
        .filter(units, kind__in=OFFICE_KINDS, active=True)
        .annotate(law_enforcement_count=Coalesce(Subquery(law_enforcement, output_field=IntegerField()), 0))
    )
    return list(offices)


def _offices_context(offices: list[OrgUnit], **extra: Any) -> dict[str, Any]:
    return {
        "offices": offices,
        "staff": sum(office.employee_count for office in offices),
        "fold": len(offices) > FOLD_AFTER,
        **extra,
    }


# Everyone with a role


def workforce_panel(user: Any) -> Panel:
    counts = employees_in_scope(user).aggregate(
        active=Count("pk", filter=Q(status=EmployeeStatus.ACTIVE)),
        law_enforcement=Count("pk", filter=Q(status=EmployeeStatus.ACTIVE, law_enforcement=True)),
        applicants=Count("pk", filter=Q(status=EmployeeStatus.APPLICANT)),
        contractors=Count("pk", filter=Q(status=EmployeeStatus.CONTRACTOR)),
        separated=Count("pk", filter=Q(status=SEPARATED)),
    )
    return Panel("Workforce in your scope", "core/panels/workforce.html", {**counts, **_scope_context(user)})


# Intake, agents and supervisors: offices and who works there


def intake_panel(user: Any) -> Panel:
    offices = offices_with_counts(_in_subtree(_scope(user)) & Q(kind=OrgUnitKind.FIELD_OFFICE))
    return Panel(
        "Joint Intake Center: field offices",
        "core/panels/offices.html",
        _offices_context(
            offices,
            caption="Field offices",
            lead="The field offices in your scope, each with the staff assigned to the office itself.",
            **_scope_context(user),
        ),
    )


def area_panel(user: Any) -> Panel:
    """Offices of every component in the state of the agent's own office."""
    scope = _scope(user)
    if scope is None or not scope.state:
        context = _offices_context(
            [],
            lead="Your account has no office with a state, so there is no area to show.",
            hide_empty=True,
        )
    else:
        context = _offices_context(
            offices_with_counts(Q(state=scope.state)),
            caption=f"Offices in {scope.state}",
            lead=f"Every component's offices in {scope.state}, the state of {scope.name}.",
        )
    return Panel("Offices in your area", "core/panels/offices.html", context)


def supervisor_panel(user: Any) -> Panel:
    offices = offices_with_counts(_in_subtree(_scope(user)))
    return Panel(
        "Staff by office",
        "core/panels/offices.html",
        _offices_context(
            offices,
            caption="Offices in your scope",
            lead="Staff assigned to each office in your scope.",
            **_scope_context(user),
        ),
    )


# Adjudicators and polygraph examiners: applicants


def applicants_panel(user: Any) -> Panel:
    applicants = employees_in_scope(user).filter(status=EmployeeStatus.APPLICANT).defer("date_of_birth")
    newest = list(applicants.order_by("-created_at", "-pk")[:NEWEST])
    return Panel(
        "Applicants in your scope",
        "core/panels/applicants.html",
        {"count": applicants.count(), "newest": newest, **_scope_context(user)},
    )


# Inspectors: the places there are to inspect


@dataclass(frozen=True)
class KindRow:
    label: str
    offices: int
    staff: int


def inspector_panel(user: Any) -> Panel:
    scope = _scope(user)
    units = dict(
        OrgUnit.objects.filter(_in_subtree(scope), kind__in=OFFICE_KINDS, active=True)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "n")
    )
    staff = dict(
        current_staff_assignments(user)
        .filter(org_unit__kind__in=OFFICE_KINDS, org_unit__active=True)
        .values("org_unit__kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("org_unit__kind", "n")
    )
    rows = [KindRow(kind.label, units.get(kind, 0), staff.get(kind, 0)) for kind in OFFICE_KIND_ORDER]
    return Panel("Offices by kind", "core/panels/office_kinds.html", {"rows": rows, **_scope_context(user)})


# Analysts and program managers: the workforce by component


@dataclass(frozen=True)
class ComponentRow:
    name: str
    staff: int
    law_enforcement: int
    contractors: int

    @property
    def law_enforcement_percent(self) -> int:
        return round(100 * self.law_enforcement / self.staff) if self.staff else 0


def staff_by_component(user: Any) -> list[ComponentRow]:
    """Current staff grouped by component: the unit at depth 2, directly under the agency.

    Two queries: the counts grouped by the first two steps of each unit's materialised path,
    then the names of those components.
    """
    prefix = Substr("org_unit__path", 1, 2 * OrgUnit.steplen)
    counts = list(
        current_staff_assignments(user)
        .annotate(component=prefix)
        .values("component")
        .annotate(
            staff=Count("pk"),
            law_enforcement=Count("pk", filter=Q(employee__law_enforcement=True)),
            contractors=Count("pk", filter=Q(employee__status=EmployeeStatus.CONTRACTOR)),
        )
        .order_by()
    )
    names = dict(
        OrgUnit.objects.filter(path__in=[row["component"] for row in counts]).values_list("path", "name")
    )
    rows = [
        ComponentRow(
            names.get(row["component"], "Unknown unit"),
            row["staff"],
            row["law_enforcement"],
            row["contractors"],
        )
        for row in counts
    ]
    return sorted(rows, key=lambda row: (-row.staff, row.name))


def analyst_panel(user: Any) -> Panel:
    rows = staff_by_component(user)
    return Panel(
        "Workforce by component",
        "core/panels/components.html",
        {"rows": rows, "staff": sum(row.staff for row in rows), **_scope_context(user)},
    )


def program_manager_panel(user: Any) -> Panel:
    rows = sorted(
        (row for row in staff_by_component(user) if row.law_enforcement),
        key=lambda row: (-row.law_enforcement, row.name),
    )
    return Panel(
        "Law-enforcement officers by component",
        "core/panels/officers_by_component.html",
        {"rows": rows, "officers": sum(row.law_enforcement for row in rows), **_scope_context(user)},
    )


# Giglio officials and labor/employee relations: law-enforcement employees by grade


@dataclass(frozen=True)
class GradeRow:
    grade: str
    employees: int


def _grade_order(grade: str) -> tuple[str, int, str]:
    # "GS-9" before "GS-12": the pay plan, then the grade as a number.
    match = re.fullmatch(r"([A-Za-z]+)-?(\d+)", grade.strip())
    if match is None:
        return (grade or "~", 0, grade)
    return (match.group(1).upper(), int(match.group(2)), grade)


def grades_panel(user: Any) -> Panel:
    scope = _scope(user)
    officers = Employee.objects.filter(status=EmployeeStatus.ACTIVE, law_enforcement=True)
    if scope is not None:
        officers = officers.filter(
            assignments__end_date__isnull=True, assignments__org_unit__path__startswith=scope.path
        )
    counts = officers.values("grade").annotate(n=Count("pk")).order_by().values_list("grade", "n")
    rows = [GradeRow(grade, n) for grade, n in sorted(counts, key=lambda pair: _grade_order(pair[0]))]
    return Panel(
        "Law-enforcement employees by grade",
        "core/panels/grades.html",
        {"rows": rows, "total": sum(row.employees for row in rows), **_scope_context(user)},
    )


# Each role's own panel before the workforce panel that every role shares.
register_panel(intake_panel, roles={Role.INTAKE})
register_panel(area_panel, roles={Role.AGENT})
register_panel(supervisor_panel, roles={Role.SUPERVISOR})
register_panel(applicants_panel, roles={Role.ADJUDICATOR, Role.POLYGRAPH})
register_panel(inspector_panel, roles={Role.INSPECTOR})
register_panel(analyst_panel, roles={Role.ANALYST})
register_panel(program_manager_panel, roles={Role.PROGRAM_MANAGER})
register_panel(grades_panel, roles={Role.GIGLIO, Role.LABOR_RELATIONS})
register_panel(workforce_panel, roles=STAFF_ROLES)
