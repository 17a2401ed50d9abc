"""Forms of the findings and review screens: they parse input; the services judge it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms

from probity.investigations.forms import style
from probity.investigations.models import ChecklistItem, EvidenceItem, FindingOutcome

MET = "met"
NOT_MET = "not_met"
APPROVE = "approve"
RETURN = "return"


def evidence_label(item: EvidenceItem) -> str:
    description = item.description if len(item.description) <= 80 else item.description[:79] + "…"
    return f"{item.number} · {description}"


class FindingForm(forms.Form):
    """The finding on one allegation. `evidence` is the case's items (as the case page read them)."""

    outcome = forms.ChoiceField(
        label="Finding",
        choices=FindingOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the finding."},
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Why the evidence supports this finding (preponderance of the evidence).",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the rationale: why the evidence supports this finding."},
    )
    evidence = forms.MultipleChoiceField(
        label="Evidence relied on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only items of this case's evidence."},
    )

    def __init__(self, *args: Any, evidence: Iterable[EvidenceItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in evidence}
        field = self.fields["evidence"]
        if isinstance(field, forms.MultipleChoiceField):
            field.choices = [(pk, evidence_label(item)) for pk, item in self.items.items()]
        if not self.items:
            field.help_text = "No evidence is recorded in this case yet."
        style(self.fields.values())

    def chosen_evidence(self) -> list[EvidenceItem]:
        return [self.items[pk] for pk in self.cleaned_data.get("evidence", [])]


class ReviewForm(forms.Form):
    """The supervisor's answers to the active checklist, and the decision."""

    decision = forms.ChoiceField(
        label="Decision",
        choices=[(APPROVE, "Approve the report and close the case"), (RETURN, "Return it for more work")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to approve or to return the report."},
    )
    comments = forms.CharField(
        label="Comments",
        required=False,
        help_text="Required when you return the report: say what must be done.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, items: Sequence[ChecklistItem] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        checklist: dict[str, forms.Field] = {}
        for item in self.items:
            checklist[f"met_{item.code}"] = forms.ChoiceField(
                label=item.text,
                help_text=item.help_text,
                choices=[(MET, "Met"), (NOT_MET, "Not met")],
                widget=forms.RadioSelect,
                error_messages={"required": "Answer this item: met or not met."},
            )
            checklist[f"comment_{item.code}"] = forms.CharField(
                label=f"Comment on “{item.text}”", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        # The checklist first, then the decision, as the supervisor works through it.
        self.fields = {**checklist, **self.fields}
        style(self.fields.values())

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == APPROVE

    def answers(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            item.code: (data[f"met_{item.code}"] == MET, data.get(f"comment_{item.code}", ""))
            for item in self.items
            if data.get(f"met_{item.code}")
        }
