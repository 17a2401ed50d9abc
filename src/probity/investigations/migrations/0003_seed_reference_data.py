"""Seed investigations' reference data from fixtures/ (missing codes only): penalties, the table
of offenses and penalties and the sufficiency-review checklist. (The case-age clock is core's
`investigation-target` rule.)
An administrator's later edits survive every migrate; reversing keeps the rows."""

import json
from pathlib import Path
from typing import Any

from django.db import migrations

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _entries(fixture: str) -> list[dict[str, Any]]:
    return [entry["fields"] for entry in json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))]


def seed(apps: Any, schema_editor: Any) -> None:
    penalty = apps.get_model("investigations", "Penalty")
    offense = apps.get_model("investigations", "Offense")
    checklist = apps.get_model("investigations", "ChecklistItem")
    category = apps.get_model("intake", "AllegationCategory")

    existing = set(penalty.objects.values_list("code", flat=True))
    penalty.objects.bulk_create(
        [penalty(**fields) for fields in _entries("penalties.json") if fields["code"] not in existing]
    )
    penalties = {p.code: p for p in penalty.objects.all()}
    categories = {c.code: c for c in category.objects.all()}
    existing = set(offense.objects.values_list("code", flat=True))
    rows = []
    for fields in _entries("offenses.json"):
        if fields["code"] in existing:
            continue
        links = {key: penalties[fields[key]] for key in ("first_min", "first_max", "second_min", "second_max")}
        rows.append(
            offense(
                code=fields["code"],
                name=fields["name"],
                category=categories.get(fields["category"]),
                sort_order=fields["sort_order"],
                **links,
            )
        )
    offense.objects.bulk_create(rows)
    existing = set(checklist.objects.values_list("code", flat=True))
    checklist.objects.bulk_create(
        [checklist(**fields) for fields in _entries("checklist.json") if fields["code"] not in existing]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("investigations", "0002_custody_append_only"),
        ("intake", "0005_category_impeachment"),
        ("core", "0003_seed_deadline_rules"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=False)]
