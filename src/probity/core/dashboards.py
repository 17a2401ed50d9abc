"""Dashboard panels: each is a function of the user that returns a template and its context.

Later modules register their own panels with `register_panel` from AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from probity.core.models import Role


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    context: dict[str, Any]


PanelMaker = Callable[[Any], Panel | None]


@dataclass(frozen=True)
class PanelEntry:
    roles: frozenset[str] | None  # None: everyone
    make: PanelMaker


_panels: list[PanelEntry] = []


def register_panel(make: PanelMaker, *, roles: set[str] | frozenset[str] | None = None) -> PanelMaker:
    _panels.append(PanelEntry(frozenset(roles) if roles is not None else None, make))
    return make


def panels_for(user: Any) -> list[Panel]:
    roles = user.roles
    made = (entry.make(user) for entry in _panels if entry.roles is None or entry.roles & roles)
    return [panel for panel in made if panel is not None]


def _welcome(user: Any) -> Panel:
    return Panel(
        "Your roles",
        "core/panels/roles.html",
        {"roles": user.role_labels, "scope": user.office_scope, "employee": user.employee},
    )


def _administration(user: Any) -> Panel:
    from probity.core.models import Employee, OrgUnit, User

    return Panel(
        "Administration",
        "core/panels/administration.html",
        {
            "users": User.objects.filter(is_active=True).count(),
            "employees": Employee.objects.count(),
            "units": OrgUnit.objects.count(),
        },
    )


def _audit_watch(user: Any) -> Panel:
    import datetime as dt

    from django.utils import timezone

    from probity.core.models import AuditAction, AuditChainHead, AuditEvent

    since = timezone.now() - dt.timedelta(hours=24)
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, occurred_at__gte=since)
    head = AuditChainHead.objects.filter(pk=1).first()
    return Panel(
        "Audit trail",
        "core/panels/audit_watch.html",
        {
            "failed_logins": failed.count(),
            "recent_failures": list(failed.order_by("-seq")[:5]),
            "head": head,
        },
    )


register_panel(_welcome)
register_panel(_administration, roles={Role.ADMINISTRATOR})
register_panel(_audit_watch, roles={Role.AUDITOR})
__all__ = ["Panel", "Role", "panels_for", "register_panel"]
