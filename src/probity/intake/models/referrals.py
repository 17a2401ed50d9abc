"""The DHS OIG's right of first refusal: a referral and its answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OigAnswer(models.TextChoices):
    PENDING = "pending", "Awaiting answer"
    ACCEPTED = "accepted", "Accepted by OIG"
    DECLINED = "declined", "Declined by OIG"
    RETURNED = "returned", "Returned by OIG for agency action"


class OigReferral(models.Model):
    allegation = models.ForeignKey(
        "intake.Allegation", on_delete=models.PROTECT, related_name="oig_referrals"
    )
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.ForeignKey(
        "core.Deadline", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.CharField(max_length=10, choices=OigAnswer.choices, default=OigAnswer.PENDING)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    oig_reference = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["allegation"],
                condition=models.Q(answer="pending"),
                name="oigreferral_one_pending_per_allegation",
            ),
            models.CheckConstraint(
                condition=models.Q(answer__in=OigAnswer.values), name="oigreferral_answer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"OIG referral of {self.allegation_id} ({self.answer})"
