"""Forms for Giglio requests and judicial findings: typed input for the Giglio services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from probity.intake.forms import _style
from probity.investigations.forms_outcomes import EmployeeNumberField
from probity.oversight.queries_giglio import ItemView

DATE = forms.DateInput(attrs={"type": "date"})


class _GiglioForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self.fields.values())


class GiglioRequestForm(_GiglioForm):
    prosecutor_office = forms.CharField(
        label="Prosecutor's office",
        max_length=200,
        help_text="e.g. U.S. Attorney's Office, District of Arizona",
    )
    requesting_official = forms.CharField(
        label="Requesting official", max_length=200, help_text="The prosecutor's requesting official, by name"
    )
    prosecutor_case = forms.CharField(
        label="Prosecution case", max_length=200, help_text="The prosecution's case name or number"
    )
    employee_number = EmployeeNumberField(label="Employee witness")
    needed_by = forms.DateField(label="Needed by", widget=DATE)


class JudicialFindingForm(_GiglioForm):
    employee_number = EmployeeNumberField(label="Employee")
    court = forms.CharField(
        label="Court", max_length=200, help_text="e.g. U.S. District Court, District of Arizona"
    )
    case_reference = forms.CharField(label="Court case reference", max_length=200)
    found_on = forms.DateField(label="Date of the finding", widget=DATE)
    finding = forms.CharField(
        label="What the court found",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="e.g. that the employee's testimony on the stop was not credible",
    )


class WithdrawForm(_GiglioForm):
    reason = forms.CharField(
        label="Why the request is withdrawn", max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IncludeForm(forms.Form):
    """Which compiled items go out in the letter: one checkbox per item the user may read."""

    items = forms.MultipleChoiceField(
        label="Include in the letter", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, items: Sequence[ItemView], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = [(str(view.item.pk), view.item.summary) for view in items]
        if not self.is_bound:
            self.initial["items"] = [str(view.item.pk) for view in items if view.item.include]

    def chosen(self) -> set[int]:
        return {int(value) for value in self.cleaned_data["items"]}
