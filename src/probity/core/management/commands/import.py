"""`probity import KIND FILE`: bulk import with row-level errors, all or nothing.

Exit status: 0 imported (or a clean dry run), 1 some rows are bad and nothing was written,
2 the file itself cannot be used (missing, unreadable, empty, wrong columns).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, IntegrityError
from tqdm import tqdm

from probity.core import context, imports


class ProgressBar:
    """A tqdm bar on stderr, opened once the importer knows how many rows there are;
    each new phase of the import (checking, writing) gets a bar of its own."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream, self.label = stream, label
        self.bar: tqdm[Any] | None = None
        self.phase = ""

    def __call__(self, done: int, total: int, /, phase: str = "checking") -> None:
        if self.bar is None or phase != self.phase:
            self.close()
            self.phase = phase
            # disable=None: drawn on a terminal only, so logs and pipes get no carriage returns.
            self.bar = tqdm(
                total=total,
                desc=f"{phase} {self.label}",
                unit="row" if phase == "checking" else "record",
                file=self.stream,
                leave=False,
                disable=None,
            )
        self.bar.update(done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return f"cli:uid-{os.getuid()}"


class Command(BaseCommand):
    help = "Import records from a CSV file: every row is checked first, then all are written or none."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        epilog = "\n\n".join(imports.importer_for(kind).column_help() for kind in imports.kinds())
        parser = super().create_parser(
            prog_name,
            subcommand,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=f"{epilog}\n\nThe file is UTF-8 CSV with a header row; blank values are empty fields."
            "\nExit status: 0 done, 1 bad rows (nothing written), 2 the file cannot be used.",
            **kwargs,
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"what the file holds: {', '.join(imports.kinds())}")
        parser.add_argument("file", type=Path, help="the CSV file")
        formats: dict[str, None] = {}
        flags: dict[str, imports.Flag] = {}
        for kind in imports.kinds():
            importer = imports.importer_for(kind)
            formats.update(dict.fromkeys(importer.formats))
            flags.update({flag.name: flag for flag in importer.flags})
        parser.add_argument(
            "--format",
            default=None,
            choices=list(formats),
            help="file format (default: the kind's first format, e.g. csv for employees)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report; write nothing"
        )
        for flag in flags.values():
            parser.add_argument(flag.option, dest=flag.name, action="store_true", help=flag.help)
        self.flag_names = list(flags)

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path, dry_run = options["kind"], options["file"], options["dry_run"]
        # tqdm draws with carriage returns, so it needs the raw stream, not Django's line wrapper.
        err = cast(TextIO, getattr(self.stderr, "_out", sys.stderr))
        bar = ProgressBar(err, path.name)
        flags = {name: bool(options.get(name)) for name in getattr(self, "flag_names", [])}
        try:
            with context.acting(channel="cli"):
                result = imports.run_import(
                    kind,
                    path,
                    actor_username=_operator(),
                    dry_run=dry_run,
                    progress=bar,
                    fmt=options["format"],
                    options=flags,
                )
        except imports.ImportFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except IntegrityError:
            raise CommandError(
                "the directory changed while the file was being imported; nothing was written, run it again",
                returncode=1,
            ) from None
        except DatabaseError as exc:
            raise CommandError(
                f"the database refused the import, nothing was written: {exc}", returncode=1
            ) from None
        finally:
            bar.close()
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        counts = (
            f"{result.rows} row{'s' if result.rows != 1 else ''}: {result.created} new, "
            f"{result.updated} changed, {result.unchanged} unchanged"
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            bad_lines, problems = len({error.line for error in result.errors}), len(result.errors)
            raise CommandError(
                f"{path.name}: {bad_lines} bad row{'s' if bad_lines != 1 else ''} "
                f"({problems} problem{'s' if problems != 1 else ''}); nothing was written",
                returncode=1,
            )
        if dry_run:
            self.stdout.write(
                f"Dry run of {path.name} ({kind}): every row is valid; {counts}. Nothing was written."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {path.name} ({kind}): {counts}."))
            self.stdout.write(f"sha256 {result.sha256}")
