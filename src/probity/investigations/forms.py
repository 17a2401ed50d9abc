"""Forms of the case screens: the case list's filters, opening a case, and the case actions.

Forms only parse and check the shape of input; every rule about cases lives in the services
(`investigations/services/cases.py`), whose `ValidationError` messages are put back on these
forms' fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from probity.core.models import Employee, OrgUnit, Role, User
from probity.intake.forms import OfficeChoiceField
from probity.intake.models import AllegationCategory
from probity.investigations import queries
from probity.investigations.models import Case, CaseParty, CaseStatus, CaseType, PartyRole
from probity.investigations.queries import ME, NO_LEAD, CaseAge, CaseFilters, CaseSort

MAX_SUBJECTS = 20
_EMPLOYEE_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")


def style(fields: Iterable[forms.Field]) -> None:
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
        else:
            widget.attrs.setdefault("class", "usa-input")


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


class PersonChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.get_username()


class CaseOfficeField(OfficeChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.name} ({obj.code})"


def agents_for(case: Case) -> QuerySet[User]:
    """Agents who may work the case: those of its office (and below), or agency-wide."""
    agents: QuerySet[User] = User.objects.filter(
        Q(office_scope__path__startswith=case.office.path) | Q(office_scope__isnull=True),
        is_active=True,
        groups__name=Role.AGENT,
    )
    return agents.order_by("last_name", "first_name", "username").distinct()


def employee_by_number(value: str) -> Employee:
    """The directory employee with this number, or a field error saying so."""
    number = value.strip()
    if not _EMPLOYEE_NUMBER.match(number):
        raise ValidationError(f"{number[:40]!r} is not an employee number.")
    employee = Employee.objects.defer("date_of_birth").filter(employee_number__iexact=number).first()
    if employee is None:
        raise ValidationError(f"No employee has the number {number}.")
    return employee


class _StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self.fields.values())


def _reason(label: str, required_message: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": required_message},
    )


def apply_service_errors(
    error: ValidationError, form: forms.Form, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's `ValidationError` messages on the form fields they concern.

    `aliases` maps a service's argument name to the form field that carries it (the service's
    `employee` is the form's `employee_number`); other unknown names go to the whole form.
    """
    problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for name, messages in problems.items():
        field = (aliases or {}).get(name, name)
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


# The list


class CaseFilterForm(forms.Form):
    """Shows the list's filters. Parsing is `CaseFilters.from_query`'s."""

    q = forms.CharField(label="Number or title contains", required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label="Status",
        choices=CaseStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None checked: every open case.",
    )
    type = forms.ChoiceField(label="Type", choices=[("", "Any type"), *CaseType.choices], required=False)
    office = CaseOfficeField(
        label="Office", queryset=OrgUnit.objects.none(), required=False, empty_label="Any office"
    )
    lead = forms.ChoiceField(label="Lead agent", required=False)
    mine = forms.BooleanField(label="Only cases I work on", required=False)
    age = forms.ChoiceField(label="Age", choices=[("", "Any age"), *CaseAge.choices], required=False)
    sort = forms.ChoiceField(label="Sort by", choices=CaseSort.choices, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "office", queries.case_offices(user))
        lead = self.fields["lead"]
        if isinstance(lead, forms.ChoiceField):
            agents = [
                (str(agent.pk), agent.get_full_name() or agent.get_username())
                for agent in queries.lead_agent_choices(user)
            ]
            lead.choices = [("", "Anyone or no one"), (ME, "Me"), (NO_LEAD, "No lead agent yet"), *agents]
        style(self.fields.values())
        for field in self.fields.values():
            field.widget.attrs.pop("required", None)

    @classmethod
    def for_filters(cls, user: Any, filters: CaseFilters) -> CaseFilterForm:
        """The form showing the filters as they were understood (ignored values left out)."""
        return cls(
            user=user,
            initial={
                "q": filters.q,
                "status": list(filters.statuses),
                "type": filters.case_type,
                "office": filters.office_id,
                "lead": filters.lead,
                "mine": filters.mine,
                "age": filters.age,
                "sort": filters.sort,
            },
        )


# Opening a case directly


class OpenCaseForm(_StyledForm):
    office = CaseOfficeField(
        label="OPR office",
        queryset=OrgUnit.objects.none(),
        empty_label="Choose the office",
        error_messages={"required": "Choose the OPR office that owns the case."},
    )
    case_type = forms.ChoiceField(
        label="Type",
        choices=[("", "Choose a type"), *CaseType.choices],
        error_messages={"required": "Choose the type of case."},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="One line; at most 200 characters.",
        error_messages={"required": "Give the case a title."},
    )
    reason = _reason(
        "Why the case is opened directly",
        "Say why the case is opened without an allegation routed by intake.",
    )
    reason.help_text = "Intake sees this reason with the allegation recorded for the case."
    subjects = forms.CharField(
        label="Subjects' employee numbers",
        help_text=f"One or more employee numbers, separated by commas or spaces; at most {MAX_SUBJECTS}.",
        max_length=1000,
        error_messages={"required": "Give the employee number of at least one subject."},
    )
    categories = forms.ModelMultipleChoiceField(
        label="Allegation categories",
        queryset=AllegationCategory.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one allegation category."},
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "office", queries.case_offices(user, field_offices_only=True))
        _set_queryset(
            self, "categories", AllegationCategory.objects.filter(active=True).order_by("sort_order", "name")
        )

    def clean_subjects(self) -> list[Employee]:
        numbers = list(dict.fromkeys(re.split(r"[\s,;]+", self.cleaned_data["subjects"].strip())))
        numbers = [number for number in numbers if number]
        if len(numbers) > MAX_SUBJECTS:
            raise ValidationError(f"Name at most {MAX_SUBJECTS} subjects; you gave {len(numbers)}.")
        employees, problems = [], []
        for number in numbers:
            try:
                employees.append(employee_by_number(number))
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise ValidationError(problems)
        if not employees:
            raise ValidationError("Give the employee number of at least one subject.")
        return employees


