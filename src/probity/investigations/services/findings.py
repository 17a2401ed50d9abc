"""Recording the finding on each case allegation, and what a sustained finding sets off.

`record_finding` creates the finding on one allegation (one subject, one category) or revises it,
while the case is being investigated, its report drafted, or after it was reopened. It keeps the
evidence relied on (only this case's items) and a required rationale, and audits the changed
fields.

A SUSTAINED finding in a category whose `impeachment` is truthfulness or bias marks the subject
employee for Giglio (one `GiglioMark` per finding). Marks are append-only: a finding later
revised away from sustained keeps its mark, because the mark records that a sustained finding
existed; whoever reads the marks (the oversight module's Giglio official) shows the finding's
current outcome next to it (`mark.finding.outcome`). A finding that becomes sustained also calls
the `hooks.on_sustained_finding` handlers (personnel security, later), inside the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction
from probity.core.workflow import IllegalTransition
from probity.intake.models import Impeachment
from probity.investigations import hooks
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseParty,
    CaseStatus,
    EvidenceItem,
    Finding,
    FindingOutcome,
    GiglioMark,
    GiglioReason,
)
from probity.investigations.services.cases import require_case_worker
from probity.investigations.workflow import CASE_FLOW

S = CaseStatus
MAX_RATIONALE = 20_000
# Findings are made and revised while the work is open; in review they are frozen (the reviewer
# judges what was submitted) and a closed case is reopened first.
FINDING_STATES = frozenset({S.INVESTIGATING, S.REPORT_DRAFTING, S.REOPENED})
GIGLIO_REASONS: dict[str, GiglioReason] = {
    Impeachment.TRUTHFULNESS: GiglioReason.SUSTAINED_TRUTHFULNESS,
    Impeachment.BIAS: GiglioReason.SUSTAINED_BIAS,
}

Problems = dict[str, list[str]]


def party_label(party: CaseParty) -> str:
    if party.employee_id is not None and party.employee is not None:
        return party.employee.full_name
    return party.name or party.description[:60] or "unidentified subject"


def allegation_label(allegation: CaseAllegation) -> str:
    return f"{party_label(allegation.subject)}: {allegation.category.name}"


def lock_case(case: Case) -> Case:
    """The case row, locked for the rest of the transaction (one writer per case at a time)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def state_label(status: str) -> str:
    return CASE_FLOW.labels.get(status, status)


def _evidence(case: Case, evidence: Iterable[EvidenceItem]) -> tuple[list[EvidenceItem], Problems]:
    wanted = {item.pk for item in evidence}
    if None in wanted:
        return [], {"evidence": ["Evidence relied on must be items already recorded in the case."]}
    items = list(EvidenceItem.objects.filter(pk__in=wanted).order_by("number"))
    foreign = sorted(item.pk for item in items if item.case_id != case.pk)
    if foreign:
        # Named by id only: the other case may be one the actor must not learn of.
        ids = ", ".join(str(pk) for pk in foreign)
        return [], {
            "evidence": [
                f"A finding relies only on the evidence of its own case ({case.number}); "
                f"evidence {ids} is not part of it."
            ]
        }
    if len(items) < len(wanted):
        return [], {"evidence": ["Some of the evidence chosen no longer exists."]}
    return items, {}


def _validate(outcome: str, rationale: str) -> Problems:
    problems: Problems = {}
    if outcome not in FindingOutcome.values:
        choices = ", ".join(label.lower() for label in FindingOutcome.labels)
        problems["outcome"] = [f"Choose the finding: {choices}."]
    if not rationale:
        problems["rationale"] = ["Give the rationale: why the evidence supports this finding."]
    elif len(rationale) > MAX_RATIONALE:
        problems["rationale"] = [f"The rationale may be at most {MAX_RATIONALE:,} characters."]
    return problems


