"""The case services: every CASE_FLOW move allowed and refused (by role and by state), reasons,
the case-age clock, conversion, reopening, transfer, assignment rules, parties and their role
history, case allegations, and a case opened directly that intake then sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from probity.core import access
from probity.core.deadlines import due_at
from probity.core.models import (
    AuditEvent,
    Compartment,
    CompartmentGrant,
    Deadline,
    DeadlineRule,
    RecordAssignment,
    Role,
    User,
)
from probity.core.services.users import create_user
from probity.core.workflow import IllegalTransition
from probity.intake import queries as intake_queries
from probity.intake.models import Allegation, AllegationCategory, AllegationStatus, Channel, RoutingOutcome
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseOrigin,
    CaseParty,
    CaseStatus,
    CaseType,
    MemberRole,
    PartyRole,
    PartyRoleChange,
)
from probity.investigations.services import cases as services
from probity.investigations.workflow import CASE_FLOW, NEEDS_REASON
from tests.conftest import PASSWORD, Org
from tests.investigations.conftest import MakeCase, Team

pytestmark = pytest.mark.django_db

S = CaseStatus
AGENTS: frozenset[str] = frozenset({Role.AGENT, Role.SUPERVISOR})
SUPERVISORS: frozenset[str] = frozenset({Role.SUPERVISOR})
AGREED_TABLE: dict[tuple[str, str], frozenset[str]] = {
    (S.OPENED, S.INVESTIGATING): AGENTS,
    (S.INVESTIGATING, S.ABEYANCE): SUPERVISORS,
    (S.ABEYANCE, S.INVESTIGATING): SUPERVISORS,
    (S.INVESTIGATING, S.PROSECUTION): AGENTS,
    (S.PROSECUTION, S.ABEYANCE): SUPERVISORS,
    (S.PROSECUTION, S.INVESTIGATING): AGENTS,
    (S.INVESTIGATING, S.REPORT_DRAFTING): AGENTS,
    (S.REPORT_DRAFTING, S.INVESTIGATING): AGENTS,
    (S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW): AGENTS,
    (S.SUFFICIENCY_REVIEW, S.REPORT_DRAFTING): SUPERVISORS,
    (S.SUFFICIENCY_REVIEW, S.CLOSED): SUPERVISORS,
    (S.CLOSED, S.REOPENED): SUPERVISORS,
    (S.REOPENED, S.INVESTIGATING): AGENTS,
}
WEDNESDAY = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)


def make_user(name: str, roles: list[str], **extra: Any) -> User:
    return create_user(
        actor=None,
        username=name,
        password=PASSWORD,
        roles=roles,
        first_name=name.title(),
        last_name="Test",
        **extra,
    )


@pytest.fixture
def case(make_case: MakeCase, team: Team) -> Case:
    """A Tucson case led by the team's agent."""
    made = make_case()
    services.assign_lead(actor=team.supervisor, case=made, agent=team.agent)
    return made


def bring_case_to(case: Case, status: str, team: Team) -> Case:
    """Walk a case led by the team's agent to `status` through the services."""
    path = {
        S.OPENED: [],
        S.INVESTIGATING: [S.INVESTIGATING],
        S.ABEYANCE: [S.INVESTIGATING, S.ABEYANCE],
        S.PROSECUTION: [S.INVESTIGATING, S.PROSECUTION],
        S.REPORT_DRAFTING: [S.INVESTIGATING, S.REPORT_DRAFTING],
        S.SUFFICIENCY_REVIEW: [S.INVESTIGATING, S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW],
        S.CLOSED: [S.INVESTIGATING, S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW, S.CLOSED],
        S.REOPENED: [S.INVESTIGATING, S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW, S.CLOSED, S.REOPENED],
    }[S(status)]
    for target in path:
        actor = team.agent if AGREED_TABLE[(case.status, target)] == AGENTS else team.second_supervisor
        services.transition(actor=actor, case=case, target=target, reason="Walking the case")
    case.refresh_from_db()
    assert case.status == status
    return case


def snapshot(case: Case) -> tuple[Any, ...]:
    """Everything a refused call must leave untouched."""
    case.refresh_from_db()
    return (
        case.status,
        case.case_type,
        case.office_id,
        case.lead_agent_id,
        case.supervisor_id,
        case.title,
        case.synopsis,
        case.closed_at,
        case.updated_at,
        CaseEvent.objects.count(),
        CaseMember.objects.filter(ended_at__isnull=True).count(),
        CaseParty.objects.count(),
        [(p.pk, p.role) for p in CaseParty.objects.order_by("pk")],
        PartyRoleChange.objects.count(),
        CaseAllegation.objects.count(),
        RecordAssignment.objects.filter(ended_at__isnull=True).count(),
        Deadline.objects.filter(met_at__isnull=True).count(),
        [d.office_id for d in Deadline.objects.order_by("pk")],
        Allegation.objects.count(),
        Case.objects.count(),
        AuditEvent.objects.count(),
    )


