"""The sign-in page renders in a real browser with the USWDS styles applied."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_sign_in_page_shows_its_heading_styled_by_uswds(browser_page: Page) -> None:
    response = browser_page.goto("/accounts/login/")

    assert response is not None and response.status == 200
    expect(browser_page.get_by_role("heading", name="Sign in")).to_be_visible()
    # USWDS paints .usa-button blue (#005ea2); the browser default is grey, so this colour
    # proves the stylesheet was served by the live server and allowed by the CSP.
    button = browser_page.locator("button.usa-button")
    expect(button).to_have_css("background-color", "rgb(0, 94, 162)")
