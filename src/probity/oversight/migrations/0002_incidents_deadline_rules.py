"""Seed the incidents part's deadline rules from fixtures/deadline_rules_incidents.json (missing
codes only): `board-recommendation-due`, the default due date of a review board recommendation."""

from pathlib import Path
from typing import Any

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "deadline_rules_incidents.json"


def seed(apps: Any, schema_editor: Any) -> None:
    from probity.core.deadlines import seed_rules

    seed_rules(apps, FIXTURE)


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_programs"),
        ("core", "0003_seed_deadline_rules"),
    ]

    # Reversing keeps the rules: they may have been edited and deadlines point at them.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=False)]
