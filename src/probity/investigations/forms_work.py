"""Forms of the investigative-work screens: the plan, the activity log, interviews, evidence and
its custody.

Forms parse and check the shape of input only; the rules (who may act, warnings, file types
read from the content, the chain of custody) live in `services/work.py` and
`services/evidence.py`, whose messages are put back on these forms' fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from probity.core import files
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role, User
from probity.investigations.models import (
    ActivityKind,
    Case,
    CaseParty,
    DisposalKind,
    EvidenceKind,
    Warning,
)
from probity.investigations.services.evidence import MAX_DESCRIPTION, MAX_REASON
from probity.investigations.services.work import MAX_ATTACHMENTS, MAX_PARTICIPANTS, MAX_SUMMARY

LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"


def _style(form: forms.Form) -> None:
    """USWDS classes on every widget, so the templates render fields as they are."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            continue
        if isinstance(widget, forms.FileInput):
            widget.attrs.setdefault("class", "usa-file-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "usa-select")
        elif isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "usa-textarea")
        else:
            widget.attrs.setdefault("class", "usa-input")


class _WorkForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.FileInput):
                # USWDS's file input script names every input "Drag file here or choose from
                # folder" (aria-label), hiding its label from screen readers; aria-labelledby
                # wins over aria-label, so the input is named by its own label again
                # (work/_file_field.html gives the label this id).
                field.widget.attrs["aria-labelledby"] = file_label_id(self[name])


def file_label_id(field: forms.BoundField) -> str:
    return f"{field.auto_id}_label"


def _local_moment(label: str, help_text: str = "Agency time.") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_TIME_FORMAT),
    )


def agency_moment(value: dt.datetime | None) -> dt.datetime | None:
    """A `datetime-local` entry read as agency time (the form parsed it in the server's zone)."""
    if value is None:
        return None
    naive = timezone.make_naive(value, timezone.get_current_timezone())
    return naive.replace(tzinfo=agency_time_zone())


def agency_now() -> str:
    return timezone.now().astimezone(agency_time_zone()).strftime(LOCAL_TIME_FORMAT)


def _text(label: str, max_length: int, *, rows: int = 0, required: bool = True, help_text: str = "") -> Any:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, help_text=help_text
    )


def _file(label: str, help_text: str, accept: str = "") -> forms.FileField:
    # `accept` only narrows the browser's file picker; the service reads the real type.
    widget = forms.ClearableFileInput(attrs={"accept": accept} if accept else {})
    return forms.FileField(
        label=label, required=False, help_text=help_text, allow_empty_file=True, widget=widget
    )


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class PartyChoiceField(forms.ModelChoiceField[CaseParty]):
    def label_from_instance(self, obj: CaseParty) -> str:
        return f"{obj} ({obj.get_role_display().lower()}{', employee' if obj.employee_id else ''})"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service judges each on its content."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        return [item for item in (data if isinstance(data, list | tuple) else [data]) if item]


# The plan and the activity log


class PlanStepForm(_WorkForm):
    description = _text("Step", 500, help_text="What is to be done, e.g. “Obtain the seizure video”.")
    owner = PersonChoiceField(
        label="Owner", queryset=User.objects.none(), required=False, empty_label="No owner yet"
    )
    due_date = forms.DateField(
        label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        if isinstance(owner, forms.ModelChoiceField):
            # The service has the last word (the owner must work on the case and see it).
            owner.queryset = (
                User.objects.filter(is_active=True)
                .filter(
                    Q(pk=case.lead_agent_id)
                    | Q(case_memberships__case=case, case_memberships__ended_at__isnull=True)
                    | Q(groups__name=Role.SUPERVISOR, pk=case.supervisor_id)
                )
                .distinct()
                .order_by("last_name", "first_name", "username")
            )


class ActivityForm(_WorkForm):
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "Choose"), *[c for c in ActivityKind.choices if c[0] != ActivityKind.INTERVIEW]],
        help_text="Interviews have their own form.",
    )
    occurred_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    summary = _text("Summary", MAX_SUMMARY, rows=6)
    uploads = MultipleFileField(label="Attachments", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "uploads"
        ].help_text = f"Up to {MAX_ATTACHMENTS} files. Accepted: {files.accepted_summary()}."


class InterviewForm(_WorkForm):
    interviewee = PartyChoiceField(
        label="Interviewee", queryset=CaseParty.objects.none(), empty_label="Choose"
    )
    started_at = _local_moment("Started")
    place = _text("Place", 300)
    participants = _text(
        "Participants",
        MAX_PARTICIPANTS,
        rows=3,
        help_text="Everyone present: interviewers, the employee's representative, an interpreter.",
    )
    warning = forms.ChoiceField(
        label="Warning given",
        choices=Warning.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Employees: Kalkines or Garrity in administrative inquiries, "
            "Miranda or Beckwith in criminal ones."
        ),
    )
    warning_form = _file(
        "Signed warning form", "PDF or a scanned image. Required for an employee.", "application/pdf,image/*"
    )
    recording = _file("Recording", "Audio or video.", "audio/*,video/*")
    transcript = _file("Transcript", "PDF or plain text.", "application/pdf,text/plain")
    summary = _text("Summary", MAX_SUMMARY, rows=8)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interviewee = self.fields["interviewee"]
        if isinstance(interviewee, forms.ModelChoiceField):
            interviewee.queryset = (
                CaseParty.objects.filter(case=case)
                .select_related("employee")
                .defer("contact", "employee__date_of_birth")
                .order_by("role", "pk")
            )

    def clean_started_at(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("started_at"))


# Evidence and custody


class EvidenceForm(_WorkForm):
    description = _text("Description", MAX_DESCRIPTION, rows=3)
    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose"), *EvidenceKind.choices])
    source = _text("Source", 300, help_text="Where or from whom it was obtained.")
    collected_at = _local_moment("Collected")
    storage_location = _text(
        "Storage location", 200, help_text="Where it is kept, e.g. “Evidence room A, locker 12”."
    )
    condition = _text("Condition", 300, required=False, help_text="As collected, unless you say otherwise.")
    upload = _file(
        "File",
        "Required for a digital item: its SHA-256 is kept and checked. "
        "Optional for a document or a recording.",
    )

    def clean_collected_at(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("collected_at"))


class TransferForm(_WorkForm):
    to_custodian = _text("To", 200, help_text="The person or place now holding the item.")
    purpose = _text("Purpose", 300)
    condition = _text(
        "Condition", 300, help_text="The item's condition on transfer, e.g. “Sealed, seal intact”."
    )
    transferred_at = _local_moment("When")

    def clean_transferred_at(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("transferred_at"))


class DisposalRequestForm(_WorkForm):
    kind = forms.ChoiceField(
        label="Release or destroy", choices=DisposalKind.choices, widget=forms.RadioSelect
    )
    reason = _text("Reason", MAX_REASON, rows=3)
    released_to = _text("Released to", 200, required=False, help_text="For a release: who receives the item.")


DECISIONS = [("approve", "Approve"), ("refuse", "Refuse")]


class DisposalDecisionForm(_WorkForm):
    decision = forms.ChoiceField(label="Decision", choices=DECISIONS, widget=forms.RadioSelect)
    note = _text("Note", MAX_REASON, rows=3, required=False, help_text="Required when you refuse.")

    @property
    def approved(self) -> bool:
        return self.cleaned_data.get("decision") == "approve"
