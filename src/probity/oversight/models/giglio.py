"""Giglio/Henthorn requests: a prosecutor asks about an employee witness; the Giglio official answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class GiglioStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    COMPILED = "compiled", "Compiled, awaiting the Giglio official's approval"
    RELEASED = "released", "Response released"
    WITHDRAWN = "withdrawn", "Withdrawn"


class GiglioRequest(models.Model):
    number = models.CharField(max_length=24, unique=True)
    prosecutor_office = models.CharField(max_length=200)
    requesting_official = models.CharField(max_length=200)
    prosecutor_case = models.CharField(max_length=200, help_text="The prosecution's case name or number")
    employee = models.ForeignKey("core.Employee", on_delete=models.PROTECT, related_name="giglio_requests")
    needed_by = models.DateField()
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=GiglioStatus.choices, default=GiglioStatus.RECEIVED)
    giglio_official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    compiled_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    letter = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.number


class ItemKind(models.TextChoices):
    SUSTAINED_FINDING = "sustained_finding", "Sustained finding on truthfulness or bias"
    CRIMINAL_CHARGE = "criminal_charge", "Criminal charge and disposition"
    PENDING_INVESTIGATION = "pending_investigation", "Pending investigation"
    JUDICIAL_FINDING = "judicial_finding", "Judicial finding"


class CompiledItem(models.Model):
    """One piece of potential impeachment information found for the request, with its source."""

    request = models.ForeignKey(GiglioRequest, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=25, choices=ItemKind.choices)
    summary = models.TextField()
    mark = models.ForeignKey(
        "investigations.GiglioMark", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "investigations.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    judicial_finding = models.ForeignKey(
        "oversight.JudicialFinding", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    include = models.BooleanField(default=True, help_text="The Giglio official's decision to disclose it")

    class Meta:
        ordering = ["request", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.request_id}"


class JudicialFinding(models.Model):
    """A court's finding that the employee testified untruthfully or acted unlawfully."""

    employee = models.ForeignKey("core.Employee", on_delete=models.PROTECT, related_name="judicial_findings")
    court = models.CharField(max_length=200)
    case_reference = models.CharField(max_length=200)
    found_on = models.DateField()
    finding = models.TextField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["employee", "-found_on"]

    def __str__(self) -> str:
        return f"{self.court}, {self.found_on}"
