"""Signing in and out: Argon2, audit of every attempt, lock-out, idle timeout."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from probity.core.models import AuditAction, AuditEvent, AuditOutcome
from tests.conftest import PASSWORD, Personas


def sign_in(client: Client, username: str, password: str) -> int:
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code


def test_production_hasher_is_argon2() -> None:
    import probity.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_password_is_stored_as_argon2(personas: Personas) -> None:
    assert personas.agent.password.startswith("argon2")


def test_successful_sign_in_is_audited_and_lands_on_dashboard(client: Client, personas: Personas) -> None:
    response = client.post("/accounts/login/", {"username": "agent", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert b"Dashboard" in response.content
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN).latest("seq")
    assert event.actor_username == "agent"
    assert event.client_ip == "127.0.0.1"


def test_failed_sign_in_is_audited_with_the_name_tried(client: Client, personas: Personas) -> None:
    response = client.post("/accounts/login/", {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).latest("seq")
    assert event.actor_username == "agent"
    assert event.outcome == AuditOutcome.FAILURE
    assert "_auth_user_id" not in client.session


def test_account_locks_after_repeated_failures_even_with_the_right_password(
    client: Client, personas: Personas, settings: object
) -> None:
    for _ in range(5):
        sign_in(client, "agent", "wrong-password")
    response = client.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert response.status_code == 429
    assert b"temporarily locked" in response.content
    assert "_auth_user_id" not in client.session


def test_lock_out_is_per_account(client: Client, personas: Personas) -> None:
    for _ in range(5):
        sign_in(client, "agent", "wrong-password")
    assert sign_in(client, "auditor", PASSWORD) == 302


def test_idle_session_expires(client: Client, personas: Personas) -> None:
    start = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert sign_in(client, "agent", PASSWORD) == 302
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/").status_code == 200  # activity renews the session
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_sign_out_requires_post_and_is_audited(client: Client, personas: Personas) -> None:
    client.force_login(personas.agent)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor_username="agent").exists()
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
