"""The app starts, migrates and serves its sign-in page."""

from django.test import Client


def test_login_page_is_served(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_personas_have_their_roles(personas) -> None:  # type: ignore[no-untyped-def]
    assert personas.agent.roles == {"agent"}
    assert personas.outsider.roles == frozenset()
