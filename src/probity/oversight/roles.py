"""Oversight's permissions per role (core's `grant`, applied after every migrate)."""

from __future__ import annotations

from probity.core.models import Role
from probity.core.roles import grant


def grant_permissions() -> None:
    grant(
        {Role.PROGRAM_MANAGER, Role.SUPERVISOR},
        "oversight.view_criticalincident",
        "oversight.view_deathincustody",
    )
    grant(
        Role.PROGRAM_MANAGER,
        "oversight.add_criticalincident",
        "oversight.change_criticalincident",
        "oversight.view_boardmeeting",
        "oversight.add_boardmeeting",
        "oversight.change_boardmeeting",
        "oversight.add_deathincustody",
        "oversight.change_deathincustody",
        "oversight.view_preatrack",
        "oversight.change_preatrack",
    )
    grant(
        Role.GIGLIO,
        "oversight.view_gigliorequest",
        "oversight.add_gigliorequest",
        "oversight.change_gigliorequest",
        "oversight.add_judicialfinding",
        "oversight.view_judicialfinding",
    )