def case_events(case: Case, action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="investigations.case", object_id=str(case.pk), action=action
        ).order_by("seq")
    )


def case_age_clocks(case: Case) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Case),
            object_id=case.pk,
            rule__code="investigation-target",
        ).order_by("pk")
    )


# The table


def test_the_case_workflow_is_exactly_the_agreed_table_with_its_roles() -> None:
    assert {key: t.roles for key, t in CASE_FLOW.transitions.items()} == AGREED_TABLE


def test_the_moves_that_need_a_reason_are_abeyance_resumption_reopening_and_a_return() -> None:
    expected = {
        (S.INVESTIGATING, S.ABEYANCE),
        (S.PROSECUTION, S.ABEYANCE),
        (S.ABEYANCE, S.INVESTIGATING),
        (S.CLOSED, S.REOPENED),
        (S.SUFFICIENCY_REVIEW, S.REPORT_DRAFTING),
    }
    assert expected == NEEDS_REASON


# Every move, allowed


@dataclass(frozen=True)
class Move:
    source: str
    target: str

    @property
    def by_supervisor_only(self) -> bool:
        return AGREED_TABLE[(self.source, self.target)] == SUPERVISORS

    @property
    def is_review_step(self) -> bool:
        return (self.source, self.target) in services.REVIEW_MOVES

    def perform(self, actor: User, case: Case, reason: str = "Because the facts call for it") -> Case:
        if self.is_review_step:
            return services.transition(actor=actor, case=case, target=self.target, reason=reason)
        return services.move_case(actor=actor, case=case, target=self.target, reason=reason)


MOVES = [Move(source, target) for source, target in AGREED_TABLE]


def permitted(move: Move, team: Team) -> User:
    return team.second_supervisor if move.by_supervisor_only else team.agent


@pytest.mark.parametrize("move", MOVES, ids=lambda m: f"{m.source}-to-{m.target}")
def test_each_move_changes_the_status_with_its_history_entry_and_audit_event(
    move: Move, case: Case, team: Team
) -> None:
    bring_case_to(case, move.source, team)
    actor = permitted(move, team)

    move.perform(actor, case, reason="  Because the facts call for it  ")

    assert case.status == move.target
    case.refresh_from_db()
    assert case.status == move.target
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.from_value, event.to_value) == ("transition", move.source, move.target)
    assert event.reason == "Because the facts call for it"
    assert event.by == actor
    audited = case_events(case, "transition")[-1]
    assert audited.changes["status"] == [move.source, move.target]
    assert audited.actor_id == actor.pk
    assert audited.detail["reason"] == "Because the facts call for it"


def test_a_supervisor_may_make_an_agents_move_too(case: Case, team: Team) -> None:
    services.move_case(actor=team.supervisor, case=case, target=S.INVESTIGATING)

    assert case.status == S.INVESTIGATING


def test_a_team_member_may_make_an_agents_move(case: Case, team: Team) -> None:
    services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)

    services.move_case(actor=team.second_agent, case=case, target=S.INVESTIGATING)

    assert case.status == S.INVESTIGATING


# Every move, refused by role


@pytest.mark.parametrize(
    "move", [m for m in MOVES if m.by_supervisor_only], ids=lambda m: f"{m.source}-to-{m.target}"
)
def test_the_lead_agent_may_not_make_a_supervisors_move(move: Move, case: Case, team: Team) -> None:
    bring_case_to(case, move.source, team)
    before = snapshot(case)

    with pytest.raises(PermissionDenied) as refused:
        move.perform(team.agent, case)

    assert "supervisor" in str(refused.value)
    assert snapshot(case) == before


@pytest.mark.parametrize(
    "move", [m for m in MOVES if not m.by_supervisor_only], ids=lambda m: f"{m.source}-to-{m.target}"
)
def test_an_agent_off_the_case_gets_a_404_for_an_agents_move(move: Move, case: Case, team: Team) -> None:
    bring_case_to(case, move.source, team)
    before = snapshot(case)

    for outsider in (team.second_agent, team.el_paso_agent, team.intake, team.labor_relations, team.outsider):
        with pytest.raises(Http404):
            move.perform(outsider, case)

    assert snapshot(case) == before


def test_an_agent_who_sees_the_case_but_is_not_on_its_team_may_not_move_it(case: Case, team: Team) -> None:
    # Another module's assignment (say, a reviewer's) gives sight of the case, not its work.
    RecordAssignment.objects.create(
        user=team.second_agent,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=case.pk,
        role="reviewer",
        assigned_at=timezone.now(),
    )
    before = snapshot(case)

    with pytest.raises(PermissionDenied) as refused:
        services.move_case(actor=team.second_agent, case=case, target=S.INVESTIGATING)

    assert "lead agent, its team members and supervisors" in str(refused.value)
    assert snapshot(case) == before


