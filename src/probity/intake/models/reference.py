"""Reference data for intake: the allegation taxonomy and the employee-arrest categories."""

from __future__ import annotations

from django.db import models


class Impeachment(models.TextChoices):
    """Whether a sustained finding in the category is potential impeachment (Giglio) information."""

    NONE = "", "No"
    TRUTHFULNESS = "truthfulness", "Reflects on truthfulness"
    BIAS = "bias", "Reflects on bias"


class AllegationCategory(models.Model):
    """One kind of misconduct in the office's taxonomy; seeded from a fixture, editable by an admin."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    default_seriousness = models.CharField(max_length=25, blank=True)
    prea = models.BooleanField(default=False, help_text="Sexual abuse or assault: starts the PREA clocks")
    use_of_force = models.BooleanField(default=False)
    impeachment = models.CharField(
        max_length=12,
        choices=Impeachment.choices,
        blank=True,
        help_text="A sustained finding in this category marks the employee for Giglio review",
    )
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "allegation categories"

    def __str__(self) -> str:
        return self.name


class ArrestCategory(models.Model):
    """How an employee's self-reported arrest, citation, detention or indictment is coded."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "arrest categories"

    def __str__(self) -> str:
        return self.name
