"""Findings per allegation, the supervisor's sufficiency review and the report of investigation."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FindingOutcome(models.TextChoices):
    SUSTAINED = "sustained", "Sustained"
    NOT_SUSTAINED = "not_sustained", "Not sustained"
    UNFOUNDED = "unfounded", "Unfounded"
    EXONERATED = "exonerated", "Exonerated"
    POLICY_FAILURE = "policy_failure", "Policy failure"
    NOT_INVOLVED = "not_involved", "Not involved"


class Finding(models.Model):
    """The finding on one case allegation, with the evidence relied on and the rationale."""

    allegation = models.OneToOneField(
        "investigations.CaseAllegation", on_delete=models.PROTECT, related_name="finding"
    )
    outcome = models.CharField(max_length=15, choices=FindingOutcome.choices)
    rationale = models.TextField()
    evidence = models.ManyToManyField("investigations.EvidenceItem", blank=True, related_name="findings")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=FindingOutcome.values), name="finding_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()


class ChecklistItem(models.Model):
    """One question of the sufficiency-review checklist (reference data, admin-editable)."""

    code = models.SlugField(max_length=60, unique=True)
    text = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.text


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for more work"


class SufficiencyReview(models.Model):
    """One round of supervisory review; every round is kept."""

    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "round"]
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="review_round_once")]

    def __str__(self) -> str:
        return f"review {self.round} of case {self.case_id}"


class ReviewAnswer(models.Model):
    review = models.ForeignKey(SufficiencyReview, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    met = models.BooleanField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "item__sort_order"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="review_answer_once")]

    def __str__(self) -> str:
        return f"{self.item_id}: {'met' if self.met else 'not met'}"


class ReportVersion(models.Model):
    """One generated Report of Investigation: both formats, stored by hash; drafts are watermarked."""

    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField()
    draft = models.BooleanField()
    pdf = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    docx = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="report_version_once")]

    def __str__(self) -> str:
        return f"report v{self.version} of case {self.case_id}"
