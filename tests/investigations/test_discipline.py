"""Discipline: referral of sustained allegations to management, the two-step process recorded by
labor relations with the 12 Douglas factors, the table's range, Douglas factor 6 from the data,
who sees what (labor relations agency-wide, supervisors their subtree, never the employee)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse

from probity.core.models import AuditEvent, Role, User
from probity.core.services.users import create_user
from probity.core.workflow import IllegalTransition
from probity.investigations.models import (
    AppealForum,
    CaseEvent,
    DisciplineAction,
    DisciplineStatus,
    DouglasAssessment,
    FactorWeight,
    FindingOutcome,
    Offense,
)
from probity.investigations.services.discipline import (
    consistency_figures,
    decide_action,
    finalize_action,
    propose_action,
    record_appeal,
    record_reply,
    refer_to_management,
    table_range,
)
from tests.conftest import PASSWORD, Org, make_employee
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.outcomes_setup import (
    ADMINISTRATIVE,
    START,
    TODAY,
    all_factors,
    find,
    offense,
    officials,
    past_action,
    penalty,
    staffed_case,
    written,
)

pytestmark = pytest.mark.django_db
D = DisciplineStatus


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(START) as traveller:
        yield traveller


def referred(make_case: MakeCase, team: Team, **case_options: Any) -> DisciplineAction:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE, **case_options)
    allegations = find(case, actor=team.agent)
    return refer_to_management(actor=team.agent, case=case, employee=team.subject, allegations=allegations)


def proposed(action: DisciplineAction, team: Team, org: Org, code: str = "suspension-5") -> DisciplineAction:
    proposer, _ = officials(org.tucson)
    return propose_action(
        actor=team.labor_relations,
        action=action,
        offense=offense("lack-of-candor"),
        proposing_official=proposer,
        proposed_penalty=penalty(code),
        proposed_on=TODAY,
    )


def decide(action: DisciplineAction, team: Team, **overrides: Any) -> DisciplineAction:
    values: dict[str, Any] = {
        "actor": team.labor_relations,
        "action": action,
        "deciding_official": overrides.pop("deciding_official", None) or _decider(),
        "decided_penalty": penalty("suspension-5"),
        "decided_on": TODAY,
        "rationale": "A false report in a seizure case goes to the heart of the job.",
        "douglas": all_factors(),
    }
    values.update(overrides)
    return decide_action(**values)


def _decider() -> Any:
    from probity.core.models import Employee

    return Employee.objects.get(employee_number="D200001")


# Referral to management


def test_the_lead_refers_sustained_allegations_against_an_employee_to_management(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    case = staffed_case(
        make_case, team, outcome=ADMINISTRATIVE, categories=("false-statements", "theft-embezzlement")
    )
    allegations = find(case, actor=team.agent)

    action = refer_to_management(actor=team.agent, case=case, employee=team.subject, allegations=allegations)

    assert action.status == D.REFERRED
    assert action.office == org.nogales_port  # the employee's office in the directory, not the case's
    assert action.referred_by == team.agent
    assert set(action.allegations.all()) == set(allegations)
    note = CaseEvent.objects.filter(case=case, kind="note").last()
    assert note is not None and "Referred to management" in note.reason
    event = AuditEvent.objects.get(object_type="investigations.disciplineaction", action="create")
    assert event.changes["office"] == [None, org.nogales_port.code]


@pytest.mark.parametrize("outcome", [FindingOutcome.NOT_SUSTAINED, FindingOutcome.EXONERATED, None])
def test_only_sustained_allegations_are_referred_to_management(
    make_case: MakeCase, team: Team, outcome: str | None
) -> None:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    allegations = find(case, outcome, actor=team.agent) if outcome else list(case.case_allegations.all())
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer_to_management(actor=team.agent, case=case, employee=team.subject, allegations=allegations)

    assert "only sustained allegations" in refused.value.message_dict["allegations"][0]
    assert written() == before


def test_allegations_against_another_employee_are_not_referred_under_this_one(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    other = make_employee("E100003", "Otto", "Other", org.nogales_port)
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE, subjects=(team.subject, other))
    allegations = find(case, actor=team.agent)
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer_to_management(actor=team.agent, case=case, employee=team.subject, allegations=allegations)

    assert "not against this employee" in " ".join(refused.value.message_dict["allegations"])
    assert written() == before


def test_an_allegation_is_referred_to_management_once(make_case: MakeCase, team: Team) -> None:
    action = referred(make_case, team)
    before = written()

    with pytest.raises(ValidationError) as refused:
        refer_to_management(
            actor=team.supervisor,
            case=action.case,
            employee=team.subject,
            allegations=action.allegations.all(),
        )

    assert "already referred" in refused.value.message_dict["allegations"][0]
    assert written() == before


def test_a_team_member_who_is_not_the_lead_may_not_refer_to_management(
    make_case: MakeCase, team: Team
) -> None:
    from probity.investigations.services import cases

    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    allegations = find(case, actor=team.agent)
    cases.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    before = written()

    with pytest.raises(PermissionDenied):
        refer_to_management(
            actor=team.second_agent, case=case, employee=team.subject, allegations=allegations
        )
    with pytest.raises(Http404):
        refer_to_management(
            actor=team.labor_relations, case=case, employee=team.subject, allegations=allegations
        )

    assert written() == before


# The two-step process


def test_labor_relations_records_the_whole_process_from_proposal_to_final(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = referred(make_case, team)
    proposer, decider = officials(org.tucson)

    propose_action(
        actor=team.labor_relations,
        action=action,
        offense=offense("lack-of-candor"),
        proposing_official=proposer,
        proposed_penalty=penalty("suspension-14"),
        proposed_on=TODAY,
    )
    assert action.status == D.PROPOSED
    record_reply(
        actor=team.labor_relations,
        action=action,
        reply="Written reply: the report was a mistake.",
        replied_on=TODAY,
    )
    assert action.status == D.REPLIED
    factors = all_factors(FactorWeight.AGGRAVATING) | {11: (FactorWeight.MITIGATING, "Long clean record.")}
    decide(action, team, deciding_official=decider, decided_penalty=penalty("suspension-7"), douglas=factors)
    assert action.status == D.DECIDED
    record_appeal(actor=team.labor_relations, action=action, forum=AppealForum.MSPB, filed_on=TODAY)
    finalize_action(
        actor=team.labor_relations,
        action=action,
        final_on=TODAY,
        final_penalty=penalty("suspension-3"),
        appeal_outcome="Settled: the suspension is reduced to three days.",
    )

    action.refresh_from_db()
    assert action.status == D.FINAL
    assert (action.proposing_official, action.deciding_official) == (proposer, decider)
    assert (action.proposed_penalty.code, action.decided_penalty.code, action.final_penalty.code) == (  # type: ignore[union-attr]
        "suspension-14",
        "suspension-7",
        "suspension-3",
    )
    weights = dict(DouglasAssessment.objects.filter(action=action).values_list("factor", "weight"))
    assert len(weights) == 12
    assert weights[11] == FactorWeight.MITIGATING
    moves = (
        AuditEvent.objects.filter(
            object_type="investigations.disciplineaction", object_id=str(action.pk), action="transition"
        )
        .order_by("seq")
        .values_list("changes__status", flat=True)
    )
    assert list(moves) == [
        [D.REFERRED, D.PROPOSED],
        [D.PROPOSED, D.REPLIED],
        [D.REPLIED, D.DECIDED],
        [D.DECIDED, D.APPEALED],
        [D.APPEALED, D.FINAL],
    ]


def test_without_an_appeal_the_decided_penalty_becomes_final(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = proposed(referred(make_case, team), team, org)
    decide(action, team)

    finalize_action(actor=team.labor_relations, action=action, final_on=TODAY)

    assert (action.status, action.final_penalty) == (D.FINAL, penalty("suspension-5"))


def test_the_deciding_official_must_differ_from_the_proposing_official(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = proposed(referred(make_case, team), team, org)
    before = written()

    with pytest.raises(ValidationError) as refused:
        decide(action, team, deciding_official=action.proposing_official)

    assert refused.value.message_dict["deciding_official"] == [
        "The deciding official must be someone other than the proposing official."
    ]
    assert written() == before


def test_every_one_of_the_12_douglas_factors_is_weighed_and_explained(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = proposed(referred(make_case, team), team, org)
    factors = all_factors()
    del factors[12]
    factors[3] = (FactorWeight.NEUTRAL, "   ")
    factors[5] = ("heavy", "Weighed.")
    factors[13] = (FactorWeight.NEUTRAL, "An extra factor.")
    before = written()

    with pytest.raises(ValidationError) as refused:
        decide(action, team, douglas=factors)

    messages = " ".join(refused.value.message_dict["douglas"])
    assert "Factor 12" in messages and "Factor 3" in messages and "Factor 5" in messages
    assert "not 13" in messages
    assert written() == before


def test_a_penalty_outside_the_tables_range_needs_the_rationale_to_say_why(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = proposed(referred(make_case, team), team, org)
    before = written()

    with pytest.raises(ValidationError) as refused:
        decide(action, team, decided_penalty=penalty("counseling"))

    warning = refused.value.message_dict["decided_penalty"][0]
    assert "below the table's range" in warning
    assert "Written reprimand to Removal (first offense)" in warning
    assert written() == before

    decide(action, team, decided_penalty=penalty("counseling"), departure_explained=True)

    assert action.status == D.DECIDED
    event = AuditEvent.objects.filter(object_id=str(action.pk), changes__status=[D.PROPOSED, D.DECIDED]).get()
    assert event.detail["outside_table_range"] is True


def test_a_past_final_action_for_the_same_category_makes_it_a_second_offense(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = proposed(referred(make_case, team), team, org)
    first = table_range(offense=offense("lack-of-candor"), employee=team.subject, exclude_action=action)
    past_action(
        case=action.case,
        employee=team.subject,
        offense_code="lack-of-candor",
        decided="reprimand",
        actor=team.agent,
    )

    second = table_range(offense=offense("lack-of-candor"), employee=team.subject, exclude_action=action)

    assert (first.second, first.low.code, first.high.code) == (False, "reprimand", "removal")
    assert (second.second, second.low.code, second.high.code) == (True, "suspension-14", "removal")
    with pytest.raises(ValidationError, match="second or later offense"):
        decide(action, team, decided_penalty=penalty("suspension-5"))


def test_only_labor_relations_records_the_steps(make_case: MakeCase, team: Team, org: Org) -> None:
    action = referred(make_case, team)
    proposer, _ = officials(org.tucson)
    before = written()
    arguments: dict[str, Any] = {
        "action": action,
        "offense": offense("lack-of-candor"),
        "proposing_official": proposer,
        "proposed_penalty": penalty("reprimand"),
        "proposed_on": TODAY,
    }

    with pytest.raises(PermissionDenied, match="Labor and employee relations"):
        propose_action(actor=team.supervisor, **arguments)
    with pytest.raises(Http404):
        propose_action(actor=team.agent, **arguments)  # the lead referred it but does not follow discipline

    assert written() == before


def test_steps_out_of_order_are_refused(make_case: MakeCase, team: Team) -> None:
    action = referred(make_case, team)
    before = written()

    with pytest.raises(IllegalTransition):
        decide(action, team, deciding_official=make_employee("D200001", "Dora", "Decider", action.office))
    with pytest.raises(IllegalTransition):
        finalize_action(actor=team.labor_relations, action=action, final_on=TODAY)

    assert written() == before


def test_an_appeal_may_reduce_or_reverse_a_penalty_but_never_increase_it(
    make_case: MakeCase, team: Team, org: Org
) -> None:
    action = proposed(referred(make_case, team), team, org)
    decide(action, team)
    record_appeal(actor=team.labor_relations, action=action, forum=AppealForum.ARBITRATION, filed_on=TODAY)
    before = written()

    with pytest.raises(ValidationError) as increased:
        finalize_action(
            actor=team.labor_relations,
            action=action,
            final_on=TODAY,
            final_penalty=penalty("removal"),
            appeal_outcome="The arbitrator found for the agency.",
        )
    with pytest.raises(ValidationError) as unsaid:
        finalize_action(actor=team.labor_relations, action=action, final_on=TODAY, appeal_outcome="Settled.")
    assert "not increase" in increased.value.message_dict["final_penalty"][0]
    assert "reversed" in unsaid.value.message_dict["final_penalty"][0]
    assert written() == before

    finalize_action(
        actor=team.labor_relations,
        action=action,
        final_on=TODAY,
        appeal_outcome="The arbitrator reversed the action.",
        reversed_on_appeal=True,
    )

    assert (action.status, action.final_penalty) == (D.FINAL, None)


def test_dates_are_never_in_the_future_nor_before_the_step_they_follow(
    make_case: MakeCase, team: Team, org: Org, clock: Any
) -> None:
    action = referred(make_case, team)
    clock.shift(dt.timedelta(days=10))
    proposer, _ = officials(org.tucson)
    propose_action(
        actor=team.labor_relations,
        action=action,
        offense=offense("lack-of-candor"),
        proposing_official=proposer,
        proposed_penalty=penalty("reprimand"),
        proposed_on=TODAY + dt.timedelta(days=10),
    )
    before = written()

    with pytest.raises(ValidationError) as early:
        record_reply(actor=team.labor_relations, action=action, reply="None made.", replied_on=TODAY)
    with pytest.raises(ValidationError) as future:
        record_reply(
            actor=team.labor_relations,
            action=action,
            reply="None made.",
            replied_on=TODAY + dt.timedelta(days=11),
        )

    assert "before the proposal" in early.value.message_dict["replied_on"][0]
    assert "future" in future.value.message_dict["replied_on"][0]
    assert written() == before


# Douglas factor 6, from the data


@pytest.fixture
def history(make_case: MakeCase, team: Team, org: Org) -> DisciplineAction:
    """Penalties decided for lack of candor across the agency: reprimand twice, 5-day suspension,
    14-day suspension (under appeal), removal (final); and rows that must not count."""
    action = proposed(referred(make_case, team), team, org)
    others = [make_employee(f"E3000{n}", "Past", f"Case{n}", org.nogales_port) for n in range(8)]

    def past(n: int, code: str, decided: str | None, status: str, on: dt.date) -> None:
        past_action(
            case=action.case,
            employee=others[n],
            offense_code=code,
            decided=decided,
            status=status,
            decided_on=on,
            actor=team.agent,
        )

    past(0, "lack-of-candor", "reprimand", D.FINAL, dt.date(2025, 1, 10))
    past(1, "lack-of-candor", "reprimand", D.DECIDED, dt.date(2025, 5, 2))
    past(2, "lack-of-candor", "suspension-5", D.FINAL, dt.date(2026, 2, 1))
    past(3, "lack-of-candor", "suspension-14", D.APPEALED, dt.date(2026, 9, 9))
    past(4, "lack-of-candor", "removal", D.FINAL, dt.date(2027, 1, 5))
    past(5, "lack-of-candor", None, D.REFERRED, dt.date(2027, 1, 6))  # not decided yet
    past(6, "theft", "removal", D.FINAL, dt.date(2027, 1, 7))  # another category
    return action


def test_consistency_figures_count_the_penalties_decided_for_the_same_offense_category(
    history: DisciplineAction, django_assert_num_queries: Any
) -> None:
    candor = offense("lack-of-candor")
    with django_assert_num_queries(2):
        figures = consistency_figures(offense=candor, exclude_action=history)

    assert figures.total == 5
    assert [(entry.code, entry.count) for entry in figures.counts] == [
        ("reprimand", 2),
        ("suspension-5", 1),
        ("suspension-14", 1),
        ("removal", 1),
    ]
    assert (figures.minimum.code, figures.maximum.code) == ("reprimand", "removal")  # type: ignore[union-attr]
    assert (figures.median_severity, figures.median_label) == (5.0, "5-day suspension")
    assert [example.decided_on for example in figures.examples][:2] == [
        dt.date(2027, 1, 5),
        dt.date(2026, 9, 9),
    ]
    assert all(example.case_number == "" for example in figures.examples)  # no viewer: figures only


def test_the_median_of_an_even_count_lies_between_the_two_middle_penalties(
    history: DisciplineAction, team: Team
) -> None:
    decide(history, team, decided_penalty=penalty("removal"))

    figures = consistency_figures(offense=offense("lack-of-candor"))

    assert figures.total == 6
    assert figures.median_severity == (5 + 7) / 2
    assert figures.median_label == "between 5-day suspension and 14-day suspension"


def test_offenses_of_the_same_category_count_together(history: DisciplineAction, team: Team) -> None:
    sworn = Offense.objects.create(
        code="false-sworn-statement",
        name="False sworn statement",
        category=offense("lack-of-candor").category,
        first_min=penalty("suspension-14"),
        first_max=penalty("removal"),
        second_min=penalty("removal"),
        second_max=penalty("removal"),
    )

    figures = consistency_figures(offense=sworn)

    assert figures.total == 5


def test_an_example_shows_its_case_number_only_to_someone_who_may_see_the_case(
    history: DisciplineAction, team: Team
) -> None:
    hidden = consistency_figures(offense=offense("lack-of-candor"), viewer=team.labor_relations)
    shown = consistency_figures(offense=offense("lack-of-candor"), viewer=team.supervisor)

    assert {example.case_number for example in hidden.examples} == {""}
    assert all(example.case_number.startswith("OPR-TUC-") for example in shown.examples)


# Screens


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_labor_relations_sees_the_discipline_queue(make_case: MakeCase, team: Team, client: Client) -> None:
    action = referred(make_case, team)
    _login(client, team.labor_relations)

    response = client.get(reverse("discipline-queue"))

    assert response.status_code == 200
    assert reverse("discipline-detail", args=[action.pk]) in response.text
    assert team.subject.full_name in response.text
    assert AuditEvent.objects.filter(action="search", object_type="investigations.disciplineaction").exists()
    dashboard = client.get(reverse("dashboard"))
    assert "Discipline awaiting action" in dashboard.text
    assert reverse("discipline-queue") in dashboard.text


def test_a_supervisor_sees_discipline_in_their_subtree_only(
    make_case: MakeCase, team: Team, client: Client, org: Org
) -> None:
    action = referred(make_case, team)
    el_paso = create_user(
        actor=None, username="sup_elp", password=PASSWORD, roles=[Role.SUPERVISOR], office_scope=org.el_paso
    )

    assert (
        reverse("discipline-detail", args=[action.pk])
        in _login(client, team.supervisor).get(reverse("discipline-queue")).text
    )
    other = _login(Client(), el_paso)
    assert reverse("discipline-detail", args=[action.pk]) not in other.get(reverse("discipline-queue")).text
    assert other.get(reverse("discipline-detail", args=[action.pk])).status_code == 404


def test_an_agent_has_no_discipline_screens(make_case: MakeCase, team: Team, client: Client) -> None:
    action = referred(make_case, team)
    _login(client, team.agent)

    assert client.get(reverse("discipline-queue")).status_code == 404
    assert client.get(reverse("discipline-detail", args=[action.pk])).status_code == 404


def test_the_disciplined_employee_never_sees_their_own_action(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    action = referred(make_case, team)
    own = create_user(
        actor=None,
        username="labor_self",
        password=PASSWORD,
        roles=[Role.LABOR_RELATIONS],
        employee=team.subject,
    )
    _login(client, own)
    views_before = AuditEvent.objects.filter(action="view").count()

    queue = client.get(reverse("discipline-queue"))
    detail = client.get(reverse("discipline-detail", args=[action.pk]))
    step = client.post(reverse("discipline-propose", args=[action.pk]), {})

    assert queue.status_code == 200
    assert team.subject.full_name not in queue.text
    assert (detail.status_code, step.status_code) == (404, 404)
    assert AuditEvent.objects.filter(action="view").count() == views_before
    action.refresh_from_db()
    assert action.status == D.REFERRED


def test_the_decision_form_shows_the_12_factors_the_tables_range_and_the_consistency_figures(
    history: DisciplineAction, team: Team, client: Client
) -> None:
    _login(client, team.labor_relations)

    response = client.get(reverse("discipline-detail", args=[history.pk]))

    assert response.status_code == 200
    for factor in range(1, 13):
        assert f'id="factor-{factor}"' in response.text
        assert f'name="decide-factor_{factor}_weight"' in response.text
    assert "5</strong> penalties decided across the agency" in response.text
    assert "Written reprimand to Removal (first offense)" in response.text
    assert AuditEvent.objects.filter(action="view", object_id=str(history.pk)).exists()


def _decision_post(decider: str, *, penalty_pk: int, factors: int = 12) -> dict[str, Any]:
    data: dict[str, Any] = {
        "decide-deciding_official": decider,
        "decide-decided_penalty": penalty_pk,
        "decide-decided_on": TODAY.isoformat(),
        "decide-rationale": "A false report goes to the heart of the job.",
    }
    for factor in range(1, factors + 1):
        data[f"decide-factor_{factor}_weight"] = FactorWeight.NEUTRAL
        data[f"decide-factor_{factor}_explanation"] = f"Factor {factor} weighed."
    return data


def test_labor_relations_decides_on_the_page(
    make_case: MakeCase, team: Team, org: Org, client: Client
) -> None:
    action = proposed(referred(make_case, team), team, org)
    _login(client, team.labor_relations)

    response = client.post(
        reverse("discipline-decide", args=[action.pk]),
        _decision_post("D200001", penalty_pk=penalty("suspension-5").pk),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == D.DECIDED
    assert DouglasAssessment.objects.filter(action=action).count() == 12


@pytest.mark.parametrize(
    ("decider", "factors", "message"),
    [
        ("P200001", 12, "someone other than the proposing official"),
        ("D200001", 11, "Factor 12: weight"),
        ("NOBODY", 12, "No employee in the directory has this number."),
    ],
)
def test_a_refused_decision_is_shown_again_with_its_message_and_nothing_is_written(
    make_case: MakeCase, team: Team, org: Org, client: Client, *, decider: str, factors: int, message: str
) -> None:
    action = proposed(referred(make_case, team), team, org)
    _login(client, team.labor_relations)
    before = written()

    response = client.post(
        reverse("discipline-decide", args=[action.pk]),
        _decision_post(decider, penalty_pk=penalty("suspension-5").pk, factors=factors),
    )

    assert response.status_code == 400
    assert message in response.text
    assert "A false report goes to the heart of the job." in response.text  # typed input kept
    assert written() == before


def test_the_consistency_fragment_follows_the_offense_chosen_in_the_proposal(
    history: DisciplineAction, team: Team, client: Client
) -> None:
    _login(client, team.labor_relations)
    candor = offense("lack-of-candor")

    response = client.get(
        reverse("discipline-consistency"), {"propose-offense": candor.pk}, HTTP_HX_REQUEST="true"
    )
    nothing = client.get(reverse("discipline-consistency"), {"propose-offense": "x"})

    assert response.status_code == 200
    assert "5</strong> penalties decided" in response.text
    assert "<html" not in response.text
    assert "Choose an offense" in nothing.text


def test_the_lead_refers_to_management_from_the_case_page(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    allegations = find(case, actor=team.agent)
    _login(client, team.agent)
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert "Refer to management" in page.text

    response = client.post(
        reverse("case-refer-discipline", args=[case.pk]),
        {"outcome-discipline-allegations": [a.pk for a in allegations]},
    )

    assert response.status_code == 302
    action = DisciplineAction.objects.get()
    assert (action.case, action.employee, action.status) == (case, team.subject, D.REFERRED)
    supervisor_page = _login(Client(), team.supervisor).get(reverse("case-detail", args=[case.pk]))
    assert reverse("discipline-detail", args=[action.pk]) in supervisor_page.text


def test_a_refused_referral_to_management_on_the_case_page_writes_nothing(
    make_case: MakeCase, team: Team, client: Client
) -> None:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    find(case, actor=team.agent)
    _login(client, team.agent)
    before = written()

    response = client.post(
        reverse("case-refer-discipline", args=[case.pk]), {"outcome-discipline-allegations": ["999999"]}
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert written() == before


def test_the_discipline_page_offers_the_steps_of_each_state(
    make_case: MakeCase, team: Team, org: Org, client: Client
) -> None:
    action = referred(make_case, team)
    _login(client, team.labor_relations)
    url = reverse("discipline-detail", args=[action.pk])

    def headings() -> set[str]:
        response = client.get(url)
        assert response.status_code == 200
        return {
            name
            for name in ("propose", "reply", "decide", "appeal", "finalize")
            if f'id="step-{name}"' in response.text
        }

    assert headings() == {"propose"}
    assert f'hx-get="{reverse("discipline-consistency")}"' in client.get(url).text
    proposed(action, team, org)
    assert headings() == {"reply", "decide"}
    decide(action, team)
    assert headings() == {"appeal", "finalize"}
    record_appeal(actor=team.labor_relations, action=action, forum=AppealForum.MSPB, filed_on=TODAY)
    page = client.get(url).text
    assert 'name="finalize-reversed_on_appeal"' in page
    finalize_action(
        actor=team.labor_relations,
        action=action,
        final_on=TODAY,
        appeal_outcome="Reversed.",
        reversed_on_appeal=True,
    )
    assert headings() == set()
    assert "Reversed: no penalty" in client.get(url).text
    supervisor_page = _login(Client(), team.supervisor).get(url)
    assert supervisor_page.status_code == 200
    assert 'id="step-' not in supervisor_page.text