def test_a_released_team_member_may_no_longer_move_the_case(case: Case, team: Team) -> None:
    member = services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    services.release_member(actor=team.supervisor, case=case, member=member)
    before = snapshot(case)

    with pytest.raises(Http404):
        services.move_case(actor=team.second_agent, case=case, target=S.INVESTIGATING)

    assert snapshot(case) == before


# Every move, refused by state


@pytest.mark.parametrize("source", S.values)
def test_every_move_outside_the_table_is_an_illegal_transition_that_writes_nothing(
    source: str, case: Case, team: Team
) -> None:
    bring_case_to(case, source, team)
    refused_targets = [target for target in S.values if (source, target) not in AGREED_TABLE]
    assert refused_targets
    before = snapshot(case)

    for target in refused_targets:
        for perform in (services.move_case, services.transition):
            with pytest.raises(IllegalTransition) as refused:
                perform(actor=team.supervisor, case=case, target=target, reason="Try it")
            assert "cannot go from" in refused.value.messages[0]

    assert snapshot(case) == before


@pytest.mark.parametrize(
    "move", [m for m in MOVES if m.is_review_step], ids=lambda m: f"{m.source}-to-{m.target}"
)
def test_move_case_leaves_the_sufficiency_reviews_own_steps_to_the_review(
    move: Move, case: Case, team: Team
) -> None:
    bring_case_to(case, move.source, team)
    before = snapshot(case)

    with pytest.raises(IllegalTransition) as refused:
        services.move_case(actor=permitted(move, team), case=case, target=move.target, reason="Why")

    assert "sufficiency review" in refused.value.messages[0]
    assert snapshot(case) == before


@pytest.mark.parametrize("target", ["", "archived", "x" * 500])
def test_an_unknown_target_is_refused_with_the_known_statuses(target: str, case: Case, team: Team) -> None:
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        services.move_case(actor=team.supervisor, case=case, target=target)

    assert "investigating" in refused.value.message_dict["target"][0]
    assert snapshot(case) == before


# Reasons


@pytest.mark.parametrize(
    "move",
    [m for m in MOVES if (m.source, m.target) in NEEDS_REASON],
    ids=lambda m: f"{m.source}-to-{m.target}",
)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_move_that_needs_a_reason_is_refused_without_one(
    move: Move, reason: str, case: Case, team: Team
) -> None:
    bring_case_to(case, move.source, team)
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        move.perform(permitted(move, team), case, reason=reason)

    assert refused.value.message_dict["reason"] == ["Give the reason for this move."]
    assert snapshot(case) == before


def test_an_oversized_reason_is_refused(case: Case, team: Team) -> None:
    bring_case_to(case, S.INVESTIGATING, team)
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        services.move_case(actor=team.supervisor, case=case, target=S.ABEYANCE, reason="x" * 10_001)

    assert "10,000 characters" in refused.value.message_dict["reason"][0]
    assert snapshot(case) == before


# The case-age clock


def test_closing_sets_closed_at_and_meets_the_case_age_deadline(case: Case, team: Team) -> None:
    bring_case_to(case, S.SUFFICIENCY_REVIEW, team)

    with time_machine.travel(WEDNESDAY + dt.timedelta(days=400), tick=False):
        services.transition(actor=team.second_supervisor, case=case, target=S.CLOSED)

    case.refresh_from_db()
    assert case.closed_at == WEDNESDAY + dt.timedelta(days=400)
    [clock] = case_age_clocks(case)
    assert clock.met_at == case.closed_at
    assert case_events(case, "transition")[-1].changes["closed_at"][0] is None


def test_reopening_clears_closed_at_and_starts_a_fresh_case_age_deadline(case: Case, team: Team) -> None:
    bring_case_to(case, S.CLOSED, team)
    rule = DeadlineRule.objects.get(code="investigation-target")

    with time_machine.travel(WEDNESDAY + dt.timedelta(days=500), tick=False):
        services.reopen_case(actor=team.supervisor, case=case, reason="New evidence came to light")

    case.refresh_from_db()
    assert case.status == S.REOPENED
    assert case.closed_at is None
    first, fresh = case_age_clocks(case)
    assert first.met_at is not None
    assert fresh.met_at is None
    assert fresh.started_at == WEDNESDAY + dt.timedelta(days=500)
    assert fresh.due_at == due_at(rule, fresh.started_at)
    assert fresh.office_id == case.office_id
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.from_value, event.to_value, event.reason) == (
        S.CLOSED,
        S.REOPENED,
        "New evidence came to light",
    )


@pytest.mark.parametrize("status", [s for s in S.values if s != S.CLOSED])
def test_only_a_closed_case_can_be_reopened(status: str, case: Case, team: Team) -> None:
    bring_case_to(case, status, team)
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        services.reopen_case(actor=team.supervisor, case=case, reason="Why not")

    assert snapshot(case) == before


