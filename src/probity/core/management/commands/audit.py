"""`probity audit verify`: prove the audit trail was not altered, removed or reordered.

Exit status 0 only if the chain is intact, 1 if it was tampered with, so that a scheduler or
monitoring check can act on it.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from probity.core import audit, context
from probity.core.tasks import record_verification, verification_message

# Below this many events the walk takes well under a second: a progress bar would only flicker.
PROGRESS_BAR_FROM = 1000


class Command(BaseCommand):
    help = "Audit trail tools. `verify` walks the hash chain; exit status 0 only if it is intact."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify: ArgumentParser = actions.add_parser(
            "verify", help="Check every event against its hash and the chain head."
        )
        verify.add_argument(
            "--no-progress", action="store_true", help="Never show a progress bar on standard error."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self.verify(show_progress=not options.get("no_progress", False))

    def verify(self, *, show_progress: bool) -> None:
        bar: tqdm[Any] | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if not show_progress or total < PROGRESS_BAR_FROM:
                return
            if bar is None:
                bar = tqdm(total=total, unit="event", desc="Verifying", file=sys.stderr, leave=False)
            bar.update(done - bar.n)

        try:
            result = audit.verify(progress=progress)
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(verification_message(result))
        try:
            with context.acting(channel="cli"):
                record_verification(result, actor=None, channel="cli")
        except DatabaseError as exc:
            # A trail that cannot take an append is not intact, whatever the walk found.
            self.stderr.write(f"The check could not be recorded in the audit trail: {exc}")
            raise SystemExit(1) from None
        if not result.ok:
            raise SystemExit(1)
