"""The cases API: the list with its filters and paging, one case, opening directly, moves, the
team, conversion, reopening, transfer, parties and allegations, and how refusals answer (404
hidden or unknown, 403 not allowed, 409 wrong state, 422 bad input), never a 500, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from probity.core.models import AuditEvent, Deadline, RecordAssignment, User
from probity.core.services.tokens import create_token
from probity.intake.models import Allegation, AllegationCategory
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseParty,
    CaseStatus,
    CaseType,
    MemberRole,
    PartyRole,
    PartyRoleChange,
)
from probity.investigations.services import cases as services
from tests.conftest import Org
from tests.investigations.conftest import MakeCase, Team

pytestmark = pytest.mark.django_db

S = CaseStatus
BASE = "/api/v1/cases"
ALL = "?status=" + ",".join(S.values)
Api = Callable[..., Any]


def url_of(path: str) -> str:
    """The list by its name (the nested mount decides its trailing slash); the rest below BASE."""
    return reverse("api:list_cases") + path if path[:1] in ("", "?") else BASE + path


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    """api(user)(method, path, json=None) → response, with the user's bearer token."""
    tokens: dict[int, str] = {}

    def as_user(user: User) -> Api:
        if user.pk not in tokens:
            tokens[user.pk] = create_token(actor=None, user=user, name="tests")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}

        def call(method: str, path: str, json: Any = None) -> Any:
            send = getattr(client, method)
            if method == "get":
                response = send(url_of(path), headers=headers)
            else:
                response = send(
                    url_of(path), data=json or {}, content_type="application/json", headers=headers
                )
            assert response.status_code < 500, response.content
            return response

        return call

    return as_user


@pytest.fixture
def case(make_case: MakeCase, team: Team) -> Case:
    made = make_case()
    services.assign_lead(actor=team.supervisor, case=made, agent=team.agent)
    return made


def state(case: Case) -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    case.refresh_from_db()
    return (
        case.status,
        case.case_type,
        case.office_id,
        case.lead_agent_id,
        case.title,
        case.synopsis,
        case.updated_at,
        Case.objects.count(),
        Allegation.objects.count(),
        CaseEvent.objects.count(),
        CaseMember.objects.filter(ended_at__isnull=True).count(),
        [(p.pk, p.role, p.name) for p in CaseParty.objects.order_by("pk")],
        PartyRoleChange.objects.count(),
        CaseAllegation.objects.count(),
        RecordAssignment.objects.filter(ended_at__isnull=True).count(),
        Deadline.objects.filter(met_at__isnull=True).count(),
        # Reads are audited too, and the fixture issues API tokens on first use: count the rest.
        AuditEvent.objects.exclude(action__in=["search", "view"])
        .exclude(object_type="core.apitoken")
        .count(),
    )


def detail_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


# Authentication


def test_without_credentials_the_api_answers_401(client: Client, case: Case) -> None:
    assert client.get(url_of("")).status_code == 401
    assert client.get(f"{BASE}/{case.pk}").status_code == 401
    response = client.post(
        f"{BASE}/{case.pk}/transitions", data={"target": "investigating"}, content_type="application/json"
    )
    assert response.status_code == 401
    case.refresh_from_db()
    assert case.status == S.OPENED


# The list


def test_the_list_pages_and_counts_and_records_a_search(api: Any, make_case: MakeCase, team: Team) -> None:
    made = [make_case(summary=f"Matter {n}") for n in range(4)]

    response = api(team.supervisor)("get", "?limit=2&offset=1&sort=oldest")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [item["number"] for item in body["items"]] == [made[1].number, made[2].number]
    first = body["items"][0]
    assert first["office"]["code"] == "OPR-TUC"
    assert (first["status"], first["case_type"], first["restricted"], first["lead_agent"]) == (
        "opened",
        "administrative",
        False,
        None,
    )
    assert first["target_due_at"] is not None
    assert body["messages"] == []
    search = AuditEvent.objects.get(action="search", object_type="investigations.case")
    assert (search.actor_id, search.detail["results"], search.detail["channel"]) == (
        team.supervisor.pk,
        4,
        "api",
    )


