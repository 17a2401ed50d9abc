"""Bulk allegation import: the whole NYC CCRB extract (175,505 rows, 59,222 complaints) on
SQLite and on PostgreSQL; total seconds and rows per second.

Each database runs in a child interpreter on a fresh, migrated database: SQLite in a scratch
folder, PostgreSQL in a throwaway cluster that `scripts/with-postgres` starts and removes (so
`make bench` needs nothing running). Settings are the defaults of `probity` on a workstation
(DEBUG on), which is the slower case. Target from issue 3: under 60 s on PostgreSQL on the
2-core machine. The figures include reading and checking every row, the writes, the audit
events (one per allegation plus the import event), all in one transaction.

    python bench/run.py bench_import_allegations
    python bench/bench_import_allegations.py --database sqlite    # one database, one JSON line
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA = PROJECT_DIR.parent / "shared" / "research" / "data" / "ccrb-mos-records"
TARGET_SECONDS_POSTGRES = 60.0
ROWS = 175_505


def _measure(database: str) -> dict[str, Any]:
    """In this interpreter: migrate a fresh database and import the CCRB folder into it."""
    with tempfile.TemporaryDirectory(prefix="probity-bench-") as var_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "probity.settings"
        os.environ["PROBITY_VAR_DIR"] = var_dir
        if database == "sqlite":
            os.environ.pop("PROBITY_DATABASE_URL", None)
        elif not os.environ.get("PROBITY_DATABASE_URL", "").startswith("postgres"):
            raise SystemExit("run the postgres measurement under scripts/with-postgres")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        from django.db import connections

        from probity.core import audit, imports
        from probity.intake.models import Allegation, AllegationPerson

        started = time.perf_counter()
        result = imports.run_import("allegations", DATA, fmt="ccrb", actor_username="bench")
        seconds = time.perf_counter() - started
        if result.errors:
            raise RuntimeError(f"the CCRB extract has bad rows: {result.errors[:3]}")
        started = time.perf_counter()
        again = imports.run_import("allegations", DATA, fmt="ccrb", actor_username="bench")
        reimport = time.perf_counter() - started
        figures = {
            "seconds": round(seconds, 1),
            "rows": result.rows,
            "allegations": Allegation.objects.count(),
            "subjects": AllegationPerson.objects.count(),
            "reimport_seconds": round(reimport, 1),
            "reimport_created": again.created,
            "audit_ok": audit.verify().ok,
        }
        connections.close_all()
    return figures


def _child(database: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--database", database]
    if database == "postgres":
        command = [str(PROJECT_DIR / "scripts" / "with-postgres"), *command]
    done = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{database} measurement failed:\n{done.stderr[-3000:]}")
    last: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return last


def run() -> Iterator[dict[str, Any]]:
    if not DATA.is_dir():
        print(f"bench_import_allegations: {DATA} is absent; nothing measured", file=sys.stderr)
        return
    for database, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        figures = _child(database)
        if figures["allegations"] != 59_222 or figures["reimport_created"] != 0 or not figures["audit_ok"]:
            raise RuntimeError(f"{label}: the import did not give 59,222 allegations once: {figures}")
        target = TARGET_SECONDS_POSTGRES if database == "postgres" else None
        yield {
            "name": f"import allegations --format ccrb, whole file ({figures['rows']:,} rows, {label})",
            "value": figures["seconds"],
            "unit": "s",
            "target": target,
        }
        yield {
            "name": f"import allegations --format ccrb, rows per second ({label})",
            "value": round(figures["rows"] / figures["seconds"], 1),
            "unit": "rows/s",
            "target": round(ROWS / TARGET_SECONDS_POSTGRES, 1) if target else None,
        }
        yield {
            "name": f"import allegations --format ccrb, re-import adding nothing ({label})",
            "value": figures["reimport_seconds"],
            "unit": "s",
            "target": None,
        }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--database":
        sys.path.insert(0, str(PROJECT_DIR / "src"))
        print(json.dumps(_measure(sys.argv[2])), flush=True)
    else:
        print("usage: bench_import_allegations.py --database {sqlite,postgres}", file=sys.stderr)
        sys.exit(2)
