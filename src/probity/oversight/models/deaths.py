"""Deaths in custody: the record whose clocks start at once, its review, and DCRA reporting."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CustodyAgency(models.TextChoices):
    ICE = "ICE", "U.S. Immigration and Customs Enforcement"
    CBP = "CBP", "U.S. Customs and Border Protection"


class DeathReviewStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class DeathInCustody(models.Model):
    """A death of a person in the agency's custody, with the fields the DCRA report asks for."""

    number = models.CharField(max_length=24, unique=True)
    name = models.CharField(max_length=200)
    sex = models.CharField(max_length=20, blank=True)
    race = models.CharField(max_length=60, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    country = models.CharField(max_length=100, blank=True, help_text="Country of citizenship")
    date_of_death = models.DateField()
    time_of_death = models.TimeField(null=True, blank=True)
    place_of_death = models.CharField(max_length=300, blank=True, help_text="Where the death occurred")
    facility_name = models.CharField(max_length=300, blank=True)
    facility_location = models.CharField(max_length=200, blank=True)
    facility_type = models.CharField(max_length=60, blank=True, help_text="IGSA, CDF, SPC, hold room, ...")
    office = models.ForeignKey(
        "core.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agency = models.CharField(max_length=5, choices=CustodyAgency.choices)
    circumstances = models.TextField(blank=True)
    cause = models.TextField(blank=True, help_text="Cause of death when known")
    incident = models.OneToOneField(
        "oversight.CriticalIncident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="death_record",
    )
    reported_at = models.DateTimeField(help_text="When OPR learned of the death: the clocks start here")
    source_system = models.CharField(max_length=30, blank=True)
    source_reference = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date_of_death"]
        verbose_name_plural = "deaths in custody"
        indexes = [models.Index(fields=["agency", "date_of_death"], name="death_agency_date_idx")]

    def __str__(self) -> str:
        return f"{self.number}: {self.name}"


class DeathReview(models.Model):
    """OPR's review of a death: facts, compliance with the detention standards, findings."""

    death = models.OneToOneField(DeathInCustody, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standards = models.CharField(
        max_length=100, blank=True, help_text="Detention standards in force at the facility (e.g. PBNDS 2011)"
    )
    facts = models.TextField(blank=True)
    compliance = models.TextField(
        blank=True, help_text="Compliance with those standards, standard by standard"
    )
    findings = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=DeathReviewStatus.choices, default=DeathReviewStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"review of {self.death_id}"
