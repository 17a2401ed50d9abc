"""The allegation: one record per report, whatever its channel, with its people."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from probity.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    WEB = "web", "Public web portal"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    MAIL = "mail", "Mail"
    WALK_IN = "walk_in", "Walk-in"
    OIG_HOTLINE = "oig_hotline", "DHS OIG hotline"
    SELF_REPORT = "self_report", "Employee self-report"
    SUPERVISOR = "supervisor", "Supervisor referral"
    POLYGRAPH = "polygraph", "Polygraph admission"
    PERSONNEL_SECURITY = "personnel_security", "Background investigation result"
    ANALYTICS = "analytics", "Analytics lead"
    OTHER_AGENCY = "other_agency", "Other agency"
    IMPORT = "import", "Imported record"


class AllegationStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGED = "triaged", "Triaged"
    OIG_PENDING = "oig_pending", "Awaiting OIG answer"
    OIG_ACCEPTED = "oig_accepted", "Accepted by OIG"
    CLOSURE_PENDING = "closure_pending", "Closure awaiting approval"
    ROUTED = "routed", "Routed"
    CLOSED = "closed", "Closed"


class PublicStatus(models.TextChoices):
    """The coarse status a complainant may see with their tracking code and passphrase."""

    RECEIVED = "received", "Received"
    UNDER_REVIEW = "under_review", "Under review"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


class Seriousness(models.TextChoices):
    CRIMINAL = "criminal", "Criminal"
    SERIOUS_ADMINISTRATIVE = "serious_administrative", "Serious administrative"
    MINOR_ADMINISTRATIVE = "minor_administrative", "Minor administrative"
    NOT_MISCONDUCT = "not_misconduct", "Not misconduct"


class RoutingOutcome(models.TextChoices):
    INVESTIGATION_CRIMINAL = "investigation_criminal", "OPR criminal investigation"
    INVESTIGATION_ADMINISTRATIVE = "investigation_administrative", "OPR administrative investigation"
    INVESTIGATION_JOINT = "investigation_joint", "OPR joint criminal and administrative investigation"
    MANAGEMENT_INQUIRY = "management_inquiry", "Management inquiry / referral to management"
    FACT_FINDER = "fact_finder", "Fact finder"
    CRITICAL_INCIDENT_REVIEW = "critical_incident_review", "Critical incident review"
    INFORMATION_ONLY = "information_only", "Information only"
    CLOSED_NO_ACTION = "closed_no_action", "Closed with no action"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class SelfReportKind(models.TextChoices):
    ARREST = "arrest", "Arrest"
    CITATION = "citation", "Citation"
    DETENTION = "detention", "Detention"
    INDICTMENT = "indictment", "Indictment"


class PersonRole(models.TextChoices):
    SUBJECT = "subject", "Subject"
    WITNESS = "witness", "Witness"
    COMPLAINANT = "complainant", "Complainant"


class AllegationGroup(models.Model):
    """Allegations linked as one incident: each keeps its sources; they are routed together."""

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"group {self.pk}"


class Allegation(models.Model):
    SENSITIVE_FIELDS = ("narrative",)

    number = models.CharField(max_length=20, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AllegationStatus.choices, default=AllegationStatus.RECEIVED
    )
    seriousness = models.CharField(max_length=25, choices=Seriousness.choices, blank=True)
    summary = models.CharField(max_length=200)
    narrative = models.TextField(blank=True)
    categories = models.ManyToManyField("intake.AllegationCategory", blank=True, related_name="allegations")
    incident_date = models.DateField(null=True, blank=True)
    incident_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    incident_end_date = models.DateField(null=True, blank=True)
    incident_place = models.CharField(max_length=300, blank=True)
    office = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The office or port concerned; drives office scope",
    )
    prea = models.BooleanField(default=False)
    use_of_force = models.BooleanField(default=False)
    self_report_kind = models.CharField(max_length=12, choices=SelfReportKind.choices, blank=True)
    arrest_category = models.ForeignKey(
        "intake.ArrestCategory", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compartment = models.ForeignKey(
        "core.Compartment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        AllegationGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="allegations"
    )
    routing_outcome = models.CharField(max_length=30, choices=RoutingOutcome.choices, blank=True)
    routing_rationale = models.TextField(blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    source_reference = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text="Identifier in the source system (import or referring module); re-imports match on it",
    )
    language = models.CharField(max_length=8, blank=True, help_text="Language of a public submission")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="allegation_queue_idx"),
            models.Index(fields=["office", "status"], name="allegation_office_idx"),
            models.Index(fields=["channel", "received_at"], name="allegation_channel_idx"),
            models.Index(fields=["incident_date"], name="allegation_incident_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AllegationStatus.values), name="allegation_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="allegation_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(incident_end_date__isnull=True)
                | models.Q(incident_date__isnull=True)
                | models.Q(incident_end_date__gte=models.F("incident_date")),
                name="allegation_incident_end_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AllegationStatus.ROUTED) | ~models.Q(routing_outcome=""),
                name="allegation_routed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.summary}"

    @property
    def public_status(self) -> str:
        return {
            AllegationStatus.RECEIVED: PublicStatus.RECEIVED,
            AllegationStatus.TRIAGED: PublicStatus.UNDER_REVIEW,
            AllegationStatus.OIG_PENDING: PublicStatus.UNDER_REVIEW,
            AllegationStatus.CLOSURE_PENDING: PublicStatus.UNDER_REVIEW,
            AllegationStatus.OIG_ACCEPTED: PublicStatus.REFERRED,
            AllegationStatus.ROUTED: PublicStatus.REFERRED,
            AllegationStatus.CLOSED: PublicStatus.CLOSED,
        }[AllegationStatus(self.status)]


class AllegationPerson(models.Model):
    """A subject, witness or complainant: a directory employee, or described when unidentified."""

    SENSITIVE_FIELDS = ("contact",)

    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="people")
    role = models.CharField(max_length=12, choices=PersonRole.choices)
    employee = models.ForeignKey(
        "core.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="allegation_roles"
    )
    name = models.CharField(max_length=200, blank=True)
    badge_number = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True, help_text="For an unidentified person: what was seen")
    anonymous = models.BooleanField(default=False)
    contact = EncryptedTextField(blank=True, help_text="Email, phone or address; encrypted at rest")
    contact_preference = models.CharField(max_length=20, blank=True)
    source_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["allegation", "role", "pk"]
        indexes = [models.Index(fields=["employee", "role"], name="allegationperson_employee_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=PersonRole.values), name="allegationperson_role_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(role=PersonRole.SUBJECT)
                | models.Q(employee__isnull=False)
                | ~models.Q(name="")
                | ~models.Q(description="")
                | ~models.Q(badge_number=""),
                name="allegationperson_subject_identified_or_described",
            ),
        ]

    def __str__(self) -> str:
        who = self.name or (str(self.employee_id) if self.employee_id else "unidentified")
        return f"{self.get_role_display()}: {who}"
