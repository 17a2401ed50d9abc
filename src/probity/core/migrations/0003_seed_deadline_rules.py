"""Seed the deadline rules from fixtures/deadline_rules.json (missing codes only)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from probity.core.deadlines import seed_rules

    seed_rules(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    # Reversing keeps the rules: they may have been edited and deadlines point at them.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=False)]