def test_the_list_filters_by_status_type_office_lead_and_restriction(
    api: Any, make_case: MakeCase, team: Team, org: Org
) -> None:
    led = make_case(summary="Led")
    services.assign_lead(actor=team.supervisor, case=led, agent=team.agent)
    services.move_case(actor=team.agent, case=led, target=S.INVESTIGATING)
    criminal = make_case(summary="Criminal", outcome="investigation_criminal")
    el_paso = services.open_case_directly(
        actor=team.supervisor,
        office=org.el_paso,
        case_type=CaseType.JOINT,
        title="El Paso matter",
        reason="Referral",
        subjects=[team.witness],
        category_codes=[],
    )
    call = api(team.supervisor)

    def numbers(query: str) -> list[str]:
        body = call("get", query).json()
        assert body["messages"] == [], body["messages"]
        return sorted(item["number"] for item in body["items"])

    assert numbers("?status=investigating") == [led.number]
    assert numbers("?type=criminal") == [criminal.number]
    assert numbers("?office=OPR-ELP") == [el_paso.number]
    assert numbers(f"?office={org.el_paso.pk}") == [el_paso.number]
    assert numbers(f"?lead={team.agent.pk}") == [led.number]
    assert numbers("?lead=none") == sorted([criminal.number, el_paso.number])
    assert numbers("?restricted=true") == []
    assert numbers("?restricted=false") == sorted([led.number, criminal.number, el_paso.number])


def test_bad_filter_values_are_ignored_and_explained(api: Any, case: Case, team: Team) -> None:
    body = api(team.supervisor)(
        "get", "?status=lost&type=civil&office=NOWHERE&lead=boss&restricted=maybe"
    ).json()

    assert body["count"] == 1
    assert sorted(body["messages"]) == sorted(
        [
            "Ignored the unknown office 'NOWHERE'.",
            "Ignored restricted='maybe': use true or false.",
            "Ignored the unknown status 'lost'.",
            "Ignored the unknown type 'civil'.",
            "Ignored the lead agent: use me, none or a user id.",
        ]
    )


@pytest.mark.parametrize("query", ["?limit=0", "?limit=201", "?offset=-1", "?limit=many"])
def test_bad_paging_is_refused_with_a_message(api: Any, case: Case, team: Team, query: str) -> None:
    response = api(team.supervisor)("get", query)

    assert response.status_code == 422
    assert "Invalid input" in response.json()["detail"]


# One case


def test_the_detail_shows_the_team_parties_allegations_and_history_and_records_a_view(
    api: Any, case: Case, team: Team
) -> None:
    services.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)

    body = detail_of(api(team.agent)("get", f"/{case.pk}"))

    assert (body["number"], body["status"], body["lead_agent"], body["supervisor"]) == (
        case.number,
        "opened",
        "agent",
        "supervisor",
    )
    assert [(m["user"], m["role"], m["ended_at"]) for m in body["members"]] == [
        ("agent", MemberRole.LEAD, None),
        ("agent2", MemberRole.TEAM, None),
    ]
    parties = {(p["role"], (p["employee"] or {}).get("employee_number"), p["name"]) for p in body["parties"]}
    assert parties == {
        ("subject", "E100001", ""),
        ("witness", "E100002", ""),
        ("complainant", None, "Carla Complainant"),
    }
    complainant = next(p for p in body["parties"] if p["role"] == "complainant")
    assert complainant["contact"] == "carla@example.org"
    assert complainant["role_history"][0]["to_role"] == "complainant"
    [allegation] = body["allegations"]
    assert (allegation["subject"], allegation["category"]) == ("Sam Subject", "false-statements")
    assert allegation["source"] == body["sources"][0]
    assert [e["kind"] for e in body["events"]] == ["transition", "assignment", "assignment"]
    assert body["next_statuses"] == ["investigating"]
    view = AuditEvent.objects.filter(action="view", object_type="investigations.case").latest("seq")
    assert (view.actor_id, view.object_id, view.detail) == (
        team.agent.pk,
        str(case.pk),
        {"channel": "api", "part": "case"},
    )


@pytest.mark.parametrize("path", ["/999999", "/99999999999999999999", "/0"])
def test_an_unknown_case_is_a_404(api: Any, case: Case, team: Team, path: str) -> None:
    response = api(team.supervisor)("get", path)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_case_id_that_is_not_a_number_is_refused(api: Any, case: Case, team: Team) -> None:
    response = api(team.supervisor)("get", "/abc")

    assert response.status_code in (404, 422)


