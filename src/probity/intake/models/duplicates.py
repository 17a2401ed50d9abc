"""Suggested duplicates and related allegations, with their score, reasons and the human decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    LINKED = "linked", "Linked"
    DISMISSED = "dismissed", "Dismissed"


class DuplicateSuggestion(models.Model):
    allegation = models.ForeignKey("intake.Allegation", on_delete=models.CASCADE, related_name="suggestions")
    candidate = models.ForeignKey("intake.Allegation", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list, help_text="e.g. same subject employee, similar narrative (0.82)")
    method = models.CharField(max_length=40, help_text="Matcher and version that proposed it")
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.SUGGESTED
    )
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["allegation", "candidate"], name="duplicatesuggestion_pair_once"),
            models.CheckConstraint(
                condition=~models.Q(allegation=models.F("candidate")), name="duplicatesuggestion_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allegation_id} ~ {self.candidate_id} ({self.score:.2f})"
