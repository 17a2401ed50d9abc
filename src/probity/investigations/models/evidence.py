"""Evidence and its chain of custody: transfers are appended, never edited or deleted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class EvidenceKind(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    DIGITAL = "digital", "Digital"
    DOCUMENT = "document", "Document"
    AUDIO_VIDEO = "audio_video", "Audio/video"


class EvidenceStatus(models.TextChoices):
    IN_CUSTODY = "in_custody", "In custody"
    DISPOSAL_PENDING = "disposal_pending", "Release or destruction awaiting approval"
    RELEASED = "released", "Released"
    DESTROYED = "destroyed", "Destroyed"


class EvidenceItem(models.Model):
    """One item of evidence. For a digital file, `sha256` is its hash when collected."""

    case = models.ForeignKey("investigations.Case", on_delete=models.PROTECT, related_name="evidence")
    number = models.CharField(max_length=20, help_text="Exhibit number within the case, e.g. E-003")
    description = models.TextField()
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    source = models.CharField(max_length=300, help_text="Where or from whom it was obtained")
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    collected_at = models.DateTimeField()
    storage_location = models.CharField(max_length=300)
    file = models.ForeignKey(
        "core.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sha256 = models.CharField(max_length=64, blank=True)
    custodian = models.CharField(max_length=200, help_text="Who holds it now (from the last transfer)")
    status = models.CharField(
        max_length=20, choices=EvidenceStatus.choices, default=EvidenceStatus.IN_CUSTODY
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="evidence_number_per_case"),
            models.CheckConstraint(
                condition=models.Q(kind__in=EvidenceKind.values), name="evidence_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EvidenceStatus.values), name="evidence_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(file__isnull=True) | ~models.Q(sha256=""), name="evidence_file_has_hash"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.description[:60]}"


class CustodyIsAppendOnly(Exception):
    """An attempt to change or remove a link in the chain of custody."""


class CustodyQuerySet(models.QuerySet["CustodyTransfer"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise CustodyIsAppendOnly("Links of the chain of custody cannot be deleted.")


class CustodyTransfer(models.Model):
    """One link in the chain of custody. Append-only: the model and its queryset refuse deletes and
    edits; database triggers refuse UPDATE (and DELETE on PostgreSQL; SQLite keeps DELETE for
    Django's test flush)."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody")
    sequence = models.PositiveIntegerField()
    from_custodian = models.CharField(max_length=200)
    to_custodian = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    condition = models.CharField(max_length=300)
    transferred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CustodyQuerySet.as_manager()

    class Meta:
        ordering = ["item", "sequence"]
        constraints = [models.UniqueConstraint(fields=["item", "sequence"], name="custody_sequence_once")]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.sequence}: {self.from_custodian} → {self.to_custodian}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise CustodyIsAppendOnly("A custody transfer cannot be edited; record a new transfer instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise CustodyIsAppendOnly("A custody transfer cannot be deleted.")


class DisposalKind(models.TextChoices):
    RELEASE = "release", "Release"
    DESTRUCTION = "destruction", "Destruction"


class DisposalRequest(models.Model):
    """Release or destruction of an item: requested by an agent, approved by a supervisor."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="disposals")
    kind = models.CharField(max_length=12, choices=DisposalKind.choices)
    reason = models.TextField()
    released_to = models.CharField(max_length=200, blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved = models.BooleanField(null=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of item {self.item_id}"
