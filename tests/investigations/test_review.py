"""Sufficiency review: submitting the report, the supervisor's checklist, returning and approving."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from probity.core.models import AuditEvent, Deadline, Role
from probity.core.services.users import create_user
from probity.core.workflow import IllegalTransition
from probity.investigations.models import (
    Case,
    CaseEvent,
    CaseStatus,
    FindingOutcome,
    ReportVersion,
    ReviewAnswer,
    ReviewOutcome,
    SufficiencyReview,
)
from probity.investigations.services.findings import record_finding
from probity.investigations.services.reports import generate_report, latest_or_new_report
from probity.investigations.services.review import decide_review, submit_for_review
from tests.conftest import Org
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.findings_setup import all_met, only_allegation, worked_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    """Stored files (evidence, reports) go to a temporary folder, not the instance's media."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


S = CaseStatus
RATIONALE = "The video contradicts the report."


def _found(case: Case, team: Team, outcome: str = FindingOutcome.SUSTAINED) -> Case:
    for allegation in case.case_allegations.all():
        record_finding(actor=team.agent, allegation=allegation, outcome=outcome, rationale=RATIONALE)
    return case


@pytest.fixture
def in_review(make_case: MakeCase, team: Team) -> Case:
    case = _found(worked_case(make_case, team), team)
    submit_for_review(actor=team.agent, case=case)
    case.refresh_from_db()
    return case


