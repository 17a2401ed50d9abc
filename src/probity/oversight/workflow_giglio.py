"""The Giglio request's state machine: which moves exist and who may make them.

Rules that depend on the request itself (the official may see every compiled item before
releasing, a withdrawal gives its reason) live in `services/giglio.py`.
"""

from __future__ import annotations

from probity.core.models import Role
from probity.core.workflow import Transition, Workflow
from probity.oversight.models import GiglioStatus

S = GiglioStatus
GIGLIO_OFFICIALS = frozenset({Role.GIGLIO})

GIGLIO_FLOW = Workflow(
    "Giglio request",
    {
        (S.RECEIVED, S.COMPILED): Transition(roles=GIGLIO_OFFICIALS, label="Compile the information"),
        # Back to received only to compile again (new findings, a new grant): the old items go.
        (S.COMPILED, S.RECEIVED): Transition(roles=GIGLIO_OFFICIALS, label="Compile again"),
        (S.COMPILED, S.RELEASED): Transition(roles=GIGLIO_OFFICIALS, label="Approve and release"),
        (S.RECEIVED, S.WITHDRAWN): Transition(roles=GIGLIO_OFFICIALS, label="Withdraw"),
        (S.COMPILED, S.WITHDRAWN): Transition(roles=GIGLIO_OFFICIALS, label="Withdraw"),
    },
    labels={
        S.RECEIVED: "received",
        S.COMPILED: "compiled",
        S.RELEASED: "released",
        S.WITHDRAWN: "withdrawn",
    },
)

OPEN_STATES = frozenset({S.RECEIVED, S.COMPILED})
