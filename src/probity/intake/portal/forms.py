"""The portal's forms, one per step; every label, hint and message is translatable.

Widgets carry USWDS classes here so that templates stay plain. Lengths are checked in
`clean_*` rather than with `max_length`, because the HTML `maxlength` it adds makes browsers
cut pasted text short without a word; a message that says how long the text is serves better.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from probity.intake.forms import name_file_inputs
from probity.intake.models import DatePrecision
from probity.intake.services import portal
from probity.intake.services.portal import ContactPreference, InvolvedRole, PublicConcern

WIDGET_CLASSES = {
    forms.Textarea: "usa-textarea",
    forms.Select: "usa-select",
    forms.RadioSelect: "usa-radio__input",
}


def _too_long(value: str, limit: int) -> forms.ValidationError | None:
    if len(value) <= limit:
        return None
    return forms.ValidationError(
        _("This must be %(limit)s characters or fewer. It has %(count)s: shorten it and try again."),
        code="too_long",
        params={"limit": f"{limit:,}", "count": f"{len(value):,}"},
    )


class PortalForm(forms.Form):
    """A form whose widgets carry the USWDS classes and whose errors name no internals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next((c for kind, c in WIDGET_CLASSES.items() if isinstance(widget, kind)), "usa-input")
            if isinstance(widget, forms.FileInput):
                css = "usa-file-input"
            widget.attrs.setdefault("class", css)
        name_file_inputs(self)

    def check_length(self, name: str, limit: int) -> str:
        value: str = self.cleaned_data.get(name) or ""
        error = _too_long(value, limit)
        if error is not None:
            raise error
        return value


