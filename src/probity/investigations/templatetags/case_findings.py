"""Template tags of the case's findings section: its forms, built from what the case page read."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist

from probity.investigations.forms_findings import FindingForm, ReviewForm
from probity.investigations.models import CaseAllegation, CaseStatus, ChecklistItem, EvidenceItem
from probity.investigations.services.findings import FINDING_STATES

register = template.Library()


@register.simple_tag
def finding_form(allegation: CaseAllegation, evidence: list[EvidenceItem]) -> FindingForm:
    """The finding form of one allegation, filled with its finding (read with the page)."""
    initial: dict[str, Any] = {}
    try:
        finding = allegation.finding
    except ObjectDoesNotExist:
        finding = None
    if finding is not None:
        initial = {
            "outcome": finding.outcome,
            "rationale": finding.rationale,
            "evidence": [str(item.pk) for item in finding.evidence.all()],
        }
    # Many of these forms share the page: their ids, not their field names, are made unique.
    return FindingForm(initial=initial, evidence=evidence, auto_id=f"finding-{allegation.pk}-%s")


@register.simple_tag
def review_form() -> ReviewForm:
    """The review form on the active checklist (one query, whatever the size of the case)."""
    items = list(ChecklistItem.objects.filter(active=True).order_by("sort_order", "code"))
    return ReviewForm(items=items, auto_id="review-%s")


@register.filter
def findings_open(page: Any) -> bool:
    """Whether findings may be recorded now, by someone who works on the case."""
    return bool(page.can_work) and page.case.status in FINDING_STATES


@register.filter
def may_review(page: Any, user: Any) -> bool:
    """A supervisor who neither leads the case nor is on its team, while it is in review."""
    if page.case.status != CaseStatus.SUFFICIENCY_REVIEW or not page.is_supervisor:
        return False
    if page.case.lead_agent_id == user.pk:
        return False
    return all(member.user_id != user.pk for member in page.team)
