"""Use-of-force import: the whole Chicago TRR release (9,338 reports in seven files, 151,052
rows) and the whole Seattle file (13,170 rows) on SQLite and on PostgreSQL; seconds and rows
per second, each with the time of a re-import that adds nothing.

Each database runs in a child interpreter on a fresh, migrated database: SQLite in a scratch
folder, PostgreSQL in a throwaway cluster that `scripts/with-postgres` starts and removes.
Settings are the defaults of `probity` on a workstation (DEBUG on). The figures include reading
and checking every row, the writes, the audit events (one per incident plus the import event),
all in one transaction.

    python bench/run.py bench_import_incidents
    python bench/bench_import_incidents.py --database sqlite    # one database, one JSON line
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
DATA = PROJECT_DIR.parent / "shared" / "research" / "data"
SOURCES = {
    "chicago-trr": (DATA / "chicago-cpdp" / "TRR-main_2021-2023_2023-10_p877988.csv.gz", 9_331),
    "seattle-uof": (DATA / "seattle-use-of-force" / "Use_Of_Force.csv", 12_426),
}


def _measure(database: str) -> dict[str, Any]:
    """In this interpreter: migrate a fresh database and import both sources into it."""
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

        figures: dict[str, Any] = {}
        for fmt, (path, _) in SOURCES.items():
            started = time.perf_counter()
            result = imports.run_import("incidents", path, fmt=fmt, actor_username="bench")
            seconds = time.perf_counter() - started
            if result.errors:
                raise RuntimeError(f"{fmt} has bad rows: {result.errors[:3]}")
            started = time.perf_counter()
            again = imports.run_import("incidents", path, fmt=fmt, actor_username="bench")
            figures[fmt] = {
                "seconds": round(seconds, 1),
                "rows": result.rows,
                "incidents": result.created,
                "reimport_seconds": round(time.perf_counter() - started, 1),
                "reimport_created": again.created,
            }
        figures["audit_ok"] = audit.verify().ok
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
    absent = [str(path) for path, _ in SOURCES.values() if not path.exists()]
    if absent:
        print(f"bench_import_incidents: {', '.join(absent)} absent; nothing measured", file=sys.stderr)
        return
    for database, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        figures = _child(database)
        if not figures["audit_ok"]:
            raise RuntimeError(f"{label}: the audit chain does not verify after the imports")
        for fmt, (_, incidents) in SOURCES.items():
            measured = figures[fmt]
            if measured["incidents"] != incidents or measured["reimport_created"] != 0:
                raise RuntimeError(f"{label}: {fmt} did not give {incidents:,} incidents once: {measured}")
            name = f"import incidents --format {fmt}, whole file ({measured['rows']:,} rows, {label})"
            yield {"name": name, "value": measured["seconds"], "unit": "s", "target": None}
            yield {
                "name": f"import incidents --format {fmt}, rows per second ({label})",
                "value": round(measured["rows"] / measured["seconds"], 1),
                "unit": "rows/s",
                "target": None,
            }
            yield {
                "name": f"import incidents --format {fmt}, re-import adding nothing ({label})",
                "value": measured["reimport_seconds"],
                "unit": "s",
                "target": None,
            }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--database":
        sys.path.insert(0, str(PROJECT_DIR / "src"))
        print(json.dumps(_measure(sys.argv[2])), flush=True)
    else:
        print("usage: bench_import_incidents.py --database {sqlite,postgres}", file=sys.stderr)
        sys.exit(2)
