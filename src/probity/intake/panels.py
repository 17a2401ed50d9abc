"""Intake's dashboard panels and navigation entries, registered once from `IntakeConfig.ready()`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.intake import queries
from probity.intake.models import AllegationStatus
from probity.intake.queries import ASSIGNED_TO_ME, OPEN_STATUSES, QueueFilters

PANEL_SIZE = 5


def intake_panel(user: Any) -> dashboards.Panel:
    """The queue at a glance, what is assigned to me, and OIG answers past due."""
    now = timezone.now()
    mine = queries.allegation_queue(
        user, filters=QueueFilters(statuses=OPEN_STATUSES, assigned=ASSIGNED_TO_ME)
    )
    awaiting_oig = queries.allegation_queue(
        user, filters=QueueFilters(statuses=(AllegationStatus.OIG_PENDING,))
    )
    # `oig_due_at` is the queue's annotation: when the pending referral's answer is due.
    overdue = awaiting_oig.filter(oig_due_at__lt=now).order_by("oig_due_at", "pk")  # type: ignore[misc]
    return dashboards.Panel(
        "Intake queue",
        "intake/staff/panel_intake.html",
        {
            "counts": queries.queue_counts(user),
            "mine_count": mine.count(),
            "mine": list(mine.prefetch_related(None)[:PANEL_SIZE]),
            "overdue": list(overdue.prefetch_related(None)[:PANEL_SIZE]),
            "now": now,
            "agency_tz": agency_time_zone(),
        },
    )


def supervisor_panel(user: Any) -> dashboards.Panel:
    """Closures in the supervisor's scope that wait for a second person's approval."""
    pending = queries.allegation_queue(
        user, filters=QueueFilters(statuses=(AllegationStatus.CLOSURE_PENDING,))
    ).prefetch_related(None)
    return dashboards.Panel(
        "Closures awaiting approval",
        "intake/staff/panel_supervisor.html",
        {"count": pending.count(), "closures": list(pending[:PANEL_SIZE]), "now": timezone.now()},
    )


def register() -> None:
    """Add the panels and navigation entries (once, however often it is called)."""
    if any(item.url_name == "intake-queue" for item in NAVIGATION):
        return
    dashboards.register_panel(intake_panel, roles={Role.INTAKE})
    dashboards.register_panel(supervisor_panel, roles={Role.SUPERVISOR})
    NAVIGATION.append(NavItem("Intake queue", "intake-queue", frozenset({Role.INTAKE, Role.SUPERVISOR})))
    NAVIGATION.append(NavItem("Record allegation", "allegation-new", frozenset({Role.INTAKE})))
