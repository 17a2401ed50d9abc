"""Forms of the incident and review board screens.

Forms only parse and check the shape of input; every rule about incidents and the board lives
in the services (`oversight/services/incidents.py`, `services/board.py`), whose
`ValidationError` messages are put back on these forms' fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from probity.core.models import Employee, OrgUnit, User
from probity.intake.forms import OfficeChoiceField
from probity.investigations.forms import employee_by_number, style
from probity.oversight import queries_incidents as queries
from probity.oversight.models import (
    CriticalIncident,
    Determination,
    IncidentKind,
    IncidentStatus,
    RecommendationKind,
)
from probity.oversight.services.incidents import EmployeeInput, ForceInput, SubjectInput

LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"
EMPLOYEE_ROWS = 3
SUBJECT_ROWS = 2
FORCE_ROWS = 3


class _StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self.fields.values())


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class PeopleChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class IncidentChoiceField(forms.ModelChoiceField[CriticalIncident]):
    def label_from_instance(self, obj: CriticalIncident) -> str:
        return f"{obj.number}: {obj.summary}"


def _local_moment(label: str, *, required: bool, help_text: str = "Agency time.") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_TIME_FORMAT),
    )


def agency_moment(value: dt.datetime | None) -> dt.datetime | None:
    """A `datetime-local` entry read as agency time (the form parsed it in the server's zone)."""
    from django.utils import timezone

    from probity.core.deadlines import agency_time_zone

    if value is None:
        return None
    naive = timezone.make_naive(value, timezone.get_current_timezone())
    return naive.replace(tzinfo=agency_time_zone())


def apply_service_errors(
    error: ValidationError, form: forms.Form, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's messages on the fields they concern; the others on the whole form."""
    problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for name, messages in problems.items():
        target = (aliases or {}).get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


# The list


class IncidentFilterForm(forms.Form):
    """Shows the list's filters. Parsing is `IncidentFilters.from_query`'s."""

    q = forms.CharField(label="Number, summary or place contains", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status",
        choices=IncidentStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None checked: every open incident.",
    )
    kind = forms.ChoiceField(label="Kind", choices=[("", "Any kind"), *IncidentKind.choices], required=False)
    office = OfficeChoiceField(
        label="Office", queryset=OrgUnit.objects.none(), required=False, empty_label="Any office"
    )
    board = forms.ChoiceField(
        label="Review board criteria",
        choices=[("", "Any"), ("true", "Meets them"), ("false", "Does not meet them")],
        required=False,
    )
    reviewer = forms.ChoiceField(
        label="Reviewer",
        choices=[("", "Anyone"), (queries.ME, "Me"), (queries.NONE, "Not assigned")],
        required=False,
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = self.fields["office"]
        if isinstance(office, forms.ModelChoiceField):
            office.queryset = queries.incident_offices(user)
        style(self.fields.values())

    @classmethod
    def for_filters(cls, user: Any, filters: queries.IncidentFilters) -> IncidentFilterForm:
        initial = {
            "q": filters.q,
            "status": list(filters.statuses),
            "kind": filters.kind,
            "office": filters.office_id,
            "board": "" if filters.board is None else str(filters.board).lower(),
            "reviewer": filters.reviewer if filters.reviewer in (queries.ME, queries.NONE) else "",
        }
        return cls(initial=initial, user=user)


# Reporting


class ReportForm(_StyledForm):
    kind = forms.ChoiceField(label="Kind of incident", choices=[("", "Choose…"), *IncidentKind.choices])
    occurred_at = _local_moment("When it happened", required=True)
    office = OfficeChoiceField(label="Office", queryset=OrgUnit.objects.none(), empty_label="Choose…")
    place = forms.CharField(label="Place", max_length=300, required=False, help_text="e.g. Lane 4, primary")
    summary = forms.CharField(label="Summary", max_length=300)
    narrative = forms.CharField(label="Narrative", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    training_discharge = forms.BooleanField(label="A firearm discharge in training", required=False)
    serious_injury = forms.BooleanField(label="Serious injury", required=False)
    death = forms.BooleanField(label="Death", required=False)
    responders = forms.CharField(
        label="Who responded", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notified_at = _local_moment("When the office was notified", required=False)
    on_scene_at = _local_moment("When responders were on scene", required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = self.fields["office"]
        if isinstance(office, forms.ModelChoiceField):
            office.queryset = queries.incident_offices(user)

    def clean_occurred_at(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("occurred_at"))

    def clean_notified_at(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("notified_at"))

    def clean_on_scene_at(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("on_scene_at"))


def _employee(value: str) -> Employee | None:
    return employee_by_number(value) if value.strip() else None


class EmployeeRowForm(_StyledForm):
    employee_number = forms.CharField(label="Employee number", max_length=20, required=False)
    description = forms.CharField(
        label="Or describe them", max_length=300, required=False, help_text="When not in the directory"
    )
    actions = forms.CharField(label="What they did", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    injured = forms.BooleanField(label="Injured", required=False)

    def clean_employee_number(self) -> Employee | None:
        return _employee(self.cleaned_data.get("employee_number", ""))

    def as_input(self) -> EmployeeInput | None:
        data = self.cleaned_data
        if not data or not (data.get("employee_number") or data.get("description") or data.get("actions")):
            return None
        return EmployeeInput(
            employee=data.get("employee_number"),
            description=data.get("description", ""),
            actions=data.get("actions", ""),
            injured=bool(data.get("injured")),
        )


ARMED = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


class SubjectRowForm(_StyledForm):
    description = forms.CharField(label="Description", max_length=300, required=False)
    age = forms.IntegerField(label="Age", required=False, min_value=0, max_value=120)
    sex = forms.CharField(label="Sex", max_length=20, required=False)
    race = forms.CharField(label="Race", max_length=60, required=False)
    armed = forms.ChoiceField(label="Armed", choices=ARMED, required=False)
    weapon = forms.CharField(label="Weapon", max_length=200, required=False)
    injured = forms.BooleanField(label="Injured", required=False)
    injuries = forms.CharField(label="Injuries", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def as_input(self) -> SubjectInput | None:
        data = self.cleaned_data
        if not data or not any(
            data.get(name) for name in ("description", "age", "sex", "race", "weapon", "injuries")
        ):
            return None
        return SubjectInput(
            description=data.get("description", ""),
            age=data.get("age"),
            sex=data.get("sex", ""),
            race=data.get("race", ""),
            armed={"yes": True, "no": False}.get(data.get("armed", "")),
            weapon=data.get("weapon", ""),
            injured=bool(data.get("injured")),
            injuries=data.get("injuries", ""),
        )


class ForceRowForm(_StyledForm):
    action = forms.CharField(label="Force, weapon or device", max_length=120, required=False)
    used_by = forms.CharField(
        label="Used by (employee number)",
        max_length=20,
        required=False,
        help_text="One of the employees above; leave empty if the subject used it",
    )
    by_subject = forms.BooleanField(label="Used by the subject", required=False)
    detail = forms.CharField(label="Detail", max_length=300, required=False)

    def clean_used_by(self) -> Employee | None:
        return _employee(self.cleaned_data.get("used_by", ""))

    def as_input(self) -> ForceInput | None:
        data = self.cleaned_data
        if not data or not (data.get("action") or data.get("used_by") or data.get("detail")):
            return None
        return ForceInput(
            action=data.get("action", ""),
            detail=data.get("detail", ""),
            by_employee=data.get("used_by"),
            by_subject=bool(data.get("by_subject")),
        )


EmployeeFormSet = forms.formset_factory(EmployeeRowForm, extra=EMPLOYEE_ROWS, max_num=50, absolute_max=50)
SubjectFormSet = forms.formset_factory(SubjectRowForm, extra=SUBJECT_ROWS, max_num=50, absolute_max=50)
ForceFormSet = forms.formset_factory(ForceRowForm, extra=FORCE_ROWS, max_num=50, absolute_max=50)


def report_formsets(data: Any = None) -> dict[str, Any]:
    return {
        "employees": EmployeeFormSet(data, prefix="employees"),
        "subjects": SubjectFormSet(data, prefix="subjects"),
        "force": ForceFormSet(data, prefix="force"),
    }


# The incident's actions


class ReviewerForm(_StyledForm):
    reviewer = PersonChoiceField(label="Reviewer", queryset=User.objects.none(), empty_label="Choose…")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reviewer = self.fields["reviewer"]
        if isinstance(reviewer, forms.ModelChoiceField):
            reviewer.queryset = queries.reviewer_choices()


class FactsForm(_StyledForm):
    facts = forms.CharField(label="Facts", widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000)


class LinkForm(_StyledForm):
    record = forms.ChoiceField(
        label="What to link",
        choices=[("allegation", "An intake allegation"), ("case", "An investigation case")],
    )
    number = forms.CharField(label="Its number", max_length=40, help_text="e.g. JIC-2026-000123")


class MoveForm(_StyledForm):
    target = forms.ChoiceField(choices=IncidentStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Note (optional)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


# The review board


class MeetingForm(_StyledForm):
    held_on = forms.DateField(label="Date of the meeting", widget=forms.DateInput(attrs={"type": "date"}))
    members = PeopleChoiceField(
        label="Members", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        if isinstance(members, forms.ModelMultipleChoiceField):
            members.queryset = queries.board_member_choices()


class AgendaForm(_StyledForm):
    incident = IncidentChoiceField(
        label="Incident awaiting the board", queryset=CriticalIncident.objects.none(), empty_label="Choose…"
    )

    def __init__(self, *args: Any, incidents: QuerySet[CriticalIncident], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incident = self.fields["incident"]
        if isinstance(incident, forms.ModelChoiceField):
            incident.queryset = incidents


class DeterminationForm(_StyledForm):
    determination = forms.ChoiceField(
        label="Determination", choices=Determination.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )


class RecommendationForm(_StyledForm):
    kind = forms.ChoiceField(label="Kind", choices=[("", "Choose…"), *RecommendationKind.choices])
    text = forms.CharField(
        label="Recommendation", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    owner = PersonChoiceField(label="Owner", queryset=User.objects.none(), empty_label="Choose…")
    due_on = forms.DateField(
        label="Due date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the default time the rule gives.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        if isinstance(owner, forms.ModelChoiceField):
            owner.queryset = queries.owner_choices()


class CompleteForm(_StyledForm):
    note = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
