"""Reads of discipline actions and prosecution referrals, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from probity.core import access, audit
from probity.core.models import AuditAction
from probity.investigations.models import (
    Case,
    CaseAllegation,
    DisciplineAction,
    DisciplineStatus,
    ProsecutionReferral,
)

D = DisciplineStatus
OPEN = "open"
AWAITING_PROPOSAL = (D.REFERRED,)
AWAITING_DECISION = (D.PROPOSED, D.REPLIED)
STATUS_FILTERS = {OPEN: "Open (not final)", "all": "All", **dict(D.choices)}


def _with_parts(actions: QuerySet[DisciplineAction]) -> QuerySet[DisciplineAction]:
    return actions.select_related(
        "employee", "office", "case", "offense", "proposed_penalty", "decided_penalty", "final_penalty"
    ).defer("employee__date_of_birth")


def discipline_rows() -> QuerySet[DisciplineAction]:
    """Every action with what lists show; NOT filtered: for the answer to the one who just wrote it."""
    return _with_parts(DisciplineAction.objects.all())


def discipline_queue(user: Any, *, status: str = OPEN) -> QuerySet[DisciplineAction]:
    """The discipline actions the user may see (labor relations: all; supervisors: their
    subtree), oldest referral first; `status` is a DisciplineStatus, "open" or "all"."""
    actions = _with_parts(access.visible(user, DisciplineAction.objects.all()))
    if status == OPEN:
        actions = actions.exclude(status=D.FINAL)
    elif status in D.values:
        actions = actions.filter(status=status)
    return actions.order_by("referred_at", "pk")


def get_action_for(user: Any, pk: Any, *, record_view: bool = True, channel: str = "web") -> DisciplineAction:
    """One discipline action the user may see, with its allegations and Douglas factors; else 404.

    Reading it is a view of a sensitive record, audited (unless the caller is about to act)."""
    allegations = CaseAllegation.objects.select_related("category", "finding", "subject__employee").defer(
        "subject__employee__date_of_birth"
    )
    actions = (
        _with_parts(DisciplineAction.objects.all())
        .select_related("proposing_official", "deciding_official", "referred_by")
        .prefetch_related(Prefetch("allegations", queryset=allegations), "douglas")
    )
    action = access.get_for(user, actions, pk=pk)
    if record_view:
        audit.record(AuditAction.VIEW, actor=user, obj=action, detail={"channel": channel})
    return action


def case_prosecutions(case: Case) -> QuerySet[ProsecutionReferral]:
    """A case's referrals (the caller has resolved the case through the policy)."""
    return ProsecutionReferral.objects.filter(case=case).select_related("subject__employee", "created_by")


def case_discipline(user: Any, case: Case) -> QuerySet[DisciplineAction]:
    """A case's discipline actions that the user may also see under discipline's own rules."""
    actions = access.visible(user, DisciplineAction.objects.filter(case=case))
    return _with_parts(actions).prefetch_related("allegations").order_by("referred_at", "pk")
