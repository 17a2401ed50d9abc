"""Per-address request counters for the public portal, shared by every web process."""

from __future__ import annotations

from django.db import models


class PortalRateCounter(models.Model):
    """How many requests of one kind one address made in one fixed time window.

    The address is kept only as a keyed hash: the counter needs to tell addresses apart, not
    to know them.
    """

    scope = models.CharField(max_length=20)
    client_key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client_key", "window_start"], name="portalratecounter_one_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="portalratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.scope} {self.client_key[:8]}… {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"
