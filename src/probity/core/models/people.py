"""The workforce directory: employees and their assignments over time."""

from __future__ import annotations

import datetime as dt

from django.db import models

from probity.core.fields import EncryptedDateField


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SEPARATED = "separated", "Separated"
    APPLICANT = "applicant", "Applicant"
    CONTRACTOR = "contractor", "Contractor"


class Employee(models.Model):
    """A person in the agency's workforce (or an applicant or contractor)."""

    SENSITIVE_FIELDS = ("date_of_birth",)

    employee_number = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    suffix = models.CharField(max_length=10, blank=True)
    date_of_birth = EncryptedDateField(null=True, blank=True)
    position_title = models.CharField(max_length=150, blank=True)
    series = models.CharField(max_length=4, blank=True, help_text="OPM occupational series, e.g. 1811")
    grade = models.CharField(max_length=10, blank=True, help_text="Pay plan and grade, e.g. GS-13")
    law_enforcement = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    entry_on_duty_date = models.DateField(null=True, blank=True)
    separation_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "employee_number"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="employee_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[c.value for c in EmployeeStatus]),
                name="employee_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(separation_date__isnull=True)
                | models.Q(entry_on_duty_date__isnull=True)
                | models.Q(separation_date__gte=models.F("entry_on_duty_date")),
                name="employee_separation_after_eod",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_number})"

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(part for part in parts if part)

    def assignment_as_of(self, day: dt.date) -> EmployeeAssignment | None:
        return (
            self.assignments.filter(start_date__lte=day)
            .filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=day))
            .select_related("org_unit", "duty_station", "supervisor")
            .order_by("-start_date")
            .first()
        )


class EmployeeAssignment(models.Model):
    """Where an employee worked and for whom, from start_date to end_date (open while current)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="assignments")
    org_unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    duty_station = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    supervisor = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="supervised_assignments", null=True, blank=True
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["employee", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=models.Q(end_date__isnull=True),
                name="employee_one_current_assignment",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("employee")),
                name="assignment_not_own_supervisor",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "end_date"], name="assignment_unit_idx")]

    def __str__(self) -> str:
        return f"{self.employee_id} at {self.org_unit_id} from {self.start_date}"