# Opening directly


def test_a_supervisor_opens_a_case_directly_and_intake_sees_the_reason(
    api: Any, team: Team, org: Org, categories: dict[str, AllegationCategory]
) -> None:
    response = api(team.supervisor)(
        "post",
        "",
        {
            "office_id": org.tucson.pk,
            "case_type": "criminal",
            "title": "Bribes at lane 3",
            "reason": "Wiretap intercept shared by DEA",
            "subjects": [team.subject.pk],
            "categories": ["corruption-bribery"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["origin"], body["opening_reason"], body["case_type"]) == (
        "direct",
        "Wiretap intercept shared by DEA",
        "criminal",
    )
    allegation = Allegation.objects.get(number=body["sources"][0])
    token = create_token(actor=None, user=team.intake, name="intake")[1]
    intake_view = Client().get(
        f"/api/v1/allegations/{allegation.pk}", headers={"Authorization": f"Bearer {token}"}
    )
    assert intake_view.status_code == 200
    seen = intake_view.json()
    assert (seen["status"], seen["channel"], seen["routing_rationale"]) == (
        "routed",
        "supervisor",
        "Wiretap intercept shared by DEA",
    )


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"case_type": "civil"}, 422, "case_type"),
        ({"reason": ""}, 422, "reason"),
        ({"reason": "r" * 10_001}, 422, "reason"),
        ({"title": "t" * 201}, 422, "title"),
        ({"subjects": [999_999]}, 422, "subjects"),
        ({"subjects": []}, 422, "subjects"),
        ({"categories": ["made-up"]}, 422, "categories"),
        ({"office_id": 999_999}, 422, "office_id"),
        ({"reason": None}, 422, "reason"),
    ],
)
def test_a_direct_opening_with_bad_input_is_refused_and_writes_nothing(
    *, api: Any, team: Team, org: Org, change: dict[str, Any], status: int, field: str
) -> None:
    payload = {
        "office_id": org.tucson.pk,
        "case_type": "administrative",
        "title": "Title",
        "reason": "Reason",
        "subjects": [team.subject.pk],
        "categories": [],
        **change,
    }
    counts = (Case.objects.count(), Allegation.objects.count())

    response = api(team.supervisor)("post", "", payload)

    assert response.status_code == status
    assert field in response.json()["detail"]
    assert (Case.objects.count(), Allegation.objects.count()) == counts


def test_an_agent_may_not_open_a_case_directly(api: Any, team: Team, org: Org) -> None:
    response = api(team.agent)(
        "post",
        "",
        {
            "office_id": org.tucson.pk,
            "case_type": "criminal",
            "title": "T",
            "reason": "R",
            "subjects": [team.subject.pk],
        },
    )

    assert response.status_code == 403
    assert not Case.objects.exists()
    assert not Allegation.objects.exists()


# Moves


def test_the_lead_agent_starts_the_investigation(api: Any, case: Case, team: Team) -> None:
    body = detail_of(api(team.agent)("post", f"/{case.pk}/transitions", {"target": "investigating"}))

    assert body["status"] == "investigating"
    assert body["events"][-1]["to_value"] == "investigating"
    assert set(body["next_statuses"]) == {"prosecution", "report_drafting"}


@pytest.mark.parametrize(
    ("who", "payload", "status", "message"),
    [
        ("agent", {"target": "closed"}, 409, "cannot go from opened to closed"),
        ("supervisor", {"target": "archived"}, 422, "Unknown status 'archived'"),
        ("supervisor", {"target": "x" * 5000}, 422, "Unknown status"),
        ("supervisor", {}, 422, "target"),
        ("supervisor", {"target": ["investigating"]}, 422, "target"),
        ("second_agent", {"target": "investigating"}, 404, "No such"),
        ("labor_relations", {"target": "investigating"}, 404, "No such"),
    ],
)
def test_a_refused_move_answers_with_a_message_and_writes_nothing(
    *, api: Any, case: Case, team: Team, who: str, payload: dict[str, Any], status: int, message: str
) -> None:
    before = state(case)

    response = api(getattr(team, who))("post", f"/{case.pk}/transitions", payload)

    assert response.status_code == status
    assert message in response.json()["detail"]
    assert state(case) == before


