"""The prea part's connections: panels, navigation, hooks, imports, demo (called at start-up)."""

from __future__ import annotations


def connect() -> None:
    """Register the prea part's panels, hooks, imports and demo extension."""
