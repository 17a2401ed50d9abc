"""The giglio part's connections: panels, navigation, hooks, imports, demo (called at start-up)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role

PANEL_SIZE = 5
NAV_NAME = "giglio-request-list"


def giglio_panel(user: Any) -> dashboards.Panel:
    """Open requests whose answer is due soon or overdue, soonest first."""
    from probity.oversight import queries_giglio

    now = timezone.now()
    rows = queries_giglio.due_soon(user, now)
    shown = list(rows[:PANEL_SIZE])
    return dashboards.Panel(
        "Giglio requests due",
        "oversight/giglio/panel.html",
        {
            "count": rows.count(),
            "overdue": rows.filter(Q(due_at__lt=now)).count(),
            "rows": [{"request": row, "overdue": queries_giglio.is_overdue(row, now)} for row in shown],
            "days": queries_giglio.DUE_SOON_DAYS,
            "agency_tz": agency_time_zone(),
        },
    )


def connect() -> None:
    """Register the giglio part's panels, hooks, imports and demo extension (once)."""
    if any(item.url_name == NAV_NAME for item in NAVIGATION):
        return
    from probity.core import demo
    from probity.oversight.demo_giglio import load_giglio

    dashboards.register_panel(giglio_panel, roles={Role.GIGLIO})
    NAVIGATION.append(NavItem("Giglio requests", NAV_NAME, frozenset({Role.GIGLIO})))
    demo.register_extension("oversight-giglio", load_giglio)
