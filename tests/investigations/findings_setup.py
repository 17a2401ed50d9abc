"""Helpers for the findings, review and report tests: a case worked up to where findings are made,
through the case and evidence services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from probity.core.models import User
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseStatus,
    ChecklistItem,
    EvidenceItem,
    EvidenceKind,
)
from probity.investigations.services import cases, evidence

S = CaseStatus
PATH_TO: dict[str, list[str]] = {
    S.INVESTIGATING: [S.INVESTIGATING],
    S.REPORT_DRAFTING: [S.INVESTIGATING, S.REPORT_DRAFTING],
}


def move_to(case: Case, status: str, actor: User) -> Case:
    for target in PATH_TO[status]:
        if case.status != target:
            cases.move_case(actor=actor, case=case, target=target)
    case.refresh_from_db()
    return case


def add_evidence(case: Case, actor: User, description: str, content: bytes | None = None) -> EvidenceItem:
    """A digital item (its file is `content`) or, without content, a physical one."""
    return evidence.add_evidence(
        actor=actor,
        case=case,
        description=description,
        kind=EvidenceKind.DIGITAL if content is not None else EvidenceKind.PHYSICAL,
        source="Port of Nogales records office",
        collected_at=timezone.now() - dt.timedelta(days=1),
        storage_location="Tucson evidence room, locker 4",
        upload=ContentFile(content, name="exhibit.txt") if content is not None else None,
    )


def all_met(comment: str = "") -> dict[str, tuple[bool, str]]:
    codes = ChecklistItem.objects.filter(active=True).values_list("code", flat=True)
    return {code: (True, comment) for code in codes}


def only_allegation(case: Case) -> CaseAllegation:
    allegation: CaseAllegation = case.case_allegations.select_related("subject__employee", "category").get()
    return allegation


def worked_case(make_case: Any, team: Any, status: str = S.REPORT_DRAFTING, **kwargs: Any) -> Case:
    """A case led by `team.agent` (assigned by `team.supervisor`), moved on to `status`."""
    case = make_case(**kwargs)
    cases.assign_lead(actor=team.supervisor, case=case, agent=team.agent)
    return move_to(case, status, team.agent)
