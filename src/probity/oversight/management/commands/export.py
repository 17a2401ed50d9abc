"""`probity export dcra --year YYYY [--agency ICE|CBP] [--output FILE]`: the DCRA report as CSV.

Exports run as the operator at the command line (named in the audit trail as cli:<login>), who
sees every record. Exit status: 0 written, 2 bad arguments or an unwritable output file.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from probity.core import context
from probity.oversight.models import CustodyAgency
from probity.oversight.services.deaths import dcra_csv

KINDS = ("dcra",)


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in a bare container
        return f"cli:uid-{os.getuid()}"


class Command(BaseCommand):
    help = "Export a report: dcra (Death in Custody Reporting Act, one calendar year of deaths) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="what to export: dcra")
        parser.add_argument("--year", type=int, required=True, help="calendar year of death, e.g. 2025")
        parser.add_argument(
            "--agency", choices=CustodyAgency.values, default=None, help="one agency only (default: both)"
        )
        parser.add_argument("--output", type=Path, default=None, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        year, agency, output = options["year"], options["agency"], options["output"]
        try:
            with context.acting(channel="cli"):
                data, rows = dcra_csv(actor=None, actor_username=_operator(), year=year, agency=agency)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages), returncode=2) from None
        if output is None:
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{output}: cannot be written ({exc.strerror})", returncode=2) from None
        self.stderr.write(f"Wrote {rows} death{'s' if rows != 1 else ''} of {year} to {output}.")
