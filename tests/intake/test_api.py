"""The staff allegations API: list, detail, create, every step, and how refusals answer
(404 hidden, 403 visible but not allowed, 409 wrong state, 422 bad input), writing nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from probity.core.models import AuditEvent, Deadline, User
from probity.core.services.tokens import create_token
from probity.intake.models import Allegation, AllegationStatus, OigReferral, RoutingOutcome, Seriousness
from tests.conftest import Org
from tests.intake.conftest import MakeAllegation, Staff, assign_record, bring_to, events_for

S = AllegationStatus
BASE = "/api/v1/allegations"
Api = Callable[..., Any]


@pytest.fixture
def api(client: Client, staff: Staff) -> Callable[[User], Api]:
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


def state(allegation: Allegation) -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    allegation.refresh_from_db()
    return (
        allegation.status,
        allegation.seriousness,
        allegation.assigned_to_id,
        allegation.updated_at,
        OigReferral.objects.count(),
        Deadline.objects.count(),
        # Reads are audited too, and the fixture issues API tokens on first use: count the rest.
        AuditEvent.objects.exclude(action__in=["search", "view"])
        .exclude(object_type="core.apitoken")
        .count(),
    )


# Authentication


def test_without_credentials_the_api_answers_401(client: Client, db: None) -> None:
    assert client.get(BASE).status_code == 401
    response = client.post(BASE, data={}, content_type="application/json")
    assert response.status_code == 401
    assert not Allegation.objects.exists()


# Listing


def test_the_list_pages_and_counts_and_records_a_search(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    made = [make_allegation(summary=f"Report {n}") for n in range(5)]

    response = api(staff.intake)("get", "?limit=2&offset=1&sort=oldest")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [item["number"] for item in body["items"]] == [made[1].number, made[2].number]
    assert body["items"][0]["office"]["code"] == "POE-NOG"
    assert body["messages"] == []
    search = AuditEvent.objects.get(action="search", object_type="intake.allegation")
    assert search.actor_id == staff.intake.pk
    assert search.detail["results"] == 5
    assert search.detail["channel"] == "api"


def test_the_list_filters_and_explains_ignored_values(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    triaged = bring_to(make_allegation(), S.TRIAGED, staff)
    make_allegation()

    body = api(staff.intake)("get", "?status=triaged&status=sideways&prea=perhaps").json()

    assert [item["number"] for item in body["items"]] == [triaged.number]
    assert body["messages"] == [
        "Ignored the unknown status 'sideways'.",
        "Ignored prea='perhaps': use true or false.",
    ]


@pytest.mark.parametrize("query", ["?limit=0", "?limit=201", "?offset=-1", "?limit=abc"])
def test_bad_paging_is_422(api: Any, staff: Staff, query: str) -> None:
    assert api(staff.intake)("get", query).status_code == 422


# One allegation


def test_the_detail_shows_the_allegation_and_records_a_view(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation(narrative="<script>x</script>", subjects=(staff.recused_employee,))

    response = api(staff.intake)("get", f"/{allegation.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == allegation.number
    assert body["narrative"] == "<script>x</script>"  # JSON is data; escaping is the screens' job
    assert body["people"][0]["employee"]["employee_number"] == "E900001"
    assert body["subjects"] == ["Rita Recused"]
    assert body["next_statuses"] == ["triaged"]
    assert AuditEvent.objects.filter(action="view", object_id=str(allegation.pk)).count() == 1


def test_a_hidden_allegation_answers_exactly_like_a_missing_one(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    hidden = make_allegation(subjects=(staff.recused_intake_employee,))
    as_recused = api(staff.recused_intake)

    hidden_answer = as_recused("get", f"/{hidden.pk}")
    missing_answer = as_recused("get", "/999999")

    assert hidden_answer.status_code == missing_answer.status_code == 404
    assert hidden_answer.json() == missing_answer.json() == {"detail": "No such record"}
    assert not AuditEvent.objects.filter(action="view").exists()


# Creating


def test_an_intake_specialist_records_an_allegation(
    api: Any, staff: Staff, org: Org, categories: dict[str, Any]
) -> None:
    response = api(staff.intake)(
        "post",
        "",
        {
            "channel": "phone",
            "summary": "Officer demanded money",
            "narrative": "Caller says the officer asked for $200.",
            "received_at": "2026-03-01T14:00:00Z",
            "categories": ["corruption-bribery"],
            "office_id": org.nogales_port.pk,
            "people": [
                {"role": "subject", "employee_id": staff.recused_employee.pk},
                {"role": "complainant", "anonymous": True},
            ],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("JIC-2026-")
    assert body["status"] == "received"
    assert body["categories"] == ["corruption-bribery"]
    allegation = Allegation.objects.get(number=body["number"])
    assert allegation.received_at == dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC)
    assert allegation.created_by == staff.intake
    assert AuditEvent.objects.filter(action="create", object_type="intake.allegation").count() == 1


def test_bad_input_is_422_with_a_message_per_field_and_nothing_is_written(api: Any, staff: Staff) -> None:
    response = api(staff.intake)(
        "post",
        "",
        {
            "channel": "phone",
            "summary": "",
            "categories": ["made-up"],
            "people": [{"role": "subject"}],
            "received_at": "2099-01-01T00:00:00Z",
        },
    )

    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"summary", "categories", "people", "received_at"}
    assert fields["summary"] == ["Give a short summary of the allegation."]
    assert response.json()["detail"].startswith("Invalid input: ")
    assert not Allegation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="intake.allegation").exists()


@pytest.mark.parametrize("channel", ["web", "import"])
def test_staff_cannot_record_the_portals_or_imports_channels(api: Any, staff: Staff, channel: str) -> None:
    response = api(staff.intake)("post", "", {"channel": channel, "summary": "s"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["channel"]
    assert not Allegation.objects.exists()


def test_a_malformed_body_is_422(api: Any, staff: Staff) -> None:
    response = api(staff.intake)("post", "", {"channel": "phone"})
    assert response.status_code == 422
    assert not Allegation.objects.exists()


def test_an_agent_may_not_record_an_allegation(api: Any, staff: Staff) -> None:
    response = api(staff.agent)("post", "", {"channel": "phone", "summary": "s"})
    assert response.status_code == 403
    assert not Allegation.objects.exists()


# Steps


def test_every_step_through_the_api(api: Any, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()
    intake, boss = api(staff.intake), api(staff.supervisor)
    path = f"/{allegation.pk}"

    body = intake("post", f"{path}/triage", {"seriousness": "criminal", "note": "Bribe"}).json()
    assert (body["status"], body["seriousness"]) == ("triaged", "criminal")

    body = intake("post", f"{path}/refer", {"note": "First refusal"}).json()
    assert body["status"] == "oig_pending"
    assert body["oig_referrals"][0]["answer"] == "pending"
    assert body["oig_due_at"] is not None

    body = intake("post", f"{path}/oig-answer", {"answer": "returned", "oig_reference": "OIG-1"}).json()
    assert body["status"] == "triaged"
    assert body["oig_referrals"][0]["oig_reference"] == "OIG-1"

    body = intake("post", f"{path}/route", {"outcome": "closed_no_action", "rationale": "Unfounded"}).json()
    assert (body["status"], body["closure_requested_by"]) == ("closure_pending", "intake")

    body = boss("post", f"{path}/reject-closure", {"reason": "Investigate"}).json()
    assert body["status"] == "triaged"

    body = intake("post", f"{path}/route", {"outcome": "information_only", "rationale": "FYI"}).json()
    body = boss("post", f"{path}/approve-closure", {"note": "OK"}).json()
    assert (body["status"], body["closure_approved_by"]) == ("closed", "supervisor")
    assert body["next_statuses"] == []
    steps = [e.changes["status"] for e in events_for(allegation) if e.action == "transition"]
    assert steps == [
        ["received", "triaged"],
        ["triaged", "oig_pending"],
        ["oig_pending", "triaged"],
        ["triaged", "closure_pending"],
        ["closure_pending", "triaged"],
        ["triaged", "closure_pending"],
        ["closure_pending", "closed"],
    ]


def test_a_step_the_state_does_not_allow_is_409_and_writes_nothing(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    before = state(allegation)

    response = api(staff.intake)("post", f"/{allegation.pk}/refer", {})

    assert response.status_code == 409
    assert "received" in response.json()["detail"]
    assert state(allegation) == before


def test_routing_a_criminal_allegation_before_oig_is_409(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    api(staff.intake)("post", f"/{allegation.pk}/triage", {"seriousness": Seriousness.CRIMINAL})
    before = state(allegation)

    response = api(staff.intake)(
        "post",
        f"/{allegation.pk}/route",
        {"outcome": RoutingOutcome.INVESTIGATION_CRIMINAL, "rationale": "Go"},
    )

    assert response.status_code == 409
    assert "OIG" in response.json()["detail"]
    assert state(allegation) == before


@pytest.mark.parametrize(
    ("step", "payload", "field"),
    [
        ("triage", {"seriousness": "awful"}, "seriousness"),
        ("route", {"outcome": "fact_finder", "rationale": "  "}, "rationale"),
        ("route", {"outcome": "nowhere", "rationale": "r"}, "outcome"),
    ],
)
def test_bad_step_input_is_422_and_writes_nothing(
    api: Any, staff: Staff, make_allegation: MakeAllegation, *, step: str, payload: dict[str, str], field: str
) -> None:
    allegation = make_allegation()
    if step == "route":
        bring_to(allegation, S.TRIAGED, staff)
    before = state(allegation)

    response = api(staff.intake)("post", f"/{allegation.pk}/{step}", payload)

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert state(allegation) == before


def test_a_visible_allegation_the_role_may_not_move_is_403_and_a_hidden_one_404(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    seen, unseen = make_allegation(), make_allegation()
    assign_record(staff.agent, seen)
    before = (state(seen), state(unseen))
    as_agent = api(staff.agent)

    forbidden = as_agent("post", f"/{seen.pk}/triage", {"seriousness": "criminal"})
    hidden = as_agent("post", f"/{unseen.pk}/triage", {"seriousness": "criminal"})

    assert forbidden.status_code == 403
    assert "roles" in forbidden.json()["detail"]
    assert hidden.status_code == 404
    assert unseen.number not in hidden.content.decode()
    assert (state(seen), state(unseen)) == before


def test_the_supervisor_who_asked_may_not_approve_the_closure(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    boss = api(staff.supervisor)
    boss("post", f"/{allegation.pk}/route", {"outcome": "information_only", "rationale": "FYI"})
    before = state(allegation)

    response = boss("post", f"/{allegation.pk}/approve-closure", {})

    assert response.status_code == 403
    assert "another supervisor" in response.json()["detail"]
    assert state(allegation) == before


def test_a_step_on_a_hidden_allegation_is_404_whatever_its_state(
    api: Any, staff: Staff, make_allegation: MakeAllegation
) -> None:
    hidden = bring_to(make_allegation(subjects=(staff.recused_intake_employee,)), S.CLOSED, staff)
    before = state(hidden)
    payloads = {
        "triage": {"seriousness": "criminal"},
        "refer": {},
        "oig-answer": {"answer": "accepted"},
        "route": {"outcome": "fact_finder", "rationale": "r"},
        "approve-closure": {},
        "reject-closure": {"reason": "r"},
    }
    for step, payload in payloads.items():
        response = api(staff.recused_intake)("post", f"/{hidden.pk}/{step}", payload)
        assert response.status_code == 404, step
        assert response.json() == {"detail": "No such record"}
    assert state(hidden) == before


# Assignment


def test_bulk_assignment_through_the_api(api: Any, staff: Staff, make_allegation: MakeAllegation) -> None:
    first, second = make_allegation(), make_allegation()

    response = api(staff.supervisor)(
        "post", "/assign", {"allegations": [first.pk, second.pk], "assignee": staff.intake.pk}
    )

    assert response.status_code == 200
    assert response.json() == {"changed": 2}
    assert set(Allegation.objects.values_list("assigned_to", flat=True)) == {staff.intake.pk}


def test_assignment_refusals_write_nothing(api: Any, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()
    hidden = make_allegation(subjects=(staff.recused_intake_employee,))
    before = (state(allegation), state(hidden))
    as_boss = api(staff.supervisor)

    assert (
        as_boss("post", "/assign", {"allegations": [allegation.pk], "assignee": staff.agent.pk}).status_code
        == 422
    )
    assert as_boss("post", "/assign", {"allegations": [allegation.pk], "assignee": 999999}).status_code == 422
    assert (
        as_boss("post", "/assign", {"allegations": [allegation.pk, 999999], "assignee": None}).status_code
        == 404
    )
    recused = as_boss("post", "/assign", {"allegations": [hidden.pk], "assignee": staff.recused_intake.pk})
    assert recused.status_code == 422
    as_hidden = api(staff.recused_intake)("post", "/assign", {"allegations": [hidden.pk], "assignee": None})
    assert as_hidden.status_code == 404
    assert (state(allegation), state(hidden)) == before
