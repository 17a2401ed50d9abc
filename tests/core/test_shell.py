"""The UI shell: role-aware navigation and dashboards, security headers, error pages."""

from __future__ import annotations

from django.test import Client

from tests.conftest import Personas


def test_auditor_dashboard_shows_the_audit_panel_and_nav(client: Client, personas: Personas) -> None:
    client.force_login(personas.auditor)
    page = client.get("/").content.decode()
    assert "Audit trail" in page
    assert "Administration" not in page


def test_admin_dashboard_shows_administration_not_audit(client: Client, personas: Personas) -> None:
    client.force_login(personas.admin)
    page = client.get("/").content.decode()
    assert "Administration" in page
    assert 'href="/audit/"' not in page


def test_agent_navigation_has_no_audit_link(client: Client, personas: Personas) -> None:
    client.force_login(personas.agent)
    page = client.get("/").content.decode()
    assert 'href="/audit/"' not in page
    assert "Special agent" in page


def test_pages_carry_a_strict_content_security_policy(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_plain_404_without_internals(
    client: Client, personas: Personas, settings: object
) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    client.force_login(personas.agent)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Traceback" not in body
    assert "urlpatterns" not in body


def test_server_error_page_hides_the_stack_trace(personas: Personas, settings: object) -> None:
    from django.urls import path

    from probity import urls

    def boom(request: object) -> None:
        raise RuntimeError("secret internal detail")

    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = type(  # type: ignore[attr-defined]
        "BoomConf",
        (),
        {"urlpatterns": [path("boom", boom), *urls.urlpatterns], "handler500": urls.handler500},
    )
    client = Client(raise_request_exception=False)
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret internal detail" not in body


def test_csrf_failure_page_is_plain_language(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "agent", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_health_check_answers_without_sign_in(client: Client, db: None) -> None:
    assert client.get("/healthz").content == b"ok"