def test_an_agent_may_not_reopen_a_case(case: Case, team: Team) -> None:
    bring_case_to(case, S.CLOSED, team)
    before = snapshot(case)

    with pytest.raises(PermissionDenied):
        services.reopen_case(actor=team.agent, case=case, reason="New evidence")

    assert snapshot(case) == before


# Conversion


def test_a_supervisor_converts_the_case_type_with_the_reason(case: Case, team: Team) -> None:
    services.convert_case(
        actor=team.supervisor, case=case, case_type=CaseType.CRIMINAL, reason="The facts suggest a felony"
    )

    case.refresh_from_db()
    assert case.case_type == CaseType.CRIMINAL
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.kind, event.from_value, event.to_value) == ("conversion", "administrative", "criminal")
    assert event.reason == "The facts suggest a felony"
    audited = case_events(case, "update")[-1]
    assert audited.changes == {"case_type": ["administrative", "criminal"]}


@pytest.mark.parametrize(
    ("case_type", "reason", "field"),
    [
        (CaseType.CRIMINAL, "", "reason"),
        (CaseType.ADMINISTRATIVE, "Already so", "case_type"),
        ("civil", "A new kind", "case_type"),
        (CaseType.JOINT, "y" * 10_001, "reason"),
    ],
)
def test_a_conversion_with_bad_input_is_refused(
    case_type: str, reason: str, field: str, case: Case, team: Team
) -> None:
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        services.convert_case(actor=team.supervisor, case=case, case_type=case_type, reason=reason)

    assert field in refused.value.message_dict
    assert snapshot(case) == before


def test_the_lead_agent_may_not_convert_the_case(case: Case, team: Team) -> None:
    before = snapshot(case)

    with pytest.raises(PermissionDenied):
        services.convert_case(actor=team.agent, case=case, case_type=CaseType.CRIMINAL, reason="Felony")

    assert snapshot(case) == before


def test_a_closed_case_is_not_converted(case: Case, team: Team) -> None:
    bring_case_to(case, S.CLOSED, team)
    before = snapshot(case)

    with pytest.raises(IllegalTransition) as refused:
        services.convert_case(actor=team.supervisor, case=case, case_type=CaseType.CRIMINAL, reason="Felony")

    assert "reopens it first" in refused.value.messages[0]
    assert snapshot(case) == before


# Transfer


@pytest.fixture
def el_paso_supervisor(org: Org) -> User:
    return make_user("sup_elp", [Role.SUPERVISOR], office_scope=org.el_paso)


def test_a_transfer_keeps_the_number_releases_the_team_and_moves_the_clock(
    case: Case, team: Team, org: Org, el_paso_supervisor: User
) -> None:
    services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    number = case.number
    assert not access.can_view(el_paso_supervisor, case)

    services.transfer_case(
        actor=team.supervisor, case=case, office=org.el_paso, reason="Subject moved to El Paso"
    )

    case.refresh_from_db()
    assert case.number == number
    assert case.office == org.el_paso
    assert case.lead_agent is None
    assert case.supervisor is None
    assert not CaseMember.objects.filter(case=case, ended_at__isnull=True).exists()
    assert not RecordAssignment.objects.filter(object_id=case.pk, ended_at__isnull=True).exists()
    assert [clock.office for clock in case_age_clocks(case)] == [org.el_paso]
    event = CaseEvent.objects.filter(case=case, kind="transfer").get()
    assert (event.from_value, event.to_value, event.reason) == (
        "OPR-TUC",
        "OPR-ELP",
        "Subject moved to El Paso",
    )
    assert not access.can_view(team.agent, case)
    assert not access.can_view(team.second_agent, case)
    assert access.can_view(el_paso_supervisor, case)
    # The receiving office staffs it with its own agents.
    services.assign_lead(actor=el_paso_supervisor, case=case, agent=team.el_paso_agent)
    assert access.can_view(team.el_paso_agent, case)


@pytest.mark.parametrize(
    ("office_name", "reason", "field"),
    [
        ("nogales_port", "Closer to the port", "office"),
        ("opr", "To headquarters", "office"),
        ("tucson", "Stay", "office"),
        ("el_paso", "", "reason"),
    ],
)
def test_a_transfer_with_bad_input_is_refused(
    *, office_name: str, reason: str, field: str, case: Case, team: Team, org: Org
) -> None:
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        services.transfer_case(
            actor=team.supervisor, case=case, office=getattr(org, office_name), reason=reason
        )

    assert field in refused.value.message_dict
    assert snapshot(case) == before


def test_only_a_supervisor_transfers_an_open_case(case: Case, team: Team, org: Org) -> None:
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        services.transfer_case(actor=team.agent, case=case, office=org.el_paso, reason="Moving")
    bring_case_to(case, S.CLOSED, team)
    closed = snapshot(case)

    with pytest.raises(IllegalTransition):
        services.transfer_case(actor=team.supervisor, case=case, office=org.el_paso, reason="Moving")

    assert before[0] == S.OPENED
    assert snapshot(case) == closed


