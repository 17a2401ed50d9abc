"""Where downstream modules plug into investigations without it importing them (DESIGN.md, Layout).

`on_sustained_finding`: handlers called when a finding becomes SUSTAINED against an employee of
the directory, e.g. personnel security opening a review item for a clearance holder. Register
from the downstream app's `AppConfig.ready()`:

    from probity.investigations import hooks

    def open_review_item(*, finding, employee):
        if holds_clearance(employee):
            ...

    hooks.register_sustained(open_review_item)

The contract:

- Called by `services.findings.record_finding` inside its transaction, after the finding, its
  evidence and any Giglio mark are written, as `handler(finding=finding, employee=employee)`.
  `employee` is the subject's `core.Employee` (never None: a subject who is not identified in
  the directory has no record to flag, so no handler is called).
- Called when the finding becomes sustained: recorded as sustained, or revised to sustained
  from another outcome. Revising the rationale or evidence of a finding that stays sustained
  does not call it again.
- A handler that raises refuses the whole finding (nothing is written), so a handler should
  raise only for its own broken invariants, never to veto a finding. Work that may fail or
  take long (mail, tasks) belongs in `transaction.on_commit`.
- A finding revised away from sustained calls nothing: downstream records stay, as the Giglio
  marks do (they record that a sustained finding existed); read `finding.outcome` for the
  current finding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from probity.core.models import Employee
    from probity.investigations.models import Finding

SustainedHandler = Callable[..., Any]

on_sustained_finding: list[SustainedHandler] = []


def register_sustained(handler: SustainedHandler) -> SustainedHandler:
    """Add a handler (once, however often it is registered); usable as a decorator."""
    if handler not in on_sustained_finding:
        on_sustained_finding.append(handler)
    return handler


def unregister_sustained(handler: SustainedHandler) -> None:
    """Remove a handler (tests, and apps that switch a feature off)."""
    if handler in on_sustained_finding:
        on_sustained_finding.remove(handler)


def sustained(*, finding: Finding, employee: Employee) -> None:
    """Call every registered handler, in registration order."""
    for handler in list(on_sustained_finding):
        handler(finding=finding, employee=employee)
