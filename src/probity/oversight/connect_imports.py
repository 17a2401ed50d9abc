"""The imports part's connections: `probity import incidents` (called at start-up)."""

from __future__ import annotations


def connect() -> None:
    """Register the `incidents` kind with core's import framework."""
    from probity.core import imports
    from probity.oversight.imports import IncidentImporter

    imports.register(IncidentImporter)
