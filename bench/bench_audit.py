"""Audit trail throughput on SQLite: appends per second (single and batched) and verify speed."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from typing import Any

SINGLE_APPENDS = 2_000
BATCHES, BATCH_SIZE = 20, 500
# Targets are floors: a day of a large office is some tens of thousands of events, and
# `probity audit verify` over a year of them should finish in minutes, not hours.
TARGET_SINGLE_PER_S = 200
TARGET_BATCHED_PER_S = 5_000
TARGET_VERIFY_PER_S = 20_000


def _setup_django(var_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "probity.settings"
    os.environ["PROBITY_VAR_DIR"] = var_dir
    os.environ.pop("PROBITY_DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _per_second(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def run() -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="probity-bench-") as var_dir:
        _setup_django(var_dir)
        from django.db import connections

        from probity.core import audit
        from probity.core.models import AuditAction

        action = AuditAction.CREATE

        start = time.perf_counter()
        for n in range(SINGLE_APPENDS):
            audit.record(action, object_type="bench.thing", object_id=str(n), detail={"n": n})
        elapsed = time.perf_counter() - start
        yield {
            "name": "audit.record appends (one transaction each, SQLite)",
            "value": _per_second(SINGLE_APPENDS, elapsed),
            "unit": "events/s",
            "target": TARGET_SINGLE_PER_S,
        }

        start = time.perf_counter()
        for batch in range(BATCHES):
            audit.record_many(
                audit.EventSpec(action=action, object_type="bench.thing", object_id=f"{batch}-{n}")
                for n in range(BATCH_SIZE)
            )
        elapsed = time.perf_counter() - start
        yield {
            "name": f"audit.record_many appends (batches of {BATCH_SIZE}, SQLite)",
            "value": _per_second(BATCHES * BATCH_SIZE, elapsed),
            "unit": "events/s",
            "target": TARGET_BATCHED_PER_S,
        }

        start = time.perf_counter()
        result = audit.verify()
        elapsed = time.perf_counter() - start
        if not result.ok:
            raise RuntimeError(f"the benchmark's own chain failed verification: {result.reason}")
        yield {
            "name": f"audit.verify ({result.checked} events, SQLite)",
            "value": _per_second(result.checked, elapsed),
            "unit": "events/s",
            "target": TARGET_VERIFY_PER_S,
        }
        connections.close_all()
