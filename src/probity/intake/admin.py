"""The Django admin for intake's reference data: allegation and arrest categories, audited.

Allegations themselves are not here: every read of one goes through the access policy.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from probity.core.admin import AuditedAdmin
from probity.intake.models import AllegationCategory, ArrestCategory, Seriousness


class ReferenceAdmin(AuditedAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Services, imports and fixtures refer to a category by code, so a saved one keeps it;
        # retire it with `active` instead of deleting it.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AllegationCategory)
class AllegationCategoryAdmin(ReferenceAdmin):
    list_display = ["name", "code", "default_seriousness", "prea", "use_of_force", "sort_order", "active"]
    list_filter = ["active", "prea", "use_of_force", "default_seriousness"]
    search_fields = ["code", "name", "description"]

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        # A free-text seriousness would never match the triage codes; offer only those.
        if db_field.name == "default_seriousness":
            return forms.ChoiceField(
                choices=[("", "(none)"), *Seriousness.choices],
                required=False,
                label="Default seriousness",
                help_text="Suggested at triage; the specialist decides.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(ArrestCategory)
class ArrestCategoryAdmin(ReferenceAdmin):
    list_display = ["name", "code", "sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "description"]
