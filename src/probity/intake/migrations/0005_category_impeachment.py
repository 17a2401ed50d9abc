"""Mark the seeded categories whose sustained findings are Giglio material (truthfulness or bias).

Only rows still at the default are set, so an administrator's choice survives."""

import json
from pathlib import Path
from typing import Any

from django.db import migrations, models

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "allegation_categories.json"


def seed(apps: Any, schema_editor: Any) -> None:
    category = apps.get_model("intake", "AllegationCategory")
    for entry in json.loads(FIXTURE.read_text(encoding="utf-8")):
        fields = entry["fields"]
        if fields.get("impeachment"):
            category.objects.filter(code=fields["code"], impeachment="").update(
                impeachment=fields["impeachment"]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_portal_rate_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="allegationcategory",
            name="impeachment",
            field=models.CharField(
                blank=True,
                choices=[("", "No"), ("truthfulness", "Reflects on truthfulness"), ("bias", "Reflects on bias")],
                help_text="A sustained finding in this category marks the employee for Giglio review",
                max_length=12,
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop, elidable=False),
    ]
