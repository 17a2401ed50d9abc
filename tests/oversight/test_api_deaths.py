"""`/api/v1/deaths`: the list, one death, recording, its clocks, its review and the DCRA export,
under the same policy as the screens (404 hidden, 403 not allowed, 409 wrong state, 422 bad
input), writing nothing when refused."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from probity.core.models import AuditEvent, User
from probity.core.services.tokens import create_token
from probity.oversight.models import DeathInCustody
from tests.conftest import Org
from tests.oversight.conftest import Overseers
from tests.oversight.deaths_setup import CIRCUMSTANCES, WEDNESDAY, far_supervisor, media, record, written

pytestmark = pytest.mark.django_db

__all__ = ["far_supervisor", "media"]  # fixtures used by name

BASE = "/api/v1/deaths"
Api = Callable[..., Any]


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
            send = client.put if method == "put" else client.post
            return send(BASE + path, data=json or {}, content_type="application/json", headers=headers)

        return call

    return as_user


def payload(org: Org, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Marleny Choc Tiul",
        "sex": "Female",
        "ethnicity": "Hispanic or Latino",
        "age": 33,
        "country": "Guatemala",
        "date_of_death": "2025-03-05",
        "time_of_death": "06:30",
        "place_of_death": "Hold room",
        "facility_name": "Nogales Port of Entry",
        "facility_location": "Nogales, AZ",
        "office_id": org.nogales_port.pk,
        "agency": "CBP",
        "circumstances": CIRCUMSTANCES,
        "reported_at": WEDNESDAY.isoformat(),
    }
    data.update(overrides)
    return data


def test_a_program_manager_records_a_death_and_gets_its_running_clocks(
    api: Callable[[User], Api], overseers: Overseers, org: Org
) -> None:
    call = api(overseers.program_manager)
    with time_machine.travel(WEDNESDAY + dt.timedelta(minutes=5), tick=False):
        response = call("post", "", payload(org))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["number"] == "DIC-2025-000001"
        assert body["incident"].startswith("CIR-2025-")
        assert [c["step"] for c in body["clocks"]] == [
            "notification",
            "public-release",
            "report-30",
            "report-90",
        ]
        assert {c["state"] for c in body["clocks"]} == {"open"}
        assert body["next_clock_due_at"].startswith("2025-03-06T02:00")
        assert body["office"]["code"] == org.nogales_port.code
        assert body["review"] is None


def test_recording_is_refused_with_the_reason_and_nothing_written(
    api: Callable[[User], Api], overseers: Overseers, org: Org
) -> None:
    before = written()
    with time_machine.travel(WEDNESDAY + dt.timedelta(minutes=5), tick=False):
        response = api(overseers.program_manager)("post", "", payload(org, name="", age=400, agency="FBI"))
        assert response.status_code == 422
        assert set(response.json()["fields"]) == {"name", "age", "agency"}
        response = api(overseers.program_manager)("post", "", payload(org, office_id=999_999))
        assert response.status_code == 422 and "office_id" in response.json()["fields"]
        response = api(overseers.program_manager)("post", "", payload(org, date_of_death="yesterday"))
        assert response.status_code == 422
        response = api(overseers.supervisor)("post", "", payload(org))
        assert response.status_code == 403
        response = api(overseers.agent)("post", "", payload(org))
        assert response.status_code == 404
    assert written() == before


def test_the_list_and_the_detail_follow_the_access_policy(
    api: Callable[[User], Api], overseers: Overseers, org: Org, far_supervisor: User
) -> None:
    death = record(overseers.program_manager, org)
    listed = api(overseers.supervisor)("get", "?year=2025&agency=CBP")
    assert listed.status_code == 200
    assert [item["number"] for item in listed.json()["items"]] == [death.number]
    assert api(overseers.supervisor)("get", "?year=2024").json()["count"] == 0
    assert "Ignored the agency" in api(overseers.supervisor)("get", "?agency=FBI").json()["messages"][0]
    assert api(far_supervisor)("get", "").json()["count"] == 0
    assert api(far_supervisor)("get", f"/{death.pk}").status_code == 404
    assert api(overseers.agent)("get", "").status_code == 404
    assert api(overseers.outsider)("get", f"/{death.pk}").status_code == 404
    detail = api(overseers.supervisor)("get", f"/{death.pk}")
    assert detail.status_code == 200 and detail.json()["name"] == death.name
    assert AuditEvent.objects.filter(action="view", object_type="oversight.deathincustody").count() == 1
    assert AuditEvent.objects.filter(action="search", object_type="oversight.deathincustody").count() == 4


def test_clocks_are_met_through_the_api_and_refused_when_not_allowed(
    api: Callable[[User], Api], overseers: Overseers, org: Org
) -> None:
    death = record(overseers.program_manager, org)
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=14), tick=False):
        clocks = api(overseers.program_manager)("get", f"/{death.pk}/clocks").json()
        assert clocks[0]["state"] == "overdue"
        before = written()
        assert api(overseers.supervisor)("post", f"/{death.pk}/clocks/notification", {}).status_code == 403
        bad = api(overseers.program_manager)("post", f"/{death.pk}/clocks/report-45", {})
        assert bad.status_code == 422 and "Unknown step" in bad.json()["detail"]
        naive = api(overseers.program_manager)(
            "post", f"/{death.pk}/clocks/notification", {"at": "2025-03-05T10:00"}
        )
        assert naive.status_code == 422
        assert written() == before
        done = api(overseers.program_manager)("post", f"/{death.pk}/clocks/notification", {"note": "Phoned."})
        assert done.status_code == 200
        assert done.json()[0]["state"] == "met_late"
        again = api(overseers.program_manager)("post", f"/{death.pk}/clocks/notification", {})
        assert again.status_code == 422 and "already" in again.json()["detail"]
        on_time = api(overseers.program_manager)(
            "post", f"/{death.pk}/clocks/public-release", {"at": "2025-03-05T15:00:00+00:00"}
        )
        assert on_time.json()[1]["state"] == "met"


def test_the_review_runs_through_the_api_to_its_pdf(
    api: Callable[[User], Api], overseers: Overseers, org: Org, far_supervisor: User, media: Path
) -> None:
    death = record(overseers.program_manager, org)
    assert api(overseers.program_manager)("get", f"/{death.pk}/review").json() is None
    unknown = api(overseers.program_manager)("post", f"/{death.pk}/review/reviewer", {"reviewer": 999_999})
    assert unknown.status_code == 422
    assigned = api(overseers.program_manager)(
        "post", f"/{death.pk}/review/reviewer", {"reviewer": far_supervisor.pk}
    )
    assert assigned.status_code == 200 and assigned.json()["reviewer"] == far_supervisor.username
    reviewer = api(far_supervisor)
    assert reviewer("get", f"/{death.pk}").status_code == 200  # sees it as its reviewer
    assert api(overseers.supervisor)("put", f"/{death.pk}/review", {"facts": "x"}).status_code == 403
    early = reviewer("post", f"/{death.pk}/review/complete")
    assert early.status_code == 422 and set(early.json()["fields"]) == {
        "standards",
        "facts",
        "compliance",
        "findings",
    }
    saved = reviewer(
        "put",
        f"/{death.pk}/review",
        {"standards": "TEDS 2015", "facts": "Logs reviewed.", "compliance": "Complied.", "findings": "None."},
    )
    assert saved.status_code == 200 and saved.json()["facts"] == "Logs reviewed."
    done = reviewer("post", f"/{death.pk}/review/complete")
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["report_sha256"]
    download = reviewer("get", f"/{death.pk}/review/report")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages[0].extract_text()
    assert death.number in text
    assert reviewer("put", f"/{death.pk}/review", {"facts": "Changed."}).status_code == 409
    assert api(overseers.outsider)("get", f"/{death.pk}/review/report").status_code == 404


def test_the_dcra_export_through_the_api(api: Callable[[User], Api], overseers: Overseers, org: Org) -> None:
    record(overseers.program_manager, org)
    response = api(overseers.program_manager)("get", "/dcra?year=2025&agency=cbp")
    assert response.status_code == 200
    assert response.content.decode().count("\r\n") == 2
    assert api(overseers.supervisor)("get", "/dcra?year=2025").status_code == 403
    assert api(overseers.program_manager)("get", "/dcra?year=1800").status_code == 422
    assert api(overseers.program_manager)("get", "/dcra").status_code == 422
    assert AuditEvent.objects.filter(action="export").count() == 1
    assert DeathInCustody.objects.count() == 1
