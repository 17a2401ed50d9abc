"""Sufficiency review: the report goes to a supervisor, who approves it (the case closes) or returns it.

`submit_for_review` moves a case from report drafting to sufficiency review once every allegation
has a finding, opening a new review round. `decide_review` is the supervisor's answer: every
active checklist item answered (met or not, with a comment), then either approval (every item
met: the case closes, the case-age clock is met and the drafted report is regenerated as the
final, unwatermarked version; a case whose report was never drafted gets its final version when
first asked for) or a return to report drafting with comments. Every round is kept with
its answers, so the case shows the whole history.

The reviewer is a supervisor who sees the case and did not work on it: not the lead agent and
not on the team (someone reviews the work who did not do it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction
from probity.core.workflow import IllegalTransition
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseMember,
    CaseStatus,
    ChecklistItem,
    ReportVersion,
    ReviewAnswer,
    ReviewOutcome,
    SufficiencyReview,
)
from probity.investigations.services.cases import require_case_worker, require_supervisor, transition
from probity.investigations.services.findings import allegation_label, lock_case, state_label
from probity.investigations.services.reports import build_report
from probity.investigations.workflow import CASE_FLOW

S = CaseStatus
MAX_COMMENT = 10_000
Answers = Mapping[str, tuple[bool, str]]
Problems = dict[str, list[str]]


def submit_for_review(*, actor: Any, case: Case) -> SufficiencyReview:
    """Report drafting → sufficiency review, once every allegation has a finding."""
    require_case_worker(actor, case)
    with transaction.atomic():
        locked = lock_case(case)
        CASE_FLOW.check(actor, locked.status, S.SUFFICIENCY_REVIEW)
        allegations = list(
            CaseAllegation.objects.filter(case=locked)
            .select_related("subject__employee", "category", "finding")
            .order_by("pk")
        )
        if not allegations:
            raise ValidationError(
                {"findings": ["The case has no allegations: add the allegations and their findings first."]}
            )
        missing = [a for a in allegations if getattr(a, "finding", None) is None]
        if missing:
            raise ValidationError(
                {
                    "findings": [
                        "Record a finding on every allegation before submitting; still without a finding: "
                        + "; ".join(allegation_label(a) for a in missing)
                        + "."
                    ]
                }
            )
        last = SufficiencyReview.objects.filter(case=locked).aggregate(last=Max("round"))["last"]
        now = timezone.now()
        review = SufficiencyReview.objects.create(
            case=locked, round=(last or 0) + 1, submitted_at=now, submitted_by=actor
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=review,
            changes={"round": [None, review.round]},
            detail={"case": locked.number},
        )
        transition(
            actor=actor,
            case=locked,
            target=S.SUFFICIENCY_REVIEW,
            reason=f"Submitted for sufficiency review (round {review.round})",
            detail={"review_round": review.round},
        )
    _refresh(case, locked)
    return review


def require_reviewer(actor: Any, case: Case) -> None:
    """404 unless the actor sees the case; PermissionDenied unless a supervisor who did not work on it."""
    require_supervisor(actor, case)
    # Read from the database: the caller's instance may predate a change of lead or team.
    current = Case.objects.filter(pk=case.pk).values_list("lead_agent_id", flat=True).get()
    if current == actor.pk:
        raise PermissionDenied(
            "You are the lead agent of this case; another supervisor reviews its sufficiency."
        )
    if CaseMember.objects.filter(case_id=case.pk, user_id=actor.pk, ended_at__isnull=True).exists():
        raise PermissionDenied("You are on this case's team; another supervisor reviews its sufficiency.")


def _clean_answers(
    answers: Answers, items: list[ChecklistItem], approve: bool, comments: str
) -> tuple[list[tuple[ChecklistItem, bool, str]], Problems]:
    problems: Problems = {}
    by_code = {item.code: item for item in items}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        problems.setdefault("answers", []).append(
            f"These are not items of the current checklist: {', '.join(unknown)}."
        )
    unanswered = [item.text for item in items if item.code not in answers]
    if unanswered:
        problems.setdefault("answers", []).append(
            "Answer every checklist item; not answered: " + "; ".join(unanswered) + "."
        )
    cleaned: list[tuple[ChecklistItem, bool, str]] = []
    for item in items:
        if item.code not in answers:
            continue
        met, comment = answers[item.code]
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            problems.setdefault(f"comment_{item.code}", []).append(
                f"A comment may be at most {MAX_COMMENT:,} characters."
            )
        cleaned.append((item, bool(met), comment))
    not_met = [item.text for item, met, _ in cleaned if not met]
    if approve and not_met:
        problems.setdefault("answers", []).append(
            "Approve only when every item is met; otherwise return the report with comments. Not met: "
            + "; ".join(not_met)
            + "."
        )
    if not approve and not comments:
        problems["comments"] = ["Say what must be done: returning a report needs comments."]
    if len(comments) > MAX_COMMENT:
        problems["comments"] = [f"The comments may be at most {MAX_COMMENT:,} characters."]
    return cleaned, problems


def decide_review(
    *, actor: Any, case: Case, answers: Answers, approve: bool, comments: str = ""
) -> SufficiencyReview:
    """The supervisor's decision on the open review round; see the module's docstring."""
    require_reviewer(actor, case)
    comments = (comments or "").strip()
    target = S.CLOSED if approve else S.REPORT_DRAFTING
    with transaction.atomic():
        locked = lock_case(case)
        CASE_FLOW.check(actor, locked.status, target)
        review = (
            SufficiencyReview.objects.select_for_update()
            .filter(case=locked, decided_at__isnull=True)
            .order_by("-round")
            .first()
        )
        if review is None:
            raise IllegalTransition(
                f"{locked.number} has no review round awaiting a decision; "
                f"it is {state_label(locked.status)}.",
                code="no_open_review",
            )
        items = list(ChecklistItem.objects.filter(active=True).order_by("sort_order", "code"))
        cleaned, problems = _clean_answers(answers, items, approve, comments)
        if problems:
            raise ValidationError(problems)
        now = timezone.now()
        review.reviewer = actor
        review.decided_at = now
        review.outcome = ReviewOutcome.APPROVED if approve else ReviewOutcome.RETURNED
        review.comments = comments
        review.save(update_fields=["reviewer", "decided_at", "outcome", "comments"])
        ReviewAnswer.objects.bulk_create(
            [
                ReviewAnswer(review=review, item=item, met=met, comment=comment)
                for item, met, comment in cleaned
            ]
        )
        events = [
            audit.EventSpec(
                action=AuditAction.UPDATE,
                actor=actor,
                obj=review,
                changes={
                    "outcome": [None, review.outcome],
                    "reviewer": [None, actor.get_username()],
                    "comments": [None, comments],
                },
                detail={
                    "case": locked.number,
                    "answers": {
                        item.code: {"met": met, "comment": comment} for item, met, comment in cleaned
                    },
                },
            )
        ]
        audit.record_many(events)
        if approve:
            reason = f"Approved in sufficiency review (round {review.round})" + (
                f": {comments}" if comments else ""
            )
        else:
            reason = comments
        # Closing meets the case-age clock (the case services' transition does it).
        transition(
            actor=actor, case=locked, target=target, reason=reason, detail={"review_round": review.round}
        )
        if approve and ReportVersion.objects.filter(case=locked).exists():
            build_report(actor=actor, case=locked)
    _refresh(case, locked)
    return review


def _refresh(case: Case, current: Case) -> None:
    """The caller's instance shows the status the review left the case in."""
    case.status = current.status
    case.closed_at = current.closed_at
    case.updated_at = current.updated_at