def test_abeyance_needs_a_supervisor_and_a_reason(api: Any, case: Case, team: Team) -> None:
    services.move_case(actor=team.agent, case=case, target=S.INVESTIGATING)
    before = state(case)

    by_agent = api(team.agent)("post", f"/{case.pk}/transitions", {"target": "abeyance", "reason": "Trial"})
    no_reason = api(team.supervisor)("post", f"/{case.pk}/transitions", {"target": "abeyance"})

    assert by_agent.status_code == 403
    assert "supervisor" in by_agent.json()["detail"]
    assert no_reason.status_code == 422
    assert no_reason.json()["fields"] == {"reason": ["Give the reason for this move."]}
    assert state(case) == before
    held = api(team.supervisor)(
        "post", f"/{case.pk}/transitions", {"target": "abeyance", "reason": "Trial pending"}
    )
    assert detail_of(held)["status"] == "abeyance"


def test_the_review_steps_are_not_made_through_transitions(api: Any, case: Case, team: Team) -> None:
    services.move_case(actor=team.agent, case=case, target=S.INVESTIGATING)
    services.move_case(actor=team.agent, case=case, target=S.REPORT_DRAFTING)
    before = state(case)

    response = api(team.agent)("post", f"/{case.pk}/transitions", {"target": "sufficiency_review"})

    assert response.status_code == 409
    assert "sufficiency review" in response.json()["detail"]
    assert state(case) == before


# The team


def test_a_supervisor_assigns_a_lead_and_a_team_member_and_releases_them(
    api: Any, make_case: MakeCase, team: Team
) -> None:
    made = make_case()
    call = api(team.supervisor)

    body = detail_of(call("post", f"/{made.pk}/assign", {"agent": team.agent.pk}))
    assert body["lead_agent"] == "agent"
    body = detail_of(call("post", f"/{made.pk}/team", {"agent": team.second_agent.pk}))
    member = next(m for m in body["members"] if m["user"] == "agent2")
    assert api(team.second_agent)("get", f"/{made.pk}").status_code == 200

    body = detail_of(call("post", f"/{made.pk}/team/{member['id']}/release"))

    assert next(m for m in body["members"] if m["user"] == "agent2")["ended_at"] is not None
    assert api(team.second_agent)("get", f"/{made.pk}").status_code == 404


@pytest.mark.parametrize(
    ("who", "path", "payload", "status", "message"),
    [
        ("supervisor", "/assign", {"agent": 999_999}, 422, "There is no active user with this id."),
        ("supervisor", "/assign", {"agent": "el_paso_agent"}, 422, "does not cover OPR Tucson"),
        ("supervisor", "/team", {"agent": "intake"}, 422, "not an active special agent"),
        ("supervisor", "/team", {"agent": "agent"}, 422, "already leads this case"),
        ("supervisor", "/team", {}, 422, "agent"),
        ("agent", "/team", {"agent": "second_agent"}, 403, "supervisor"),
        ("second_agent", "/assign", {"agent": "second_agent"}, 404, "No such"),
        ("supervisor", "/team/999999/release", None, 404, "No such member"),
    ],
)
def test_a_refused_assignment_answers_with_a_message_and_writes_nothing(
    *, api: Any, case: Case, team: Team, who: str, path: str, payload: Any, status: int, message: str
) -> None:
    if payload and isinstance(payload.get("agent"), str):
        payload = {"agent": getattr(team, payload["agent"]).pk}
    before = state(case)

    response = api(getattr(team, who))("post", f"/{case.pk}{path}", payload)

    assert response.status_code == status
    assert message in response.json()["detail"]
    assert state(case) == before


def test_a_member_of_another_case_is_not_released_through_this_one(
    api: Any, case: Case, make_case: MakeCase, team: Team
) -> None:
    other = make_case(summary="Other")
    member = services.add_team_member(actor=team.supervisor, case=other, agent=team.second_agent)
    before = state(case)

    response = api(team.supervisor)("post", f"/{case.pk}/team/{member.pk}/release")

    assert response.status_code == 404
    assert state(case) == before