def record_finding(
    *,
    actor: Any,
    allegation: CaseAllegation,
    outcome: str,
    rationale: str,
    evidence: Iterable[EvidenceItem] = (),
) -> Finding:
    """Record (or revise) the finding on one case allegation; see the module's docstring."""
    current = (
        CaseAllegation.objects.select_related("case", "subject__employee", "category")
        .filter(pk=allegation.pk)
        .first()
    )
    if current is None:
        raise Http404("No such allegation")
    require_case_worker(actor, current.case)
    rationale = (rationale or "").strip()
    chosen = list(evidence)
    with transaction.atomic():
        case = lock_case(current.case)
        if case.status not in FINDING_STATES:
            allowed = ", ".join(state_label(s) for s in sorted(FINDING_STATES))
            raise IllegalTransition(
                f"Findings are recorded while a case is {allowed}; "
                f"{case.number} is {state_label(case.status)}.",
                code="finding_state",
            )
        items, problems = _evidence(case, chosen)
        problems = {**_validate(outcome, rationale), **problems}
        if problems:
            raise ValidationError(problems)
        finding, previous = _write(actor, current, outcome, rationale, items)
        if finding is None:
            return Finding.objects.get(allegation=current)
        events = [_finding_event(actor, current, finding, previous, items)]
        employee = current.subject.employee
        if outcome == FindingOutcome.SUSTAINED and employee is not None:
            reason = GIGLIO_REASONS.get(current.category.impeachment)
            if reason is not None:
                mark, created = GiglioMark.objects.get_or_create(
                    finding=finding,
                    defaults={
                        "employee": employee,
                        "reason": reason,
                        "case": case,
                        "marked_at": timezone.now(),
                    },
                )
                if created:
                    events.append(
                        audit.EventSpec(
                            action=AuditAction.CREATE,
                            actor=actor,
                            obj=mark,
                            changes={
                                "employee": [None, employee.employee_number],
                                "reason": [None, reason],
                                "case": [None, case.number],
                                "finding": [None, finding.pk],
                            },
                        )
                    )
        audit.record_many(events)
        became_sustained = outcome == FindingOutcome.SUSTAINED and (
            previous is None or previous["outcome"] != FindingOutcome.SUSTAINED
        )
        if became_sustained and employee is not None:
            hooks.sustained(finding=finding, employee=employee)
    return finding


def _write(
    actor: Any, allegation: CaseAllegation, outcome: str, rationale: str, items: list[EvidenceItem]
) -> tuple[Finding | None, dict[str, Any] | None]:
    """Create or update the row; (None, …) when a revision changes nothing."""
    now = timezone.now()
    finding = Finding.objects.filter(allegation=allegation).first()
    if finding is None:
        finding = Finding.objects.create(
            allegation=allegation,
            outcome=outcome,
            rationale=rationale,
            recorded_at=now,
            recorded_by=actor,
            updated_at=now,
        )
        finding.evidence.set(items)
        return finding, None
    previous = {
        "outcome": finding.outcome,
        "rationale": finding.rationale,
        "evidence": sorted(finding.evidence.values_list("number", flat=True)),
    }
    if previous == {"outcome": outcome, "rationale": rationale, "evidence": [i.number for i in items]}:
        return None, previous
    finding.outcome = outcome
    finding.rationale = rationale
    finding.updated_at = now
    finding.save(update_fields=["outcome", "rationale", "updated_at"])
    finding.evidence.set(items)
    return finding, previous


def _finding_event(
    actor: Any,
    allegation: CaseAllegation,
    finding: Finding,
    previous: dict[str, Any] | None,
    items: list[EvidenceItem],
) -> audit.EventSpec:
    after = {
        "outcome": finding.outcome,
        "rationale": finding.rationale,
        "evidence": [i.number for i in items],
    }
    changes = audit.diff(previous or {}, after)
    return audit.EventSpec(
        action=AuditAction.CREATE if previous is None else AuditAction.UPDATE,
        actor=actor,
        obj=finding,
        changes=changes,
        detail={
            "case": allegation.case.number,
            "allegation": allegation.pk,
            "category": allegation.category.code,
            "subject_party": allegation.subject_id,
        },
    )
