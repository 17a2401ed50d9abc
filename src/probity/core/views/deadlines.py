"""Deadline lists and the dashboard panels that read them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from probity.core import dashboards
from probity.core.context_processors import NAVIGATION, NavItem
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.core.queries.deadlines import my_open_deadlines, overdue_in_office

OFFICE_WATCHERS = frozenset({Role.SUPERVISOR, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})
PANEL_SIZE = 5


def _context(**extra: Any) -> dict[str, Any]:
    return {"now": timezone.now(), "agency_tz": agency_time_zone(), **extra}


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    deadlines = list(my_open_deadlines(request.user))
    return render(request, "core/deadlines/mine.html", _context(deadlines=deadlines))


@login_required
def office(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(*OFFICE_WATCHERS):  # type: ignore[union-attr]
        raise Http404("No such page")
    deadlines = list(overdue_in_office(request.user))
    scope = request.user.office_scope  # type: ignore[union-attr]
    return render(request, "core/deadlines/office.html", _context(deadlines=deadlines, scope=scope))


def _my_deadlines_panel(user: Any) -> dashboards.Panel:
    deadlines = my_open_deadlines(user)
    return dashboards.Panel(
        "My deadlines",
        "core/deadlines/panel_mine.html",
        _context(count=deadlines.count(), deadlines=list(deadlines[:PANEL_SIZE])),
    )


def _overdue_panel(user: Any) -> dashboards.Panel:
    deadlines = overdue_in_office(user)
    return dashboards.Panel(
        "Overdue in my office",
        "core/deadlines/panel_office.html",
        _context(count=deadlines.count(), deadlines=list(deadlines[:PANEL_SIZE])),
    )


# Registered on import, from CoreConfig.ready().
dashboards.register_panel(_my_deadlines_panel)
dashboards.register_panel(_overdue_panel, roles={Role.SUPERVISOR})
NAVIGATION.insert(
    next((i + 1 for i, item in enumerate(NAVIGATION) if item.url_name == "deadlines-mine"), len(NAVIGATION)),
    NavItem("Overdue in office", "deadlines-office", frozenset(OFFICE_WATCHERS)),
)
