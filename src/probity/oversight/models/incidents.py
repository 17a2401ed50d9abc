"""Critical incidents (use of force, deaths, serious injuries, pursuits) and their review."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IncidentKind(models.TextChoices):
    LESS_LETHAL = "less_lethal", "Use of force: less-lethal"
    FIREARM = "firearm_discharge", "Use of force: firearm discharge"
    VEHICLE = "vehicle", "Use of force: vehicle"
    CANINE = "canine", "Use of force: canine"
    PHYSICAL = "physical", "Use of force: physical"
    DEATH = "death_in_custody", "Death in custody"
    SERIOUS_INJURY = "serious_injury", "Serious injury"
    PURSUIT = "vehicle_pursuit", "Vehicle pursuit"
    OTHER = "other", "Other"


class IncidentStatus(models.TextChoices):
    REPORTED = "reported", "Reported"
    UNDER_REVIEW = "under_review", "Under review"
    AWAITING_PROSECUTION = "awaiting_prosecution", "Awaiting the prosecution decision"
    BOARD_PENDING = "board_pending", "Awaiting the review board"
    DETERMINED = "determined", "Determined by the board"
    CLOSED = "closed", "Closed"


class CriticalIncident(models.Model):
    """One incident. Imported ones keep their source system and identifier (re-imports match)."""

    SENSITIVE_FIELDS = ("narrative",)

    number = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=20, choices=IncidentKind.choices)
    status = models.CharField(max_length=25, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED)
    occurred_at = models.DateTimeField()
    place = models.CharField(max_length=300, blank=True)
    office = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=300)
    narrative = models.TextField(blank=True)
    training_discharge = models.BooleanField(default=False, help_text="A firearm discharge in training")
    serious_injury = models.BooleanField(default=False)
    death = models.BooleanField(default=False)
    responders = models.TextField(blank=True, help_text="Who responded")
    notified_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facts = models.TextField(blank=True, help_text="The reviewer's documented facts")
    allegations = models.ManyToManyField("intake.Allegation", blank=True, related_name="incidents")
    cases = models.ManyToManyField("investigations.Case", blank=True, related_name="incidents")
    compartment = models.ForeignKey(
        "core.Compartment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_system = models.CharField(max_length=20, blank=True, help_text="e.g. chicago-trr, seattle-uof")
    source_reference = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["kind", "occurred_at"], name="incident_kind_idx"),
            models.Index(fields=["status", "occurred_at"], name="incident_status_idx"),
            models.Index(fields=["office", "status"], name="incident_office_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=IncidentKind.values), name="incident_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=IncidentStatus.values), name="incident_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.summary}"

    @property
    def meets_board_criteria(self) -> bool:
        """Serious injury, death, or any firearm discharge outside training (DOMAIN.md)."""
        firearm = self.kind == IncidentKind.FIREARM and not self.training_discharge
        return self.serious_injury or self.death or firearm


class IncidentEmployee(models.Model):
    """An employee involved: from the directory, or as the source system names them."""

    incident = models.ForeignKey(CriticalIncident, on_delete=models.CASCADE, related_name="employees")
    employee = models.ForeignKey(
        "core.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.CharField(max_length=60, blank=True, help_text="The officer's id in the source data")
    description = models.CharField(max_length=300, blank=True, help_text="Rank, unit, as reported")
    actions = models.TextField(blank=True, help_text="What the employee did")
    injured = models.BooleanField(default=False)

    class Meta:
        ordering = ["incident", "pk"]

    def __str__(self) -> str:
        return self.description or self.source_id or str(self.employee_id)


class IncidentSubject(models.Model):
    """A person force was used on, or who died or was hurt."""

    incident = models.ForeignKey(CriticalIncident, on_delete=models.CASCADE, related_name="subjects")
    source_id = models.CharField(max_length=60, blank=True)
    description = models.CharField(max_length=300, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=20, blank=True)
    race = models.CharField(max_length=60, blank=True)
    injured = models.BooleanField(default=False)
    injuries = models.TextField(blank=True)
    armed = models.BooleanField(null=True)
    weapon = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["incident", "pk"]

    def __str__(self) -> str:
        return self.description or self.source_id or f"subject {self.pk}"


class ForceUsed(models.Model):
    """One action, weapon or device used (by an employee) or met (from a subject)."""

    incident = models.ForeignKey(CriticalIncident, on_delete=models.CASCADE, related_name="force")
    by_employee = models.ForeignKey(
        IncidentEmployee, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    by_subject = models.BooleanField(default=False, help_text="An action of the subject, not of an employee")
    action = models.CharField(max_length=120, help_text="e.g. TASER, OC spray, takedown, firearm")
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["incident", "pk"]
        verbose_name_plural = "force used"

    def __str__(self) -> str:
        return self.action


class BoardMeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"


class BoardMeeting(models.Model):
    """A meeting of the use-of-force review board."""

    held_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=BoardMeetingStatus.choices, default=BoardMeetingStatus.SCHEDULED
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="board_meetings", blank=True)
    minutes = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Review board, {self.held_on:%Y-%m-%d}"


class Determination(models.TextChoices):
    WITHIN_POLICY = "within_policy", "Within policy"
    NOT_WITHIN_POLICY = "not_within_policy", "Not within policy"
    POSSIBLE_MISCONDUCT = "possible_misconduct", "Possible misconduct (referred to intake)"


class AgendaItem(models.Model):
    """An incident on a meeting's agenda, and the board's determination on it."""

    meeting = models.ForeignKey(BoardMeeting, on_delete=models.PROTECT, related_name="agenda")
    incident = models.ForeignKey(CriticalIncident, on_delete=models.PROTECT, related_name="agenda_items")
    determination = models.CharField(max_length=20, choices=Determination.choices, blank=True)
    rationale = models.TextField(blank=True)
    referral = models.ForeignKey(
        "intake.Allegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The allegation intake received for possible misconduct",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "incident"], name="agenda_incident_once")]

    def __str__(self) -> str:
        return f"{self.incident_id} at meeting {self.meeting_id}"


class RecommendationKind(models.TextChoices):
    TACTICS = "tactics", "Tactics"
    TRAINING = "training", "Training"
    POLICY = "policy", "Policy"
    EQUIPMENT = "equipment", "Equipment"


class Recommendation(models.Model):
    """A board recommendation, tracked to completion with an owner and a due date."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="recommendations")
    kind = models.CharField(max_length=10, choices=RecommendationKind.choices)
    text = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"
