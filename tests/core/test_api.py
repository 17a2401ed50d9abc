"""The API: personal bearer tokens, session auth with CSRF, the audit and task endpoints, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from probity.core import audit
from probity.core.models import ApiToken, AuditAction, AuditEvent, TaskProgress
from probity.core.services.tokens import create_token, revoke_token
from probity.core.tasks import report_progress, start_progress
from tests.conftest import Personas

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
EVENTS = "/api/v1/audit/events"


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def auditor_token(personas: Personas) -> str:
    return create_token(actor=None, user=personas.auditor, name="audit sync")[1]


@pytest.fixture
def agent_token(personas: Personas) -> str:
    return create_token(actor=None, user=personas.agent, name="scripts")[1]


# Authentication


def test_no_token_is_401_json(client: Client, db: None) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authentication required" in response.json()["detail"]


@pytest.mark.parametrize("raw", ["prb_not-a-real-token", "garbage", "prb_" + "x" * 300])
def test_an_unknown_token_is_401(client: Client, db: None, raw: str) -> None:
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_valid_token_shows_who_i_am_and_my_roles(
    client: Client, personas: Personas, agent_token: str
) -> None:
    response = client.get("/api/v1/me", headers=bearer(agent_token))

    assert response.status_code == 200
    assert response.json() == {
        "username": "agent",
        "full_name": "Agent Persona",
        "roles": ["agent"],
        "office_scope": "OPR Tucson",
    }
    assert ApiToken.objects.get(user=personas.agent).last_used_at is not None


def test_a_revoked_token_is_401(client: Client, personas: Personas, agent_token: str) -> None:
    revoke_token(actor=personas.agent, token=ApiToken.objects.get(user=personas.agent))

    assert client.get("/api/v1/me", headers=bearer(agent_token)).status_code == 401


def test_an_expired_token_is_401(client: Client, personas: Personas) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False):
        _, raw = create_token(actor=None, user=personas.agent, name="short", days=1)
        assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    with time_machine.travel(dt.datetime(2025, 1, 2, 0, 0, 1, tzinfo=dt.UTC), tick=False):
        assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_a_deactivated_users_token_is_401(client: Client, personas: Personas, agent_token: str) -> None:
    personas.agent.is_active = False
    personas.agent.save(update_fields=["is_active"])

    assert client.get("/api/v1/me", headers=bearer(agent_token)).status_code == 401


def test_the_token_is_stored_only_as_its_hash_and_never_audited(personas: Personas) -> None:
    token, raw = create_token(actor=personas.admin, user=personas.agent, name="laptop", days=30)

    assert raw.startswith("prb_")
    assert len(raw) > 40
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12]
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert raw not in stored
    assert raw[12:] not in stored
    trail = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert raw[12:] not in trail
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="core.apitoken")
    assert created.actor_id == personas.admin.pk
    assert created.changes["prefix"] == [None, token.prefix]
    assert created.changes["user"] == [None, "agent"]


def test_revoking_is_audited_and_cannot_be_repeated(personas: Personas, agent_token: str) -> None:
    token = ApiToken.objects.get(user=personas.agent)

    revoke_token(actor=personas.agent, token=token)

    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="core.apitoken", object_id=str(token.pk)
    ).exists()
    with pytest.raises(ValidationError, match="already revoked"):
        revoke_token(actor=personas.agent, token=token)


def test_only_the_owner_or_an_administrator_manages_a_users_tokens(
    personas: Personas, agent_token: str
) -> None:
    events = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        create_token(actor=personas.supervisor, user=personas.agent, name="not mine")
    with pytest.raises(PermissionDenied):
        revoke_token(actor=personas.supervisor, token=ApiToken.objects.get(user=personas.agent))

    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("name", "days"), [("", 30), ("ok", 0), ("ok", 5000), ("x" * 101, 30)])
def test_bad_token_requests_are_refused_and_nothing_is_written(
    personas: Personas, name: str, days: int
) -> None:
    with pytest.raises(ValidationError):
        create_token(actor=None, user=personas.agent, name=name, days=days)

    assert not ApiToken.objects.exists()


# Session authentication


def test_the_browser_session_works_for_reads(client: Client, personas: Personas) -> None:
    client.force_login(personas.analyst)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["roles"] == ["analyst"]


def test_unsafe_methods_with_the_session_need_the_csrf_token(personas: Personas) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.auditor)

    refused = browser.post("/api/v1/audit/verify")

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert not TaskProgress.objects.exists()

    browser.get("/audit/")  # any page sets the CSRF cookie
    accepted = browser.post("/api/v1/audit/verify", HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value)
    assert accepted.status_code == 202


def test_a_bearer_token_needs_no_csrf_token(personas: Personas, auditor_token: str) -> None:
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/api/v1/audit/verify", headers=bearer(auditor_token))

    assert response.status_code == 202


# Audit trail


def test_auditor_lists_events_oldest_first_with_limit_and_offset(
    client: Client, personas: Personas, auditor_token: str
) -> None:
    before = AuditEvent.objects.count()

    page = client.get(EVENTS, {"limit": 3, "offset": 2}, headers=bearer(auditor_token))

    assert page.status_code == 200
    body = page.json()
    assert body["count"] == before + 1  # including the search this call recorded
    assert [item["seq"] for item in body["items"]] == [3, 4, 5]
    first = body["items"][0]
    assert set(first) >= {
        "seq",
        "occurred_at",
        "actor_username",
        "action",
        "object_type",
        "hash",
        "prev_hash",
    }


def test_the_api_filters_like_the_screen_and_records_the_search(
    client: Client, personas: Personas, auditor_token: str
) -> None:
    wanted = audit.record(AuditAction.EXPORT, actor=personas.agent, object_type="tests.report", object_id="9")
    audit.record(AuditAction.EXPORT, actor=personas.intake, object_type="tests.report", object_id="9")

    response = client.get(
        EVENTS,
        {"person": "agent", "action": "export", "object_type": "tests.report"},
        headers=bearer(auditor_token),
    )

    assert [item["seq"] for item in response.json()["items"]] == [wanted.seq]
    search = AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("-seq").first()
    assert search is not None
    assert search.actor_id == personas.auditor.pk
    assert search.detail == {
        "channel": "api",
        "filters": {"person": "agent", "action": "export", "object_type": "tests.report"},
    }


def test_after_seq_fetches_only_new_events(client: Client, auditor_token: str, personas: Personas) -> None:
    head = audit.record(AuditAction.EXPORT).seq

    response = client.get(EVENTS, {"after_seq": head}, headers=bearer(auditor_token))

    assert [item["action"] for item in response.json()["items"]] == ["search"]


@pytest.mark.parametrize("persona", ["agent", "admin", "supervisor"])
def test_non_auditors_get_404_and_nothing_leaks(client: Client, personas: Personas, persona: str) -> None:
    _, raw = create_token(actor=None, user=getattr(personas, persona), name="t")
    audit.record(AuditAction.EXPORT, object_repr="very secret export")
    events = AuditEvent.objects.count()

    response = client.get(EVENTS, headers=bearer(raw))
    verify = client.post("/api/v1/audit/verify", headers=bearer(raw))

    assert (response.status_code, verify.status_code) == (404, 404)
    assert response.json() == {"detail": "Not Found"}
    assert b"very secret export" not in response.content
    assert AuditEvent.objects.count() == events
    assert not TaskProgress.objects.exists()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"action": "shred"}, "action"),
        ({"after_seq": "1e9x"}, "after_seq"),
        ({"from_date": "2024-05-02", "to_date": "2024-05-01"}, "from_date must not be after to_date"),
    ],
)
def test_malformed_query_parameters_are_422_with_a_clear_message(
    client: Client, auditor_token: str, query: dict[str, str], field: str
) -> None:
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH).count()

    response = client.get(EVENTS, query, headers=bearer(auditor_token))

    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Invalid input: ")
    assert field in body["detail"]
    assert body["errors"]
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH).count() == searches


# Tasks


def test_task_progress_is_shown_to_its_requester_only(
    client: Client, personas: Personas, auditor_token: str, agent_token: str
) -> None:
    progress = start_progress(name="Verify the audit chain", requested_by=personas.auditor)
    report_progress(progress.task_id, 30, 120, "Checked 30 of 120 events")

    mine = client.get(f"/api/v1/tasks/{progress.task_id}", headers=bearer(auditor_token))
    theirs = client.get(f"/api/v1/tasks/{progress.task_id}", headers=bearer(agent_token))

    assert mine.status_code == 200
    assert mine.json()["percent"] == 25
    assert mine.json()["finished"] is False
    assert mine.json()["progress_url"] == f"/tasks/{progress.task_id}/"
    assert theirs.status_code == 404
    assert b"Checked 30" not in theirs.content


def test_verify_through_the_api_returns_the_task_to_follow(
    client: Client, auditor_token: str, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/audit/verify", headers=bearer(auditor_token))
    task_id = started.json()["task_id"]

    followed = client.get(f"/api/v1/tasks/{task_id}", headers=bearer(auditor_token))

    assert started.status_code == 202
    assert followed.json()["finished"] is True
    assert followed.json()["result"]["ok"] is True


# The API's own pages and errors


def test_the_openapi_document_is_valid_json_with_our_paths(client: Client, db: None) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "Probity API"
    assert {"/api/v1/me", "/api/v1/audit/events", "/api/v1/audit/verify", "/api/v1/tasks/{task_id}"} <= set(
        schema["paths"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/v1/audit/events"]["get"]["parameters"]}
    assert {"limit", "offset", "person", "action", "from_date"} <= parameters


def test_unknown_api_paths_are_json_404(client: Client, personas: Personas, auditor_token: str) -> None:
    for path in ("/api/v1/no-such-thing", "/api/v2/me", "/api/"):
        response = client.get(path, headers=bearer(auditor_token))
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json"), path
        assert "detail" in response.json()


def test_the_docs_page_uses_ninjas_own_static_files_under_our_csp(client: Client, db: None) -> None:
    response = client.get("/api/v1/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "cdn" not in csp


# The token command


def test_token_command_creates_lists_and_revokes(personas: Personas) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "agent", "--name", "ci", "--days", "7", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=personas.agent)

    assert raw.startswith("prb_")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    assert "cannot be shown again" in err.getvalue()

    listing = io.StringIO()
    call_command("token", "list", "agent", stdout=listing)
    assert token.prefix in listing.getvalue()
    assert raw[12:] not in listing.getvalue()

    call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_at <= timezone.now()


@pytest.mark.parametrize(
    "args",
    [
        ("create", "nobody"),
        ("list", "nobody"),
        ("revoke", "prb_nothing1"),
        ("create", "agent", "--days", "0"),
    ],
)
def test_token_command_explains_bad_input_and_exits_2(personas: Personas, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError) as error:
        call_command("token", *args, stdout=io.StringIO(), stderr=io.StringIO())

    assert error.value.returncode == 2
    assert str(error.value)
    assert not ApiToken.objects.exists()
