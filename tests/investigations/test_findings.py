"""Findings per allegation: recording and revising, Giglio marks, the sustained-finding hook, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from probity.core.models import AuditEvent
from probity.core.workflow import IllegalTransition
from probity.investigations import hooks
from probity.investigations.models import (
    CaseMember,
    CaseStatus,
    Finding,
    FindingOutcome,
    GiglioMark,
    GiglioReason,
)
from probity.investigations.services.findings import record_finding
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.findings_setup import add_evidence, only_allegation, worked_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    """Stored files (evidence, reports) go to a temporary folder, not the instance's media."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


RATIONALE = "The video contradicts the report; the subject admitted the discrepancy in interview."


@pytest.fixture
def sustained_calls() -> Iterator[list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def handler(**kwargs: Any) -> None:
        calls.append(kwargs)

    hooks.register_sustained(handler)
    yield calls
    hooks.unregister_sustained(handler)


def _written() -> tuple[int, int, int]:
    return Finding.objects.count(), GiglioMark.objects.count(), AuditEvent.objects.count()


def test_the_lead_agent_records_a_finding_with_its_evidence_and_rationale(
    make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team, CaseStatus.INVESTIGATING)
    video = add_evidence(case, team.agent, "Body-worn camera video", b"video bytes")
    allegation = only_allegation(case)

    finding = record_finding(
        actor=team.agent,
        allegation=allegation,
        outcome=FindingOutcome.NOT_SUSTAINED,
        rationale=f"  {RATIONALE}  ",
        evidence=[video],
    )

    assert finding.allegation == allegation
    assert finding.outcome == FindingOutcome.NOT_SUSTAINED
    assert finding.rationale == RATIONALE
    assert list(finding.evidence.all()) == [video]
    assert finding.recorded_by == team.agent
    event = AuditEvent.objects.filter(object_type="investigations.finding", object_id=str(finding.pk)).get()
    assert event.action == "create"
    assert event.changes["outcome"] == [None, "not_sustained"]
    assert event.changes["evidence"] == [None, [video.number]]


def test_revising_a_finding_keeps_one_finding_and_audits_only_the_changed_fields(
    make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    allegation = only_allegation(case)
    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.UNFOUNDED, rationale=RATIONALE
    )

    finding = record_finding(
        actor=team.supervisor, allegation=allegation, outcome=FindingOutcome.EXONERATED, rationale=RATIONALE
    )

    assert Finding.objects.filter(allegation=allegation).count() == 1
    assert finding.outcome == FindingOutcome.EXONERATED
    update = AuditEvent.objects.filter(object_type="investigations.finding", action="update").get()
    assert update.changes == {"outcome": ["unfounded", "exonerated"]}
    assert update.actor_id == team.supervisor.pk


def test_recording_the_same_finding_again_writes_nothing(make_case: MakeCase, team: Team) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.UNFOUNDED, rationale=RATIONALE
    )
    before = _written()

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.UNFOUNDED, rationale=RATIONALE
    )

    assert _written() == before


def test_a_sustained_truthfulness_finding_marks_the_subject_for_giglio_once(
    make_case: MakeCase, team: Team
) -> None:
    allegation = only_allegation(worked_case(make_case, team))  # false statements: truthfulness

    finding = record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )
    record_finding(
        actor=team.agent,
        allegation=allegation,
        outcome=FindingOutcome.SUSTAINED,
        rationale=RATIONALE + " More.",
    )

    mark = GiglioMark.objects.get()
    assert mark.employee == team.subject
    assert mark.reason == GiglioReason.SUSTAINED_TRUTHFULNESS
    assert mark.finding == finding
    assert mark.case == allegation.case
    assert AuditEvent.objects.filter(object_type="investigations.gigliomark", action="create").count() == 1


def test_a_sustained_bias_finding_marks_the_subject_for_bias(make_case: MakeCase, team: Team) -> None:
    allegation = only_allegation(worked_case(make_case, team, categories=("retaliation",)))

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )

    assert GiglioMark.objects.get().reason == GiglioReason.SUSTAINED_BIAS


def test_a_sustained_discourtesy_finding_makes_no_giglio_mark(make_case: MakeCase, team: Team) -> None:
    allegation = only_allegation(worked_case(make_case, team, categories=("discourtesy",)))

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )

    assert not GiglioMark.objects.exists()


def test_a_not_sustained_truthfulness_finding_makes_no_giglio_mark(make_case: MakeCase, team: Team) -> None:
    allegation = only_allegation(worked_case(make_case, team))

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.NOT_SUSTAINED, rationale=RATIONALE
    )

    assert not GiglioMark.objects.exists()


def test_a_finding_revised_away_from_sustained_keeps_its_giglio_mark_beside_the_current_outcome(
    make_case: MakeCase, team: Team
) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.NOT_SUSTAINED, rationale=RATIONALE
    )
    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )

    mark = GiglioMark.objects.select_related("finding").get()
    assert mark.finding is not None
    assert mark.finding.outcome == FindingOutcome.SUSTAINED