# Actions on one case


class CaseEditForm(_StyledForm):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "A case needs a title."}
    )
    synopsis = forms.CharField(
        label="Synopsis",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What the case is about and where it stands; it opens the report of investigation.",
    )


class AssignLeadForm(_StyledForm):
    agent = PersonChoiceField(
        label="Lead agent",
        queryset=User.objects.none(),
        empty_label="Choose an agent",
        error_messages={"required": "Choose the agent who leads the case."},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "agent", agents_for(case))


class AddMemberForm(_StyledForm):
    agent = PersonChoiceField(
        label="Agent to add to the team",
        queryset=User.objects.none(),
        empty_label="Choose an agent",
        error_messages={"required": "Choose the agent to add."},
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "agent", agents_for(case))


class MoveForm(_StyledForm):
    target = forms.ChoiceField(label="Move to", choices=CaseStatus.choices, widget=forms.HiddenInput)
    reason = _reason("Reason", "Give the reason for this move.", required=False)


class ConvertForm(_StyledForm):
    case_type = forms.ChoiceField(
        label="New type",
        choices=[("", "Choose a type"), *CaseType.choices],
        error_messages={"required": "Choose the new type."},
    )
    reason = _reason("Why the type changes", "Say why the case changes type.")


class ReopenForm(_StyledForm):
    reason = _reason("Why the case is reopened", "Say why the case is reopened.")


class TransferForm(_StyledForm):
    office = CaseOfficeField(
        label="Transfer to",
        queryset=OrgUnit.objects.none(),
        empty_label="Choose the office",
        error_messages={"required": "Choose the office that takes the case."},
    )
    reason = _reason("Why the case moves", "Say why the case moves to another office.")

    def __init__(self, *args: Any, case: Case | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = queries.case_offices(None, field_offices_only=True)
        if case is not None:
            offices = offices.exclude(pk=case.office_id)
        _set_queryset(self, "office", offices)


class AddPartyForm(_StyledForm):
    SERVICE_NAMES = {"employee": "employee_number"}

    role = forms.ChoiceField(label="Role", choices=PartyRole.choices, initial=PartyRole.WITNESS)
    employee_number = forms.CharField(
        label="Employee number, for an agency employee",
        required=False,
        max_length=20,
        help_text="Find it in People. Leave empty for someone outside the agency.",
    )
    name = forms.CharField(label="Name, if not an employee", required=False, max_length=200)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Who they are, for someone not identified by name.",
    )
    contact = forms.CharField(
        label="Contact (email, phone or address)",
        required=False,
        max_length=500,
        help_text="Stored encrypted.",
    )

    def clean_employee_number(self) -> Employee | None:
        number = self.cleaned_data.get("employee_number", "").strip()
        return employee_by_number(number) if number else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (
            data.get("employee_number") or data.get("name", "").strip() or data.get("description", "").strip()
        ):
            raise ValidationError("Give an employee number, a name or a description of the person.")
        return data


class PartyRoleForm(_StyledForm):
    role = forms.ChoiceField(label="New role", choices=PartyRole.choices)
    reason = _reason("Why the role changes", "Say why the role changes.")


class SubjectChoiceField(forms.ModelChoiceField[CaseParty]):
    def label_from_instance(self, obj: CaseParty) -> str:
        if obj.employee_id is not None and obj.employee is not None:
            return f"{obj.employee.last_name}, {obj.employee.first_name} ({obj.employee.employee_number})"
        return obj.name or obj.description[:60] or f"Party {obj.pk}"


class AddAllegationForm(_StyledForm):
    subject = SubjectChoiceField(
        label="Subject",
        queryset=CaseParty.objects.none(),
        empty_label="Choose a subject",
        error_messages={"required": "Choose the subject of the allegation."},
    )
    category = forms.ModelChoiceField(
        label="Category",
        queryset=AllegationCategory.objects.none(),
        to_field_name="code",
        empty_label="Choose a category",
        error_messages={"required": "Choose the allegation category."},
    )
    description = forms.CharField(
        label="Description", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, case: Case, subjects: list[CaseParty] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        parties = CaseParty.objects.filter(case=case, role=PartyRole.SUBJECT).select_related("employee")
        _set_queryset(self, "subject", parties.defer("contact", "employee__date_of_birth").order_by("pk"))
        if subjects is not None:
            # Show the page's already-read subjects rather than reading them again.
            field = self.fields["subject"]
            if isinstance(field, SubjectChoiceField):
                field.choices = [("", "Choose a subject")] + [
                    (party.pk, field.label_from_instance(party)) for party in subjects
                ]
        _set_queryset(
            self, "category", AllegationCategory.objects.filter(active=True).order_by("sort_order", "name")
        )
