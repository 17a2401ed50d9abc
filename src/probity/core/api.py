"""Core API endpoints: who am I."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    office_scope: str | None


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        roles=sorted(user.roles),
        office_scope=user.office_scope.name if user.office_scope_id else None,
    )