# Assignment


def test_assigning_the_lead_gives_them_the_case_and_records_it(make_case: MakeCase, team: Team) -> None:
    made = make_case()
    assert not access.can_view(team.agent, made)

    member = services.assign_lead(actor=team.supervisor, case=made, agent=team.agent)

    made.refresh_from_db()
    assert made.lead_agent == team.agent
    assert made.supervisor == team.supervisor
    assert (member.user, member.role, member.assigned_by, member.ended_at) == (
        team.agent,
        MemberRole.LEAD,
        team.supervisor,
        None,
    )
    assert access.can_view(team.agent, made)
    event = CaseEvent.objects.filter(case=made, kind="assignment").get()
    assert (event.from_value, event.to_value) == ("", "agent")
    assert case_events(made, "update")[-1].changes["lead_agent"] == [None, "agent"]


def test_a_new_lead_replaces_the_old_one_who_loses_sight(case: Case, team: Team) -> None:
    services.assign_lead(actor=team.supervisor, case=case, agent=team.second_agent)

    case.refresh_from_db()
    assert case.lead_agent == team.second_agent
    leads = CaseMember.objects.filter(case=case, role=MemberRole.LEAD).order_by("pk")
    assert [(m.user, m.ended_at is None) for m in leads] == [(team.agent, False), (team.second_agent, True)]
    assert not access.can_view(team.agent, case)


def test_a_team_member_sees_the_case_through_an_assignment_until_released(case: Case, team: Team) -> None:
    member = services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)

    assignment = RecordAssignment.objects.get(user=team.second_agent, object_id=case.pk)
    assert assignment.ended_at is None
    assert member.role == MemberRole.TEAM
    assert access.can_view(team.second_agent, case)

    services.release_member(actor=team.supervisor, case=case, member=member)

    assignment.refresh_from_db()
    member.refresh_from_db()
    assert assignment.ended_at is not None
    assert member.ended_at == assignment.ended_at
    assert not access.can_view(team.second_agent, case)
    kinds = [(e.from_value, e.to_value) for e in CaseEvent.objects.filter(case=case, kind="assignment")]
    assert kinds[-2:] == [("", "agent2"), ("agent2", "")]


def test_a_team_member_made_lead_leaves_the_team_and_keeps_sight_as_lead(case: Case, team: Team) -> None:
    services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)

    services.assign_lead(actor=team.supervisor, case=case, agent=team.second_agent)

    active = CaseMember.objects.filter(case=case, ended_at__isnull=True)
    assert [(m.user, m.role) for m in active] == [(team.second_agent, MemberRole.LEAD)]
    assert not RecordAssignment.objects.filter(object_id=case.pk, ended_at__isnull=True).exists()
    assert access.can_view(team.second_agent, case)


def test_releasing_the_lead_leaves_the_case_without_one(case: Case, team: Team) -> None:
    lead = CaseMember.objects.get(case=case, role=MemberRole.LEAD)

    services.release_member(actor=team.supervisor, case=case, member=lead)

    case.refresh_from_db()
    assert case.lead_agent is None
    assert not access.can_view(team.agent, case)


@pytest.fixture
def inactive_agent(org: Org) -> User:
    agent = make_user("gone", [Role.AGENT], office_scope=org.tucson)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    return agent


@pytest.mark.parametrize("assign", [services.assign_lead, services.add_team_member])
@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("el_paso_agent", "agent_elp works in OPR El Paso, which does not cover OPR Tucson."),
        ("intake", "intake is not an active special agent."),
        ("supervisor", "supervisor is not an active special agent."),
        ("inactive", "gone is not an active special agent."),
        ("recused_agent", "recused is named in this case and must not work on it."),
    ],
)
def test_an_assignee_must_be_an_active_agent_whose_scope_covers_the_case_and_not_named_in_it(
    *,
    assign: Callable[..., Any],
    who: str,
    message: str,
    make_case: MakeCase,
    team: Team,
    inactive_agent: User,
) -> None:
    made = make_case(witnesses=(team.witness, team.recused_employee))
    agent = inactive_agent if who == "inactive" else getattr(team, who)
    before = snapshot(made)

    with pytest.raises(ValidationError) as refused:
        assign(actor=team.supervisor, case=made, agent=agent)

    assert refused.value.message_dict["agent"] == [message]
    assert snapshot(made) == before


