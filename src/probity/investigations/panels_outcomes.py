"""Outcomes' dashboard panel and navigation entry for labor and employee relations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.models import Role
from probity.investigations import queries_outcomes
from probity.investigations.queries_outcomes import AWAITING_DECISION, AWAITING_PROPOSAL

PANEL_SIZE = 5


def discipline_panel(user: Any) -> dashboards.Panel:
    """Actions waiting for a proposal or a decision, oldest referral first."""
    waiting = queries_outcomes.discipline_queue(user, status="all").filter(
        status__in=(*AWAITING_PROPOSAL, *AWAITING_DECISION)
    )
    counts = dict(waiting.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return dashboards.Panel(
        "Discipline awaiting action",
        "investigations/panel_discipline.html",
        {
            "proposals": sum(counts.get(status, 0) for status in AWAITING_PROPOSAL),
            "decisions": sum(counts.get(status, 0) for status in AWAITING_DECISION),
            "oldest": list(waiting[:PANEL_SIZE]),
            "now": timezone.now(),
        },
    )


def register() -> None:
    """Add the panel and the navigation entry (once, however often it is called)."""
    if any(item.url_name == "discipline-queue" for item in NAVIGATION):
        return
    dashboards.register_panel(discipline_panel, roles={Role.LABOR_RELATIONS})
    NAVIGATION.append(NavItem("Discipline", "discipline-queue", frozenset({Role.LABOR_RELATIONS})))
