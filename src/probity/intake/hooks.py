"""Where downstream modules plug into intake without intake importing them (DESIGN.md, Layout).

- `on_recorded`: called (after commit) with each newly recorded allegation, e.g. the
  duplicate finder.
- `routing_handlers`: per routing outcome, called inside the routing transaction, e.g. the
  investigations module opening a case for OPR investigation outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from probity.intake.models import Allegation

RecordedHandler = Callable[["Allegation"], None]
RoutingHandler = Callable[..., Any]

on_recorded: list[RecordedHandler] = []
routing_handlers: dict[str, list[RoutingHandler]] = {}


def register_recorded(handler: RecordedHandler) -> RecordedHandler:
    if handler not in on_recorded:
        on_recorded.append(handler)
    return handler


def register_routing(outcome: str, handler: RoutingHandler) -> RoutingHandler:
    handlers = routing_handlers.setdefault(outcome, [])
    if handler not in handlers:
        handlers.append(handler)
    return handler
