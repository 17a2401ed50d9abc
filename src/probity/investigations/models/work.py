"""Investigative work: the plan, the activity log and interviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlanStep(models.Model):
    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="plan_steps")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "due_date", "pk"]

    def __str__(self) -> str:
        return self.description


class ActivityKind(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    RECORDS_CHECK = "records_check", "Records check"
    SUBPOENA = "subpoena", "Subpoena or record request"
    SURVEILLANCE = "surveillance", "Surveillance"
    FORENSIC = "forensic", "Forensic examination"
    CONSULTATION = "consultation", "Consultation"
    OTHER = "other", "Other"


class Activity(models.Model):
    """One entry in the activity log; files attach to it through core's FileAttachment."""

    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(max_length=15, choices=ActivityKind.choices)
    occurred_on = models.DateField()
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["case", "occurred_on", "pk"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on}"


class Warning(models.TextChoices):
    """The rights warning given to an employee before the interview."""

    KALKINES = "kalkines", "Kalkines (compelled administrative interview)"
    GARRITY = "garrity", "Garrity (voluntary, criminal exposure)"
    MIRANDA = "miranda", "Miranda (custodial criminal interview)"
    BECKWITH = "beckwith", "Beckwith (non-custodial criminal interview)"
    NONE = "none", "None (not an employee, or no warning required)"


class Interview(models.Model):
    """An interview: always also an Activity of kind interview, which carries its log entry."""

    SENSITIVE_FIELDS = ("summary",)

    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="interview")
    interviewee = models.ForeignKey(
        "investigations.CaseParty", on_delete=models.PROTECT, related_name="interviews"
    )
    interviewee_role = models.CharField(max_length=12)  # the party's role at the time of the interview
    started_at = models.DateTimeField()
    place = models.CharField(max_length=300)
    participants = models.TextField(help_text="Everyone present: interviewers, representative, interpreter")
    warning = models.CharField(max_length=10, choices=Warning.choices)
    warning_form = models.ForeignKey(
        "core.StoredFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The signed warning form",
    )
    recording = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    transcript = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField()

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warning__in=Warning.values), name="interview_warning_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"interview of party {self.interviewee_id} at {self.started_at:%Y-%m-%d}"
