"""Explicit state machines: a table of allowed transitions and the roles that may make each.

CASE_FLOW = Workflow("case", {
    ("open", "closed"): Transition(roles={Role.SUPERVISOR}),
})
CASE_FLOW.check(user, case.status, "closed")   # raises IllegalTransition / PermissionDenied
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError


class IllegalTransition(ValidationError):
    """A move the workflow does not allow from the current state."""


@dataclass(frozen=True)
class Transition:
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: any role the caller checked
    label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(self.roles))


@dataclass(frozen=True)
class Workflow:
    name: str
    transitions: Mapping[tuple[str, str], Transition]
    labels: Mapping[str, str] = field(default_factory=dict)

    def allowed_from(self, state: str) -> list[str]:
        return [target for (source, target) in self.transitions if source == state]

    def can(self, user: Any, source: str, target: str) -> bool:
        transition = self.transitions.get((source, target))
        if transition is None:
            return False
        return not transition.roles or bool(getattr(user, "roles", frozenset()) & transition.roles)

    def check(self, user: Any, source: str, target: str) -> Transition:
        transition = self.transitions.get((source, target))
        if transition is None:
            allowed = ", ".join(self._label(t) for t in self.allowed_from(source)) or "nothing"
            raise IllegalTransition(
                f"A {self.name} cannot go from {self._label(source)} to {self._label(target)}; "
                f"from {self._label(source)} it can go to: {allowed}.",
                code="illegal_transition",
            )
        if (
            transition.roles
            and user is not None
            and not (getattr(user, "roles", frozenset()) & transition.roles)
        ):
            raise PermissionDenied(
                f"Moving a {self.name} from {self._label(source)} to {self._label(target)} needs one of the "
                f"roles: {', '.join(sorted(transition.roles))}."
            )
        return transition

    def targets_for(self, user: Any, source: str) -> list[str]:
        return [target for target in self.allowed_from(source) if self.can(user, source, target)]

    def _label(self, state: str) -> str:
        return self.labels.get(state, state.replace("_", " "))

    def states(self) -> Iterable[str]:
        seen: dict[str, None] = {}
        for source, target in self.transitions:
            seen.setdefault(source)
            seen.setdefault(target)
        return list(seen)
