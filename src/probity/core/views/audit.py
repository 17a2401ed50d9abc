"""The auditor's screens: search the audit trail, read one event, start a chain check."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from probity.core import tasks
from probity.core.models import AuditAction, AuditOutcome
from probity.core.queries import audit as audit_queries


def _json(value: Any, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=False)


def _any(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "Any"), *choices]


class AuditFilterForm(forms.Form):
    person = forms.CharField(label="Person (user name)", max_length=150, required=False)
    object_type = forms.CharField(
        label="Object type", max_length=100, required=False, help_text="For example core.employee"
    )
    object_id = forms.CharField(label="Object id", max_length=64, required=False)
    action = forms.ChoiceField(label="Action", choices=_any(AuditAction.choices), required=False)
    outcome = forms.ChoiceField(label="Outcome", choices=_any(AuditOutcome.choices), required=False)
    date_from = forms.DateField(
        label="From date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="To date", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # Keyset cursors of the result pages, validated like any other input.
    before = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    after = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "usa-select" if isinstance(field.widget, forms.Select) else "usa-input"
            field.widget.attrs["class"] = css

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must not be before the from date.")
        return data

    def filters(self) -> audit_queries.AuditFilters:
        data = self.cleaned_data
        return audit_queries.AuditFilters(
            person=data["person"].strip(),
            object_type=data["object_type"].strip(),
            object_id=data["object_id"].strip(),
            action=data["action"],
            outcome=data["outcome"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    audit_queries.require_auditor(request.user)
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        events = audit_queries.search_events(request.user, form.filters(), channel="web")
        page = audit_queries.page_of(
            events, before=form.cleaned_data["before"], after=form.cleaned_data["after"]
        )
    return render(request, "core/audit/event_list.html", {"form": form, "page": page})


@login_required
def event_detail(request: HttpRequest, seq: int) -> HttpResponse:
    event = audit_queries.get_event_for(request.user, seq)
    changes = [
        (name, _json(values[0]), _json(values[1]))
        if isinstance(values, list) and len(values) == 2
        else (name, "", _json(values))
        for name, values in sorted(event.changes.items())
    ]
    context = {
        "event": event,
        "changes": changes,
        "detail_json": _json(event.detail, indent=2),
        "hash_matches": audit_queries.hash_matches(event),
    }
    return render(request, "core/audit/event_detail.html", context)


@login_required
@require_POST
def verify_chain(request: HttpRequest) -> HttpResponse:
    audit_queries.require_auditor(request.user)
    progress = tasks.start_audit_verification(actor=request.user)  # type: ignore[arg-type]
    return redirect("task-progress", task_id=progress.task_id)
