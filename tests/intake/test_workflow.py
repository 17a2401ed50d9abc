"""The allegation workflow: every move allowed and refused, who may make it, OIG first refusal,
closure by a second person, linked allegations moving together, and the clocks."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from probity.core.deadlines import due_at
from probity.core.models import AuditEvent, Deadline, DeadlineRule, Role
from probity.core.workflow import IllegalTransition
from probity.intake import hooks
from probity.intake.models import (
    Allegation,
    AllegationGroup,
    AllegationStatus,
    Channel,
    OigAnswer,
    OigReferral,
    RoutingOutcome,
    Seriousness,
)
from probity.intake.queries import queue_counts
from probity.intake.services import triage
from probity.intake.services.prea import PREA_CLOCKS
from probity.intake.workflow import ALLEGATION_FLOW
from tests.conftest import Org
from tests.intake.conftest import MakeAllegation, Staff, assign_record, bring_to, events_for

S = AllegationStatus
# Wednesday 4 March 2026, 10:00 in New York.
WEDNESDAY = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)
INTAKE_STAFF = frozenset({Role.INTAKE, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})

AGREED_TABLE = {
    (S.RECEIVED, S.TRIAGED): INTAKE_STAFF,
    (S.TRIAGED, S.OIG_PENDING): INTAKE_STAFF,
    (S.OIG_PENDING, S.OIG_ACCEPTED): INTAKE_STAFF,
    (S.OIG_PENDING, S.TRIAGED): INTAKE_STAFF,
    (S.TRIAGED, S.ROUTED): INTAKE_STAFF,
    (S.TRIAGED, S.CLOSURE_PENDING): INTAKE_STAFF,
    (S.CLOSURE_PENDING, S.CLOSED): SUPERVISORS,
    (S.CLOSURE_PENDING, S.TRIAGED): SUPERVISORS,
}


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


@dataclass(frozen=True)
class Action:
    source: str
    target: str
    perform: Callable[[Any, Allegation], Any]
    supervisor_only: bool = False


ACTIONS = {
    "triage": Action(
        S.RECEIVED,
        S.TRIAGED,
        lambda actor, a: triage.triage(
            actor=actor, allegation=a, seriousness=Seriousness.MINOR_ADMINISTRATIVE
        ),
    ),
    "refer": Action(
        S.TRIAGED, S.OIG_PENDING, lambda actor, a: triage.refer_to_oig(actor=actor, allegation=a)
    ),
    "oig_accepts": Action(
        S.OIG_PENDING,
        S.OIG_ACCEPTED,
        lambda actor, a: triage.record_oig_answer(actor=actor, allegation=a, answer=OigAnswer.ACCEPTED),
    ),
    "oig_declines": Action(
        S.OIG_PENDING,
        S.TRIAGED,
        lambda actor, a: triage.record_oig_answer(actor=actor, allegation=a, answer=OigAnswer.DECLINED),
    ),
    "route": Action(
        S.TRIAGED,
        S.ROUTED,
        lambda actor, a: triage.route(
            actor=actor, allegation=a, outcome=RoutingOutcome.FACT_FINDER, rationale="Peer inquiry suffices"
        ),
    ),
    "request_closure": Action(
        S.TRIAGED,
        S.CLOSURE_PENDING,
        lambda actor, a: triage.route(
            actor=actor, allegation=a, outcome=RoutingOutcome.CLOSED_NO_ACTION, rationale="Duplicate report"
        ),
    ),
    "approve_closure": Action(
        S.CLOSURE_PENDING,
        S.CLOSED,
        lambda actor, a: triage.approve_closure(actor=actor, allegation=a),
        supervisor_only=True,
    ),
    "reject_closure": Action(
        S.CLOSURE_PENDING,
        S.TRIAGED,
        lambda actor, a: triage.reject_closure(actor=actor, allegation=a, reason="Needs a referral"),
        supervisor_only=True,
    ),
}


def permitted_actor(action: Action, staff: Staff) -> Any:
    # bring_to has the intake specialist request closures, so a supervisor may decide them.
    return staff.second_supervisor if action.supervisor_only else staff.intake


def snapshot(allegation: Allegation) -> tuple[Any, ...]:
    allegation.refresh_from_db()
    return (
        allegation.status,
        allegation.seriousness,
        allegation.routing_outcome,
        allegation.updated_at,
        OigReferral.objects.count(),
        Deadline.objects.count(),
        AuditEvent.objects.count(),
    )


# The table


def test_the_workflow_is_exactly_the_agreed_table_with_its_roles() -> None:
    assert {key: t.roles for key, t in ALLEGATION_FLOW.transitions.items()} == AGREED_TABLE


def test_every_agreed_transition_has_a_service_that_makes_it() -> None:
    assert {(a.source, a.target) for a in ACTIONS.values()} == set(AGREED_TABLE)


@pytest.mark.parametrize(
    ("source", "target"),
    [pair for pair in itertools.product(S.values, S.values) if pair not in AGREED_TABLE],
)
def test_a_move_outside_the_table_is_an_illegal_transition_for_everyone(
    staff: Staff, source: str, target: str
) -> None:
    for user in (staff.intake, staff.supervisor):
        with pytest.raises(IllegalTransition) as refused:
            ALLEGATION_FLOW.check(user, source, target)
        assert "cannot go from" in refused.value.messages[0]


# Each service, allowed from its state and refused from every other


@pytest.mark.parametrize("name", ACTIONS)
def test_each_step_moves_the_allegation_and_records_the_transition(
    name: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    action = ACTIONS[name]
    allegation = bring_to(make_allegation(), action.source, staff)
    before = len(events_for(allegation))

    action.perform(permitted_actor(action, staff), allegation)

    allegation.refresh_from_db()
    assert allegation.status == action.target
    transitions = [e for e in events_for(allegation)[before:] if e.action == "transition"]
    assert len(transitions) == 1
    assert transitions[0].changes["status"] == [action.source, action.target]
    assert transitions[0].actor_id == permitted_actor(action, staff).pk


@pytest.mark.parametrize(
    ("name", "state"),
    [(name, state) for name, action in ACTIONS.items() for state in S.values if state != action.source],
)
def test_each_step_is_refused_from_any_other_state_and_writes_nothing(
    name: str, state: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    action = ACTIONS[name]
    allegation = bring_to(make_allegation(), state, staff)
    before = snapshot(allegation)

    with pytest.raises(IllegalTransition):
        action.perform(permitted_actor(action, staff), allegation)

    assert snapshot(allegation) == before


# Roles


@pytest.mark.parametrize("name", ACTIONS)
def test_an_agent_who_can_see_the_allegation_may_not_move_it(
    name: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    action = ACTIONS[name]
    allegation = bring_to(make_allegation(), action.source, staff)
    assign_record(staff.agent, allegation)
    before = snapshot(allegation)

    with pytest.raises(PermissionDenied):
        action.perform(staff.agent, allegation)

    assert snapshot(allegation) == before


@pytest.mark.parametrize("name", ["approve_closure", "reject_closure"])
def test_only_a_supervisor_decides_a_closure(
    name: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)
    before = snapshot(allegation)

    with pytest.raises(PermissionDenied, match="supervisor"):
        ACTIONS[name].perform(staff.intake, allegation)

    assert snapshot(allegation) == before


def test_a_supervisor_may_make_the_intake_steps(staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()
    triage.triage(actor=staff.supervisor, allegation=allegation, seriousness=Seriousness.NOT_MISCONDUCT)
    assert allegation.status == S.TRIAGED
    assert allegation.seriousness == Seriousness.NOT_MISCONDUCT


@pytest.mark.parametrize("name", ACTIONS)
def test_someone_who_may_not_see_the_allegation_gets_404_and_nothing_changes(
    name: str, staff: Staff, make_allegation: MakeAllegation
) -> None:
    action = ACTIONS[name]
    allegation = bring_to(make_allegation(), action.source, staff)
    before = snapshot(allegation)

    for user in (staff.agent, staff.outsider):
        with pytest.raises(Http404):
            action.perform(user, allegation)

    assert snapshot(allegation) == before


def test_an_intake_specialist_named_in_an_allegation_cannot_triage_it(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation(subjects=(staff.recused_intake_employee,))

    with pytest.raises(Http404):
        triage.triage(actor=staff.recused_intake, allegation=allegation, seriousness=Seriousness.CRIMINAL)

    allegation.refresh_from_db()
    assert allegation.status == S.RECEIVED


# Input


def test_triage_needs_a_known_seriousness(staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()
    with pytest.raises(ValidationError) as refused:
        triage.triage(actor=staff.intake, allegation=allegation, seriousness="dreadful")
    assert "seriousness" in refused.value.message_dict
    allegation.refresh_from_db()
    assert (allegation.status, allegation.seriousness) == (S.RECEIVED, "")


@pytest.mark.parametrize("rationale", ["", "   \n  "])
def test_routing_needs_a_rationale(staff: Staff, make_allegation: MakeAllegation, rationale: str) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    before = snapshot(allegation)

    with pytest.raises(ValidationError) as refused:
        triage.route(
            actor=staff.intake, allegation=allegation, outcome=RoutingOutcome.FACT_FINDER, rationale=rationale
        )

    assert refused.value.message_dict == {"rationale": ["Give the reasons for this decision."]}
    assert snapshot(allegation) == before


def test_routing_needs_a_known_outcome(staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    with pytest.raises(ValidationError) as refused:
        triage.route(actor=staff.intake, allegation=allegation, outcome="to_the_moon", rationale="why not")
    assert "outcome" in refused.value.message_dict
    allegation.refresh_from_db()
    assert allegation.status == S.TRIAGED


def test_an_oig_answer_must_be_accepted_declined_or_returned(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.OIG_PENDING, staff)
    before = snapshot(allegation)
    with pytest.raises(ValidationError) as refused:
        triage.record_oig_answer(actor=staff.intake, allegation=allegation, answer="pending")
    assert "answer" in refused.value.message_dict
    assert snapshot(allegation) == before


def test_the_routing_decision_is_kept_with_who_made_it(staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)

    triage.route(
        actor=staff.intake,
        allegation=allegation,
        outcome=RoutingOutcome.MANAGEMENT_INQUIRY,
        rationale="  For the port director  ",
    )

    allegation.refresh_from_db()
    assert allegation.routing_outcome == RoutingOutcome.MANAGEMENT_INQUIRY
    assert allegation.routing_rationale == "For the port director"
    assert allegation.routed_by == staff.intake
    event = events_for(allegation)[-1]
    assert event.changes["routing_outcome"] == ["", "management_inquiry"]
    assert event.changes["routing_rationale"] == ["", "For the port director"]


# OIG first refusal


@pytest.mark.parametrize("seriousness", [Seriousness.CRIMINAL, Seriousness.SERIOUS_ADMINISTRATIVE])
@pytest.mark.parametrize("outcome", [RoutingOutcome.INVESTIGATION_CRIMINAL, RoutingOutcome.CLOSED_NO_ACTION])
def test_criminal_or_serious_allegations_cannot_be_routed_before_oig_has_answered(
    staff: Staff, make_allegation: MakeAllegation, seriousness: str, outcome: str
) -> None:
    allegation = make_allegation()
    triage.triage(actor=staff.intake, allegation=allegation, seriousness=seriousness)
    before = snapshot(allegation)

    with pytest.raises(IllegalTransition, match="OIG"):
        triage.route(actor=staff.intake, allegation=allegation, outcome=outcome, rationale="Serious")

    assert snapshot(allegation) == before


@pytest.mark.parametrize("answer", [OigAnswer.DECLINED, OigAnswer.RETURNED])
def test_a_criminal_allegation_may_be_routed_once_oig_declines_or_returns_it(
    staff: Staff, make_allegation: MakeAllegation, answer: str
) -> None:
    allegation = bring_to(make_allegation(), S.OIG_PENDING, staff)
    referral = triage.record_oig_answer(
        actor=staff.intake, allegation=allegation, answer=answer, oig_reference="OIG-26-0042"
    )
    assert (referral.answer, referral.oig_reference, referral.answered_by) == (
        answer,
        "OIG-26-0042",
        staff.intake,
    )
    assert allegation.status == S.TRIAGED

    triage.route(
        actor=staff.intake,
        allegation=allegation,
        outcome=RoutingOutcome.INVESTIGATION_CRIMINAL,
        rationale="OIG declined; OPR investigates",
    )
    assert allegation.status == S.ROUTED


def test_a_minor_allegation_is_routed_without_oig(staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    triage.route(
        actor=staff.intake,
        allegation=allegation,
        outcome=RoutingOutcome.MANAGEMENT_INQUIRY,
        rationale="Minor",
    )
    assert allegation.status == S.ROUTED
    assert not OigReferral.objects.exists()


def test_not_misconduct_goes_straight_to_a_closure_request(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    triage.triage(actor=staff.intake, allegation=allegation, seriousness=Seriousness.NOT_MISCONDUCT)

    triage.route(
        actor=staff.intake,
        allegation=allegation,
        outcome=RoutingOutcome.INFORMATION_ONLY,
        rationale="A policy question, not an allegation",
    )

    assert allegation.status == S.CLOSURE_PENDING
    assert allegation.closure_requested_by == staff.intake


# Closure by a second person


def test_the_supervisor_who_asked_for_a_closure_cannot_approve_it(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    triage.route(
        actor=staff.supervisor,
        allegation=allegation,
        outcome=RoutingOutcome.INFORMATION_ONLY,
        rationale="FYI",
    )
    before = snapshot(allegation)

    with pytest.raises(PermissionDenied, match="another supervisor"):
        triage.approve_closure(actor=staff.supervisor, allegation=allegation)
    assert snapshot(allegation) == before

    triage.approve_closure(actor=staff.second_supervisor, allegation=allegation, note="Agreed")
    allegation.refresh_from_db()
    assert allegation.status == S.CLOSED
    assert allegation.closure_approved_by == staff.second_supervisor
    assert allegation.closed_at is not None
    assert events_for(allegation)[-1].detail == {"note": "Agreed"}


def test_a_rejected_closure_goes_back_to_triage_without_its_routing(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)

    triage.reject_closure(actor=staff.supervisor, allegation=allegation, reason="Refer to management instead")

    allegation.refresh_from_db()
    assert allegation.status == S.TRIAGED
    assert (allegation.routing_outcome, allegation.routing_rationale) == ("", "")
    assert allegation.closure_requested_by is None
    event = events_for(allegation)[-1]
    assert event.changes["routing_outcome"] == ["information_only", ""]
    assert event.detail == {"reason": "Refer to management instead"}


def test_rejecting_a_closure_needs_a_reason(staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)
    with pytest.raises(ValidationError) as refused:
        triage.reject_closure(actor=staff.supervisor, allegation=allegation, reason=" ")
    assert "reason" in refused.value.message_dict
    allegation.refresh_from_db()
    assert allegation.status == S.CLOSURE_PENDING


# Linked allegations


def link(*allegations: Allegation) -> AllegationGroup:
    # The links service belongs to the duplicates module; a bare group is all the workflow needs.
    group = AllegationGroup.objects.create(created_at=timezone.now())
    Allegation.objects.filter(pk__in=[a.pk for a in allegations]).update(group=group)
    for allegation in allegations:
        allegation.refresh_from_db()
    return group


def test_linked_allegations_move_together_through_every_step(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    first, second = make_allegation(), make_allegation(channel=Channel.EMAIL)
    link(first, second)

    triage.triage(actor=staff.intake, allegation=first, seriousness=Seriousness.CRIMINAL)
    second.refresh_from_db()
    assert (second.status, second.seriousness) == (S.TRIAGED, Seriousness.CRIMINAL)
    assert events_for(second)[-1].detail == {"moved_with": first.number}

    referral = triage.refer_to_oig(actor=staff.intake, allegation=second)
    assert referral.allegation == second
    assert OigReferral.objects.filter(allegation=first, answer=OigAnswer.PENDING).count() == 1

    triage.record_oig_answer(actor=staff.intake, allegation=first, answer=OigAnswer.RETURNED)
    assert set(OigReferral.objects.values_list("answer", flat=True)) == {OigAnswer.RETURNED}

    triage.route(
        actor=staff.intake,
        allegation=second,
        outcome=RoutingOutcome.INVESTIGATION_JOINT,
        rationale="One incident",
    )
    statuses = set(Allegation.objects.values_list("status", "routing_outcome"))
    assert statuses == {(S.ROUTED, RoutingOutcome.INVESTIGATION_JOINT)}
    transitions = AuditEvent.objects.filter(action="transition", object_type="intake.allegation")
    assert transitions.count() == 8  # four steps, each audited on both allegations


def test_a_linked_allegation_at_another_step_stays_where_it_is(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    older = bring_to(make_allegation(), S.OIG_PENDING, staff)
    newer = make_allegation()
    link(older, newer)

    triage.triage(actor=staff.intake, allegation=newer, seriousness=Seriousness.CRIMINAL)

    older.refresh_from_db()
    assert older.status == S.OIG_PENDING
    assert newer.status == S.TRIAGED


def test_linked_allegations_do_not_move_when_one_is_hidden_from_the_actor(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    visible = make_allegation()
    naming_them = make_allegation(subjects=(staff.recused_intake_employee,))
    link(visible, naming_them)
    before = (snapshot(visible), snapshot(naming_them))

    with pytest.raises(PermissionDenied, match="linked"):
        triage.triage(actor=staff.recused_intake, allegation=visible, seriousness=Seriousness.CRIMINAL)

    assert (snapshot(visible), snapshot(naming_them)) == before


# Routing hooks


def test_routing_calls_the_registered_handlers_inside_the_transaction(
    staff: Staff, make_allegation: MakeAllegation, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, str]] = []
    monkeypatch.setattr(
        hooks,
        "routing_handlers",
        {RoutingOutcome.FACT_FINDER: [lambda *, actor, allegation: calls.append((actor, allegation.status))]},
    )
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)

    triage.route(
        actor=staff.intake, allegation=allegation, outcome=RoutingOutcome.FACT_FINDER, rationale="Peer"
    )

    assert calls == [(staff.intake, S.ROUTED)]


def test_a_failing_routing_handler_leaves_the_allegation_unrouted(
    staff: Staff, make_allegation: MakeAllegation, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*, actor: Any, allegation: Allegation) -> None:
        raise ValidationError("The case could not be opened.")

    monkeypatch.setattr(hooks, "routing_handlers", {RoutingOutcome.FACT_FINDER: [refuse]})
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    before = snapshot(allegation)

    with pytest.raises(ValidationError, match="could not be opened"):
        triage.route(
            actor=staff.intake, allegation=allegation, outcome=RoutingOutcome.FACT_FINDER, rationale="x"
        )

    assert snapshot(allegation) == before


# Assignment


def test_bulk_assignment_goes_to_an_intake_specialist_and_is_audited_per_allegation(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegations = [make_allegation() for _ in range(3)]

    changed = triage.assign(actor=staff.supervisor, allegations=allegations, assignee=staff.intake)

    assert changed == 3
    assert set(Allegation.objects.values_list("assigned_to", flat=True)) == {staff.intake.pk}
    for allegation in allegations:
        event = events_for(allegation)[-1]
        assert event.action == "update"
        assert event.changes == {"assigned_to": [None, "intake"]}
    assert triage.assign(actor=staff.supervisor, allegations=allegations, assignee=staff.intake) == 0
    assert triage.assign(actor=staff.intake, allegations=allegations[:1], assignee=None) == 1


def test_allegations_cannot_be_assigned_to_someone_without_the_intake_role(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    before = snapshot(allegation)
    for assignee in (staff.agent, staff.supervisor):
        with pytest.raises(ValidationError) as refused:
            triage.assign(actor=staff.intake, allegations=[allegation], assignee=assignee)
        assert "assignee" in refused.value.message_dict
    assert snapshot(allegation) == before


def test_an_intake_specialist_is_never_assigned_an_allegation_that_names_them(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation(subjects=(staff.recused_intake_employee,))
    with pytest.raises(ValidationError, match="may not see"):
        triage.assign(actor=staff.supervisor, allegations=[allegation], assignee=staff.recused_intake)
    allegation.refresh_from_db()
    assert allegation.assigned_to is None


def test_assigning_needs_sight_of_every_allegation_and_an_intake_role(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    seen, unseen = make_allegation(), make_allegation()
    assign_record(staff.agent, seen)

    with pytest.raises(Http404):
        triage.assign(actor=staff.agent, allegations=[seen, unseen], assignee=staff.intake)
    with pytest.raises(PermissionDenied):
        triage.assign(actor=staff.agent, allegations=[seen], assignee=staff.intake)
    assert not Allegation.objects.filter(assigned_to__isnull=False).exists()


# Clocks


def clocks(allegation: Allegation, rule: str) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Allegation),
            object_id=allegation.pk,
            rule__code=rule,
        )
    )


def test_recording_starts_the_triage_clock_from_receipt(
    frozen: time_machine.Traveller, make_allegation: MakeAllegation, org: Org
) -> None:
    received = WEDNESDAY - dt.timedelta(hours=20)
    allegation = make_allegation(received_at=received)

    [clock] = clocks(allegation, "intake-triage-target")
    assert clock.started_at == received
    assert clock.due_at == due_at(DeadlineRule.objects.get(code="intake-triage-target"), received)
    assert clock.office == org.nogales_port
    assert clock.is_open


@pytest.mark.parametrize("step", ["route", "approve_closure", "oig_accepts"])
def test_the_triage_clock_is_met_when_intake_has_decided(
    frozen: time_machine.Traveller, staff: Staff, make_allegation: MakeAllegation, step: str
) -> None:
    action = ACTIONS[step]
    allegation = bring_to(make_allegation(), action.source, staff)
    [clock] = clocks(allegation, "intake-triage-target")
    assert clock.is_open
    frozen.shift(dt.timedelta(hours=2))

    action.perform(permitted_actor(action, staff), allegation)

    clock.refresh_from_db()
    assert clock.met_at == WEDNESDAY + dt.timedelta(hours=2)


def test_a_closure_request_leaves_the_triage_clock_running_until_approved(
    staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)
    [clock] = clocks(allegation, "intake-triage-target")
    assert clock.is_open


def test_an_imported_record_gets_no_clocks(
    make_allegation: MakeAllegation, categories: dict[str, Any]
) -> None:
    allegation = make_allegation(channel=Channel.IMPORT, category_codes=["sexual-abuse"], actor=None)
    assert allegation.prea
    assert not Deadline.objects.exists()


def test_referral_starts_oigs_clock_and_the_answer_meets_it(
    frozen: time_machine.Traveller, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)

    referral = triage.refer_to_oig(actor=staff.intake, allegation=allegation, note="Bribery alleged")

    assert referral.deadline is not None
    assert referral.deadline.rule.code == "oig-referral-answer"
    # Five federal business days from Wednesday 4 March: Wednesday 11 March, end of day in New York.
    assert referral.deadline.due_at == dt.datetime(2026, 3, 12, 3, 59, 59, 999999, tzinfo=dt.UTC)
    assert referral.deadline.owner == staff.intake
    frozen.shift(dt.timedelta(days=1))

    triage.record_oig_answer(actor=staff.intake, allegation=allegation, answer=OigAnswer.DECLINED)

    referral.deadline.refresh_from_db()
    assert referral.deadline.met_at == WEDNESDAY + dt.timedelta(days=1)


def test_a_lapsed_oig_clock_shows_as_overdue_in_the_counts(
    frozen: time_machine.Traveller, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.OIG_PENDING, staff)
    bring_to(make_allegation(), S.OIG_PENDING, staff)
    assert queue_counts(staff.intake)["overdue_oig"] == 0

    frozen.shift(dt.timedelta(days=10))
    assert queue_counts(staff.intake)["overdue_oig"] == 2

    triage.record_oig_answer(actor=staff.intake, allegation=allegation, answer=OigAnswer.ACCEPTED)
    counts = queue_counts(staff.intake)
    assert counts["overdue_oig"] == 1
    assert counts["by_status"][S.OIG_ACCEPTED] == 1


def test_a_prea_allegation_starts_its_clocks_the_moment_it_is_recorded(
    frozen: time_machine.Traveller, make_allegation: MakeAllegation, categories: dict[str, Any]
) -> None:
    received = WEDNESDAY - dt.timedelta(hours=3)
    allegation = make_allegation(category_codes=["sexual-abuse"], received_at=received)

    assert allegation.prea
    for rule in PREA_CLOCKS:
        [clock] = clocks(allegation, rule)
        assert clock.started_at == received
        assert clock.due_at == received + dt.timedelta(hours=24)


def test_the_prea_flag_alone_starts_the_clocks_and_other_allegations_have_none(
    make_allegation: MakeAllegation,
) -> None:
    flagged = make_allegation(prea=True)
    plain = make_allegation()
    assert all(len(clocks(flagged, rule)) == 1 for rule in PREA_CLOCKS)
    assert not any(clocks(plain, rule) for rule in PREA_CLOCKS)


def test_a_switched_off_rule_starts_no_clock_but_the_report_is_still_taken(
    make_allegation: MakeAllegation, categories: dict[str, Any]
) -> None:
    DeadlineRule.objects.filter(code__in=["prea-contact-removal", "intake-triage-target"]).update(
        active=False
    )

    allegation = make_allegation(category_codes=["sexual-abuse"])

    assert [d.rule.code for d in Deadline.objects.all()] == ["prea-intake-notification"]
    assert allegation.pk is not None


def test_a_prea_allegation_is_not_recorded_without_its_clocks(
    make_allegation: MakeAllegation, categories: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from probity.intake.services import prea

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the clock could not be started")

    monkeypatch.setattr(prea, "start_deadline", broken)

    with pytest.raises(RuntimeError):
        make_allegation(category_codes=["sexual-abuse"])

    assert not Allegation.objects.exists()
    assert not Deadline.objects.exists()
    assert make_allegation().number.endswith("-000001")  # the number was given back
