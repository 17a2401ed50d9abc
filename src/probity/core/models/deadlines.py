"""Clocks: named deadline rules (configuration) and the deadlines services start from them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class DeadlineUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", "Calendar days"
    BUSINESS_DAYS = "business_days", "Federal business days"
    HOURS = "hours", "Hours"


class DeadlineRule(models.Model):
    """A named time limit whose duration an administrator may change; seeded from a fixture."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=15, choices=DeadlineUnit.choices)
    source = models.CharField(max_length=200, blank=True, help_text="Where the limit comes from")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="deadlinerule_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(unit__in=[c.value for c in DeadlineUnit]), name="deadlinerule_unit_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount} {self.get_unit_display().lower()})"


class Deadline(models.Model):
    rule = models.ForeignKey(DeadlineRule, on_delete=models.PROTECT, related_name="deadlines")
    title = models.CharField(max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    office = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["owner", "met_at", "due_at"], name="deadline_owner_idx"),
            models.Index(fields=["office", "met_at", "due_at"], name="deadline_office_idx"),
            models.Index(fields=["content_type", "object_id"], name="deadline_record_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_at__gte=models.F("started_at")), name="deadline_due_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} due {self.due_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None
