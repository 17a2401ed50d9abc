"""PREA tracks: the steps and clocks 6 CFR 115 sets for a sexual abuse allegation."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PreaOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", "Substantiated"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"


class FacilityType(models.TextChoices):
    HOLDING = "holding", "Holding facility (CBP)"
    DETENTION = "detention", "Immigration detention facility (ICE)"
    OTHER = "other", "Other"


class PreaTrack(models.Model):
    """One PREA-flagged allegation's track, from immediate reporting to the detainee's notice."""

    allegation = models.OneToOneField(
        "intake.Allegation", on_delete=models.PROTECT, related_name="prea_track"
    )
    facility_type = models.CharField(
        max_length=10, choices=FacilityType.choices, default=FacilityType.HOLDING
    )
    facility_name = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField()
    reporting_confirmed_at = models.DateTimeField(null=True, blank=True)
    reporting_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accused_removed_at = models.DateTimeField(
        null=True, blank=True, help_text="The accused employee removed from contact with detainees"
    )
    accused_restored_at = models.DateTimeField(null=True, blank=True)
    monitoring_started_at = models.DateTimeField(null=True, blank=True)
    monitoring_ended_at = models.DateTimeField(null=True, blank=True)
    segregation_started_at = models.DateTimeField(null=True, blank=True)
    segregation_ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=PreaOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    detainee_notified_at = models.DateTimeField(null=True, blank=True)
    notification_note = models.TextField(blank=True, help_text="How the detainee was told")
    notification_file = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"PREA track of allegation {self.allegation_id}"


class MonitoringCheck(models.Model):
    """One retaliation-monitoring contact with the victim (or reporter)."""

    track = models.ForeignKey(PreaTrack, on_delete=models.PROTECT, related_name="checks")
    checked_on = models.DateField()
    retaliation_found = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["track", "checked_on"]

    def __str__(self) -> str:
        return f"check on {self.checked_on}"
