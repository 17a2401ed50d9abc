"""Services for the workforce directory: employees and their assignments over time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction, Employee, EmployeeAssignment, EmployeeStatus, OrgUnit

# What the audit trail holds instead of an encrypted value: the trail is readable by auditors
# and hashed for ever, so it must never carry the date of birth itself.
ENCRYPTED = "<encrypted>"

# Fields an administrator may change with update_employee; assignments change through
# assign_employee so that their history is kept.
EDITABLE_FIELDS = frozenset(
    {
        "employee_number",
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "date_of_birth",
        "position_title",
        "series",
        "grade",
        "law_enforcement",
        "status",
        "entry_on_duty_date",
        "separation_date",
    }
)
AUDITED_FIELDS = tuple(sorted(EDITABLE_FIELDS))
# Longest supervisor chain walked when looking for a loop; real chains are under a dozen deep.
MAX_CHAIN = 500


def agency_today() -> dt.date:
    """Today's date where the agency keeps its calendar (not UTC's, which turns at 7 or 8 pm)."""
    return timezone.localdate(timezone=ZoneInfo(settings.PROBITY_AGENCY_TIME_ZONE))


def audit_value(field: str, value: Any) -> Any:
    """A field's value as the audit trail may hold it."""
    if field in Employee.SENSITIVE_FIELDS:
        return ENCRYPTED if value not in (None, "") else None
    return value


