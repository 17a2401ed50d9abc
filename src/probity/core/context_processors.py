"""Template context: the navigation a user's roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from probity.core.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in user

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# Later modules append their own entries from AppConfig.ready().
NAVIGATION: list[NavItem] = [
    NavItem("Dashboard", "dashboard"),
    NavItem("My deadlines", "deadlines-mine"),
    NavItem("People", "employee-list"),
    NavItem("Organisation", "org-tree"),
    NavItem("Audit trail", "audit-events", frozenset({Role.AUDITOR})),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user.roles
    items = [item for item in NAVIGATION if item.roles is None or item.roles & roles]
    current = request.path
    return {
        "nav_items": [
            {"label": item.label, "url": item.url, "current": current == item.url} for item in items
        ],
    }