def test_an_agent_without_a_grant_is_not_assigned_to_a_restricted_case(
    make_case: MakeCase, team: Team
) -> None:
    made = make_case()
    compartment = Compartment.objects.create(code="senior", name="Senior officials")
    Case.objects.filter(pk=made.pk).update(compartment=compartment)
    CompartmentGrant.objects.create(compartment=compartment, user=team.supervisor, granted_at=timezone.now())
    before = snapshot(made)

    with pytest.raises(ValidationError) as refused:
        services.assign_lead(actor=team.supervisor, case=made, agent=team.agent)

    assert refused.value.message_dict["agent"] == [
        "agent has no grant to this restricted case's compartment."
    ]
    assert snapshot(made) == before
    CompartmentGrant.objects.create(compartment=compartment, user=team.agent, granted_at=timezone.now())
    services.assign_lead(actor=team.supervisor, case=made, agent=team.agent)
    assert access.can_view(team.agent, made)


def test_only_a_supervisor_who_sees_the_case_assigns(
    case: Case, team: Team, el_paso_supervisor: User
) -> None:
    before = snapshot(case)

    with pytest.raises(PermissionDenied):
        services.add_team_member(actor=team.agent, case=case, agent=team.second_agent)
    with pytest.raises(Http404):
        services.add_team_member(actor=el_paso_supervisor, case=case, agent=team.second_agent)
    with pytest.raises(Http404):
        services.assign_lead(actor=team.second_agent, case=case, agent=team.second_agent)

    assert snapshot(case) == before


def test_an_agent_is_not_put_on_the_team_twice_nor_beside_their_own_lead(case: Case, team: Team) -> None:
    services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    before = snapshot(case)

    with pytest.raises(ValidationError) as twice:
        services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    with pytest.raises(ValidationError) as lead:
        services.add_team_member(actor=team.supervisor, case=case, agent=team.agent)
    with pytest.raises(ValidationError) as again:
        services.assign_lead(actor=team.supervisor, case=case, agent=team.agent)

    assert twice.value.message_dict["agent"] == ["agent2 is already on the team."]
    assert lead.value.message_dict["agent"] == ["agent already leads this case."]
    assert again.value.message_dict["agent"] == ["agent already leads this case."]
    assert snapshot(case) == before


def test_a_member_is_released_once_and_only_from_their_own_case(
    case: Case, make_case: MakeCase, team: Team
) -> None:
    member = services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    services.release_member(actor=team.supervisor, case=case, member=member)
    other = make_case(summary="Another matter")
    before = snapshot(case)

    with pytest.raises(ValidationError) as twice:
        services.release_member(actor=team.supervisor, case=case, member=member)
    with pytest.raises(ValidationError) as elsewhere:
        services.release_member(actor=team.supervisor, case=other, member=member)

    assert twice.value.message_dict["member"] == ["agent2 was already released."]
    assert elsewhere.value.message_dict["member"] == ["This person is not a member of this case."]
    assert snapshot(case) == before


def test_a_closed_case_gets_no_new_team(case: Case, team: Team) -> None:
    bring_case_to(case, S.CLOSED, team)
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)

    assert snapshot(case) == before


# Parties and their role history


def test_a_party_is_added_with_its_first_role_and_the_contact_kept_out_of_the_audit_trail(
    case: Case, team: Team
) -> None:
    party = services.add_party(
        actor=team.agent,
        case=case,
        role=PartyRole.WITNESS,
        name="  Tomas Trucker ",
        description="Driver in lane 4",
        contact="tomas@example.org",
    )

    party.refresh_from_db()
    assert (party.role, party.name, party.contact) == (
        PartyRole.WITNESS,
        "Tomas Trucker",
        "tomas@example.org",
    )
    history = list(party.role_history.all())
    assert [(h.from_role, h.to_role, h.by) for h in history] == [("", PartyRole.WITNESS, team.agent)]
    audited = AuditEvent.objects.get(object_type="investigations.caseparty", object_id=str(party.pk))
    assert audited.changes["contact"] == [None, "<sensitive>"]
    assert "tomas@example.org" not in str(audited.changes) + str(audited.detail)


def test_a_witness_who_becomes_a_subject_keeps_the_history_and_can_then_face_allegations(
    case: Case, team: Team, categories: dict[str, AllegationCategory]
) -> None:
    witness = CaseParty.objects.get(case=case, employee=team.witness)

    services.change_party_role(
        actor=team.agent, party=witness, role=PartyRole.SUBJECT, reason="Her own statement implicates her"
    )
    added = services.add_case_allegation(
        actor=team.agent,
        case=case,
        subject=witness,
        category=categories["false-statements"],
        description="Lied",
    )

    witness.refresh_from_db()
    assert witness.role == PartyRole.SUBJECT
    history = [(h.from_role, h.to_role, h.reason) for h in witness.role_history.all()]
    assert history[-1] == (PartyRole.WITNESS, PartyRole.SUBJECT, "Her own statement implicates her")
    assert len(history) == 2
    assert (added.subject, added.category.code, added.source, added.description) == (
        witness,
        "false-statements",
        None,
        "Lied",
    )


