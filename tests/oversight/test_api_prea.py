"""`/api/v1/prea`: the tracks and their steps through the same policy and services as the
screens: audited reads, each step by POST, and refusals (404 hidden, 403, 422) that write
nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from probity.core.models import AuditEvent, User
from probity.core.services.tokens import create_token
from probity.intake.models import Allegation
from probity.oversight.models import MonitoringCheck, PreaTrack
from tests.conftest import Org
from tests.oversight.conftest import Overseers
from tests.oversight.prea_setup import DAY, HOUR, START, PreaPeople, assign, people_for, prea_allegation

pytestmark = pytest.mark.django_db

BASE = "/api/v1/prea"
Api = Callable[..., Any]


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(overseers: Overseers, org: Org) -> PreaPeople:
    return people_for(overseers, org)


@pytest.fixture
def track(
    people: PreaPeople, org: Org, categories: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> PreaTrack:
    with django_capture_on_commit_callbacks(execute=True):
        allegation = prea_allegation(people, org)
    return PreaTrack.objects.get(allegation=allegation)


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


def test_the_list_shows_open_tracks_with_their_clocks_and_is_audited(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api]
) -> None:
    response = api(people.manager)("get", "")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["allegation_number"], item["outcome"]) == (track.pk, track.allegation.number, "")
    assert [clock["state"] for clock in item["clocks"]] == [
        "running",
        "running",
        "not_started",
        "not_started",
    ]
    assert AuditEvent.objects.filter(action="search", object_type="oversight.preatrack").exists()
    assert api(people.manager)("get", "?show=closed").json()["count"] == 0


def test_the_list_is_empty_for_people_who_may_not_see_the_track(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api]
) -> None:
    for user in (people.far_supervisor, people.recused_manager, people.agent):
        body = api(user)("get", "?show=all").json()
        assert (body["count"], body["items"]) == (0, [])


def test_one_track_in_detail_and_its_view_is_audited(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api]
) -> None:
    response = api(people.supervisor)("get", f"/{track.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["office"] == "POE-NOG"
    assert body["facility_type"] == "holding"
    assert "record the outcome" in body["missing_steps"]
    assert "confirm-reporting" in body["available_steps"]
    assert AuditEvent.objects.filter(
        action="view", object_type="oversight.preatrack", object_id=str(track.pk), detail__channel="api"
    ).exists()


def test_a_hidden_track_is_404_and_its_steps_write_nothing(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api]
) -> None:
    call = api(people.far_supervisor)
    assert call("get", f"/{track.pk}").status_code == 404
    assert call("get", "/999999").status_code == 404
    refused = call("post", f"/{track.pk}/confirm-reporting", {})
    assert refused.status_code == 404
    assert PreaTrack.objects.get(pk=track.pk).reporting_confirmed_at is None


def test_someone_who_may_only_read_gets_403_and_nothing_is_written(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api]
) -> None:
    assign(people.analyst, track)
    call = api(people.analyst)
    assert call("get", f"/{track.pk}").json()["available_steps"] == []
    refused = call("post", f"/{track.pk}/segregation/start", {})
    assert refused.status_code == 403
    assert PreaTrack.objects.get(pk=track.pk).segregation_started_at is None


def test_the_coordinator_works_every_step_to_closed_through_the_api(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api], clock: Any
) -> None:
    clock.shift(100 * DAY)
    call = api(people.manager)  # a token made now: tokens expire
    received = START.isoformat()
    later = (START + HOUR).isoformat()
    steps: list[tuple[str, dict[str, Any]]] = [
        ("/facility", {"facility_type": "detention", "facility_name": "Desert View"}),
        ("/confirm-reporting", {"at": later}),
        ("/accused-removed", {"at": later}),
        ("/segregation/start", {"at": later}),
        ("/segregation/end", {"at": (START + 2 * DAY).isoformat()}),
        ("/monitoring/start", {"at": received}),
        (
            "/monitoring/checks",
            {"checked_on": (START + 30 * DAY).date().isoformat(), "note": "No sign of it."},
        ),
        ("/outcome", {"outcome": "substantiated", "at": (START + 60 * DAY).isoformat()}),
        ("/detainee-notified", {"notified_at": (START + 61 * DAY).isoformat(), "note": "Told in person."}),
        ("/monitoring/end", {"at": (START + 95 * DAY).isoformat()}),
        ("/close", {}),
    ]
    for path, payload in steps:
        response = call("post", f"/{track.pk}{path}", payload)
        assert response.status_code == 200, (path, response.json())
    body = response.json()
    assert body["closed_at"] is not None
    assert body["outcome"] == "substantiated"
    assert [clock["state"] for clock in body["clocks"]] == ["met", "met", "met", "met"]
    assert MonitoringCheck.objects.filter(track=track).count() == 1


def test_a_step_out_of_order_or_with_bad_input_is_422_and_writes_nothing(
    track: PreaTrack, people: PreaPeople, api: Callable[[User], Api], clock: Any
) -> None:
    call = api(people.manager)
    early = call("post", f"/{track.pk}/monitoring/end", {})
    assert early.status_code == 422
    assert "has not started" in early.json()["detail"]
    closing = call("post", f"/{track.pk}/close")
    assert closing.status_code == 422
    assert "record the outcome" in closing.json()["detail"]
    unknown = call("post", f"/{track.pk}/outcome", {"outcome": "proven"})
    assert unknown.status_code == 422
    assert "outcome" in unknown.json()["fields"]
    future = call("post", f"/{track.pk}/confirm-reporting", {"at": (START + DAY).isoformat()})
    assert future.status_code == 422
    assert future.json()["fields"] == {"at": ["This cannot be in the future."]}
    track.refresh_from_db()
    assert (track.outcome, track.reporting_confirmed_at, track.closed_at) == ("", None, None)


def test_a_track_is_opened_by_hand_for_an_allegation_flagged_later(
    track: PreaTrack,
    people: PreaPeople,
    org: Org,
    api: Callable[[User], Api],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        later = prea_allegation(people, org, category_codes=("detainee-mistreatment",), summary="Mistreated")
    Allegation.objects.filter(pk=later.pk).update(prea=True)
    hidden = api(people.far_supervisor)("post", "", {"allegation_id": later.pk})
    assert hidden.status_code == 404
    assert not PreaTrack.objects.filter(allegation=later).exists()
    opened = api(people.manager)("post", "", {"allegation_id": later.pk, "facility_type": "other"})
    assert opened.status_code == 201
    assert opened.json()["facility_type"] == "other"
    again = api(people.manager)("post", "", {"allegation_id": track.allegation_id})
    assert (again.status_code, again.json()["id"]) == (201, track.pk)
    assert api(people.manager)("post", "", {"allegation_id": 999999}).status_code == 404


def test_the_api_needs_credentials(track: PreaTrack, client: Client) -> None:
    assert client.get(BASE).status_code == 401
    assert client.post(f"{BASE}/{track.pk}/close", content_type="application/json").status_code == 401
    assert PreaTrack.objects.get(pk=track.pk).closed_at is None
