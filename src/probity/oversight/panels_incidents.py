"""The incidents part's dashboard panels and navigation entries, registered from `connect_incidents`."""

from __future__ import annotations

from typing import Any

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.oversight import queries_incidents as queries
from probity.oversight.models import IncidentStatus
from probity.oversight.services.board import agency_today

PANEL_SIZE = 5
S = IncidentStatus


def waiting_panel(user: Any) -> dashboards.Panel:
    """The program manager's queue: incidents waiting for a reviewer, the review, a prosecutor, the board."""
    counts = queries.waiting_counts(user)
    rows = [
        {"status": status, "label": S(status).label, "count": counts[status]} for status in queries.WAITING
    ]
    return dashboards.Panel("Critical incidents", "oversight/incidents/panel_waiting.html", {"rows": rows})


def overdue_panel(user: Any) -> dashboards.Panel:
    """Board recommendations past their due date."""
    overdue = queries.overdue_recommendations(user)
    return dashboards.Panel(
        "Overdue board recommendations",
        "oversight/board/panel_overdue.html",
        {"count": overdue.count(), "recommendations": list(overdue[:PANEL_SIZE])},
    )


def my_recommendations_panel(user: Any) -> dashboards.Panel | None:
    """The open recommendations the user owns (no panel for those who own none)."""
    mine = queries.my_recommendations(user).filter(completed_at__isnull=True)
    rows = list(mine[: PANEL_SIZE + 1])
    if not rows:
        return None
    return dashboards.Panel(
        "My board recommendations",
        "oversight/board/panel_mine.html",
        {"recommendations": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE, "today": agency_today()},
    )


def reviewing_panel(user: Any) -> dashboards.Panel | None:
    """Incidents under the user's review (no panel for those who review none)."""
    rows = list(
        queries.incident_list(
            user,
            filters=queries.IncidentFilters(reviewer=queries.ME, statuses=tuple(sorted(queries.WAITING))),
        )[: PANEL_SIZE + 1]
    )
    if not rows:
        return None
    return dashboards.Panel(
        "Incidents I review",
        "oversight/incidents/panel_reviewing.html",
        {"incidents": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE, "agency_tz": agency_time_zone()},
    )


def register() -> None:
    """Add the panels and navigation entries (once, however often it is called)."""
    if any(item.url_name == "incident-list" for item in NAVIGATION):
        return
    dashboards.register_panel(waiting_panel, roles={Role.PROGRAM_MANAGER})
    dashboards.register_panel(overdue_panel, roles={Role.PROGRAM_MANAGER})
    dashboards.register_panel(reviewing_panel)
    dashboards.register_panel(my_recommendations_panel)
    NAVIGATION.append(
        NavItem("Incidents", "incident-list", frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR}))
    )
    NAVIGATION.append(NavItem("Review board", "board-meeting-list", frozenset({Role.PROGRAM_MANAGER})))
