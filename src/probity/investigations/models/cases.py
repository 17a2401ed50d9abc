"""The case: opened from routed allegations (or directly by a supervisor), its team and parties."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from probity.core.fields import EncryptedTextField


class CaseType(models.TextChoices):
    CRIMINAL = "criminal", "Criminal"
    ADMINISTRATIVE = "administrative", "Administrative"
    JOINT = "joint", "Joint criminal and administrative"


class CaseStatus(models.TextChoices):
    OPENED = "opened", "Opened"
    INVESTIGATING = "investigating", "Investigating"
    ABEYANCE = "abeyance", "Held in abeyance"
    PROSECUTION = "prosecution", "Referred for prosecution"
    REPORT_DRAFTING = "report_drafting", "Report drafting"
    SUFFICIENCY_REVIEW = "sufficiency_review", "Sufficiency review"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


class CaseOrigin(models.TextChoices):
    ROUTED = "routed", "Routed from intake"
    DIRECT = "direct", "Opened directly by a supervisor"


class Case(models.Model):
    """One investigation. Numbered per OPR field office and fiscal year (OPR-TUC-2027-000042)."""

    SENSITIVE_FIELDS = ("synopsis",)

    number = models.CharField(max_length=40, unique=True)
    office = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The OPR field office that owns the case; drives office scope and numbering",
    )
    fiscal_year = models.PositiveSmallIntegerField()
    case_type = models.CharField(max_length=15, choices=CaseType.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPENED)
    title = models.CharField(max_length=200)
    synopsis = models.TextField(blank=True)
    origin = models.CharField(max_length=10, choices=CaseOrigin.choices)
    opening_reason = models.TextField(
        blank=True, help_text="Required when a supervisor opens a case directly"
    )
    allegations = models.ManyToManyField(
        "intake.Allegation", through="CaseSource", related_name="cases", blank=True
    )
    lead_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The field office supervisor responsible for the case",
    )
    compartment = models.ForeignKey(
        "core.Compartment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Restricted cases (a senior official or an OPR employee is a subject)",
    )
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    source_reference = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["office", "status"], name="case_office_status_idx"),
            models.Index(fields=["lead_agent", "status"], name="case_lead_status_idx"),
            models.Index(fields=["status", "opened_at"], name="case_status_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(case_type__in=CaseType.values), name="case_type_valid"),
            models.CheckConstraint(
                condition=~models.Q(origin=CaseOrigin.DIRECT) | ~models.Q(opening_reason=""),
                name="case_direct_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.title}"


class CaseSource(models.Model):
    """A routed intake allegation that the case investigates."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="sources")
    allegation = models.ForeignKey("intake.Allegation", on_delete=models.PROTECT, related_name="case_sources")
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "allegation"], name="casesource_once")]

    def __str__(self) -> str:
        return f"{self.case_id} ← allegation {self.allegation_id}"


class CaseEvent(models.Model):
    """The case's own history: status changes, conversions and reopenings with their reasons.

    The audit trail holds every write; this is the part the case page shows.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20)  # transition / conversion / assignment / note
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value} → {self.to_value}"


class MemberRole(models.TextChoices):
    LEAD = "lead", "Lead agent"
    TEAM = "team", "Team member"


class CaseMember(models.Model):
    """An agent on the case team, from assignment to release (also a RecordAssignment for access)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_memberships"
    )
    role = models.CharField(max_length=10, choices=MemberRole.choices)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "role", "assigned_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="casemember_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.user_id} on case {self.case_id}"


class PartyRole(models.TextChoices):
    SUBJECT = "subject", "Subject"
    WITNESS = "witness", "Witness"
    COMPLAINANT = "complainant", "Complainant"


class CaseParty(models.Model):
    """A person in the case: an employee from the directory, or someone outside the agency."""

    SENSITIVE_FIELDS = ("contact",)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=12, choices=PartyRole.choices)
    employee = models.ForeignKey(
        "core.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="case_roles"
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    contact = EncryptedTextField(blank=True, help_text="Phone, email, address; encrypted at rest")
    source_person = models.ForeignKey(
        "intake.AllegationPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "role", "pk"]
        indexes = [models.Index(fields=["employee", "role"], name="caseparty_employee_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=PartyRole.values), name="caseparty_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(employee__isnull=False) | ~models.Q(name="") | ~models.Q(description=""),
                name="caseparty_identified_or_described",
            ),
        ]

    def __str__(self) -> str:
        return self.name or (str(self.employee) if self.employee_id else "unidentified")


class PartyRoleChange(models.Model):
    """The role history of a party (a witness who becomes a subject, and so on)."""

    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="role_history")
    from_role = models.CharField(max_length=12, choices=PartyRole.choices, blank=True)
    to_role = models.CharField(max_length=12, choices=PartyRole.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["party", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_role or '—'} → {self.to_role}"


class CaseAllegation(models.Model):
    """One allegation against one subject in one category: the unit that gets a finding."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_allegations")
    subject = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="case_allegations")
    category = models.ForeignKey("intake.AllegationCategory", on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        "intake.Allegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The intake allegation it was carried over from; empty when added during the case",
    )
    description = models.TextField(blank=True)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "subject", "category"], name="caseallegation_once"),
        ]

    def __str__(self) -> str:
        return f"allegation {self.pk} ({self.category_id}) against party {self.subject_id}"
