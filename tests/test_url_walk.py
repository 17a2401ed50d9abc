"""Every URL of the app, as every demo role and as nobody, never answers with a server error."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from probity.core.models import Role, User

SAMPLE_VALUES = {
    "int": ["1", "2", "999999"],
    "str": ["1", "abc"],
    "slug": ["abc"],
    "path": ["1", "x/y"],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
}
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _to_urls(route: str) -> list[str]:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    if "(?P" in route:  # regex routes (admin): give each group a plain value
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
        route = route.replace("\\", "")
    urls = [route]
    while any(PARAM.search(url) for url in urls):
        expanded = []
        for url in urls:
            match = PARAM.search(url)
            if match is None:
                expanded.append(url)
                continue
            for value in SAMPLE_VALUES.get(match.group("converter") or "str", ["1"]):
                expanded.append(url[: match.start()] + value + url[match.end() :])
        urls = expanded
    return ["/" + url for url in urls]


def all_urls() -> list[str]:
    urls = sorted({url for route in _patterns(get_resolver()) for url in _to_urls(route)})
    return [url for url in urls if "logout" not in url]


@pytest.fixture
def demo(db: None, settings: object, tmp_path: object) -> list[User]:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]  # the demo password file goes here
    call_command("seed_demo", "--scale", "0.01", "--seed", "7", stdout=io.StringIO())
    return list(User.objects.filter(is_active=True).order_by("username"))


def test_every_url_as_every_role_answers_without_server_error(demo: list[User]) -> None:
    assert {role for user in demo for role in user.roles} == set(Role.values)
    urls = all_urls()
    assert "/people/" in urls and "/api/v1/me" in urls
    failures = []
    for user in [None, *demo]:
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for url in urls:
            status = client.get(url).status_code
            if status >= 500:
                failures.append(f"{user.username if user else 'anonymous'} GET {url} -> {status}")
    assert failures == []
