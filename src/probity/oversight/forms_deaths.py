"""Forms of the deaths-in-custody screens: they parse input; the services validate and decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from probity.core.deadlines import agency_time_zone
from probity.core.models import OrgUnit, User
from probity.core.models.org import OFFICE_KINDS
from probity.oversight.models import CustodyAgency
from probity.oversight.services.deaths import FIRST_DCRA_YEAR, MAX_AGE, eligible_reviewers

LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"
SEX_CHOICES = [("", "Not recorded"), ("Female", "Female"), ("Male", "Male"), ("Unknown", "Unknown")]
# The categories the DCRA collection (and OMB's standards) use.
RACE_CHOICES = [
    ("", "Not recorded"),
    ("American Indian or Alaska Native", "American Indian or Alaska Native"),
    ("Asian", "Asian"),
    ("Black or African American", "Black or African American"),
    ("Native Hawaiian or Other Pacific Islander", "Native Hawaiian or Other Pacific Islander"),
    ("White", "White"),
    ("Unknown", "Unknown"),
]
ETHNICITY_CHOICES = [
    ("", "Not recorded"),
    ("Hispanic or Latino", "Hispanic or Latino"),
    ("Not Hispanic or Latino", "Not Hispanic or Latino"),
    ("Unknown", "Unknown"),
]


def style(fields: Iterable[forms.Field]) -> None:
    """USWDS classes on every widget, so templates can render fields as they are."""
    for field in fields:
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "usa-checkbox__input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "usa-select")
        elif isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "usa-textarea")
        else:
            widget.attrs.setdefault("class", "usa-input")


def agency_moment(value: dt.datetime | None) -> dt.datetime | None:
    """A `datetime-local` entry read as agency time (the form parsed it in the server's zone)."""
    if value is None:
        return None
    naive = timezone.make_naive(value, timezone.get_current_timezone())
    return naive.replace(tzinfo=agency_time_zone())


def local_moment(label: str, help_text: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_TIME_FORMAT),
    )


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self.fields.values())


class DeathForm(StyledForm):
    name = forms.CharField(
        label="Name", max_length=200, help_text='"Unknown" if the person is not identified.'
    )
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, required=False)
    race = forms.ChoiceField(label="Race", choices=RACE_CHOICES, required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", choices=ETHNICITY_CHOICES, required=False)
    age = forms.IntegerField(label="Age (years)", min_value=0, max_value=MAX_AGE, required=False)
    country = forms.CharField(label="Country of citizenship", max_length=100, required=False)
    date_of_death = forms.DateField(label="Date of death", widget=forms.DateInput(attrs={"type": "date"}))
    time_of_death = forms.TimeField(
        label="Time of death",
        required=False,
        help_text="Agency time, if known.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place_of_death = forms.CharField(
        label="Place of death",
        max_length=300,
        required=False,
        help_text="Where the death occurred (hold room, hospital, ...).",
    )
    facility_name = forms.CharField(label="Facility", max_length=300, required=False)
    facility_location = forms.CharField(label="Facility location", max_length=200, required=False)
    facility_type = forms.CharField(
        label="Facility type",
        max_length=60,
        required=False,
        help_text="Hold room, SPC, IGSA, CDF, hospital, ...",
    )
    office = forms.ModelChoiceField(
        label="Port, station or office",
        queryset=OrgUnit.objects.none(),
        help_text=(
            "Whose custody the person was in (for a detention facility, the OPR office that covers it); "
            "supervisors of this office see the record."
        ),
    )
    agency = forms.ChoiceField(label="Agency", choices=[("", "Choose"), *CustodyAgency.choices])
    circumstances = forms.CharField(label="Circumstances", widget=forms.Textarea(attrs={"rows": 5}))
    cause = forms.CharField(
        label="Cause of death",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="When known.",
    )
    reported_at = local_moment(
        "When OPR learned of the death", "Agency time; the clocks start here. Empty: now."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office = cast(forms.ModelChoiceField[OrgUnit], self.fields["office"])
        office.queryset = OrgUnit.objects.filter(kind__in=OFFICE_KINDS, active=True).order_by("name")

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["reported_at"] = agency_moment(data.get("reported_at"))
        return data


class StepForm(StyledForm):
    """Meeting one clock: when it was done (default now) and a note."""

    at = local_moment("When", "Agency time. Empty: now.")
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def moment(self) -> dt.datetime | None:
        return agency_moment(self.cleaned_data.get("at"))


class ReviewerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class ReviewerForm(StyledForm):
    reviewer = ReviewerChoiceField(label="Reviewer", queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ReviewerChoiceField, self.fields["reviewer"]).queryset = eligible_reviewers()


class ReviewForm(StyledForm):
    standards = forms.CharField(
        label="Detention standards in force",
        max_length=100,
        required=False,
        help_text="At the facility at the time (e.g. PBNDS 2011 (rev. 2016), NDS 2019, TEDS).",
    )
    facts = forms.CharField(label="Facts", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    compliance = forms.CharField(
        label="Compliance with the standards", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    findings = forms.CharField(label="Findings", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class DcraForm(StyledForm):
    year = forms.IntegerField(label="Year of death", min_value=FIRST_DCRA_YEAR, help_text="Calendar year.")
    agency = forms.ChoiceField(
        label="Agency", required=False, choices=[("", "Both agencies"), *CustodyAgency.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = cast(forms.IntegerField, self.fields["year"])
        year.max_value = timezone.localdate(timezone=agency_time_zone()).year
        year.widget.attrs.update({"min": FIRST_DCRA_YEAR, "max": year.max_value})
        year.validators.append(MaxValueValidator(year.max_value))


class DeathFilterForm(StyledForm):
    year = forms.ChoiceField(label="Year of death", required=False)
    agency = forms.ChoiceField(label="Agency", required=False, choices=[("", "Both"), *CustodyAgency.choices])
    facility = forms.CharField(label="Facility or place", required=False, max_length=100)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = cast(forms.ChoiceField, self.fields["year"])
        year.choices = [("", "Any year"), *((str(value), str(value)) for value in years)]
