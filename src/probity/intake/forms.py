"""Forms of the Joint Intake Center's staff screens: recording an allegation and acting on it.

Forms only parse and check the shape of input; every rule about allegations lives in the
services, whose `ValidationError` messages are put back on these forms' fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from probity.core import files
from probity.core.deadlines import agency_time_zone
from probity.core.models import Employee, OrgUnit, Role, User
from probity.intake.models import (
    AllegationCategory,
    AllegationStatus,
    ArrestCategory,
    Channel,
    DatePrecision,
    PersonRole,
    RoutingOutcome,
    SelfReportKind,
    Seriousness,
)
from probity.intake.models.referrals import OigAnswer
from probity.intake.queries import ASSIGNED_TO_ME, UNASSIGNED, AgeBucket, QueueFilters, QueueSort
from probity.intake.services.record import MAX_PEOPLE, AllegationInput, PersonInput

MAX_ATTACHMENTS = 10
PERSON_PREFIX = "people"
PERSON_PREFIX_PATTERN = re.compile(rf"^{PERSON_PREFIX}-\d{{1,3}}$")

# The channels a specialist records by hand; the portal, imports and other modules have their own.
STAFF_CHANNELS = (
    Channel.PHONE,
    Channel.EMAIL,
    Channel.MAIL,
    Channel.WALK_IN,
    Channel.OIG_HOTLINE,
    Channel.SELF_REPORT,
    Channel.SUPERVISOR,
    Channel.OTHER_AGENCY,
)
FLAG_CHOICES = [("", "Follow the categories"), ("yes", "Yes"), ("no", "No")]
CONTACT_PREFERENCES = [
    ("", "No preference"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("mail", "Mail"),
    ("none", "Do not contact"),
]


def name_file_inputs(form: forms.Form) -> None:
    """Name each file input by its label. USWDS's file-input script writes its drag-and-drop
    instructions into the input's aria-label, which would otherwise hide the label from screen
    readers; aria-labelledby takes precedence (the templates give the label that id)."""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.FileInput):
            field.widget.attrs["aria-labelledby"] = f"{form[name].auto_id}_label"


def _style(fields: Iterable[forms.Field]) -> None:
    """USWDS classes on every widget, so templates can render fields as they are."""
    for field in fields:
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "usa-checkbox__input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "usa-select")
        elif isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "usa-textarea")
        elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
            widget.attrs.setdefault("class", "usa-file-input")
        else:
            widget.attrs.setdefault("class", "usa-input")


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


class OfficeChoiceField(forms.ModelChoiceField[OrgUnit]):
    def label_from_instance(self, obj: OrgUnit) -> str:
        # Indented by depth so the tree reads in a plain select; the code disambiguates names.
        return f"{'\u2003' * (obj.depth - 1)}{obj.name} ({obj.code})"


def office_choices() -> QuerySet[OrgUnit]:
    offices: QuerySet[OrgUnit] = OrgUnit.objects.filter(active=True).order_by("path")
    return offices


def intake_specialists() -> QuerySet[User]:
    """The people a batch of allegations may be assigned to."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.INTAKE)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


class AssigneeChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked on its content before anything is written."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploads) > MAX_ATTACHMENTS:
            raise ValidationError(f"Attach at most {MAX_ATTACHMENTS} files; you chose {len(uploads)}.")
        problems: list[str] = []
        for upload in uploads:
            try:
                files.clean_filename(upload.name or "")
                with files.receive(upload):
                    pass
            except ValidationError as error:
                problems.extend(f"{upload.name}: {message}" for message in error.messages)
        if problems:
            raise ValidationError(problems)
        return uploads


def _agency_time(value: dt.datetime | None) -> dt.datetime | None:
    """Read a `datetime-local` entry as agency time (the form parsed it in the server's zone)."""
    if value is None:
        return None
    naive = timezone.make_naive(value, timezone.get_current_timezone())
    return naive.replace(tzinfo=agency_time_zone())


