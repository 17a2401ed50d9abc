"""Re-encrypt every encrypted field under the newest key in PROBITY_FIELD_KEYS.

Rotation: put a new Fernet key first in PROBITY_FIELD_KEYS (keep the old ones after it),
run `probity rotate-field-keys`, then remove the old keys.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from probity.core import audit
from probity.core.fields import ENCRYPTED_FIELD_TYPES
from probity.core.models import AuditAction


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields under the newest key in PROBITY_FIELD_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        counts: dict[str, int] = {}
        with transaction.atomic():
            for model in apps.get_models():
                fields = [f.name for f in model._meta.fields if isinstance(f, ENCRYPTED_FIELD_TYPES)]
                if not fields:
                    continue
                rows = 0
                for obj in model._default_manager.only("pk", *fields).iterator(chunk_size=1000):
                    obj.save(update_fields=fields)
                    rows += 1
                counts[model._meta.label_lower] = rows
            audit.record(
                AuditAction.UPDATE,
                object_type="core.fieldkeys",
                object_repr="field encryption keys rotated",
                detail={"rows": counts},
            )
        for label, rows in counts.items():
            self.stdout.write(f"{label}: {rows} rows re-encrypted")
