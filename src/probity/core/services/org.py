"""Services for the organisation tree."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from probity.core import audit
from probity.core.models import AuditAction, OrgUnit


def add_org_unit(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    city: str = "",
    state: str = "",
) -> OrgUnit:
    fields = {"code": code, "name": name, "kind": kind, "city": city, "state": state}
    with transaction.atomic():
        unit: OrgUnit = (
            OrgUnit.objects.add_child(parent, fields)
            if parent is not None
            else OrgUnit.objects.add_root(fields)
        )
        audit.record(
            AuditAction.CREATE, actor=actor, obj=unit, changes={k: [None, v] for k, v in fields.items()}
        )
    return unit