# Conversion, reopening, transfer, edits


def test_conversion_needs_a_known_type_and_a_reason(api: Any, case: Case, team: Team) -> None:
    call = api(team.supervisor)
    before = state(case)

    bad_type = call("post", f"/{case.pk}/convert", {"case_type": "civil", "reason": "Why"})
    no_reason = call("post", f"/{case.pk}/convert", {"case_type": "criminal", "reason": " "})
    missing = call("post", f"/{case.pk}/convert", {"case_type": "criminal"})

    assert (bad_type.status_code, no_reason.status_code, missing.status_code) == (422, 422, 422)
    assert "case_type" in bad_type.json()["fields"]
    assert no_reason.json()["fields"] == {"reason": ["Say why the case type changes."]}
    assert state(case) == before
    body = detail_of(call("post", f"/{case.pk}/convert", {"case_type": "joint", "reason": "Both tracks"}))
    assert body["case_type"] == "joint"
    assert body["events"][-1] | {"at": None} == {
        "kind": "conversion",
        "from_value": "administrative",
        "to_value": "joint",
        "reason": "Both tracks",
        "at": None,
        "by": "supervisor",
    }


def test_a_closed_case_is_reopened_with_a_reason(api: Any, case: Case, team: Team) -> None:
    for target in (S.INVESTIGATING, S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW):
        services.transition(actor=team.agent, case=case, target=target)
    services.transition(actor=team.second_supervisor, case=case, target=S.CLOSED)
    call = api(team.supervisor)
    before = state(case)

    no_reason = call("post", f"/{case.pk}/reopen", {"reason": ""})
    by_agent = api(team.agent)("post", f"/{case.pk}/reopen", {"reason": "New facts"})

    assert no_reason.status_code == 422
    assert by_agent.status_code == 403
    assert state(case) == before
    body = detail_of(call("post", f"/{case.pk}/reopen", {"reason": "New facts"}))
    assert (body["status"], body["closed_at"]) == ("reopened", None)
    again = call("post", f"/{case.pk}/reopen", {"reason": "Twice"})
    assert again.status_code == 409


def test_a_transfer_answers_with_the_summary_and_refuses_an_office_that_is_not_a_field_office(
    api: Any, case: Case, team: Team, org: Org
) -> None:
    call = api(team.supervisor)
    before = state(case)

    unknown = call("post", f"/{case.pk}/transfer", {"office_id": 999_999, "reason": "Move"})
    port = call("post", f"/{case.pk}/transfer", {"office_id": org.nogales_port.pk, "reason": "Move"})

    assert unknown.status_code == 422
    assert unknown.json()["fields"] == {"office_id": ["There is no office with this id."]}
    assert port.status_code == 422
    assert port.json()["fields"] == {"office": ["Choose an active OPR field office."]}
    assert state(case) == before
    body = detail_of(
        call("post", f"/{case.pk}/transfer", {"office_id": org.el_paso.pk, "reason": "Subject moved"})
    )
    assert (body["number"], body["office"]["code"], body["lead_agent"]) == (case.number, "OPR-ELP", None)


def test_the_title_and_synopsis_are_edited_with_put(api: Any, case: Case, team: Team) -> None:
    call = api(team.agent)
    before = state(case)

    blank = call("put", f"/{case.pk}", {"title": "  ", "synopsis": "x"})
    huge = call("put", f"/{case.pk}", {"title": "Fine", "synopsis": "s" * 50_001})

    assert blank.status_code == 422
    assert huge.status_code == 422
    assert state(case) == before
    body = detail_of(call("put", f"/{case.pk}", {"title": "New title", "synopsis": "What happened"}))
    assert (body["title"], body["synopsis"]) == ("New title", "What happened")


# Parties