def test_the_sustained_hook_gets_the_finding_and_the_employee_each_time_a_finding_becomes_sustained(
    make_case: MakeCase, team: Team, sustained_calls: list[dict[str, Any]]
) -> None:
    allegation = only_allegation(worked_case(make_case, team, categories=("discourtesy",)))

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.UNFOUNDED, rationale=RATIONALE
    )
    assert sustained_calls == []
    finding = record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )
    record_finding(
        actor=team.agent,
        allegation=allegation,
        outcome=FindingOutcome.SUSTAINED,
        rationale=RATIONALE + " More.",
    )

    assert sustained_calls == [{"finding": finding, "employee": team.subject}]


def test_a_failing_sustained_handler_refuses_the_whole_finding(make_case: MakeCase, team: Team) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    before = _written()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("personnel security is down")

    hooks.register_sustained(broken)
    try:
        with pytest.raises(RuntimeError):
            record_finding(
                actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
            )
    finally:
        hooks.unregister_sustained(broken)

    assert _written() == before


@pytest.mark.parametrize(
    ("outcome", "rationale", "field"),
    [
        ("guilty", RATIONALE, "outcome"),
        (FindingOutcome.SUSTAINED, "   ", "rationale"),
        (FindingOutcome.SUSTAINED, "x" * 20_001, "rationale"),
    ],
)
def test_bad_finding_input_is_refused_with_a_message_and_nothing_is_written(
    make_case: MakeCase, team: Team, outcome: str, rationale: str, field: str
) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    before = _written()

    with pytest.raises(ValidationError) as refused:
        record_finding(actor=team.agent, allegation=allegation, outcome=outcome, rationale=rationale)

    assert field in refused.value.message_dict
    assert _written() == before


def test_evidence_from_another_case_is_refused(make_case: MakeCase, team: Team) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    other = worked_case(make_case, team, summary="Another matter entirely")
    foreign = add_evidence(other, team.agent, "Ledger from another case")
    before = _written()

    with pytest.raises(ValidationError) as refused:
        record_finding(
            actor=team.agent,
            allegation=allegation,
            outcome=FindingOutcome.SUSTAINED,
            rationale=RATIONALE,
            evidence=[foreign],
        )

    message = refused.value.message_dict["evidence"][0]
    assert f"evidence {foreign.pk} is not part of it" in message
    assert other.number not in message
    assert _written() == before


def test_no_finding_is_recorded_before_the_investigation_starts(make_case: MakeCase, team: Team) -> None:
    case = make_case()
    allegation = only_allegation(case)

    with pytest.raises(IllegalTransition, match="Findings are recorded while"):
        record_finding(
            actor=team.supervisor,
            allegation=allegation,
            outcome=FindingOutcome.SUSTAINED,
            rationale=RATIONALE,
        )

    assert not Finding.objects.exists()


@pytest.mark.parametrize("who", ["el_paso_agent", "second_agent", "outsider", "intake"])
def test_someone_who_may_not_see_the_case_gets_404_and_nothing_is_written(
    make_case: MakeCase, team: Team, who: str
) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    before = _written()

    with pytest.raises(Http404):
        record_finding(
            actor=getattr(team, who),
            allegation=allegation,
            outcome=FindingOutcome.SUSTAINED,
            rationale=RATIONALE,
        )

    assert _written() == before


def test_an_agent_who_sees_the_case_but_left_the_team_may_not_record_findings(
    make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    allegation = only_allegation(case)
    # A lead agent who handed the case over keeps no right to work on it.
    CaseMember.objects.filter(case=case, user=team.agent).update(ended_at=case.opened_at)
    type(case).objects.filter(pk=case.pk).update(lead_agent=team.second_agent)
    _give_record_assignment(case, team.agent)

    with pytest.raises(PermissionDenied):
        record_finding(
            actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
        )

    assert not Finding.objects.exists()


def _give_record_assignment(case: Any, user: Any) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from probity.core.models import RecordAssignment

    RecordAssignment.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        user=user,
        assigned_at=timezone.now(),
    )


def test_an_unidentified_subject_gets_a_finding_but_no_mark_and_no_hook(
    make_case: MakeCase, team: Team, sustained_calls: list[dict[str, Any]]
) -> None:
    allegation = only_allegation(worked_case(make_case, team))
    type(allegation.subject).objects.filter(pk=allegation.subject_id).update(
        employee=None, name="Unknown officer"
    )
    allegation.refresh_from_db()

    record_finding(
        actor=team.agent, allegation=allegation, outcome=FindingOutcome.SUSTAINED, rationale=RATIONALE
    )

    assert Finding.objects.count() == 1
    assert not GiglioMark.objects.exists()
    assert sustained_calls == []
