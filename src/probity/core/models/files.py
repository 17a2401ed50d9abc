"""Content-addressed files and the records they are attached to."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class StoredFile(models.Model):
    """One stored blob, named by the SHA-256 of its content; the same content is stored once."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, help_text="Detected from the content")
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.sha256


class FileAttachment(models.Model):
    """A stored file attached to a record, under the name its uploader gave it."""

    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="attachments")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    filename = models.CharField(max_length=255)
    description = models.CharField(max_length=500, blank=True)
    attached_at = models.DateTimeField()
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["attached_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="fileattachment_record_idx")]

    def __str__(self) -> str:
        return self.filename
