"""Who is acting and from where, for services that record audit events without a request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class RequestContext:
    client_ip: str | None = None
    channel: str = "system"  # web, api, cli, worker, system


_current: ContextVar[RequestContext | None] = ContextVar("probity_request_context", default=None)


def current() -> RequestContext:
    return _current.get() or RequestContext()


@contextmanager
def acting(*, client_ip: str | None = None, channel: str = "system") -> Iterator[RequestContext]:
    token = _current.set(RequestContext(client_ip=client_ip, channel=channel))
    try:
        yield _current.get() or RequestContext()
    finally:
        _current.reset(token)


def client_ip_of(request: HttpRequest) -> str | None:
    # Behind a proxy, configure it to set REMOTE_ADDR (e.g. granian's --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None
