"""The incidents part's connections: panels, navigation, hooks, imports, demo (called at start-up)."""

from __future__ import annotations


def connect() -> None:
    """Register the incidents part's panels, navigation entries and demo extension."""
    from probity.core import demo
    from probity.oversight import demo_incidents, panels_incidents

    panels_incidents.register()
    demo.register_extension("oversight-incidents", demo_incidents.load_incidents)
