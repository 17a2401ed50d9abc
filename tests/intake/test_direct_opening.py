"""A case opened directly by a supervisor: its allegation moves received → routed with the reason,
without the routing hooks, and is refused from any other state, by any other role, or on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from probity.core.models import AuditEvent, Deadline
from probity.core.workflow import IllegalTransition
from probity.intake import hooks
from probity.intake.models import Allegation, AllegationStatus, Channel, RoutingOutcome
from probity.intake.services import triage
from probity.intake.workflow import ALLEGATION_FLOW, DIRECT_OPENING_FLOW
from tests.intake.conftest import MakeAllegation, Staff, bring_to, events_for

pytestmark = pytest.mark.django_db

S = AllegationStatus
OUTCOME = RoutingOutcome.INVESTIGATION_ADMINISTRATIVE


@pytest.fixture
def hook_calls(monkeypatch: pytest.MonkeyPatch) -> list[Allegation]:
    """A routing handler on every outcome that records each call, so a test can tell it did not run."""
    calls: list[Allegation] = []

    def handler(*, actor: Any, allegation: Allegation) -> None:
        calls.append(allegation)

    monkeypatch.setattr(hooks, "routing_handlers", {outcome: [handler] for outcome in RoutingOutcome.values})
    return calls


def state(allegation: Allegation) -> tuple[Any, ...]:
    allegation.refresh_from_db()
    return (
        allegation.status,
        allegation.routing_outcome,
        allegation.routing_rationale,
        allegation.routed_at,
        Deadline.objects.filter(met_at__isnull=False).count(),
        AuditEvent.objects.count(),
    )


def test_a_supervisor_routes_a_received_allegation_with_the_reason_and_no_hook_runs(
    staff: Staff, make_allegation: MakeAllegation, hook_calls: list[Allegation]
) -> None:
    allegation = make_allegation(channel=Channel.SUPERVISOR)

    triage.record_direct_opening(
        actor=staff.supervisor, allegation=allegation, outcome=OUTCOME, rationale="  Ongoing bribery scheme  "
    )

    allegation.refresh_from_db()
    assert allegation.status == S.ROUTED
    assert allegation.routing_outcome == OUTCOME
    assert allegation.routing_rationale == "Ongoing bribery scheme"
    assert allegation.routed_by == staff.supervisor
    assert allegation.routed_at is not None
    assert hook_calls == []
    transition = [event for event in events_for(allegation) if event.action == "transition"][-1]
    assert transition.changes["status"] == [S.RECEIVED, S.ROUTED]
    assert transition.detail == {"direct_opening": True}
    assert transition.actor_id == staff.supervisor.pk


def test_the_triage_clock_is_met_because_the_decision_is_made(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    triage.record_direct_opening(
        actor=staff.supervisor, allegation=allegation, outcome=OUTCOME, rationale="Why"
    )

    clock = Deadline.objects.get(rule__code="intake-triage-target", object_id=allegation.pk)
    assert clock.met_at is not None


def test_the_move_stays_out_of_the_allegation_workflow_offered_on_screens_and_in_the_api(
    staff: Staff,
) -> None:
    assert (S.RECEIVED, S.ROUTED) not in ALLEGATION_FLOW.transitions
    assert S.ROUTED not in ALLEGATION_FLOW.targets_for(staff.supervisor, S.RECEIVED)
    assert DIRECT_OPENING_FLOW.targets_for(staff.supervisor, S.RECEIVED) == [S.ROUTED]
    assert DIRECT_OPENING_FLOW.transitions[(S.RECEIVED, S.ROUTED)].label == "Opened directly as a case"


def test_an_intake_specialist_may_not_open_a_case_directly(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    before = state(allegation)

    with pytest.raises(PermissionDenied):
        triage.record_direct_opening(
            actor=staff.intake, allegation=allegation, outcome=OUTCOME, rationale="Why"
        )

    assert state(allegation) == before


def test_a_user_who_may_not_see_the_allegation_gets_a_404(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    before = state(allegation)

    with pytest.raises(Http404):
        triage.record_direct_opening(
            actor=staff.agent, allegation=allegation, outcome=OUTCOME, rationale="Why"
        )

    assert state(allegation) == before


@pytest.mark.parametrize("status", [s for s in S.values if s != S.RECEIVED])
def test_it_is_refused_from_any_state_but_received(
    status: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), status, staff)
    before = state(allegation)

    with pytest.raises(IllegalTransition) as refused:
        triage.record_direct_opening(
            actor=staff.supervisor, allegation=allegation, outcome=OUTCOME, rationale="Why"
        )

    assert "Only an allegation that is received" in refused.value.messages[0]
    assert state(allegation) == before


@pytest.mark.parametrize(
    ("outcome", "rationale", "field"),
    [
        (RoutingOutcome.MANAGEMENT_INQUIRY, "Why", "outcome"),
        ("nonsense", "Why", "outcome"),
        (OUTCOME, "   ", "rationale"),
        (OUTCOME, "x" * 10_001, "rationale"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(
    outcome: str, rationale: str, field: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    before = state(allegation)

    with pytest.raises(ValidationError) as refused:
        triage.record_direct_opening(
            actor=staff.supervisor, allegation=allegation, outcome=outcome, rationale=rationale
        )

    assert field in refused.value.message_dict
    assert state(allegation) == before
