"""Roles as Django groups, each with an explicit list of permissions.

Modules add their permissions with `grant(role, "app_label.codename", …)` from
AppConfig.ready(); `sync_role_groups` (run after every migrate) makes the groups match.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from probity.core.models import Role

ALL_STAFF = frozenset(Role.values)

ROLE_PERMISSIONS: dict[str, set[str]] = {role: set() for role in Role.values}


def grant(roles: str | frozenset[str] | set[str], *permissions: str) -> None:
    for role in [roles] if isinstance(roles, str) else roles:
        ROLE_PERMISSIONS[role].update(permissions)


grant(ALL_STAFF, "core.view_employee", "core.view_orgunit", "core.view_deadline")
grant(
    Role.ADMINISTRATOR,
    "core.add_employee",
    "core.change_employee",
    "core.add_orgunit",
    "core.change_orgunit",
    "core.add_user",
    "core.change_user",
    "core.view_user",
    "core.view_deadlinerule",
    "core.change_deadlinerule",
    "core.view_compartment",
    "core.add_compartment",
    "core.add_compartmentgrant",
    "core.change_compartmentgrant",
    "core.view_compartmentgrant",
)
grant(Role.AUDITOR, "core.view_auditevent", "core.verify_chain", "core.view_user")
grant({Role.SUPERVISOR, Role.INTAKE}, "core.add_recordassignment")
# Intake's reference data (a string here, so core still imports no domain app).
grant(
    Role.ADMINISTRATOR,
    "intake.view_allegationcategory",
    "intake.add_allegationcategory",
    "intake.change_allegationcategory",
    "intake.view_arrestcategory",
    "intake.add_arrestcategory",
    "intake.change_arrestcategory",
)


def sync_role_groups(**kwargs: Any) -> None:
    """Create one group per role and give it exactly its permissions (idempotent)."""
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name: dict[str, Permission] = {}
    for perm in Permission.objects.select_related("content_type"):
        key = f"{perm.content_type.app_label}.{perm.codename}"
        if key in wanted:
            by_name[key] = perm
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
