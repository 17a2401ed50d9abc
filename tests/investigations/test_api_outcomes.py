"""The outcomes API under /api/v1/cases: prosecution referrals and discipline through the same
services and policy as the screens; refusals answer 404 / 403 / 409 / 422 and write nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from probity.core.models import AuditEvent, Role, User
from probity.core.services.tokens import create_token
from probity.core.services.users import create_user
from probity.investigations.models import (
    CaseStatus,
    CaseType,
    DisciplineAction,
    DisciplineStatus,
    GiglioMark,
    ProsecutionReferral,
)
from tests.conftest import PASSWORD, Org
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.outcomes_setup import (
    ADMINISTRATIVE,
    START,
    TODAY,
    find,
    officials,
    past_action,
    staffed_case,
    subject_of,
    witness_of,
    written,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/cases"
S = CaseStatus
D = DisciplineStatus
Api = Callable[..., Any]


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(START) as traveller:
        yield traveller


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    """api(user)(method, path, json=None) → response, with the user's bearer token."""
    tokens: dict[int, str] = {}

    def as_user(user: User) -> Api:
        if user.pk not in tokens:
            tokens[user.pk] = create_token(actor=None, user=user, name="tests")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}

        def call(method: str, path: str, json: Any = None) -> Any:
            if method == "get":
                return client.get(BASE + path, headers=headers)
            return client.post(BASE + path, data=json or {}, content_type="application/json", headers=headers)

        return call

    return as_user


def referral_body(case: Any, team: Team, **overrides: Any) -> dict[str, Any]:
    return {
        "subject_party_id": subject_of(case, team.subject).pk,
        "prosecutor_kind": "us_attorney",
        "prosecutor_office": "U.S. Attorney, District of Arizona",
        "presented_on": TODAY.isoformat(),
        **overrides,
    }


def all_factors_body() -> list[dict[str, Any]]:
    return [{"factor": n, "weight": "neutral", "explanation": f"Factor {n} weighed."} for n in range(1, 13)]


# Prosecution


def test_the_lead_refers_and_records_a_declination_through_the_api(
    make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    case = staffed_case(make_case, team)
    lead = api(team.agent)

    created = lead("post", f"/{case.pk}/prosecutions", referral_body(case, team))

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["referral"]["decision"] == "pending"
    assert body["referral"]["subject_employee"]["employee_number"] == team.subject.employee_number
    assert body["case"]["status"] == S.PROSECUTION
    referral_id = body["referral"]["id"]

    declined = lead(
        "post",
        f"/{case.pk}/prosecutions/{referral_id}/decision",
        {"decision": "declined", "decided_on": TODAY.isoformat()},
    )

    assert declined.status_code == 200, declined.text
    assert declined.json()["case"] == {
        "id": case.pk,
        "number": case.number,
        "status": S.INVESTIGATING,
        "case_type": CaseType.ADMINISTRATIVE,
    }
    listed = lead("get", f"/{case.pk}/prosecutions")
    assert [row["decision"] for row in listed.json()] == ["declined"]
    assert AuditEvent.objects.filter(action="view", object_id=str(case.pk), detail__channel="api").exists()


def test_charges_through_the_api_mark_the_subject_for_giglio(
    make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    case = staffed_case(make_case, team)
    lead = api(team.agent)
    referral_id = lead("post", f"/{case.pk}/prosecutions", referral_body(case, team)).json()["referral"]["id"]
    lead(
        "post",
        f"/{case.pk}/prosecutions/{referral_id}/decision",
        {"decision": "accepted", "decided_on": TODAY.isoformat(), "charges": "18 U.S.C. 1001"},
    )

    disposed = lead(
        "post",
        f"/{case.pk}/prosecutions/{referral_id}/disposition",
        {"disposition": "conviction", "disposition_on": TODAY.isoformat(), "sentence": "Six months"},
    )

    assert disposed.status_code == 200, disposed.text
    assert disposed.json()["referral"]["disposition"] == "conviction"
    assert GiglioMark.objects.filter(employee=team.subject, prosecution_id=referral_id).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"prosecutor_kind": "sheriff"}, "prosecutor_kind"),
        ({"prosecutor_office": ""}, "prosecutor_office"),
        ({"presented_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "presented_on"),
        ({"subject_party_id": 999_999}, "subject_party_id"),
    ],
)
def test_bad_referral_input_answers_422_and_writes_nothing(
    make_case: MakeCase, team: Team, api: Callable[[User], Api], overrides: dict[str, Any], field: str
) -> None:
    case = staffed_case(make_case, team)
    before = written()

    response = api(team.agent)("post", f"/{case.pk}/prosecutions", referral_body(case, team, **overrides))

    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]
    assert written() == before


