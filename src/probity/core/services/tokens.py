"""Services for personal API bearer tokens: issue one (shown once) and revoke it."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from probity.core import audit
from probity.core.api_auth import TOKEN_PREFIX, hash_token
from probity.core.models import ApiToken, AuditAction, Role, User

PREFIX_LENGTH = 12
MAX_TOKEN_DAYS = 366


def _may_manage_tokens_of(actor: Any, user: User) -> bool:
    # actor None is the operator at the server's command line, who already holds the database.
    if actor is None:
        return True
    return bool(actor.is_active and (actor.pk == user.pk or actor.has_role(Role.ADMINISTRATOR)))


def create_token(
    *,
    actor: Any,
    user: User,
    name: str,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for `user`; the raw value is returned once and stored only as its hash."""
    days = settings.PROBITY_API_TOKEN_DAYS if days is None else days
    name = name.strip()
    if not _may_manage_tokens_of(actor, user):
        raise PermissionDenied("You may not issue API tokens for this user")
    if not user.is_active:
        raise ValidationError(f"The user {user.username!r} is not active")
    if not name:
        raise ValidationError("A token needs a name that says what it is for")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError("A token name may have at most 100 characters")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(f"A token must expire after between 1 and {MAX_TOKEN_DAYS} days, not {days}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:PREFIX_LENGTH],
            key_hash=hash_token(raw),
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        # The prefix identifies the token; the raw value must never reach the audit trail.
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=token,
            changes={
                "user": [None, user.username],
                "name": [None, name],
                "prefix": [None, token.prefix],
                "expires_at": [None, token.expires_at],
            },
        )
    return token, raw


def revoke_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking a revoked token is a clear error, not a silent no-op."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if not _may_manage_tokens_of(actor, locked.user):
            raise PermissionDenied("You may not revoke this token")
        if locked.revoked_at is not None:
            raise ValidationError(f"The token {locked.prefix}… was already revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            AuditAction.UPDATE, actor=actor, obj=locked, changes={"revoked_at": [None, locked.revoked_at]}
        )
    return locked