def test_parties_are_listed_added_and_their_role_changed(api: Any, case: Case, team: Team) -> None:
    call = api(team.agent)

    listed = call("get", f"/{case.pk}/parties")
    assert listed.status_code == 200
    assert len(listed.json()) == 3
    assert AuditEvent.objects.filter(action="view", detail__part="parties").count() == 1
    added = call(
        "post", f"/{case.pk}/parties", {"role": "witness", "name": "Lane 4 driver", "contact": "555-0100"}
    )
    assert added.status_code == 201, added.content
    party = added.json()
    assert (party["role"], party["name"], party["contact"]) == ("witness", "Lane 4 driver", "555-0100")

    changed = call(
        "post", f"/{case.pk}/parties/{party['id']}/role", {"role": "subject", "reason": "He drove the load"}
    )

    body = detail_of(changed)
    assert body["role"] == "subject"
    assert [(h["from_role"], h["to_role"]) for h in body["role_history"]] == [
        ("", "witness"),
        ("witness", "subject"),
    ]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"role": "bystander", "name": "X"}, 422, "role"),
        ({"role": "witness"}, 422, "employee"),
        ({"role": "witness", "employee_id": 999_999}, 422, "employee_id"),
        ({"role": "witness", "name": "n" * 201}, 422, "name"),
        ({"role": "witness", "name": "N", "contact": "c" * 1001}, 422, "contact"),
        ({"name": "No role"}, 422, "role"),
    ],
)
def test_a_bad_party_is_refused_and_writes_nothing(
    *, api: Any, case: Case, team: Team, payload: dict[str, Any], status: int, field: str
) -> None:
    before = state(case)

    response = api(team.agent)("post", f"/{case.pk}/parties", payload)

    assert response.status_code == status
    assert field in response.json()["detail"]
    assert state(case) == before


def test_a_role_change_on_an_unknown_or_foreign_party_is_a_404(
    api: Any, case: Case, make_case: MakeCase, team: Team
) -> None:
    foreign = CaseParty.objects.filter(case=make_case(summary="Other")).first()
    assert foreign is not None
    before = state(case)

    for party_id in (999_999, foreign.pk):
        response = api(team.supervisor)(
            "post", f"/{case.pk}/parties/{party_id}/role", {"role": "subject", "reason": "Why"}
        )
        assert response.status_code == 404

    assert state(case) == before


def test_a_role_change_without_a_reason_is_refused(api: Any, case: Case, team: Team) -> None:
    witness = CaseParty.objects.get(case=case, role=PartyRole.WITNESS)
    before = state(case)

    response = api(team.agent)(
        "post", f"/{case.pk}/parties/{witness.pk}/role", {"role": "subject", "reason": ""}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"reason": ["Say why the role changes."]}
    assert state(case) == before


# Case allegations


def test_allegations_are_listed_and_added(
    api: Any, case: Case, team: Team, categories: dict[str, AllegationCategory]
) -> None:
    call = api(team.agent)
    subject = CaseParty.objects.get(case=case, role=PartyRole.SUBJECT)

    listed = call("get", f"/{case.pk}/allegations")
    added = call(
        "post",
        f"/{case.pk}/allegations",
        {"subject_id": subject.pk, "category": "system-misuse", "description": "TECS"},
    )

    assert [a["category"] for a in listed.json()] == ["false-statements"]
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["subject_id"], body["category"], body["source"], body["description"]) == (
        subject.pk,
        "system-misuse",
        None,
        "TECS",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"subject_id": "witness", "category": "system-misuse"}, "subject"),
        ({"subject_id": 999_999, "category": "system-misuse"}, "subject_id"),
        ({"subject_id": "subject", "category": "no-such"}, "category"),
        ({"subject_id": "subject", "category": "c" * 5000}, "category"),
        ({"subject_id": "subject", "category": "false-statements"}, "category"),
        ({"subject_id": "subject", "category": "system-misuse", "description": "d" * 10_001}, "description"),
        ({"category": "system-misuse"}, "subject_id"),
    ],
)
def test_a_bad_allegation_is_refused_and_writes_nothing(
    *, api: Any, case: Case, team: Team, payload: dict[str, Any], field: str
) -> None:
    roles = {"subject": PartyRole.SUBJECT, "witness": PartyRole.WITNESS}
    if payload.get("subject_id") in roles:
        payload = {
            **payload,
            "subject_id": CaseParty.objects.get(case=case, role=roles[payload["subject_id"]]).pk,
        }
    before = state(case)

    response = api(team.agent)("post", f"/{case.pk}/allegations", payload)

    assert response.status_code == 422
    assert field in response.json()["detail"]
    assert state(case) == before