def test_a_witness_is_not_referred_and_malformed_input_is_422_never_500(
    make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    case = staffed_case(make_case, team)
    lead = api(team.agent)
    before = written()

    witness = lead(
        "post", f"/{case.pk}/prosecutions", referral_body(case, team, subject_party_id=witness_of(case).pk)
    )
    malformed = lead("post", f"/{case.pk}/prosecutions", referral_body(case, team, presented_on="last week"))
    missing = lead("post", f"/{case.pk}/prosecutions", {"prosecutor_kind": "us_attorney"})

    assert witness.status_code == 422
    assert "subject" in witness.json()["fields"]
    assert (malformed.status_code, missing.status_code) == (422, 422)
    assert written() == before


def test_an_administrative_case_answers_422(
    make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    before = written()

    response = api(team.agent)("post", f"/{case.pk}/prosecutions", referral_body(case, team))

    assert response.status_code == 422
    assert "case_type" in response.json()["fields"]
    assert written() == before


def test_a_second_decision_answers_409(make_case: MakeCase, team: Team, api: Callable[[User], Api]) -> None:
    case = staffed_case(make_case, team)
    lead = api(team.agent)
    referral_id = lead("post", f"/{case.pk}/prosecutions", referral_body(case, team)).json()["referral"]["id"]
    path = f"/{case.pk}/prosecutions/{referral_id}/decision"
    lead("post", path, {"decision": "accepted", "decided_on": TODAY.isoformat()})
    before = written()

    response = lead("post", path, {"decision": "declined", "decided_on": TODAY.isoformat()})

    assert response.status_code == 409
    assert "already recorded" in response.json()["detail"]
    assert written() == before


@pytest.mark.parametrize("who", ["el_paso_agent", "recused_agent", "outsider"])
def test_a_case_you_may_not_see_is_404_for_every_outcome_endpoint(
    make_case: MakeCase, team: Team, api: Callable[[User], Api], who: str
) -> None:
    case = staffed_case(make_case, team, subjects=(team.subject, team.recused_employee))
    referral_id = api(team.agent)("post", f"/{case.pk}/prosecutions", referral_body(case, team)).json()[
        "referral"
    ]["id"]
    caller = api(getattr(team, who))
    before = written()

    answers = [
        caller("get", f"/{case.pk}/prosecutions"),
        caller("post", f"/{case.pk}/prosecutions", referral_body(case, team)),
        caller(
            "post",
            f"/{case.pk}/prosecutions/{referral_id}/decision",
            {"decision": "declined", "decided_on": "2027-03-15"},
        ),
        caller("get", f"/{case.pk}/discipline"),
        caller("post", f"/{case.pk}/discipline", {"employee_id": team.subject.pk, "allegation_ids": []}),
    ]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert "U.S. Attorney" not in "".join(answer.text for answer in answers)
    assert written() == before


def test_a_team_member_who_is_not_the_lead_answers_403(
    make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    from probity.investigations.services import cases

    case = staffed_case(make_case, team)
    cases.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    before = written()

    response = api(team.second_agent)("post", f"/{case.pk}/prosecutions", referral_body(case, team))

    assert response.status_code == 403
    assert written() == before


# Discipline


def _referred_case(make_case: MakeCase, team: Team) -> tuple[Any, list[Any]]:
    case = staffed_case(make_case, team, outcome=ADMINISTRATIVE)
    return case, find(case, actor=team.agent)


def test_discipline_from_referral_to_final_through_the_api(
    make_case: MakeCase, team: Team, org: Org, api: Callable[[User], Api]
) -> None:
    case, allegations = _referred_case(make_case, team)
    proposer, decider = officials(org.tucson)
    labor = api(team.labor_relations)

    created = api(team.agent)(
        "post",
        f"/{case.pk}/discipline",
        {"employee_id": team.subject.pk, "allegation_ids": [a.pk for a in allegations]},
    )
    assert created.status_code == 201, created.text
    action_id = created.json()["id"]
    assert created.json()["office"] == org.nogales_port.code

    queue = labor("get", "/discipline/actions")
    assert queue.status_code == 200
    assert [item["id"] for item in queue.json()["items"]] == [action_id]
    steps = [
        (
            "propose",
            {
                "offense": "lack-of-candor",
                "proposing_official_id": proposer.pk,
                "proposed_penalty": "suspension-14",
                "proposed_on": TODAY.isoformat(),
            },
        ),
        ("reply", {"reply": "The employee denies it.", "replied_on": TODAY.isoformat()}),
        (
            "decide",
            {
                "deciding_official_id": decider.pk,
                "decided_penalty": "suspension-7",
                "decided_on": TODAY.isoformat(),
                "rationale": "Serious, but a long clean record.",
                "douglas": all_factors_body(),
            },
        ),
        ("appeal", {"forum": "arbitration", "filed_on": TODAY.isoformat()}),
        (
            "finalize",
            {"final_on": TODAY.isoformat(), "final_penalty": "suspension-3", "appeal_outcome": "Reduced."},
        ),
    ]
    statuses = []
    for step, body in steps:
        response = labor("post", f"/discipline/actions/{action_id}/{step}", body)
        assert response.status_code == 200, (step, response.text)
        statuses.append(response.json()["status"])

    assert statuses == [D.PROPOSED, D.REPLIED, D.DECIDED, D.APPEALED, D.FINAL]
    detail = labor("get", f"/discipline/actions/{action_id}").json()
    assert len(detail["douglas"]) == 12
    assert detail["final_penalty"]["code"] == "suspension-3"
    assert detail["next_statuses"] == []
    assert AuditEvent.objects.filter(action="view", object_id=str(action_id), detail__channel="api").exists()


def _proposed(make_case: MakeCase, team: Team, org: Org, api: Callable[[User], Api]) -> tuple[int, Any, Any]:
    case, allegations = _referred_case(make_case, team)
    proposer, decider = officials(org.tucson)
    action_id = api(team.agent)(
        "post",
        f"/{case.pk}/discipline",
        {"employee_id": team.subject.pk, "allegation_ids": [a.pk for a in allegations]},
    ).json()["id"]
    api(team.labor_relations)(
        "post",
        f"/discipline/actions/{action_id}/propose",
        {
            "offense": "lack-of-candor",
            "proposing_official_id": proposer.pk,
            "proposed_penalty": "reprimand",
            "proposed_on": TODAY.isoformat(),
        },
    )
    return action_id, proposer, decider


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deciding_official_id": "proposer"}, "deciding_official"),
        ({"douglas": all_factors_body()[:11]}, "douglas"),
        (
            {"douglas": [*all_factors_body(), {"factor": 1, "weight": "neutral", "explanation": "Twice."}]},
            "douglas",
        ),
        ({"decided_penalty": "flogging"}, "decided_penalty"),
        ({"decided_penalty": "counseling"}, "decided_penalty"),
        ({"rationale": "  "}, "rationale"),
    ],
)
def test_a_refused_decision_answers_422_and_writes_nothing(
    make_case: MakeCase,
    team: Team,
    org: Org,
    api: Callable[[User], Api],
    *,
    change: dict[str, Any],
    field: str,
) -> None:
    action_id, proposer, decider = _proposed(make_case, team, org, api)
    body = {
        "deciding_official_id": decider.pk,
        "decided_penalty": "suspension-5",
        "decided_on": TODAY.isoformat(),
        "rationale": "Reasons.",
        "douglas": all_factors_body(),
        **change,
    }
    if body["deciding_official_id"] == "proposer":
        body["deciding_official_id"] = proposer.pk
    before = written()

    response = api(team.labor_relations)("post", f"/discipline/actions/{action_id}/decide", body)

    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]
    assert written() == before


