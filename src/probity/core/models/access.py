"""Compartments (restricted records), their grants, and assignment of users to records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Compartment(models.Model):
    """A restricted set of records (e.g. a sensitive case); seen only with an explicit grant."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CompartmentGrant(models.Model):
    compartment = models.ForeignKey(Compartment, on_delete=models.PROTECT, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="compartment_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    granted_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["compartment", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="compartmentgrant_one_open_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.compartment_id}"


class RecordAssignment(models.Model):
    """A user explicitly assigned to one record (of any sensitive model)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_assignments"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    role = models.CharField(max_length=50, blank=True, help_text="e.g. lead agent, reviewer")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    assigned_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "user"], name="recordassignment_lookup_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                condition=models.Q(ended_at__isnull=True),
                name="recordassignment_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.content_type_id}:{self.object_id}"