@pytest.mark.parametrize(
    ("role", "reason", "message"),
    [
        (PartyRole.WITNESS, "", "Say why the role changes."),
        ("suspect", "Because", "Choose the role: one of subject, witness, complainant."),
        (PartyRole.SUBJECT, "Because", "is already subject."),
        (PartyRole.WITNESS, "Because", "has allegations against them in this case"),
    ],
)
def test_a_role_change_with_bad_input_or_against_the_allegations_is_refused(
    role: str, reason: str, message: str, case: Case, team: Team
) -> None:
    subject = CaseParty.objects.get(case=case, employee=team.subject)
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        services.change_party_role(actor=team.agent, party=subject, role=role, reason=reason)

    assert any(message in text for texts in refused.value.message_dict.values() for text in texts)
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"role": "bystander", "name": "Someone"}, "role"),
        ({"role": PartyRole.WITNESS}, "employee"),
        ({"role": PartyRole.WITNESS, "name": "n" * 201}, "name"),
        ({"role": PartyRole.WITNESS, "name": "Anna", "contact": "c" * 1001}, "contact"),
        ({"role": PartyRole.WITNESS, "description": "d" * 10_001}, "description"),
        ({"role": PartyRole.COMPLAINANT, "employee": "witness"}, "employee"),
        ({"role": PartyRole.WITNESS, "employee": "agent_self"}, "employee"),
    ],
)
def test_a_party_with_bad_input_is_refused_with_a_message(
    fields: dict[str, Any], field: str, make_case: MakeCase, team: Team, org: Org
) -> None:
    made = make_case()
    # The recused persona leads here: naming their own directory record would hide the case from them.
    services.assign_lead(actor=team.supervisor, case=made, agent=team.recused_agent)
    if fields.get("employee") == "witness":
        fields = {**fields, "employee": team.witness}
    elif fields.get("employee") == "agent_self":
        fields = {**fields, "employee": team.recused_employee}
    before = snapshot(made)

    with pytest.raises(ValidationError) as refused:
        services.add_party(actor=team.recused_agent, case=made, **fields)

    assert field in refused.value.message_dict
    assert snapshot(made) == before


def test_an_employee_on_the_team_is_not_named_until_released(make_case: MakeCase, team: Team) -> None:
    made = make_case()
    services.assign_lead(actor=team.supervisor, case=made, agent=team.recused_agent)
    before = snapshot(made)

    with pytest.raises(ValidationError) as refused:
        services.add_party(
            actor=team.supervisor, case=made, role=PartyRole.WITNESS, employee=team.recused_employee
        )

    assert "works on this case" in refused.value.message_dict["employee"][0]
    assert snapshot(made) == before


def test_an_agent_off_the_case_may_not_add_a_party(case: Case, team: Team) -> None:
    before = snapshot(case)

    with pytest.raises(Http404):
        services.add_party(actor=team.second_agent, case=case, role=PartyRole.WITNESS, name="Someone")

    assert snapshot(case) == before


# Case allegations


def test_an_allegation_is_refused_against_a_non_subject_twice_or_in_a_retired_category(
    case: Case, make_case: MakeCase, team: Team, categories: dict[str, AllegationCategory]
) -> None:
    subject = CaseParty.objects.get(case=case, employee=team.subject)
    witness = CaseParty.objects.get(case=case, employee=team.witness)
    elsewhere = CaseParty.objects.get(case=make_case(summary="Other"), employee=team.subject)
    retired = categories["theft-embezzlement"]
    AllegationCategory.objects.filter(pk=retired.pk).update(active=False)
    retired.refresh_from_db()
    before = snapshot(case)

    for subject_party, category, field, message in (
        (witness, categories["theft-embezzlement"], "subject", "make them a subject first"),
        (elsewhere, categories["theft-embezzlement"], "subject", "Choose a subject of this case."),
        (subject, categories["false-statements"], "category", "is already alleged"),
        (subject, retired, "category", "Choose an active allegation category."),
    ):
        with pytest.raises(ValidationError) as refused:
            services.add_case_allegation(
                actor=team.agent, case=case, subject=subject_party, category=category
            )
        assert message in refused.value.message_dict[field][0]

    assert snapshot(case) == before


def test_no_allegation_is_added_while_the_case_is_in_sufficiency_review(
    case: Case, team: Team, categories: dict[str, AllegationCategory]
) -> None:
    bring_case_to(case, S.SUFFICIENCY_REVIEW, team)
    subject = CaseParty.objects.get(case=case, employee=team.subject)
    before = snapshot(case)

    with pytest.raises(IllegalTransition):
        services.add_case_allegation(
            actor=team.agent, case=case, subject=subject, category=categories["corruption-bribery"]
        )

    assert snapshot(case) == before


# The case's own text