def audit_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {name: [old, new]}, sensitive values masked (the change itself shows)."""
    return {
        name: [audit_value(name, before.get(name)), audit_value(name, value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def employee_values(employee: Employee) -> dict[str, Any]:
    return {name: getattr(employee, name) for name in AUDITED_FIELDS}


def _require(actor: Any, permission: str) -> None:
    # actor=None is the system itself (management commands run by the operator).
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(f"Only an administrator may do this ({permission})")


def _check_supervisor(employee: Employee, supervisor: Employee | None) -> None:
    """Refuse a supervisor who is the employee or is supervised, however indirectly, by them."""
    if supervisor is None:
        return
    if employee.pk is not None and supervisor.pk == employee.pk:
        raise ValidationError({"supervisor": "An employee cannot be their own supervisor."})
    if employee.pk is None:
        return
    seen = {supervisor.pk}
    current: int | None = supervisor.pk
    for _ in range(MAX_CHAIN):
        if current is None:
            return
        current = (
            EmployeeAssignment.objects.filter(employee_id=current, end_date__isnull=True)
            .values_list("supervisor_id", flat=True)
            .first()
        )
        if current is None:
            return
        if current == employee.pk:
            loop = f"{supervisor} is supervised, directly or not, by {employee}: that would be a loop."
            raise ValidationError({"supervisor": loop})
        if current in seen:
            return  # an existing loop elsewhere; not this change's doing
        seen.add(current)


def _assignment_summary(assignment: EmployeeAssignment | None) -> dict[str, Any] | None:
    if assignment is None:
        return None
    return {
        "org_unit": assignment.org_unit.code,
        "duty_station": assignment.duty_station.code if assignment.duty_station else None,
        "supervisor": assignment.supervisor.employee_number if assignment.supervisor else None,
        "start_date": assignment.start_date,
        "end_date": assignment.end_date,
    }


def create_employee(
    *,
    actor: Any,
    employee_number: str,
    first_name: str,
    last_name: str,
    middle_name: str = "",
    suffix: str = "",
    date_of_birth: dt.date | None = None,
    position_title: str = "",
    series: str = "",
    grade: str = "",
    law_enforcement: bool = False,
    status: str = EmployeeStatus.ACTIVE,
    entry_on_duty_date: dt.date | None = None,
    separation_date: dt.date | None = None,
    org_unit: OrgUnit | None = None,
    duty_station: OrgUnit | None = None,
    supervisor: Employee | None = None,
    start_date: dt.date | None = None,
) -> Employee:
    """Add a person to the directory and, given an org unit, their first assignment."""
    _require(actor, "core.add_employee")
    if org_unit is None and (duty_station is not None or supervisor is not None):
        raise ValidationError({"org_unit": "An assignment needs an org unit."})
    employee = Employee(
        employee_number=employee_number.strip(),
        first_name=first_name.strip(),
        middle_name=middle_name.strip(),
        last_name=last_name.strip(),
        suffix=suffix.strip(),
        date_of_birth=date_of_birth,  # type: ignore[misc]  # an encrypted TextField holding a date
        position_title=position_title.strip(),
        series=series.strip(),
        grade=grade.strip(),
        law_enforcement=law_enforcement,
        status=status,
        entry_on_duty_date=entry_on_duty_date,
        separation_date=separation_date,
    )
    employee.full_clean()
    with transaction.atomic():
        employee.save()
        changes = audit_changes({}, employee_values(employee))
        if org_unit is not None:
            _check_supervisor(employee, supervisor)
            assignment = EmployeeAssignment.objects.create(
                employee=employee,
                org_unit=org_unit,
                duty_station=duty_station,
                supervisor=supervisor,
                start_date=start_date or entry_on_duty_date or agency_today(),
            )
            changes["assignment"] = [None, _assignment_summary(assignment)]
        audit.record(AuditAction.CREATE, actor=actor, obj=employee, changes=changes)
    return employee


def update_employee(*, actor: Any, employee: Employee, **changes: Any) -> Employee:
    """Change directory fields; records the changed fields (the date of birth only as changed)."""
    _require(actor, "core.change_employee")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            f"These fields cannot be changed here: {', '.join(sorted(unknown))}"
            " (assignments change through assign_employee)"
        )
    with transaction.atomic():
        current = Employee.objects.select_for_update().get(pk=employee.pk)
        before = employee_values(current)
        for name, value in changes.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        current.full_clean()
        after = employee_values(current)
        changed = audit_changes(before, after)
        if not changed:
            return current
        current.save(update_fields=[*(name for name in after if before[name] != after[name]), "updated_at"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=current, changes=changed)
    return current


def assign_employee(
    *,
    actor: Any,
    employee: Employee,
    org_unit: OrgUnit,
    start_date: dt.date,
    duty_station: OrgUnit | None = None,
    supervisor: Employee | None = None,
) -> EmployeeAssignment:
    """Move an employee: the open assignment ends the day before `start_date`, a new one opens."""
    _require(actor, "core.change_employee")
    _check_supervisor(employee, supervisor)
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        previous = (
            # of=self: PostgreSQL cannot lock the nullable side of the joins (duty station, supervisor).
            EmployeeAssignment.objects.select_for_update(of=("self",))
            .select_related("org_unit", "duty_station", "supervisor")
            .filter(employee=employee, end_date__isnull=True)
            .order_by()
            .first()
        )
        if previous is not None:
            if start_date <= previous.start_date:
                raise ValidationError(
                    {
                        "start_date": f"The new assignment must start after the current one, "
                        f"which started on {previous.start_date.isoformat()}."
                    }
                )
            previous.end_date = start_date - dt.timedelta(days=1)
            previous.save(update_fields=["end_date"])
        assignment = EmployeeAssignment(
            employee=employee,
            org_unit=org_unit,
            duty_station=duty_station,
            supervisor=supervisor,
            start_date=start_date,
        )
        assignment.full_clean()
        assignment.save()
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=employee,
            changes={"assignment": [_assignment_summary(previous), _assignment_summary(assignment)]},
            detail={
                "assignment_id": assignment.pk,
                "closed_assignment_id": previous.pk if previous else None,
            },
        )
    return assignment


def employee_assignment_as_of(*, employee: Employee, day: dt.date) -> EmployeeAssignment | None:
    """Where the employee worked, and for whom, on `day` (None if nowhere)."""
    return employee.assignment_as_of(day)