def test_a_supervisor_reads_discipline_but_only_labor_relations_acts(
    make_case: MakeCase, team: Team, org: Org, api: Callable[[User], Api]
) -> None:
    action_id, _, decider = _proposed(make_case, team, org, api)
    supervisor = api(team.supervisor)
    before = written()

    assert supervisor("get", f"/discipline/actions/{action_id}").status_code == 200
    refused = supervisor(
        "post",
        f"/discipline/actions/{action_id}/decide",
        {
            "deciding_official_id": decider.pk,
            "decided_penalty": "reprimand",
            "decided_on": TODAY.isoformat(),
            "rationale": "R.",
            "douglas": all_factors_body(),
        },
    )
    out_of_order = api(team.labor_relations)(
        "post", f"/discipline/actions/{action_id}/finalize", {"final_on": TODAY.isoformat()}
    )

    assert refused.status_code == 403
    assert out_of_order.status_code == 409
    assert written() == before


def test_discipline_hidden_from_a_user_is_404_including_their_own(
    make_case: MakeCase, team: Team, org: Org, api: Callable[[User], Api]
) -> None:
    action_id, _, _ = _proposed(make_case, team, org, api)
    own = create_user(
        actor=None,
        username="labor_self",
        password=PASSWORD,
        roles=[Role.LABOR_RELATIONS],
        employee=team.subject,
    )
    before = written()

    for user in (own, team.agent):
        caller = api(user)
        assert caller("get", f"/discipline/actions/{action_id}").status_code == 404
        assert (
            caller(
                "post", f"/discipline/actions/{action_id}/reply", {"reply": "x", "replied_on": "2027-03-15"}
            ).status_code
            == 404
        )
    assert api(own)("get", "/discipline/actions").json()["count"] == 0
    assert api(team.agent)("get", "/discipline/actions").status_code == 404
    assert written() == before


def test_the_consistency_figures_through_the_api(
    make_case: MakeCase, team: Team, org: Org, api: Callable[[User], Api]
) -> None:
    case, _ = _referred_case(make_case, team)
    for code in ("reprimand", "reprimand", "removal"):
        past_action(
            case=case, employee=team.witness, offense_code="lack-of-candor", decided=code, actor=team.agent
        )

    figures = api(team.labor_relations)("get", "/discipline/consistency?offense=lack-of-candor")
    shown = api(team.supervisor)("get", "/discipline/consistency?offense=lack-of-candor")
    unknown = api(team.labor_relations)("get", "/discipline/consistency?offense=jaywalking")

    assert figures.status_code == 200
    body = figures.json()
    assert (body["total"], body["minimum"]["code"], body["maximum"]["code"], body["median"]) == (
        3,
        "reprimand",
        "removal",
        "Written reprimand",
    )
    assert {example["case_number"] for example in body["examples"]} == {None}
    assert {example["case_number"] for example in shown.json()["examples"]} == {case.number}
    assert unknown.status_code == 422
    assert DisciplineAction.objects.count() == 3
    assert ProsecutionReferral.objects.count() == 0
