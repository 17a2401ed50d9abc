"""The prea part's connections: panels, navigation, hooks, imports, demo (called at start-up)."""

from __future__ import annotations

from typing import Any

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.models import Role

PANEL_SIZE = 5
NAV_URL = "prea-track-list"


def attention_panel(user: Any) -> dashboards.Panel:
    """Open PREA tracks with a clock overdue, due soon or past its minimum, most urgent first."""
    from django.utils import timezone

    from probity.core.deadlines import agency_time_zone
    from probity.oversight import queries_prea

    now = timezone.now()
    rows = queries_prea.needing_attention(user, now)
    return dashboards.Panel(
        "PREA tracks: clocks to watch",
        "oversight/prea/panel_attention.html",
        {"count": len(rows), "rows": rows[:PANEL_SIZE], "now": now, "agency_tz": agency_time_zone()},
    )


def connect() -> None:
    """Register the prea part's hook into intake, panel, navigation entry and demo (once)."""
    from probity.core import demo
    from probity.intake import hooks
    from probity.oversight import demo_prea
    from probity.oversight.services.prea import on_allegation_recorded

    hooks.register_recorded(on_allegation_recorded)  # idempotent: registered once
    demo.register_extension("oversight-prea", demo_prea.load_prea)
    if any(item.url_name == NAV_URL for item in NAVIGATION):
        return
    dashboards.register_panel(attention_panel, roles={Role.PROGRAM_MANAGER})
    NAVIGATION.append(NavItem("PREA", NAV_URL, frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})))