def test_the_title_and_synopsis_change_with_the_synopsis_masked_in_the_audit_trail(
    case: Case, team: Team
) -> None:
    services.update_case(actor=team.agent, case=case, title="False seizure report", synopsis="Secret summary")

    case.refresh_from_db()
    assert (case.title, case.synopsis) == ("False seizure report", "Secret summary")
    audited = case_events(case, "update")[-1]
    assert audited.changes["title"][1] == "False seizure report"
    assert audited.changes["synopsis"] == ["", "<sensitive>"]


@pytest.mark.parametrize(
    ("title", "synopsis", "field"),
    [("  ", "ok", "title"), ("t" * 201, "", "title"), ("Fine", "s" * 50_001, "synopsis")],
)
def test_an_update_with_bad_input_is_refused(
    title: str, synopsis: str, field: str, case: Case, team: Team
) -> None:
    before = snapshot(case)

    with pytest.raises(ValidationError) as refused:
        services.update_case(actor=team.agent, case=case, title=title, synopsis=synopsis)

    assert field in refused.value.message_dict
    assert snapshot(case) == before


# Opening directly


def test_a_supervisor_opens_a_case_directly_and_intake_sees_it_with_the_reason(
    team: Team, org: Org, categories: dict[str, AllegationCategory]
) -> None:
    case = services.open_case_directly(
        actor=team.supervisor,
        office=org.tucson,
        case_type=CaseType.CRIMINAL,
        title="Smuggling ring at Nogales",
        reason="Informant's tip passed on by the FBI",
        subjects=[team.subject],
        category_codes=["corruption-bribery"],
    )

    assert (case.origin, case.opening_reason, case.case_type, case.office) == (
        CaseOrigin.DIRECT,
        "Informant's tip passed on by the FBI",
        CaseType.CRIMINAL,
        org.tucson,
    )
    assert case.number.startswith("OPR-TUC-")
    [(subject_id, code)] = case.case_allegations.values_list("subject__employee_id", "category__code")
    assert (subject_id, code) == (team.subject.pk, "corruption-bribery")
    allegation = intake_queries.get_allegation_for(team.intake, case.allegations.get().pk, record_view=False)
    assert allegation.channel == Channel.SUPERVISOR
    assert allegation.status == AllegationStatus.ROUTED
    assert allegation.narrative == "Informant's tip passed on by the FBI"
    assert allegation.routing_outcome == RoutingOutcome.INVESTIGATION_CRIMINAL
    assert allegation.routing_rationale == "Informant's tip passed on by the FBI"
    assert allegation.routed_by == team.supervisor
    assert [c.code for c in allegation.categories.all()] == ["corruption-bribery"]
    assert Case.objects.count() == 1  # the routing hook did not open a second case


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"case_type": "civil"}, "case_type"),
        ({"title": " "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"reason": ""}, "reason"),
        ({"reason": "r" * 10_001}, "reason"),
        ({"office": "nogales_port"}, "office"),
        ({"subjects": []}, "subjects"),
        ({"category_codes": ["corruption-bribery", "no-such-thing"]}, "categories"),
    ],
)
def test_a_direct_opening_with_bad_input_is_refused_and_writes_nothing(
    change: dict[str, Any], field: str, team: Team, org: Org, categories: dict[str, AllegationCategory]
) -> None:
    arguments: dict[str, Any] = {
        "office": org.tucson,
        "case_type": CaseType.ADMINISTRATIVE,
        "title": "Title",
        "reason": "Reason",
        "subjects": [team.subject],
        "category_codes": ["corruption-bribery"],
        **change,
    }
    if arguments["office"] == "nogales_port":
        arguments["office"] = org.nogales_port
    counts = (Allegation.objects.count(), Case.objects.count(), AuditEvent.objects.count())

    with pytest.raises(ValidationError) as refused:
        services.open_case_directly(actor=team.supervisor, **arguments)

    assert field in refused.value.message_dict
    assert (Allegation.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == counts


def test_only_a_supervisor_opens_directly_and_only_within_their_scope_and_not_against_themselves(
    team: Team, org: Org, el_paso_supervisor: User, categories: dict[str, AllegationCategory]
) -> None:
    arguments: dict[str, Any] = {
        "office": org.tucson,
        "case_type": CaseType.ADMINISTRATIVE,
        "title": "Title",
        "reason": "Reason",
        "subjects": [team.subject],
        "category_codes": [],
    }
    named = make_user("sup_named", [Role.SUPERVISOR], employee=team.subject)
    counts = (Allegation.objects.count(), Case.objects.count(), AuditEvent.objects.count())

    with pytest.raises(PermissionDenied):
        services.open_case_directly(actor=team.agent, **arguments)
    with pytest.raises(ValidationError) as outside:
        services.open_case_directly(actor=el_paso_supervisor, **arguments)
    with pytest.raises(ValidationError) as themselves:
        services.open_case_directly(actor=named, **arguments)

    assert outside.value.message_dict["office"] == ["OPR Tucson is outside your office scope."]
    assert "You are named as a subject" in themselves.value.message_dict["subjects"][0]
    assert (Allegation.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == counts
