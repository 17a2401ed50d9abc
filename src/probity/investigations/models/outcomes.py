"""Outcomes: prosecution referrals, discipline with the Douglas factors, and Giglio marks."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProsecutorKind(models.TextChoices):
    US_ATTORNEY = "us_attorney", "U.S. Attorney"
    STATE = "state", "State prosecutor"
    LOCAL = "local", "Local prosecutor"


class ProsecutionDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Disposition(models.TextChoices):
    PLEA = "plea", "Guilty plea"
    CONVICTION = "conviction", "Conviction"
    ACQUITTAL = "acquittal", "Acquittal"
    DISMISSAL = "dismissal", "Dismissal"


class ProsecutionReferral(models.Model):
    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="prosecutions")
    subject = models.ForeignKey("investigations.CaseParty", on_delete=models.PROTECT, related_name="+")
    prosecutor_kind = models.CharField(max_length=12, choices=ProsecutorKind.choices)
    prosecutor_office = models.CharField(max_length=200)
    presented_on = models.DateField()
    decision = models.CharField(
        max_length=10, choices=ProsecutionDecision.choices, default=ProsecutionDecision.PENDING
    )
    decided_on = models.DateField(null=True, blank=True)
    charges = models.TextField(blank=True)
    disposition = models.CharField(max_length=12, choices=Disposition.choices, blank=True)
    disposition_on = models.DateField(null=True, blank=True)
    sentence = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "presented_on", "pk"]

    def __str__(self) -> str:
        return f"{self.prosecutor_office} ({self.get_decision_display()})"


class Penalty(models.Model):
    """A penalty on the agency's scale, from counseling to removal (reference data)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    severity = models.PositiveSmallIntegerField(help_text="Orders the scale: higher is more severe")
    suspension_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["severity"]

    def __str__(self) -> str:
        return self.name


class Offense(models.Model):
    """One line of the table of offenses and penalties: the guide range for a first offense onward."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    category = models.ForeignKey(
        "intake.AllegationCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The allegation category it usually answers",
    )
    first_min = models.ForeignKey(Penalty, on_delete=models.PROTECT, related_name="+")
    first_max = models.ForeignKey(Penalty, on_delete=models.PROTECT, related_name="+")
    second_min = models.ForeignKey(Penalty, on_delete=models.PROTECT, related_name="+")
    second_max = models.ForeignKey(Penalty, on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class DisciplineStatus(models.TextChoices):
    REFERRED = "referred", "Referred to management"
    PROPOSED = "proposed", "Action proposed"
    REPLIED = "replied", "Employee replied"
    DECIDED = "decided", "Decided"
    APPEALED = "appealed", "Under appeal or arbitration"
    FINAL = "final", "Final"


class AppealForum(models.TextChoices):
    MSPB = "mspb", "Merit Systems Protection Board"
    ARBITRATION = "arbitration", "Arbitration"
    GRIEVANCE = "grievance", "Negotiated grievance"
    EEO = "eeo", "EEO complaint"


class DisciplineAction(models.Model):
    """Discipline for one employee on one case, from referral to final outcome (labor relations)."""

    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="discipline")
    employee = models.ForeignKey("core.Employee", on_delete=models.PROTECT, related_name="discipline_actions")
    allegations = models.ManyToManyField("investigations.CaseAllegation", related_name="discipline_actions")
    status = models.CharField(
        max_length=10, choices=DisciplineStatus.choices, default=DisciplineStatus.REFERRED
    )
    office = models.ForeignKey(
        "core.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The employee's office when referred; drives office scope",
    )
    referred_at = models.DateTimeField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offense = models.ForeignKey(Offense, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposing_official = models.ForeignKey(
        "core.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_penalty = models.ForeignKey(
        Penalty, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_on = models.DateField(null=True, blank=True)
    reply = models.TextField(blank=True)
    replied_on = models.DateField(null=True, blank=True)
    deciding_official = models.ForeignKey(
        "core.Employee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_penalty = models.ForeignKey(
        Penalty, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
    appeal_forum = models.CharField(max_length=12, choices=AppealForum.choices, blank=True)
    appeal_filed_on = models.DateField(null=True, blank=True)
    appeal_outcome = models.TextField(blank=True)
    final_penalty = models.ForeignKey(
        Penalty, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    final_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-referred_at"]
        indexes = [models.Index(fields=["offense", "status"], name="discipline_offense_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deciding_official__isnull=True)
                | models.Q(proposing_official__isnull=True)
                | ~models.Q(deciding_official=models.F("proposing_official")),
                name="discipline_two_officials",
            ),
        ]

    def __str__(self) -> str:
        return f"discipline {self.pk} for employee {self.employee_id}"


class DouglasFactor(models.IntegerChoices):
    NATURE = 1, "Nature and seriousness of the offense"
    JOB_LEVEL = 2, "Job level and type of employment"
    PAST_DISCIPLINE = 3, "Past disciplinary record"
    PAST_WORK = 4, "Past work record"
    CONFIDENCE = 5, "Effect on performance and supervisors' confidence"
    CONSISTENCY = 6, "Consistency with penalties imposed on other employees"
    TABLE = 7, "Consistency with the table of penalties"
    NOTORIETY = 8, "Notoriety and impact on the agency's reputation"
    NOTICE = 9, "Clarity of notice of the rule violated"
    REHABILITATION = 10, "Potential for rehabilitation"
    MITIGATION = 11, "Mitigating circumstances"
    ALTERNATIVES = 12, "Adequacy of alternative sanctions"


class FactorWeight(models.TextChoices):
    AGGRAVATING = "aggravating", "Aggravating"
    MITIGATING = "mitigating", "Mitigating"
    NEUTRAL = "neutral", "Neutral"


class DouglasAssessment(models.Model):
    """The deciding official's weighing of one Douglas factor."""

    action = models.ForeignKey(DisciplineAction, on_delete=models.PROTECT, related_name="douglas")
    factor = models.PositiveSmallIntegerField(choices=DouglasFactor.choices)
    weight = models.CharField(max_length=12, choices=FactorWeight.choices)
    explanation = models.TextField()

    class Meta:
        ordering = ["action", "factor"]
        constraints = [
            models.UniqueConstraint(fields=["action", "factor"], name="douglas_factor_once"),
            models.CheckConstraint(
                condition=models.Q(factor__gte=1, factor__lte=12), name="douglas_factor_range"
            ),
        ]

    def __str__(self) -> str:
        return f"factor {self.factor}: {self.weight}"


class GiglioReason(models.TextChoices):
    SUSTAINED_TRUTHFULNESS = "sustained_truthfulness", "Sustained finding on truthfulness"
    SUSTAINED_BIAS = "sustained_bias", "Sustained finding on bias"
    CRIMINAL_CHARGE = "criminal_charge", "Criminal charge"


class GiglioMark(models.Model):
    """Potential impeachment information on an employee, with its source (the oversight module reads it)."""

    employee = models.ForeignKey("core.Employee", on_delete=models.PROTECT, related_name="giglio_marks")
    reason = models.CharField(max_length=25, choices=GiglioReason.choices)
    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="giglio_marks")
    finding = models.ForeignKey(
        "investigations.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prosecution = models.ForeignKey(
        ProsecutionReferral, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["employee", "marked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding"], condition=models.Q(finding__isnull=False), name="giglio_once_per_finding"
            ),
            models.UniqueConstraint(
                fields=["prosecution"],
                condition=models.Q(prosecution__isnull=False),
                name="giglio_once_per_prosecution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} (employee {self.employee_id})"
