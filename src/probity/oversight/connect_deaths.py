"""The deaths part's connections: panels, navigation, hooks, imports, demo (called at start-up)."""

from __future__ import annotations


def connect() -> None:
    """Register the deaths part's panels, hooks, imports and demo extension."""
