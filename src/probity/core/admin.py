"""The Django admin for reference data and accounts; every change it makes is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from probity.core import audit
from probity.core.models import (
    AuditAction,
    AuditEvent,
    Compartment,
    CompartmentGrant,
    DeadlineRule,
    Employee,
    OrgUnit,
    User,
)

REDACTED = "[redacted]"


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a form value for the audit trail."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(str(item) for item in value)
    return str(value)


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records a create, update or delete event for every save the admin makes; the admin
    views already wrap each save in one transaction, so the event commits with the change."""

    def _is_secret(self, obj: models.Model, name: str) -> bool:
        return "password" in name or name in getattr(type(obj), "SENSITIVE_FIELDS", ())

    def _changes(self, obj: models.Model, form: ModelForm[Any], change: bool) -> dict[str, list[Any]]:
        changes: dict[str, list[Any]] = {}
        for name in form.changed_data:
            if self._is_secret(obj, name):
                changes[name] = [REDACTED if change else None, REDACTED]
                continue
            before = self._initial(form, name) if change else None
            changes[name] = [before, _plain(form.cleaned_data.get(name))]
        return changes

    def _initial(self, form: ModelForm[Any], name: str) -> Any:
        # A foreign key's initial value is its id; name the row, as the new value does.
        value = form.initial.get(name)
        field = form.fields.get(name)
        if isinstance(field, ModelChoiceField) and not isinstance(value, models.Model) and value is not None:
            value = field.queryset.filter(pk=value).first() if field.queryset is not None else value
        return _plain(value)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = AuditAction.UPDATE if change else AuditAction.CREATE
        audit.record(
            action,
            actor=request.user,
            obj=obj,
            changes=self._changes(obj, form, change),
            detail={"via": "admin"},
        )

    def _deleted(self, request: HttpRequest, obj: models.Model) -> audit.EventSpec:
        # Named by value now: deleting clears the instance's primary key.
        return audit.EventSpec(
            AuditAction.DELETE,
            actor=request.user,
            object_type=audit.label_of(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            detail={"via": "admin"},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        spec = self._deleted(request, obj)
        super().delete_model(request, obj)
        audit.record_many([spec])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        specs = [self._deleted(request, obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        audit.record_many(specs)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(AuditedAdmin):
    list_display = ["code", "name", "amount", "unit", "active"]
    list_filter = ["unit", "active"]
    search_fields = ["code", "name", "source"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Services start clocks by code, so a saved rule keeps its code.
        return ["code"] if obj is not None else []


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedAdmin, TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "code", "kind", "city", "state", "active"]
    list_filter = ["kind", "active", "state"]
    search_fields = ["code", "name", "city"]

    def children_view(self, request: HttpRequest, parent_id: str) -> HttpResponse:
        # treebeard answers a non-numeric id with a server error; it is a missing page.
        if not parent_id.isdigit() or not OrgUnit.objects.filter(pk=int(parent_id)).exists():
            raise Http404("No such organisation unit")
        response: HttpResponse = super().children_view(request, parent_id)
        return response

    def move_node(self, request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            response: HttpResponse = super().move_node(request)
            if response.status_code == 200:
                node = OrgUnit.objects.get(pk=request.POST["node"])
                audit.record(
                    AuditAction.UPDATE,
                    actor=request.user,
                    obj=node,
                    changes={"path": [None, node.path]},
                    detail={
                        "via": "admin",
                        "target": request.POST.get("target"),
                        "relation": request.POST.get("relation"),
                    },
                )
        return response


@admin.register(Employee)
class EmployeeAdmin(AuditedAdmin):
    list_display = ["employee_number", "last_name", "first_name", "position_title", "status"]
    list_filter = ["status", "law_enforcement"]
    search_fields = ["employee_number", "last_name", "first_name"]


@admin.register(User)
class ProbityUserAdmin(AuditedAdmin, UserAdmin[User]):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Probity", {"fields": ("office_scope", "employee")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Probity", {"classes": ("wide",), "fields": ("groups", "office_scope", "employee")}),
    )
    list_display = ["username", "first_name", "last_name", "office_scope", "is_active"]
    list_select_related = ["office_scope"]
    raw_id_fields = ["employee"]

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        # Django's password form saves the user itself, outside save_model.
        with transaction.atomic():
            response: HttpResponse = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit.record(
                    AuditAction.UPDATE,
                    actor=request.user,
                    obj=user,
                    changes={"password": [REDACTED, REDACTED]},
                    detail={"via": "admin"},
                )
        return response


@admin.register(Compartment)
class CompartmentAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(CompartmentGrant)
class CompartmentGrantAdmin(AuditedAdmin):
    list_display = ["compartment", "user", "granted_at", "revoked_at"]
    list_filter = ["compartment"]
    list_select_related = ["compartment", "user"]
    raw_id_fields = ["user", "granted_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the trail is append-only and only services write to it."""

    list_display = ["seq", "occurred_at", "actor_username", "action", "object_type", "object_id", "outcome"]
    list_filter = ["action", "outcome"]
    search_fields = ["actor_username", "object_type", "object_id", "object_repr"]
    date_hierarchy = "occurred_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
