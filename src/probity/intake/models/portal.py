"""What the public portal keeps: the receipt behind a tracking code, and later additions."""

from __future__ import annotations

from django.db import models


class PublicSubmission(models.Model):
    """The receipt of a public complaint. The passphrase is stored only as a hash (SHA-256 of a
    system-made secret of about 97 bits; receipts from before kept their Argon2 hash)."""

    allegation = models.OneToOneField(
        "intake.Allegation", on_delete=models.PROTECT, related_name="public_submission"
    )
    tracking_code = models.CharField(max_length=20, unique=True)
    passphrase_hash = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    submitted_at = models.DateTimeField()
    via_api = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.tracking_code


class PublicFollowUp(models.Model):
    """Information a complainant added later with their tracking code and passphrase."""

    submission = models.ForeignKey(PublicSubmission, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.TextField(blank=True)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at"]

    def __str__(self) -> str:
        return f"follow-up to {self.submission_id}"
