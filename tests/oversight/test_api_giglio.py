"""The Giglio request API under /api/v1/giglio-requests: each step allowed and refused (404 hidden,
403 not allowed, 409 wrong state, 422 bad input), writing nothing when refused, under the same
access policy as the screens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client

from probity.core.models import AuditEvent, User
from probity.core.services.tokens import create_token
from probity.oversight.models import CompiledItem, GiglioRequest, GiglioStatus, ItemKind, JudicialFinding
from tests.investigations.conftest import MakeCase, Team
from tests.oversight.conftest import Overseers
from tests.oversight.giglio_setup import (
    AUSA,
    SECRET_SYNOPSIS,
    SECRET_TITLE,
    START,
    TODAY,
    USAO,
    flat,
    grant,
    judicial,
    pdf_text,
    pending,
    receive,
    restrict,
    sustained,
    written,
)

pytestmark = pytest.mark.django_db
S = GiglioStatus
BASE = "/api/v1/giglio-requests"
Api = Callable[..., Any]


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


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


def payload(overseers: Overseers, **overrides: Any) -> dict[str, Any]:
    return {
        "prosecutor_office": USAO,
        "requesting_official": AUSA,
        "prosecutor_case": "United States v. Chen, 3:27-cr-00457",
        "employee_number": overseers.officer.employee_number,
        "needed_by": (TODAY + dt.timedelta(days=14)).isoformat(),
        **overrides,
    }


def test_a_giglio_official_receives_compiles_chooses_and_releases_through_the_api(
    overseers: Overseers, team: Team, make_case: MakeCase, api: Callable[[User], Api]
) -> None:
    case = sustained(make_case, team, overseers.officer)
    judicial(overseers.giglio, overseers.officer)
    call = api(overseers.giglio)

    created = call("post", "", payload(overseers))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["employee"]["employee_number"], body["items"]) == (
        S.RECEIVED,
        overseers.officer.employee_number,
        [],
    )
    assert body["due_at"] is not None and body["overdue"] is False and body["letter"] is None
    pk = body["id"]

    compiled = call("post", f"/{pk}/compile").json()
    assert compiled["status"] == S.COMPILED
    assert [item["kind"] for item in compiled["items"]] == [
        ItemKind.SUSTAINED_FINDING,
        ItemKind.PENDING_INVESTIGATION,
        ItemKind.JUDICIAL_FINDING,
    ]
    assert compiled["items"][0]["case_number"] == case.number
    # The official may not open the case: its number, never a link to it.
    assert all(item["case_id"] is None for item in compiled["items"])
    assert compiled["restricted_matter"] is False

    judicial_item = compiled["items"][2]
    chosen = call("post", f"/{pk}/items/{judicial_item['id']}", {"include": False}).json()
    assert [item["include"] for item in chosen["items"]] == [True, True, False]

    assert call("get", f"/{pk}/letter").status_code == 409  # nothing leaves before approval
    released = call("post", f"/{pk}/release").json()
    assert released["status"] == S.RELEASED and released["letter"]["sha256"]
    assert released["approved_by"] == overseers.giglio.username

    letter = call("get", f"/{pk}/letter")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = flat(pdf_text(b"".join(letter.streaming_content)))
    assert case.number in text and "Sustained finding" in text
    assert "motion to suppress" not in text  # the judicial finding was left out
    assert AuditEvent.objects.filter(action="download", object_id=str(pk)).exists()
    assert AuditEvent.objects.filter(action="export", object_id=str(pk)).exists()


def test_the_list_shows_requests_to_giglio_officials_only_and_is_audited(
    overseers: Overseers, api: Callable[[User], Api]
) -> None:
    mine = receive(overseers.giglio, overseers.officer)
    receive(overseers.giglio, overseers.recused_giglio_employee)

    listed = api(overseers.giglio)("get", "").json()
    assert listed["count"] == 2
    recused = api(overseers.recused_giglio)("get", "").json()
    assert [row["number"] for row in recused["items"]] == [mine.number]
    for user in (overseers.supervisor, overseers.program_manager, overseers.agent):
        assert api(user)("get", "?status=all").json() == {"items": [], "count": 0}
    assert AuditEvent.objects.filter(action="search", object_type="oversight.gigliorequest").count() == 5


def test_a_hidden_request_is_404_and_nothing_is_written(
    overseers: Overseers, api: Callable[[User], Api]
) -> None:
    own = receive(overseers.giglio, overseers.recused_giglio_employee)
    judicial(overseers.giglio, overseers.recused_giglio_employee)
    before = written()
    for user in (overseers.recused_giglio, overseers.supervisor, overseers.outsider):
        call = api(user)
        assert call("get", f"/{own.pk}").status_code == 404
        for path in ("compile", "release", "letter"):
            method = "get" if path == "letter" else "post"
            assert call(method, f"/{own.pk}/{path}").status_code == 404
        assert call("post", f"/{own.pk}/withdraw", {"reason": "x"}).status_code == 404
    assert api(overseers.giglio)("get", "/999999").status_code == 404
    assert written() == before


def test_non_giglio_users_may_not_receive_requests_or_record_findings(
    overseers: Overseers, api: Callable[[User], Api]
) -> None:
    before = written()
    for user in (overseers.supervisor, overseers.agent):
        assert api(user)("post", "", payload(overseers)).status_code == 403
        finding = {
            "employee_number": overseers.officer.employee_number,
            "court": "U.S. District Court",
            "case_reference": "1:26-cr-1",
            "found_on": TODAY.isoformat(),
            "finding": "Not credible.",
        }
        assert api(user)("post", "/judicial-findings", finding).status_code == 403
    assert written() == before


def test_bad_input_is_422_with_the_fields_and_writes_nothing(
    overseers: Overseers, api: Callable[[User], Api]
) -> None:
    call = api(overseers.giglio)
    before = written()
    unknown = call("post", "", payload(overseers, employee_number="E000000"))
    assert unknown.status_code == 422 and "employee_number" in unknown.json()["fields"]
    past = call("post", "", payload(overseers, needed_by=(TODAY - dt.timedelta(days=3)).isoformat()))
    assert past.status_code == 422 and past.json()["fields"]["needed_by"] == [
        "The date needed cannot be in the past."
    ]
    assert call("post", "", {"prosecutor_office": USAO}).status_code == 422
    assert written() == before


def test_steps_the_state_does_not_allow_are_409(overseers: Overseers, api: Callable[[User], Api]) -> None:
    request = receive(overseers.giglio, overseers.officer)
    call = api(overseers.giglio)
    before = written()
    assert call("post", f"/{request.pk}/release").status_code == 409
    assert call("get", f"/{request.pk}/letter").status_code == 409
    assert written() == before

    assert call("post", f"/{request.pk}/withdraw", {"reason": ""}).status_code == 422
    withdrawn = call("post", f"/{request.pk}/withdraw", {"reason": "The defendant pleaded guilty."})
    assert withdrawn.json()["status"] == S.WITHDRAWN
    before = written()
    assert call("post", f"/{request.pk}/compile").status_code == 409
    assert written() == before


def test_a_restricted_matter_is_flagged_not_shown_and_blocks_release_without_a_grant(
    overseers: Overseers, team: Team, make_case: MakeCase, api: Callable[[User], Api]
) -> None:
    case = pending(make_case, team, overseers.officer)
    compartment = restrict(case)
    request = receive(overseers.giglio, overseers.officer)
    call = api(overseers.giglio)
    compiled = call("post", f"/{request.pk}/compile")
    body = compiled.json()
    assert (body["items"], body["restricted_matter"]) == ([], True)
    assert case.number not in compiled.content.decode()
    item = CompiledItem.objects.get(request=request)
    before = written()
    assert call("post", f"/{request.pk}/items/{item.pk}", {"include": False}).status_code == 404
    refused = call("post", f"/{request.pk}/release")
    assert refused.status_code == 403 and "contact OPR" in refused.json()["detail"]
    assert written() == before

    grant(overseers.giglio, compartment)
    shown = call("get", f"/{request.pk}").json()
    assert shown["restricted_matter"] is False and [i["case_number"] for i in shown["items"]] == [case.number]
    text = compiled.content.decode() + call("get", f"/{request.pk}").content.decode()
    assert SECRET_TITLE not in text and SECRET_SYNOPSIS not in text
    assert call("post", f"/{request.pk}/release").status_code == 200


def test_the_detail_is_a_view_event_and_a_judicial_finding_is_recorded(
    overseers: Overseers, api: Callable[[User], Api]
) -> None:
    request = receive(overseers.giglio, overseers.officer)
    call = api(overseers.giglio)
    assert call("get", f"/{request.pk}").status_code == 200
    assert AuditEvent.objects.filter(action="view", object_id=str(request.pk), detail__channel="api").exists()

    recorded = call(
        "post",
        "/judicial-findings",
        {
            "employee_number": overseers.officer.employee_number,
            "court": "U.S. District Court, Southern District of California",
            "case_reference": "3:26-cr-00211",
            "found_on": "2026-12-01",
            "finding": "The officer's testimony on the chain of custody was not credible.",
        },
    )
    assert recorded.status_code == 201
    found = JudicialFinding.objects.get()
    assert recorded.json()["id"] == found.pk and found.recorded_by == overseers.giglio
    assert GiglioRequest.objects.get().status == S.RECEIVED
