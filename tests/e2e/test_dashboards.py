"""In real Chromium: two people sign in and each sees the dashboard of their role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.e2e


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def test_auditor_and_admin_see_their_own_dashboards(
    browser_page: Any,
    live_server: Any,
    personas: Personas,
    transactional_db: None,
) -> None:
    page = browser_page
    sign_in(page, live_server.url, "auditor")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_role("heading", name="Audit trail").is_visible()
    assert (
        page.get_by_role("navigation", name="Primary navigation")
        .get_by_role("link", name="Audit trail")
        .is_visible()
    )
    assert page.get_by_role("heading", name="Administration").count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")

    sign_in(page, live_server.url, "admin")
    assert page.get_by_role("heading", name="Administration").is_visible()
    assert page.get_by_role("heading", name="Audit trail").count() == 0
    assert page.get_by_text("Administrator").is_visible()

    # keyboard users reach the content first
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
