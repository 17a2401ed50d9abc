"""Progress that a background task reports, for a page to show."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TaskProgress(models.Model):
    task_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 100 if self.finished_at else 0
        return min(100, round(100 * self.done / self.total))