class WhatForm(PortalForm):
    narrative = forms.CharField(
        label=_("What happened?"),
        help_text=_(
            "Describe what happened in your own words: what was said and done, and by whom. "
            "Include anything you think is important."
        ),
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": _("Tell us what happened.")},
        strip=False,
    )
    concern = forms.ChoiceField(
        label=_("What is your complaint mainly about? (optional)"),
        choices=[("", _("I am not sure")), *PublicConcern.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_narrative(self) -> str:
        value = self.check_length("narrative", portal.NARRATIVE_MAX)
        if not value.strip():
            raise forms.ValidationError(_("Tell us what happened."), code="required")
        return value


class WhenForm(PortalForm):
    day = forms.CharField(
        label=_("Day"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    month = forms.ChoiceField(
        label=_("Month"), required=False, choices=[("", _("- Select -")), *MONTHS.items()]
    )
    year = forms.CharField(
        label=_("Year"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    place = forms.CharField(
        label=_("Where did it happen? (optional)"),
        help_text=_("For example: the name of the port, the road, the building or the city."),
        required=False,
    )
    office = forms.ChoiceField(label=_("Office, port of entry or station (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = [
            (str(unit.pk), f"{unit.name} ({unit.city}, {unit.state})" if unit.city else unit.name)
            for unit in portal.office_choices()
        ]
        cast(forms.ChoiceField, self.fields["office"]).choices = [
            ("", _("I do not know, or it is not listed")),
            *offices,
        ]

    def clean_place(self) -> str:
        return self.check_length("place", portal.PLACE_MAX).strip()

    def _number(self, name: str) -> int | None:
        raw = (self.cleaned_data.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            self.add_error(name, _("Use numbers only."))
            return None
        return int(raw)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, year = self._number("day"), self._number("year")
        month = int(data["month"]) if data.get("month") else None
        data["incident_date"], data["incident_date_precision"] = None, DatePrecision.DAY
        if self.errors:
            return data
        if (day or month) and year is None:
            self.add_error("year", _("Give the year, or leave the whole date empty."))
        elif day and month is None:
            self.add_error("month", _("Give the month too, or leave the day empty."))
        elif year is not None:
            self._resolve_date(data, day, month, year)
        return data

    def _resolve_date(self, data: dict[str, Any], day: int | None, month: int | None, year: int) -> None:
        try:
            when = dt.date(year, month or 1, day or 1)
        except ValueError:
            self.add_error("day", _("This date does not exist. Check the day, month and year."))
            return
        if when > timezone.localdate():
            self.add_error("year", _("The date cannot be in the future."))
        elif year < portal.EARLIEST_YEAR:
            self.add_error("year", _("Give a year from %(year)s onwards.") % {"year": portal.EARLIEST_YEAR})
        else:
            data["incident_date"] = when
            data["incident_date_precision"] = (
                DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
            )

    def office_id(self) -> int | None:
        raw = self.cleaned_data.get("office")
        return int(raw) if raw else None

    def office_label(self) -> str:
        chosen = str(self.cleaned_data.get("office") or "")
        choices: list[tuple[str, Any]] = list(cast(forms.ChoiceField, self.fields["office"]).choices)  # type: ignore[arg-type]
        return next((str(label) for value, label in choices if chosen and value == chosen), "")


class PersonForm(PortalForm):
    role = forms.ChoiceField(
        label=_("This person is"),
        choices=InvolvedRole.choices,
        initial=InvolvedRole.EMPLOYEE,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Name (if you know it)"), required=False)
    badge_number = forms.CharField(label=_("Badge or ID number (if you saw it)"), required=False)
    description = forms.CharField(
        label=_("Description"),
        help_text=_("For example: uniform, height, hair, what they did."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_name(self) -> str:
        return self.check_length("name", portal.NAME_MAX).strip()

    def clean_badge_number(self) -> str:
        return self.check_length("badge_number", portal.BADGE_MAX).strip()

    def clean_description(self) -> str:
        return self.check_length("description", portal.DESCRIPTION_MAX).strip()

    def person(self) -> portal.InvolvedPerson:
        data = self.cleaned_data
        return portal.InvolvedPerson(
            role=data.get("role") or InvolvedRole.EMPLOYEE,
            name=data.get("name", ""),
            badge_number=data.get("badge_number", ""),
            description=data.get("description", ""),
        )


PERSON_FIELDS = tuple(PersonForm.base_fields)


class AboutYouForm(PortalForm):
    NAMED, ANONYMOUS = "named", "anonymous"

    identity = forms.ChoiceField(
        label=_("Do you want to give your name?"),
        choices=[
            (NAMED, _("Yes, give my name and how to contact me")),
            (ANONYMOUS, _("No, I want to stay anonymous")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to give your name or to stay anonymous.")},
    )
    name = forms.CharField(label=_("Your name"), required=False)
    email = forms.CharField(
        label=_("Email address"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone number"), required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    contact_preference = forms.ChoiceField(
        label=_("How may we contact you?"),
        choices=ContactPreference.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("identity") != self.NAMED:
            return data
        who = self.complainant()
        if not (who.name or who.email or who.phone):
            self.add_error("name", _("Give your name or a way to contact you, or choose to stay anonymous."))
        for field_name, messages in portal.complainant_problems(who).items():
            target = field_name if field_name in self.fields else None
            for message in messages:
                self.add_error(target, message)
        return data

    def complainant(self) -> portal.Complainant:
        data = self.cleaned_data
        if data.get("identity") != self.NAMED:
            return portal.Complainant(anonymous=True)
        return portal.Complainant(
            anonymous=False,
            name=(data.get("name") or "").strip(),
            email=(data.get("email") or "").strip(),
            phone=(data.get("phone") or "").strip(),
            contact_preference=data.get("contact_preference") or ContactPreference.NONE,
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked on its content by the service, not here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        attrs = {"multiple": True, "accept": "image/*,audio/*,video/*,application/pdf"}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return list(data)
        return [data] if data else []


def _files_hint() -> str:
    from django.template.defaultfilters import filesizeformat

    from probity.core import files

    return str(
        _("Photos, PDF documents, audio or video. At most %(count)s files, each up to %(size)s.")
        % {"count": settings.PROBITY_PORTAL_MAX_FILES, "size": filesizeformat(files.max_bytes())}
    )


class FilesForm(PortalForm):
    attachments = MultipleFileField(label=_("Choose files to attach (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _files_hint()


class ReviewForm(PortalForm):
    # The honeypot: hidden from sight and from assistive technology, skipped by the tab key.
    # People never fill it; robots that fill every field do.
    leave_empty = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class StatusForm(PortalForm):
    tracking_code = forms.CharField(
        label=_("Tracking code"),
        help_text=_("For example: ABCD-EFGH-JKMN"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Enter your tracking code.")},
    )
    passphrase = forms.CharField(
        label=_("Passphrase"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter your passphrase.")},
    )

    def clean_tracking_code(self) -> str:
        return self.check_length("tracking_code", 40)

    def clean_passphrase(self) -> str:
        return self.check_length("passphrase", 80)


class FollowUpForm(PortalForm):
    text = forms.CharField(
        label=_("What do you want to add?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        strip=False,
    )
    attachments = MultipleFileField(label=_("Files to attach (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _files_hint()

    def clean_text(self) -> str:
        return self.check_length("text", portal.FOLLOW_UP_MAX)
