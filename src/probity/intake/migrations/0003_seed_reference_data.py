"""Seed intake's reference data from fixtures/ (missing codes only): allegation categories,
employee-arrest categories and intake's deadline rules. An administrator's later edits survive
every migrate, and reversing keeps the rows, since allegations and deadlines point at them."""

import json
from pathlib import Path
from typing import Any

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _seed_model(apps: Any, model_name: str, fixture: str) -> None:
    model = apps.get_model("intake", model_name)
    entries = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    known = {field.name for field in model._meta.get_fields()}
    existing = set(model.objects.values_list("code", flat=True))
    missing = []
    for entry in entries:
        fields = entry["fields"]
        if fields["code"] in existing:
            continue
        existing.add(fields["code"])
        # A later fixture may carry fields this migration's model state does not have yet.
        missing.append(model(**{name: value for name, value in fields.items() if name in known}))
    model.objects.bulk_create(missing)


def seed(apps: Any, schema_editor: Any) -> None:
    from probity.core.deadlines import seed_rules

    _seed_model(apps, "AllegationCategory", "allegation_categories.json")
    _seed_model(apps, "ArrestCategory", "arrest_categories.json")
    seed_rules(apps, FIXTURES / "deadline_rules.json")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_arrestcategory_description"),
        ("core", "0003_seed_deadline_rules"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=False)]
