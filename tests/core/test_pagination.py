"""The shared pager: page count, and links that work with and without htmx."""

from __future__ import annotations

from django.test import Client

from tests.conftest import Org, Personas, make_employee


def test_directory_pages_with_plain_and_htmx_links(client: Client, org: Org, personas: Personas) -> None:
    for n in range(30):
        make_employee(f"P{n:04d}", "Pat", f"Pager{n:02d}", org.tucson)
    client.force_login(personas.agent)

    first = client.get("/people/", {"q": "Pager"}).content.decode()
    assert "Page 1 of 2" in first
    assert 'href="/people/?q=Pager&amp;page=2"' in first
    assert 'hx-get="/people/search?q=Pager&amp;page=2"' in first
    assert "hx-push-url" not in first
    assert "Previous page" not in first

    second = client.get("/people/", {"q": "Pager", "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    assert "Previous page" in second
    assert "Next page" not in second
