"""Forms for prosecution referrals and discipline: typed input for the outcome services."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.urls import reverse

from probity.core.models import Employee
from probity.intake.forms import _style
from probity.investigations.models import (
    AppealForum,
    CaseAllegation,
    CaseParty,
    Disposition,
    DouglasFactor,
    FactorWeight,
    Offense,
    Penalty,
    ProsecutionDecision,
    ProsecutorKind,
)

DATE = forms.DateInput(attrs={"type": "date"})
CHOOSE = [("", "Choose")]


class _OutcomeForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self.fields.values())


def _text(label: str, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class EmployeeNumberField(forms.CharField):
    """An employee chosen by employee number from the directory."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "Employee number from the directory, e.g. E100001")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Employee | None:
        number = super().clean(value)
        if not number:
            return None
        employee = Employee.objects.filter(employee_number=number.strip()).defer("date_of_birth").first()
        if employee is None:
            raise forms.ValidationError("No employee in the directory has this number.")
        return employee


def party_label(party: CaseParty) -> str:
    if party.employee is not None:
        return party.employee.full_name
    return party.name or party.description[:60] or "Unidentified subject"


class _PickFromPage(_OutcomeForm):
    """Choices from rows the caller has read (the case page's own), so rendering costs no query."""

    def _pick(self, name: str, rows: dict[str, Any], labels: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = labels if isinstance(field, forms.MultipleChoiceField) else [*CHOOSE, *labels]
        self._rows = getattr(self, "_rows", {})
        self._rows[name] = rows


# On the case page


class ReferForProsecutionForm(_PickFromPage):
    subject = forms.ChoiceField(label="Subject presented")
    prosecutor_kind = forms.ChoiceField(label="Prosecutor", choices=[*CHOOSE, *ProsecutorKind.choices])
    prosecutor_office = forms.CharField(
        label="Prosecutor's office", max_length=200, help_text="e.g. U.S. Attorney, District of Arizona"
    )
    presented_on = forms.DateField(label="Date presented", widget=DATE)

    def __init__(self, *args: Any, subjects: Sequence[CaseParty], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pick(
            "subject",
            {str(party.pk): party for party in subjects},
            [(str(party.pk), party_label(party)) for party in subjects],
        )

    def clean_subject(self) -> CaseParty:
        party: CaseParty = self._rows["subject"][self.cleaned_data["subject"]]
        return party


class ProsecutionDecisionForm(_OutcomeForm):
    decision = forms.ChoiceField(
        label="Prosecutor's decision",
        choices=[
            *CHOOSE,
            *((c.value, c.label) for c in ProsecutionDecision if c != ProsecutionDecision.PENDING),
        ],
    )
    decided_on = forms.DateField(label="Date of the decision", widget=DATE)
    charges = _text("Charges", required=False, help_text="When accepted: the charges brought, if known")


class DispositionForm(_OutcomeForm):
    disposition = forms.ChoiceField(label="Disposition", choices=[*CHOOSE, *Disposition.choices])
    disposition_on = forms.DateField(label="Date of the disposition", widget=DATE)
    charges = _text("Charges", required=False, help_text="Leave empty to keep the charges already recorded")
    sentence = _text("Sentence", required=False, help_text="After a guilty plea or conviction")


def allegation_label(allegation: CaseAllegation) -> str:
    return f"{party_label(allegation.subject)}: {allegation.category.name}"


class ReferToManagementForm(_PickFromPage):
    allegations = forms.MultipleChoiceField(
        label="Sustained allegations",
        widget=forms.CheckboxSelectMultiple,
        help_text="Against one employee at a time",
    )

    def __init__(self, *args: Any, sustained: Sequence[CaseAllegation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pick(
            "allegations",
            {str(allegation.pk): allegation for allegation in sustained},
            [(str(allegation.pk), allegation_label(allegation)) for allegation in sustained],
        )

    def clean_allegations(self) -> list[CaseAllegation]:
        rows = self._rows["allegations"]
        chosen: list[CaseAllegation] = [rows[pk] for pk in self.cleaned_data["allegations"]]
        if len({allegation.subject.employee_id for allegation in chosen}) > 1:
            raise forms.ValidationError("Choose allegations against one employee at a time.")
        return chosen

    def employee(self) -> Employee | None:
        chosen = self.cleaned_data.get("allegations") or []
        return chosen[0].subject.employee if chosen else None


# Labor relations


def _penalties() -> forms.ModelChoiceField[Penalty]:
    return forms.ModelChoiceField(
        label="Penalty", queryset=Penalty.objects.order_by("severity"), empty_label="Choose"
    )


class ProposeForm(_OutcomeForm):
    offense = forms.ModelChoiceField(
        label="Offense (table of offenses and penalties)",
        queryset=Offense.objects.filter(active=True),
        empty_label="Choose",
    )
    proposing_official = EmployeeNumberField(label="Proposing official")
    proposed_penalty = _penalties()
    proposed_on = forms.DateField(label="Date proposed", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposed_penalty"].label = "Proposed penalty"
        # Douglas factor 6 for the offense chosen, fetched as the choice changes.
        self.fields["offense"].widget.attrs.update(
            {
                "hx-get": reverse("discipline-consistency"),
                "hx-trigger": "change",
                "hx-target": "#consistency-propose",
            }
        )


class ReplyForm(_OutcomeForm):
    reply = _text("The employee's reply", help_text="Oral or written; or record that none was made")
    replied_on = forms.DateField(label="Date of the reply", widget=DATE)


class DecideForm(_OutcomeForm):
    deciding_official = EmployeeNumberField(
        label="Deciding official", help_text="Someone other than the proposing official; employee number"
    )
    decided_penalty = _penalties()
    decided_on = forms.DateField(label="Date decided", widget=DATE)
    rationale = _text("Reasons for the decision", rows=5)
    departure_explained = forms.BooleanField(
        label="The penalty departs from the table's range, and the reasons say why",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_penalty"].label = "Decided penalty"
        for factor in DouglasFactor:
            self.fields[f"factor_{factor.value}_weight"] = forms.ChoiceField(
                label=f"Factor {factor.value}: weight", choices=[*CHOOSE, *FactorWeight.choices]
            )
            self.fields[f"factor_{factor.value}_explanation"] = _text(
                f"Factor {factor.value}: explanation", rows=2
            )
        _style(self.fields.values())

    def factor_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "factor": factor,
                "weight": self[f"factor_{factor.value}_weight"],
                "explanation": self[f"factor_{factor.value}_explanation"],
            }
            for factor in DouglasFactor
        ]

    def douglas(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            factor.value: (data[f"factor_{factor.value}_weight"], data[f"factor_{factor.value}_explanation"])
            for factor in DouglasFactor
        }

    def plain_fields(self) -> Iterable[forms.BoundField]:
        """The fields above the factor table."""
        for name in (
            "deciding_official",
            "decided_penalty",
            "decided_on",
            "rationale",
            "departure_explained",
        ):
            yield self[name]


class AppealForm(_OutcomeForm):
    forum = forms.ChoiceField(label="Forum", choices=[*CHOOSE, *AppealForum.choices])
    filed_on = forms.DateField(label="Date filed", widget=DATE)


class FinalizeForm(_OutcomeForm):
    """Without an appeal only the date: the decided penalty stands. After one, its outcome."""

    final_on = forms.DateField(label="Date final", widget=DATE)
    final_penalty = forms.ModelChoiceField(
        label="Penalty that stands",
        queryset=Penalty.objects.order_by("severity"),
        required=False,
        empty_label="Choose",
        help_text="The decided penalty or a lesser one",
    )
    reversed_on_appeal = forms.BooleanField(
        label="The appeal reversed the action: no penalty stands", required=False
    )
    appeal_outcome = _text("Outcome of the appeal")

    def __init__(self, *args: Any, appealed: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not appealed:
            for name in ("final_penalty", "reversed_on_appeal", "appeal_outcome"):
                del self.fields[name]
