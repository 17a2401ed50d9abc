"""Forms of the PREA track's steps. They parse the shape of input only (times entered in agency
time); the rules live in `services/prea.py`, whose messages are put back on these fields.

Each step's form has its own prefix (the step's slug), so that all of them can sit on the track
page at once with distinct ids, and its own labels, so that each field is named for its step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from probity.core.deadlines import agency_time_zone
from probity.oversight.models import FacilityType, PreaOutcome
from probity.oversight.services.prea import MAX_FACILITY_NAME, MAX_NOTE, Step

LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"


def agency_now() -> str:
    return timezone.now().astimezone(agency_time_zone()).strftime(LOCAL_TIME_FORMAT)


def agency_today() -> dt.date:
    return timezone.now().astimezone(agency_time_zone()).date()


def agency_moment(value: dt.datetime | None) -> dt.datetime | None:
    """A `datetime-local` entry read as agency time (the form parsed it in the server's zone)."""
    if value is None:
        return None
    naive = timezone.make_naive(value, timezone.get_current_timezone()) if timezone.is_aware(value) else value
    return naive.replace(tzinfo=agency_time_zone())


def _moment_field(label: str, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text="Agency time.",
        input_formats=[LOCAL_TIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_TIME_FORMAT),
    )


class _StepForm(forms.Form):
    """USWDS classes on every widget, so the templates render fields as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            if isinstance(widget, forms.FileInput):
                widget.attrs.setdefault("class", "usa-file-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "usa-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "usa-textarea")
            else:
                widget.attrs.setdefault("class", "usa-input")
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "usa-checkbox__input")

    def moment(self, name: str = "at") -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get(name))


def moment_form(label: str) -> type[_StepForm]:
    """A form with one time, labelled for its step."""
    return type("MomentForm", (_StepForm,), {"at": _moment_field(label)})


class FacilityForm(_StepForm):
    facility_type = forms.ChoiceField(label="Facility type", choices=FacilityType.choices)
    facility_name = forms.CharField(label="Facility name", max_length=MAX_FACILITY_NAME, required=False)


class MonitoringCheckForm(_StepForm):
    checked_on = forms.DateField(label="Date of the check", widget=forms.DateInput(attrs={"type": "date"}))
    retaliation_found = forms.BooleanField(label="Retaliation found", required=False)
    note = forms.CharField(
        label="What was checked and found",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["retaliation_found"].widget.attrs["class"] = "usa-checkbox__input"


class OutcomeForm(_StepForm):
    outcome = forms.ChoiceField(label="Outcome", choices=PreaOutcome.choices, widget=forms.RadioSelect)
    at = _moment_field("Outcome decided at")


class NotificationForm(_StepForm):
    notified_at = _moment_field("Detainee notified at")
    note = forms.CharField(
        label="How the detainee was told",
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who told them, how (in person, in writing, with an interpreter), and what they were told.",
    )
    file = forms.FileField(
        label="Notification record (optional)",
        required=False,
        allow_empty_file=True,
        help_text="A signed acknowledgement or a copy of the letter.",
    )


class CloseForm(_StepForm):
    """Closing takes no input: it happens now."""


class OpenTrackForm(_StepForm):
    number = forms.CharField(
        label="Allegation number",
        max_length=20,
        help_text="A PREA-flagged allegation, e.g. JIC-2026-00042.",
    )


FORMS: dict[str, type[_StepForm]] = {
    Step.FACILITY: FacilityForm,
    Step.CONFIRM_REPORTING: moment_form("Reporting confirmed at"),
    Step.ACCUSED_REMOVED: moment_form("Removed from contact at"),
    Step.START_MONITORING: moment_form("Monitoring started at"),
    Step.MONITORING_CHECK: MonitoringCheckForm,
    Step.END_MONITORING: moment_form("Monitoring ended at"),
    Step.START_SEGREGATION: moment_form("Segregation started at"),
    Step.END_SEGREGATION: moment_form("Segregation ended at"),
    Step.OUTCOME: OutcomeForm,
    Step.DETAINEE_NOTIFIED: NotificationForm,
    Step.CLOSE: CloseForm,
}


def initial_for(step: str, track: Any) -> dict[str, Any]:
    """What a form starts with: now for a time, today for a date, the track's facility."""
    if step == Step.FACILITY:
        return {"facility_type": track.facility_type, "facility_name": track.facility_name}
    if step == Step.MONITORING_CHECK:
        return {"checked_on": agency_today()}
    if step == Step.DETAINEE_NOTIFIED:
        return {"notified_at": agency_now()}
    if step == Step.CLOSE:
        return {}
    return {"at": agency_now()}


def step_form(step: str, track: Any, data: Any = None, files: Any = None) -> _StepForm:
    form_class = FORMS[step]
    if data is None:
        return form_class(prefix=step, initial=initial_for(step, track))
    return form_class(data, files, prefix=step)
