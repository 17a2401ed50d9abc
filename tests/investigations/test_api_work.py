"""The work API under /api/v1/cases/{id}: plan, activities, interviews (metadata), evidence
with its chain of custody, and custody transfers: the same policy as the screens, audited
reads, and refusals (404 hidden, 403, 422) that write nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from probity.core.models import AuditEvent, User
from probity.core.services.tokens import create_token
from probity.investigations.models import ActivityKind, Case, CaseParty, DisposalKind, PartyRole, Warning
from probity.investigations.services import evidence, work
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.work_setup import (
    PDF,
    TEXT,
    an_hour_ago,
    digital_item,
    evidence_rows,
    physical_item,
    staffed_case,
    upload,
    work_rows,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"
Api = Callable[..., Any]


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def case(make_case: MakeCase, team: Team, media: Path) -> Case:
    return staffed_case(make_case, team)


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


@pytest.fixture
def worked(case: Case, team: Team) -> dict[str, Any]:
    """A case with a plan step, an activity with a file, an interview and two evidence items."""
    subject = CaseParty.objects.filter(case=case, role=PartyRole.SUBJECT).get()
    step = work.add_plan_step(actor=team.agent, case=case, description="Pull the video", owner=team.agent)
    activity = work.log_activity(
        actor=team.agent,
        case=case,
        kind=ActivityKind.RECORDS_CHECK,
        occurred_on=timezone.now().date(),
        summary="TECS check",
        uploads=[upload("tecs.pdf", PDF)],
    )
    interview = work.record_interview(
        actor=team.agent,
        case=case,
        interviewee=subject,
        started_at=an_hour_ago(),
        place="OPR Tucson",
        participants="SA Agent",
        warning=Warning.KALKINES,
        summary="The subject's own account, which is sensitive.",
        warning_form=upload("kalkines.pdf", PDF),
        transcript=upload("transcript.txt", TEXT),
    )
    physical = physical_item(case, team.agent)
    digital = digital_item(case, team.agent)
    return {
        "step": step,
        "activity": activity,
        "interview": interview,
        "physical": physical,
        "digital": digital,
    }


def test_the_plan_activities_and_interviews_are_read_and_each_read_is_audited(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any]
) -> None:
    call = api(team.second_agent)

    plan = call("get", f"/{case.pk}/plan")
    activities = call("get", f"/{case.pk}/activities")
    interviews = call("get", f"/{case.pk}/interviews")

    assert plan.status_code == activities.status_code == interviews.status_code == 200
    assert plan.json() == [
        {
            "id": worked["step"].pk,
            "description": "Pull the video",
            "owner": "agent",
            "due_date": None,
            "done_at": None,
            "done_by": None,
        }
    ]
    by_kind = {row["kind"]: row for row in activities.json()}
    assert by_kind["records_check"]["files"][0]["filename"] == "tecs.pdf"
    assert by_kind["records_check"]["files"][0]["content_type"] == "application/pdf"
    assert by_kind["interview"]["interview_id"] == worked["interview"].pk
    [interview] = interviews.json()
    assert interview["warning"] == "kalkines"
    assert interview["warning_form"]["sha256"] == worked["interview"].warning_form.sha256
    assert interview["recording"] is None
    assert "summary" not in interview
    assert "sensitive" not in interviews.content.decode()
    parts = AuditEvent.objects.filter(action="view", object_type="investigations.case").values_list(
        "detail__part", flat=True
    )
    assert sorted(parts) == ["activities", "interviews", "plan"]


def test_evidence_comes_with_its_hash_and_chain_of_custody(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any]
) -> None:
    digital = worked["digital"]
    evidence.transfer_custody(
        actor=team.agent,
        item=digital,
        to_custodian="Forensic lab",
        purpose="Imaging",
        condition="Hash checked",
        transferred_at=an_hour_ago(),
    )
    call = api(team.supervisor)

    listed = call("get", f"/{case.pk}/evidence")
    one = call("get", f"/{case.pk}/evidence/{digital.pk}")
    links = call("get", f"/{case.pk}/evidence/{digital.pk}/custody")

    assert listed.status_code == one.status_code == links.status_code == 200
    assert [row["number"] for row in listed.json()] == ["E-001", "E-002"]
    assert one.json()["sha256"] == digital.sha256
    assert one.json()["file"]["sha256"] == digital.sha256
    assert one.json()["custodian"] == "Forensic lab"
    assert [(link["sequence"], link["to_custodian"]) for link in links.json()] == [
        (1, "Tucson evidence server"),
        (2, "Forensic lab"),
    ]


def test_custody_is_transferred_through_the_api(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any]
) -> None:
    item = worked["physical"]

    response = api(team.agent)(
        "post",
        f"/{case.pk}/evidence/{item.pk}/custody",
        {"to_custodian": "US Attorney's office", "purpose": "Grand jury", "condition": "Sealed"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["sequence"] == 2
    assert response.json()["from_custodian"] == "Tucson evidence room, locker 4"
    assert response.json()["recorded_by"] == "agent"
    item.refresh_from_db()
    assert item.custodian == "US Attorney's office"


@pytest.mark.parametrize(
    "payload",
    [
        {"to_custodian": "", "purpose": "", "condition": ""},
        {"to_custodian": "Lab", "purpose": "p", "condition": "c", "transferred_at": "2999-01-01T00:00:00Z"},
        {"to_custodian": "Lab", "purpose": "p", "condition": "c", "transferred_at": "2026-01-01T10:00:00"},
        {"to_custodian": "x" * 201, "purpose": "p", "condition": "c"},
        {"to_custodian": "Lab\u0000", "purpose": "p", "condition": "c"},
        {"to_custodian": "Lab", "purpose": "p", "condition": "c", "transferred_at": "not a time"},
        {"to_custodian": 12, "purpose": ["p"], "condition": None},
    ],
)
def test_bad_transfers_are_422_and_write_nothing(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any], payload: dict[str, Any]
) -> None:
    item = worked["physical"]
    call = api(team.agent)
    before = evidence_rows()

    response = call("post", f"/{case.pk}/evidence/{item.pk}/custody", payload)

    assert response.status_code == 422, response.content
    assert response.json()["detail"]
    assert evidence_rows() == before


def test_a_destroyed_item_takes_no_transfer(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any]
) -> None:
    item = worked["physical"]
    request = evidence.request_disposal(
        actor=team.agent, item=item, kind=DisposalKind.DESTRUCTION, reason="Done"
    )
    evidence.decide_disposal(actor=team.supervisor, request=request, approved=True)
    call = api(team.agent)
    before = evidence_rows()

    response = call(
        "post",
        f"/{case.pk}/evidence/{item.pk}/custody",
        {"to_custodian": "Lab", "purpose": "p", "condition": "c"},
    )

    assert response.status_code == 422
    assert "closed" in response.json()["detail"]
    assert evidence_rows() == before


@pytest.mark.parametrize("who", ["el_paso_agent", "outsider", "labor_relations", "intake"])
def test_every_path_of_a_hidden_case_is_404_and_leaks_and_writes_nothing(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any], who: str
) -> None:
    item = worked["digital"]
    call = api(getattr(team, who))
    paths = [
        f"/{case.pk}/plan",
        f"/{case.pk}/activities",
        f"/{case.pk}/interviews",
        f"/{case.pk}/evidence",
        f"/{case.pk}/evidence/{item.pk}",
        f"/{case.pk}/evidence/{item.pk}/custody",
    ]
    before = (work_rows(), evidence_rows())

    responses = [call("get", path) for path in paths]
    posted = call(
        "post",
        f"/{case.pk}/evidence/{item.pk}/custody",
        {"to_custodian": "Lab", "purpose": "p", "condition": "c"},
    )

    for response in [*responses, posted]:
        assert response.status_code == 404
        assert item.sha256 not in response.content.decode()
        assert "TECS" not in response.content.decode()
    assert (work_rows(), evidence_rows()) == before
    assert not AuditEvent.objects.filter(action="view", actor_id=getattr(team, who).pk).exists()


def test_an_item_of_another_case_is_404_under_this_case(
    api: Callable[[User], Api], case: Case, make_case: MakeCase, team: Team
) -> None:
    other = staffed_case(make_case, team, summary="Another matter")
    item = physical_item(other, team.agent)
    call = api(team.agent)
    before = evidence_rows()

    read = call("get", f"/{case.pk}/evidence/{item.pk}")
    moved = call(
        "post",
        f"/{case.pk}/evidence/{item.pk}/custody",
        {"to_custodian": "Lab", "purpose": "p", "condition": "c"},
    )

    assert (read.status_code, moved.status_code) == (404, 404)
    assert evidence_rows() == before


def test_the_api_needs_credentials(client: Client, case: Case) -> None:
    response = client.get(f"{BASE}/{case.pk}/evidence")

    assert response.status_code == 401


def test_transfer_times_keep_their_time_zone(
    api: Callable[[User], Api], case: Case, team: Team, worked: dict[str, Any]
) -> None:
    item = worked["physical"]
    moment = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)

    response = api(team.agent)(
        "post",
        f"/{case.pk}/evidence/{item.pk}/custody",
        {"to_custodian": "Lab", "purpose": "p", "condition": "c", "transferred_at": moment.isoformat()},
    )

    assert response.status_code == 201
    assert dt.datetime.fromisoformat(response.json()["transferred_at"]) == moment
