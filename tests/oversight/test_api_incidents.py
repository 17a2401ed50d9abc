"""The incidents and review-board API: the list, one incident, reporting, the review's steps and
moves, meetings, agenda, determinations and recommendations, under the same access policy as
the screens; refusals answer 404 (hidden or unknown), 403 (not allowed), 409 (wrong state) or
422 (bad input), never a 500, and write nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from probity.core.models import AuditAction, AuditEvent, User
from probity.core.services.tokens import create_token
from probity.intake.models import Allegation
from probity.oversight.models import (
    AgendaItem,
    CriticalIncident,
    Determination,
    IncidentKind,
    IncidentStatus,
    Recommendation,
)
from probity.oversight.services import board
from tests.conftest import Org
from tests.investigations.conftest import MakeCase
from tests.oversight.conftest import Overseers
from tests.oversight.incidents_setup import (
    Report,
    Scene,
    at_board,
    make_scene,
    meeting_with,
    reporter,
    reviewed,
    written,
)

pytestmark = pytest.mark.django_db

S = IncidentStatus
INCIDENTS = "/api/v1/incidents"
BOARD = "/api/v1/review-board"
Api = Callable[..., Any]


@pytest.fixture
def scene(overseers: Overseers, org: Org) -> Scene:
    return make_scene(overseers, org)


@pytest.fixture
def report(scene: Scene) -> Report:
    return reporter(scene)


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
                response = send(path, headers=headers)
            else:
                response = send(path, data=json or {}, content_type="application/json", headers=headers)
            assert response.status_code < 500, response.content
            return response

        return call

    return as_user


def payload(scene: Scene, **extra: Any) -> dict[str, Any]:
    occurred = timezone.now() - dt.timedelta(hours=2)
    return {
        "kind": IncidentKind.FIREARM,
        "occurred_at": occurred.isoformat(),
        "office_id": scene.org.nogales_port.pk,
        "place": "Lane 4",
        "summary": "Officer fired at a vehicle driven at him",
        "narrative": "The vehicle accelerated at the officer.",
        "notified_at": (occurred + dt.timedelta(minutes=5)).isoformat(),
        "employees": [{"employee_id": scene.officer.pk, "actions": "Fired two rounds"}],
        "subjects": [{"description": "Driver", "age": 41, "injured": True, "injuries": "Shoulder wound"}],
        "force": [{"action": "Firearm (two rounds)", "by_employee_id": scene.officer.pk}],
        **extra,
    }


# Incidents


def test_a_program_manager_reports_an_incident_through_the_api(api: Any, scene: Scene) -> None:
    response = api(scene.pm)("post", INCIDENTS, payload(scene))
    assert response.status_code == 201, response.content
    body = response.json()
    incident = CriticalIncident.objects.get()
    assert body["number"] == incident.number and body["status"] == S.REPORTED
    assert body["meets_board_criteria"] is True
    assert body["employees"][0]["employee"]["employee_number"] == scene.officer.employee_number
    assert body["force"][0]["by_employee"] == body["employees"][0]["id"]
    assert body["next_statuses"] == []  # the review starts with a reviewer


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "duel"}, "kind"),
        ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),  # no time zone
        ({"office_id": 999_999}, "office_id"),
        ({"employees": [{"employee_id": 999_999}]}, "employees"),
        (
            {"force": [{"action": "TASER", "by_employee_id": None, "by_subject": False}], "employees": []},
            "employees",
        ),
        ({"allegations": ["JIC-1999-000001"]}, "allegations"),
        ({"summary": ""}, "summary"),
    ],
)
def test_bad_input_answers_422_with_the_field_and_writes_nothing(
    api: Any, scene: Scene, change: dict[str, Any], field: str
) -> None:
    call = api(scene.pm)
    before = written()
    response = call("post", INCIDENTS, payload(scene, **change))
    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert written() == before


def test_malformed_json_answers_422_not_500(api: Any, scene: Scene) -> None:
    response = api(scene.pm)("post", INCIDENTS, {"kind": "firearm_discharge", "occurred_at": "not a date"})
    assert response.status_code == 422
    assert not CriticalIncident.objects.exists()


def test_reporting_is_refused_to_other_roles(api: Any, scene: Scene) -> None:
    call = api(scene.reviewer)
    before = written()
    response = call("post", INCIDENTS, payload(scene))
    assert response.status_code == 403
    assert written() == before


def test_the_list_is_filtered_by_the_access_policy_and_audited(
    api: Any, scene: Scene, report: Report
) -> None:
    incident = report()
    report(office=scene.org.el_paso, kind=IncidentKind.PHYSICAL, force=[])
    body = api(scene.el_paso_supervisor)("get", f"{INCIDENTS}?kind=physical&board=maybe").json()
    assert body["count"] == 1 and body["items"][0]["kind"] == IncidentKind.PHYSICAL
    assert any("board" in message for message in body["messages"])
    assert api(scene.pm)("get", INCIDENTS).json()["count"] == 2
    assert incident.number not in str(api(scene.involved_manager)("get", INCIDENTS).json())
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH, object_type="oversight.criticalincident")
    assert searches.count() == 3


def test_one_incident_answers_404_to_whoever_may_not_see_it(api: Any, scene: Scene, report: Report) -> None:
    incident = report()
    assert api(scene.pm)("get", f"{INCIDENTS}/{incident.pk}").status_code == 200
    for user in (scene.involved_manager, scene.el_paso_supervisor, scene.reviewer, scene.overseers.outsider):
        response = api(user)("get", f"{INCIDENTS}/{incident.pk}")
        assert response.status_code == 404, user
        assert incident.summary not in response.text
    assert api(scene.pm)("get", f"{INCIDENTS}/999999").status_code == 404
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(incident.pk))
    assert views.filter(object_type="oversight.criticalincident").count() == 1


def test_the_review_through_the_api_from_reviewer_to_the_board(
    api: Any, scene: Scene, report: Report
) -> None:
    incident = report()
    pm, reviewer = api(scene.pm), api(scene.reviewer)
    path = f"{INCIDENTS}/{incident.pk}"
    assert reviewer("post", f"{path}/facts", {"facts": "Too early"}).status_code == 404  # not assigned yet
    body = pm("post", f"{path}/reviewer", {"reviewer": scene.reviewer.pk}).json()
    assert (body["status"], body["reviewer"]) == (S.UNDER_REVIEW, scene.reviewer.username)
    refused = pm("post", f"{path}/transitions", {"target": S.BOARD_PENDING})
    assert refused.status_code == 409 and "documents the facts" in refused.json()["detail"]
    assert reviewer("post", f"{path}/facts", {"facts": "The video shows the vehicle."}).status_code == 200
    assert reviewer("post", f"{path}/transitions", {"target": S.BOARD_PENDING}).status_code == 403
    moved = pm("post", f"{path}/transitions", {"target": S.BOARD_PENDING})
    assert moved.status_code == 200 and moved.json()["status"] == S.BOARD_PENDING
    own_step = pm("post", f"{path}/transitions", {"target": S.DETERMINED})
    assert own_step.status_code == 409 and "determination" in own_step.json()["detail"]
    unknown = pm("post", f"{path}/transitions", {"target": "gone"})
    assert unknown.status_code == 422


def test_an_unfit_reviewer_answers_422_and_changes_nothing(api: Any, scene: Scene, report: Report) -> None:
    incident = report()
    response = api(scene.pm)(
        "post", f"{INCIDENTS}/{incident.pk}/reviewer", {"reviewer": scene.involved_manager.pk}
    )
    assert response.status_code == 422 and "involved" in response.json()["detail"]
    missing = api(scene.pm)("post", f"{INCIDENTS}/{incident.pk}/reviewer", {"reviewer": 999_999})
    assert missing.status_code == 422
    incident.refresh_from_db()
    assert (incident.status, incident.reviewer) == (S.REPORTED, None)


def test_linking_through_the_api_respects_what_the_user_may_see(
    api: Any, scene: Scene, report: Report, make_case: MakeCase
) -> None:
    case = make_case()
    incident = reviewed(scene, report())
    path = f"{INCIDENTS}/{incident.pk}/links"
    hidden = api(scene.pm)("post", path, {"case": case.number})
    assert hidden.status_code == 422 and "may not see" in hidden.json()["detail"]
    both = api(scene.overseers.supervisor)("post", path, {"case": case.number, "allegation": "JIC-1"})
    assert both.status_code == 422
    linked = api(scene.overseers.supervisor)("post", path, {"case": case.number})
    assert linked.status_code == 200 and linked.json()["cases"][0]["number"] == case.number
    allegation = Allegation.objects.get()
    linked = api(scene.overseers.supervisor)("post", path, {"allegation": allegation.number})
    assert [a["number"] for a in linked.json()["allegations"]] == [allegation.number]


# The review board


def test_the_board_api_exists_only_for_program_managers(api: Any, scene: Scene, report: Report) -> None:
    item = meeting_with(scene, at_board(scene, report()))
    supervisor = api(scene.overseers.supervisor)
    assert supervisor("get", f"{BOARD}/meetings").status_code == 404
    assert supervisor("get", f"{BOARD}/meetings/{item.meeting_id}").status_code == 404
    response = supervisor(
        "post",
        f"{BOARD}/meetings/{item.meeting_id}/agenda/{item.pk}/determination",
        {"determination": Determination.WITHIN_POLICY, "rationale": "x"},
    )
    assert response.status_code == 404
    assert (
        supervisor("post", f"{BOARD}/meetings", {"held_on": "2026-01-01", "members": []}).status_code == 404
    )
    item.refresh_from_db()
    assert item.determination == ""


def test_a_meeting_from_scheduling_to_a_recommendation_done(api: Any, scene: Scene, report: Report) -> None:
    incident = at_board(scene, report())
    pm = api(scene.pm)
    created = pm(
        "post",
        f"{BOARD}/meetings",
        {
            "held_on": board.agency_today().isoformat(),
            "members": [scene.pm.pk, scene.overseers.board_member.pk],
        },
    )
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    agenda = pm("post", f"{BOARD}/meetings/{meeting_id}/agenda", {"incident_id": incident.pk})
    assert agenda.status_code == 201
    item_id = agenda.json()["agenda"][0]["id"]
    base = f"{BOARD}/meetings/{meeting_id}/agenda/{item_id}"
    decided = pm(
        "post",
        f"{base}/determination",
        {
            "determination": Determination.POSSIBLE_MISCONDUCT,
            "rationale": "The video contradicts the report.",
        },
    )
    assert decided.status_code == 200
    item = decided.json()["agenda"][0]
    assert item["determination"] == Determination.POSSIBLE_MISCONDUCT
    assert item["referral"] == Allegation.objects.get().number
    again = pm(
        "post", f"{base}/determination", {"determination": Determination.WITHIN_POLICY, "rationale": "x"}
    )
    assert again.status_code == 409
    due = (board.agency_today() + dt.timedelta(days=30)).isoformat()
    rec = pm(
        "post",
        f"{base}/recommendations",
        {"kind": "training", "text": "Train.", "owner": scene.owner.pk, "due_on": due},
    )
    assert rec.status_code == 201 and rec.json()["due_on"] == due and rec.json()["overdue"] is False
    rec_id = rec.json()["id"]

    owner = api(scene.owner)
    mine = owner("get", f"{BOARD}/recommendations").json()
    assert [r["id"] for r in mine] == [rec_id]
    assert (
        api(scene.overseers.supervisor)(
            "post", f"{BOARD}/recommendations/{rec_id}/complete", {"note": "x"}
        ).status_code
        == 404
    )
    done = owner("post", f"{BOARD}/recommendations/{rec_id}/complete", {"note": "Taught."})
    assert done.status_code == 200 and done.json()["completed_at"] is not None
    assert owner("post", f"{BOARD}/recommendations/{rec_id}/complete", {"note": "Again."}).status_code == 409


def test_bad_board_input_answers_422_and_writes_nothing(api: Any, scene: Scene, report: Report) -> None:
    item = meeting_with(scene, at_board(scene, report()))
    pm = api(scene.pm)
    before = written()
    assert pm("post", f"{BOARD}/meetings", {"held_on": "2026-01-01", "members": [999_999]}).status_code == 422
    assert pm("post", f"{BOARD}/meetings", {"held_on": "soon", "members": [scene.pm.pk]}).status_code == 422
    base = f"{BOARD}/meetings/{item.meeting_id}/agenda/{item.pk}"
    assert (
        pm("post", f"{base}/determination", {"determination": "great", "rationale": "x"}).status_code == 422
    )
    assert (
        pm(
            "post", f"{base}/recommendations", {"kind": "training", "text": "x", "owner": scene.owner.pk}
        ).status_code
        == 409
    )
    assert (
        pm("post", f"{BOARD}/meetings/{item.meeting_id}/agenda", {"incident_id": 999_999}).status_code == 422
    )
    assert pm("get", f"{BOARD}/meetings/999999").status_code == 404
    assert written() == before


def test_overdue_recommendations_are_listed_for_program_managers(
    api: Any, scene: Scene, report: Report
) -> None:
    item = meeting_with(scene, at_board(scene, report()))
    board.record_determination(
        actor=scene.pm, item=item, determination=Determination.NOT_WITHIN_POLICY, rationale="x"
    )
    rec = board.add_recommendation(
        actor=scene.pm,
        item=item,
        kind="policy",
        text="Revise.",
        owner=scene.owner,
        due_on=board.agency_today(),
    )
    assert api(scene.pm)("get", f"{BOARD}/recommendations?overdue=true").json() == []
    assert api(scene.owner)("get", f"{BOARD}/recommendations?overdue=true").status_code == 404
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        rows = api(scene.pm)("get", f"{BOARD}/recommendations?overdue=true").json()
    assert [(r["id"], r["overdue"]) for r in rows] == [(rec.pk, True)]
    assert Recommendation.objects.get().completed_at is None
    assert AgendaItem.objects.count() == 1
