"""Investigations' permissions per role (core's `grant`, applied after every migrate)."""

from __future__ import annotations

from probity.core.models import Role
from probity.core.roles import grant


def grant_permissions() -> None:
    # Reference data of the trade: the table of offenses and penalties, the review checklist.
    grant(
        Role.ADMINISTRATOR,
        "investigations.view_offense",
        "investigations.add_offense",
        "investigations.change_offense",
        "investigations.view_penalty",
        "investigations.add_penalty",
        "investigations.change_penalty",
        "investigations.view_checklistitem",
        "investigations.add_checklistitem",
        "investigations.change_checklistitem",
    )
    grant({Role.SUPERVISOR}, "investigations.add_case", "investigations.change_case")
    grant({Role.AGENT, Role.SUPERVISOR}, "investigations.view_case")
    grant({Role.LABOR_RELATIONS, Role.SUPERVISOR}, "investigations.view_disciplineaction")
    grant(Role.LABOR_RELATIONS, "investigations.change_disciplineaction")
