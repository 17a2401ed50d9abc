"""Investigations' dashboard panels and navigation entries, registered once from `integration.connect()`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.investigations import queries

PANEL_SIZE = 5


def _context(**extra: Any) -> dict[str, Any]:
    now = timezone.now()
    soon = now + dt.timedelta(days=queries.warning_days())
    return {"now": now, "soon": soon, "agency_tz": agency_time_zone(), **extra}


def my_cases_panel(user: Any) -> dashboards.Panel:
    """The open cases the agent leads or works on, nearest age target first."""
    cases = queries.my_cases(user)
    return dashboards.Panel(
        "My cases",
        "investigations/panel_my_cases.html",
        _context(count=cases.count(), cases=list(cases.prefetch_related(None)[:PANEL_SIZE])),
    )


def my_case_deadlines_panel(user: Any) -> dashboards.Panel:
    """Open clocks on the agent's cases, soonest first."""
    deadlines = queries.my_case_deadlines(user)
    return dashboards.Panel(
        "Deadlines on my cases",
        "investigations/panel_case_deadlines.html",
        _context(count=deadlines.count(), deadlines=list(deadlines[:PANEL_SIZE])),
    )


def approaching_panel(user: Any) -> dashboards.Panel:
    """Cases in the supervisor's scope near (or past) their case-age target."""
    cases = queries.approaching_target(user)
    return dashboards.Panel(
        "Cases approaching the age target",
        "investigations/panel_approaching.html",
        _context(
            count=cases.count(),
            cases=list(cases[:PANEL_SIZE]),
            warning_days=queries.warning_days(),
        ),
    )


def caseload_panel(user: Any) -> dashboards.Panel:
    """Open cases per office in the supervisor's scope."""
    return dashboards.Panel(
        "Caseload by office", "investigations/panel_caseload.html", _context(load=queries.caseload(user))
    )


def register() -> None:
    """Add the panels and navigation entries (once, however often it is called)."""
    if any(item.url_name == "case-list" for item in NAVIGATION):
        return
    dashboards.register_panel(my_cases_panel, roles={Role.AGENT})
    dashboards.register_panel(my_case_deadlines_panel, roles={Role.AGENT})
    dashboards.register_panel(approaching_panel, roles={Role.SUPERVISOR})
    dashboards.register_panel(caseload_panel, roles={Role.SUPERVISOR})
    NAVIGATION.append(NavItem("Cases", "case-list", frozenset({Role.AGENT, Role.SUPERVISOR})))
    NAVIGATION.append(NavItem("Caseload", "caseload", frozenset({Role.SUPERVISOR})))
