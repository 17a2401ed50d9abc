"""Intake's part of `probity seed-demo`: a lived-in year of allegations (placeholder)."""

from __future__ import annotations


def connect() -> None:
    """Register intake's demo extension (from IntakeConfig.ready())."""
