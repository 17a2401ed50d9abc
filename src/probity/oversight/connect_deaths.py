"""The deaths part's connections: panels, navigation, hooks, imports, demo (called at start-up)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role

PANEL_SIZE = 5
NAV_URL = "death-list"


def open_clocks_panel(user: Any) -> dashboards.Panel:
    """Deaths in custody with open clocks, the soonest due first (the program manager's watch)."""
    from probity.oversight import queries_deaths

    deaths = queries_deaths.first_due_per_death(user)
    now: dt.datetime = timezone.now()
    return dashboards.Panel(
        "Deaths in custody: open clocks",
        "oversight/deaths/panel_clocks.html",
        {
            "count": deaths.count(),
            "deaths": list(deaths[:PANEL_SIZE]),
            "now": now,
            "agency_tz": agency_time_zone(),
        },
    )


def connect() -> None:
    """Register the deaths part's panels, hooks, imports and demo extension (once)."""
    if any(item.url_name == NAV_URL for item in NAVIGATION):
        return
    from probity.core import demo
    from probity.oversight import demo_deaths, imports_deaths

    dashboards.register_panel(open_clocks_panel, roles={Role.PROGRAM_MANAGER})
    NAVIGATION.append(
        NavItem("Deaths in custody", NAV_URL, frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR}))
    )
    imports_deaths.connect()
    demo.register_extension("oversight-deaths", demo_deaths.load_deaths)
