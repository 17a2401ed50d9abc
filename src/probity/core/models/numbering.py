"""Counters behind human-readable record numbers such as JIC-2026-000123."""

from __future__ import annotations

from django.db import models


class NumberSequence(models.Model):
    prefix = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="numbersequence_prefix_year")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
