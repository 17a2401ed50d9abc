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


register_panel(_welcome)
__all__ = ["Panel", "Role", "panels_for", "register_panel"]
