"""Reads of the workforce directory and the organisation tree, for OPR staff only.

Every OPR role may search the directory (case forms need people pickers); an account without
a role gets a 404. Dates of birth are shown only to administrators and adjudicators. Each
search and each view of an employee's page leaves an audit event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from probity.core import audit
from probity.core.models import AuditAction, Employee, EmployeeAssignment, EmployeeStatus, OrgUnit, Role

PAGE_SIZE = 25
MAX_TERMS = 6
MAX_QUERY_LENGTH = 100
DATE_OF_BIRTH_ROLES = frozenset({Role.ADMINISTRATOR, Role.ADJUDICATOR})


def is_staff_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.roles)


def require_staff(user: Any) -> None:
    # 404, not 403: to an account without a role the directory does not exist.
    if not is_staff_member(user):
        raise Http404("No such page")


def may_see_date_of_birth(user: Any) -> bool:
    return is_staff_member(user) and user.has_role(*DATE_OF_BIRTH_ROLES)


def with_current_assignment(queryset: QuerySet[Employee]) -> QuerySet[Employee]:
    """Annotate each employee with their open assignment's units (at most one, by constraint).

    Plain annotations rather than select_related: an employee with no open assignment (an
    applicant, a separated employee) then reads as None instead of lacking the attribute.
    """
    return queryset.annotate(
        current=FilteredRelation("assignments", condition=Q(assignments__end_date__isnull=True)),
        current_org_unit_id=F("current__org_unit_id"),
        current_org_unit_name=F("current__org_unit__name"),
        current_org_unit_code=F("current__org_unit__code"),
        current_duty_station_name=F("current__duty_station__name"),
    )


def _terms(q: str) -> list[str]:
    return q[:MAX_QUERY_LENGTH].split()[:MAX_TERMS]


def employees_matching(q: str) -> QuerySet[Employee]:
    """Employees whose name parts or employee number contain every word of `q`."""
    employees = Employee.objects.all()
    for term in _terms(q):
        employees = employees.filter(
            Q(first_name__icontains=term)
            | Q(middle_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(employee_number__icontains=term)
        )
    return employees


def search_employees(user: Any, q: str, page: Any = 1) -> Page[Employee]:
    """One page of the directory matching `q` (everyone when empty); the search is audited."""
    require_staff(user)
    q = " ".join(_terms(q))
    # The list never shows the date of birth, so it is neither read nor decrypted.
    employees = with_current_assignment(employees_matching(q)).defer("date_of_birth")
    result = Paginator(employees, PAGE_SIZE).get_page(page)
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(Employee),
        detail={"q": q, "page": result.number, "results": result.paginator.count},
    )
    return result


def get_employee_for(user: Any, pk: int) -> Employee:
    """One employee with their assignment history, or 404; the view is audited."""
    require_staff(user)
    history = EmployeeAssignment.objects.select_related("org_unit", "duty_station", "supervisor").order_by(
        "-start_date"
    )
    queryset = Employee.objects.prefetch_related(Prefetch("assignments", queryset=history, to_attr="history"))
    if not may_see_date_of_birth(user):
        queryset = queryset.defer("date_of_birth")
    try:
        employee = queryset.get(pk=pk)
    except Employee.DoesNotExist:
        raise Http404("No such employee") from None
    audit.record(
        AuditAction.VIEW,
        actor=user,
        obj=employee,
        detail={"date_of_birth_shown": may_see_date_of_birth(user)},
    )
    return employee


@dataclass
class OrgNode:
    """One unit of the tree with the people assigned to it and to everything below it."""

    unit: OrgUnit
    employee_count: int
    children: list[OrgNode] = field(default_factory=list)
    subtree_count: int = 0

    def walk(self) -> Iterator[OrgNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def org_units_with_counts() -> QuerySet[OrgUnit]:
    """Every unit with the number of current, not separated, employees assigned to it: one query."""
    current = (
        EmployeeAssignment.objects.filter(org_unit=OuterRef("pk"), end_date__isnull=True)
        .exclude(employee__status=EmployeeStatus.SEPARATED)
        .order_by()
        .values("org_unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    units: QuerySet[OrgUnit] = OrgUnit.objects.annotate(
        employee_count=Coalesce(Subquery(current, output_field=IntegerField()), 0)
    ).order_by("path")
    return units


def org_tree(user: Any) -> list[OrgNode]:
    """The agency as nested nodes, roots first, children by name (materialised path order)."""
    require_staff(user)
    steplen = OrgUnit.steplen
    roots: list[OrgNode] = []
    by_path: dict[str, OrgNode] = {}
    for unit in org_units_with_counts():
        node = OrgNode(unit, unit.employee_count)
        by_path[unit.path] = node
        parent = by_path.get(unit.path[:-steplen])
        (parent.children if parent is not None else roots).append(node)
    # Children come after their parents in path order, so sums run in reverse.
    for node in reversed(list(by_path.values())):
        node.subtree_count = node.employee_count + sum(child.subtree_count for child in node.children)
    return roots