def _written(case: Case) -> tuple[str, int, int, int, int]:
    case.refresh_from_db()
    return (
        case.status,
        SufficiencyReview.objects.filter(decided_at__isnull=False).count(),
        ReviewAnswer.objects.count(),
        CaseEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_submitting_moves_the_case_to_sufficiency_review_and_opens_round_one(
    make_case: MakeCase, team: Team
) -> None:
    case = _found(worked_case(make_case, team), team)

    review = submit_for_review(actor=team.agent, case=case)

    case.refresh_from_db()
    assert case.status == S.SUFFICIENCY_REVIEW
    assert (review.round, review.submitted_by, review.decided_at) == (1, team.agent, None)
    event = case.events.order_by("-pk").first()
    assert event is not None
    assert (event.from_value, event.to_value) == (S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW)
    moves = AuditEvent.objects.filter(
        object_type="investigations.case", object_id=str(case.pk), action="transition"
    )
    assert ["report_drafting", "sufficiency_review"] in [event.changes.get("status") for event in moves]


def test_submitting_with_an_allegation_without_finding_names_it_and_writes_nothing(
    make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team, categories=("false-statements", "discourtesy"))
    first = case.case_allegations.select_related("category").get(category__code="false-statements")
    record_finding(actor=team.agent, allegation=first, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE)
    before = _written(case)

    with pytest.raises(ValidationError) as refused:
        submit_for_review(actor=team.agent, case=case)

    message = refused.value.message_dict["findings"][0]
    assert "Discourtesy" in message
    assert "False statements" not in message
    assert _written(case) == before
    assert not SufficiencyReview.objects.exists()


@pytest.mark.parametrize("status", [S.OPENED, S.INVESTIGATING])
def test_only_a_report_in_drafting_can_be_submitted(make_case: MakeCase, team: Team, status: str) -> None:
    case = worked_case(make_case, team, status) if status != S.OPENED else make_case()
    before = _written(case)

    with pytest.raises(IllegalTransition):
        submit_for_review(actor=team.supervisor, case=case)

    assert _written(case) == before


def test_a_case_in_review_cannot_be_submitted_again(in_review: Case, team: Team) -> None:
    with pytest.raises(IllegalTransition):
        submit_for_review(actor=team.agent, case=in_review)

    assert SufficiencyReview.objects.count() == 1


def test_returning_needs_comments_and_writes_nothing_without_them(in_review: Case, team: Team) -> None:
    before = _written(in_review)

    with pytest.raises(ValidationError) as refused:
        decide_review(actor=team.supervisor, case=in_review, answers=all_met(), approve=False, comments=" ")

    assert "comments" in refused.value.message_dict
    assert _written(in_review) == before


def test_every_active_checklist_item_must_be_answered(in_review: Case, team: Team) -> None:
    answers = all_met()
    del answers["deadlines-met"]
    answers["coffee-was-good"] = (True, "")
    before = _written(in_review)

    with pytest.raises(ValidationError) as refused:
        decide_review(actor=team.supervisor, case=in_review, answers=answers, approve=True, comments="")

    problems = " ".join(refused.value.message_dict["answers"])
    assert "Deadlines were met" in problems
    assert "coffee-was-good" in problems
    assert _written(in_review) == before


def test_a_report_with_an_item_not_met_cannot_be_approved(in_review: Case, team: Team) -> None:
    answers = all_met()
    answers["subject-interviewed"] = (False, "No interview of the subject, and no reason given.")
    before = _written(in_review)

    with pytest.raises(ValidationError, match="Approve only when every item is met"):
        decide_review(actor=team.supervisor, case=in_review, answers=answers, approve=True, comments="")

    assert _written(in_review) == before


@pytest.mark.parametrize("who", ["agent", "second_agent"])
def test_an_agent_cannot_decide_a_review(in_review: Case, team: Team, who: str) -> None:
    before = _written(in_review)

    with pytest.raises((PermissionDenied, Http404)):
        decide_review(actor=getattr(team, who), case=in_review, answers=all_met(), approve=True, comments="")

    assert _written(in_review) == before


def test_the_lead_agent_cannot_review_their_own_case_even_as_a_supervisor(
    in_review: Case, team: Team
) -> None:
    Case.objects.filter(pk=in_review.pk).update(lead_agent=team.second_supervisor)
    in_review.refresh_from_db()
    before = _written(in_review)

    with pytest.raises(PermissionDenied, match="lead agent"):
        decide_review(actor=team.second_supervisor, case=in_review, answers=all_met(), approve=True)

    assert _written(in_review) == before


def test_a_supervisor_of_another_office_gets_404(in_review: Case, team: Team, org: Org) -> None:
    el_paso_supervisor = create_user(
        actor=None, username="sac_elp", password=None, roles=[Role.SUPERVISOR], office_scope=org.el_paso
    )
    before = _written(in_review)

    with pytest.raises(Http404):
        decide_review(actor=el_paso_supervisor, case=in_review, answers=all_met(), approve=True)

    assert _written(in_review) == before


def test_a_review_is_decided_only_while_the_case_is_in_review(make_case: MakeCase, team: Team) -> None:
    case = _found(worked_case(make_case, team), team)
    before = _written(case)

    with pytest.raises(IllegalTransition):
        decide_review(actor=team.supervisor, case=case, answers=all_met(), approve=True)

    assert _written(case) == before


def test_findings_are_frozen_while_the_report_is_in_review(in_review: Case, team: Team) -> None:
    with pytest.raises(IllegalTransition):
        record_finding(
            actor=team.agent,
            allegation=only_allegation(in_review),
            outcome=FindingOutcome.UNFOUNDED,
            rationale=RATIONALE,
        )


def test_returned_once_then_approved_keeps_both_rounds_and_closes_the_case(
    in_review: Case, team: Team
) -> None:
    answers = all_met()
    answers["evidence-documented"] = (False, "The custody log of E-001 is missing.")
    decide_review(
        actor=team.supervisor,
        case=in_review,
        answers=answers,
        approve=False,
        comments="Document the custody.",
    )
    in_review.refresh_from_db()
    assert in_review.status == S.REPORT_DRAFTING
    returned = in_review.events.order_by("-pk").first()
    assert returned is not None
    assert (returned.to_value, returned.reason) == (S.REPORT_DRAFTING, "Document the custody.")

    draft = generate_report(actor=team.agent, case=in_review)
    assert draft.draft is True
    submit_for_review(actor=team.agent, case=in_review)
    closing = dt.datetime(2027, 3, 1, 15, 0, tzinfo=dt.UTC)
    with time_machine.travel(closing, tick=False):
        decide_review(
            actor=team.supervisor, case=in_review, answers=all_met("Fine."), approve=True, comments=""
        )

    in_review.refresh_from_db()
    assert in_review.status == S.CLOSED
    assert in_review.closed_at == closing
    rounds = list(SufficiencyReview.objects.filter(case=in_review).order_by("round"))
    assert [(r.round, r.outcome, r.reviewer) for r in rounds] == [
        (1, ReviewOutcome.RETURNED, team.supervisor),
        (2, ReviewOutcome.APPROVED, team.supervisor),
    ]
    assert rounds[0].comments == "Document the custody."
    first_answers = {a.item.code: (a.met, a.comment) for a in rounds[0].answers.select_related("item")}
    assert first_answers["evidence-documented"] == (False, "The custody log of E-001 is missing.")
    assert rounds[1].answers.count() == len(all_met())
    clock = Deadline.objects.get(rule__code="investigation-target", object_id=in_review.pk)
    assert clock.met_at == closing
    versions = list(ReportVersion.objects.filter(case=in_review).order_by("version"))
    assert [(v.version, v.draft) for v in versions] == [(1, True), (2, False)]


def test_approving_a_case_whose_report_was_never_drafted_leaves_the_final_report_to_its_first_download(
    in_review: Case, team: Team
) -> None:
    decide_review(actor=team.supervisor, case=in_review, answers=all_met(), approve=True, comments="")

    assert not ReportVersion.objects.filter(case=in_review).exists()
    final = latest_or_new_report(actor=team.supervisor, case=in_review)
    assert (final.version, final.draft) == (1, False)


def test_a_supervisor_who_submitted_the_report_may_still_review_it_if_not_on_the_team(
    make_case: MakeCase, team: Team
) -> None:
    case = _found(worked_case(make_case, team), team)
    submit_for_review(actor=team.supervisor, case=case)

    decide_review(actor=team.supervisor, case=case, answers=all_met(), approve=True)

    case.refresh_from_db()
    assert case.status == S.CLOSED