def _flag(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class AllegationForm(forms.Form):
    channel = forms.ChoiceField(
        label="How it was received",
        choices=[("", "Choose a channel"), *[(c.value, c.label) for c in STAFF_CHANNELS]],
    )
    received_at = forms.DateTimeField(
        label="When it was received",
        required=False,
        help_text="Agency time. Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    summary = forms.CharField(label="Summary", max_length=200, help_text="One line; at most 200 characters.")
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="What the person reported, in their words where possible.",
    )
    categories = forms.ModelMultipleChoiceField(
        label="Allegation categories",
        queryset=AllegationCategory.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    incident_date = forms.DateField(
        label="Incident date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    incident_date_precision = forms.ChoiceField(
        label="The incident date is known to the",
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        help_text="For a date known only to the month or year, give its first day.",
    )
    incident_end_date = forms.DateField(
        label="Incident end date",
        required=False,
        help_text="For conduct over a period of time.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    incident_place = forms.CharField(label="Place", max_length=300, required=False)
    office = OfficeChoiceField(
        label="Office or port concerned",
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="Not known",
    )
    prea = forms.ChoiceField(
        label="Sexual abuse or assault (PREA)",
        choices=FLAG_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    use_of_force = forms.ChoiceField(
        label="Use of force", choices=FLAG_CHOICES, required=False, widget=forms.RadioSelect
    )
    self_report_kind = forms.ChoiceField(
        label="What the employee reported",
        choices=[("", "Not a self-report"), *SelfReportKind.choices],
        required=False,
    )
    arrest_category = forms.ModelChoiceField(
        label="Arrest category",
        queryset=ArrestCategory.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="None",
    )
    attachments = MultipleFileField(
        label="Attachments",
        required=False,
        help_text=f"Up to {MAX_ATTACHMENTS} files. Accepted: {{accepted}}.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        # Querysets are set per form, not at import, so reference data edited since is current.
        _set_queryset(self, "categories", AllegationCategory.objects.filter(active=True))
        _set_queryset(self, "arrest_category", ArrestCategory.objects.filter(active=True))
        _set_queryset(self, "office", office_choices())
        fields["attachments"].help_text = str(fields["attachments"].help_text).format(
            accepted=files.accepted_summary()
        )
        _style(fields.values())

    def clean_received_at(self) -> dt.datetime | None:
        return _agency_time(self.cleaned_data.get("received_at"))


class PersonForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=PersonRole.choices, initial=PersonRole.SUBJECT)
    employee_query = forms.CharField(
        label="Find the employee in the directory",
        required=False,
        max_length=100,
        help_text="Type part of a name or an employee number, then choose from the list.",
    )
    employee = forms.ModelChoiceField(
        label="Employee",
        queryset=Employee.objects.defer("date_of_birth"),
        required=False,
        widget=forms.HiddenInput,
    )
    name = forms.CharField(label="Name, if not in the directory", max_length=200, required=False)
    badge_number = forms.CharField(label="Badge number", max_length=40, required=False)
    description = forms.CharField(
        label="Description of an unidentified person",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    anonymous = forms.BooleanField(label="Wishes to stay anonymous", required=False)
    contact = forms.CharField(
        label="Contact (email, phone or address)",
        max_length=500,
        required=False,
        help_text="For complainants. Stored encrypted.",
    )
    contact_preference = forms.ChoiceField(
        label="Contact preference", choices=CONTACT_PREFERENCES, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self.fields.values())
        name_file_inputs(self)
        query = self.fields["employee_query"]
        query.widget.attrs.update({"autocomplete": "off", "type": "search"})

    def has_changed(self) -> bool:
        # A row with only a search typed or a role chosen is not a person yet: it is skipped.
        return any(name not in {"employee_query", "role"} for name in self.changed_data)

    def to_input(self) -> PersonInput:
        data = self.cleaned_data
        employee: Employee | None = data.get("employee")
        return PersonInput(
            role=data["role"],
            employee_id=employee.pk if employee else None,
            name=data.get("name", ""),
            badge_number=data.get("badge_number", ""),
            description=data.get("description", ""),
            anonymous=bool(data.get("anonymous")),
            contact=data.get("contact", ""),
            contact_preference=data.get("contact_preference", ""),
        )


class BasePersonFormSet(forms.BaseFormSet[PersonForm]):
    def people(self) -> list[PersonInput]:
        return [form.to_input() for form in self.forms if form.has_changed() and form.is_valid()]


PersonFormSet = forms.formset_factory(
    PersonForm,
    formset=BasePersonFormSet,
    extra=1,
    max_num=MAX_PEOPLE,
    validate_max=True,
    absolute_max=MAX_PEOPLE,
)


def person_formset(data: Mapping[str, Any] | None = None, *, extra_rows: int = 0) -> BasePersonFormSet:
    """The people formset; `extra_rows` adds blank rows (the no-script "add a person" button)."""
    if data is not None and extra_rows:
        data = _with_more_rows(data, extra_rows)
    formset: BasePersonFormSet = PersonFormSet(data, prefix=PERSON_PREFIX)  # type: ignore[assignment]
    return formset


def _with_more_rows(data: Mapping[str, Any], extra_rows: int) -> Any:
    copy = data.copy()  # type: ignore[attr-defined]
    key = f"{PERSON_PREFIX}-TOTAL_FORMS"
    try:
        total = int(copy.get(key, 0))
    except (TypeError, ValueError):
        total = 0
    copy[key] = str(min(total + extra_rows, MAX_PEOPLE))
    return copy


def allegation_input(form: AllegationForm, people: Sequence[PersonInput]) -> AllegationInput:
    data = form.cleaned_data
    office: OrgUnit | None = data.get("office")
    arrest: ArrestCategory | None = data.get("arrest_category")
    return AllegationInput(
        channel=data["channel"],
        summary=data["summary"],
        narrative=data.get("narrative", ""),
        received_at=data.get("received_at"),
        category_codes=[c.code for c in data.get("categories", [])],
        incident_date=data.get("incident_date"),
        incident_date_precision=data.get("incident_date_precision") or DatePrecision.DAY,
        incident_end_date=data.get("incident_end_date"),
        incident_place=data.get("incident_place", ""),
        office_id=office.pk if office else None,
        prea=_flag(data.get("prea", "")),
        use_of_force=_flag(data.get("use_of_force", "")),
        self_report_kind=data.get("self_report_kind", ""),
        arrest_category_code=arrest.code if arrest else "",
        people=tuple(people),
        language=settings.LANGUAGE_CODE,
    )


def apply_service_errors(
    error: ValidationError, form: forms.Form, formset: BasePersonFormSet | None = None
) -> None:
    """Put a service's `ValidationError` messages on the form fields they concern."""
    problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for name, messages in problems.items():
        for message in messages:
            if name == "people" and formset is not None:
                formset.non_form_errors().append(message)
            elif name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


class _ActionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self.fields.values())
        name_file_inputs(self)


class TriageForm(_ActionForm):
    seriousness = forms.ChoiceField(label="Seriousness", choices=[("", "Choose"), *Seriousness.choices])
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferForm(_ActionForm):
    note = forms.CharField(
        label="Note to the referral",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OigAnswerForm(_ActionForm):
    answer = forms.ChoiceField(
        label="OIG's answer",
        choices=[(c.value, c.label) for c in OigAnswer if c != OigAnswer.PENDING],
        widget=forms.RadioSelect,
    )
    oig_reference = forms.CharField(label="OIG reference", required=False, max_length=60)
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RouteForm(_ActionForm):
    outcome = forms.ChoiceField(label="Route to", choices=[("", "Choose"), *RoutingOutcome.choices])
    rationale = forms.CharField(
        label="Rationale",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: why this route. Closing without referral needs a supervisor's approval.",
        error_messages={"required": "Give the rationale for this routing decision."},
    )


class ApproveClosureForm(_ActionForm):
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectClosureForm(_ActionForm):
    reason = forms.CharField(
        label="Why the closure is rejected",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the closure is rejected."},
    )


class AssignForm(_ActionForm):
    assignee = AssigneeChoiceField(
        label="Assign to",
        queryset=User.objects.none(),
        empty_label="Choose an intake specialist",
        error_messages={"required": "Choose the intake specialist to assign to."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "assignee", intake_specialists())


class BulkAssignForm(AssignForm):
    allegations = forms.TypedMultipleChoiceField(
        label="Allegations",
        coerce=int,
        choices=[],
        error_messages={"required": "Select at least one allegation to assign."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id parses; which of them the user may see is decided by the access policy.
        raw = self.data.getlist("allegations") if hasattr(self.data, "getlist") else []
        field = self.fields["allegations"]
        if isinstance(field, forms.ChoiceField):
            field.choices = [(value, value) for value in raw if str(value).isdigit()]


def error_summary(form: forms.Form, formset: BasePersonFormSet | None = None) -> list[tuple[str, str]]:
    """(anchor, message) for every problem, for the error summary at the top of a form."""
    items: list[tuple[str, str]] = [("", str(message)) for message in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        anchor = _anchor(form, name)
        label = form.fields[name].label if name in form.fields else name
        items.extend((anchor, f"{label}: {message}") for message in errors)
    if formset is not None and formset.is_bound:
        anchor = f"id_{PERSON_PREFIX}-0-role"
        items.extend((anchor, f"People: {message}") for message in formset.non_form_errors())
        for index, person in enumerate(formset.forms, start=1):
            for name, errors in person.errors.items():
                target = _anchor(person, name) if name in person.fields else f"id_{person.prefix}-role"
                items.extend((target, f"Person {index}: {message}") for message in errors)
    return items


def _anchor(form: forms.Form, name: str) -> str:
    field = form[name]
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"{field.auto_id}_0"
    if name == "employee":
        return str(form["employee_query"].auto_id)
    return str(field.auto_id)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class QueueFilterForm(forms.Form):
    """Shows the queue's filters. Parsing is `QueueFilters.from_query`'s, shared with the API."""

    q = forms.CharField(label="Number or summary contains", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status", choices=AllegationStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.ChoiceField(
        label="Channel", choices=[("", "Any channel"), *Channel.choices], required=False
    )
    category = forms.ModelChoiceField(
        label="Category",
        queryset=AllegationCategory.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Any category",
    )
    office = OfficeChoiceField(
        label="Office (and the offices under it)",
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="Any office",
    )
    age = forms.ChoiceField(label="Age", choices=[("", "Any age"), *AgeBucket.choices], required=False)
    prea = forms.ChoiceField(
        label="PREA", choices=[("", "Either"), ("true", "PREA only"), ("false", "Not PREA")], required=False
    )
    use_of_force = forms.ChoiceField(
        label="Use of force",
        choices=[("", "Either"), ("true", "Use of force only"), ("false", "No use of force")],
        required=False,
    )
    assigned = forms.ChoiceField(
        label="Assigned",
        choices=[("", "Anyone or no one"), (ASSIGNED_TO_ME, "Assigned to me"), (UNASSIGNED, "Unassigned")],
        required=False,
    )
    sort = forms.ChoiceField(label="Sort by", choices=QueueSort.choices, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Retired categories stay searchable: old allegations keep them.
        _set_queryset(self, "category", AllegationCategory.objects.order_by("sort_order", "name"))
        _set_queryset(self, "office", office_choices())
        _style(self.fields.values())
        name_file_inputs(self)
        for field in self.fields.values():
            field.widget.attrs.pop("required", None)

    @classmethod
    def for_filters(cls, filters: QueueFilters) -> QueueFilterForm:
        """The form showing the filters as they were understood (ignored values left out)."""
        assigned = filters.assigned if filters.assigned in {ASSIGNED_TO_ME, UNASSIGNED} else ""
        return cls(
            initial={
                "q": filters.q,
                "status": list(filters.statuses),
                "channel": filters.channel,
                "category": filters.category,
                "office": filters.office_id,
                "age": filters.age,
                "prea": _yes_no(filters.prea),
                "use_of_force": _yes_no(filters.use_of_force),
                "assigned": assigned,
                "sort": filters.sort,
            }
        )
