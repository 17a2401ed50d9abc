"""`probity token create|list|revoke`: personal API bearer tokens from the command line.

The raw token is printed once, at creation; only its SHA-256 is stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from probity.core import context
from probity.core.models import ApiToken, User
from probity.core.services.tokens import create_token, revoke_token

USAGE_ERROR = 2


def _user(username: str) -> User:
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.", returncode=USAGE_ERROR)
    return user


class Command(BaseCommand):
    help = "Create, list or revoke a user's personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Issue a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="personal token", help="What the token is for.")
        create.add_argument(
            "--days",
            type=int,
            default=settings.PROBITY_API_TOKEN_DAYS,
            help="Days until the token expires (default: %(default)s).",
        )
        listing = actions.add_parser("list", help="List a user's tokens (never their values).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke the token whose value starts with PREFIX.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.acting(channel="cli"):
            try:
                getattr(self, f"do_{options['action']}")(**options)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages), returncode=USAGE_ERROR) from None

    def do_create(self, *, username: str, name: str, days: int, **options: Any) -> None:
        token, raw = create_token(actor=None, user=_user(username), name=name, days=days)
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… for {token.user.username} expires {token.expires_at:%Y-%m-%d %H:%M} UTC. "
            "Store it now: it cannot be shown again."
        )

    def do_list(self, *, username: str, **options: Any) -> None:
        user = _user(username)
        tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens.")
            return
        now = timezone.now()
        for token in tokens:
            if token.revoked_at is not None:
                state = f"revoked {token.revoked_at:%Y-%m-%d}"
            elif token.expires_at <= now:
                state = f"expired {token.expires_at:%Y-%m-%d}"
            else:
                state = f"expires {token.expires_at:%Y-%m-%d}"
            used = f"last used {token.last_used_at:%Y-%m-%d}" if token.last_used_at else "never used"
            self.stdout.write(f"{token.prefix}  {token.name}  {state}  {used}")

    def do_revoke(self, *, prefix: str, **options: Any) -> None:
        matches = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)[:2])
        if not matches:
            raise CommandError(f"No active token starts with {prefix!r}.", returncode=USAGE_ERROR)
        if len(matches) > 1:
            raise CommandError(
                f"More than one active token starts with {prefix!r}; revoke it from the admin.",
                returncode=USAGE_ERROR,
            )
        token = revoke_token(actor=None, token=matches[0])
        self.stdout.write(f"Revoked {token.prefix}… ({token.name}) of {token.user.username}.")
