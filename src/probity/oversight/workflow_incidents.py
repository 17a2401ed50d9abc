"""The critical incident's state machine: which moves exist and who may make them.

Rules that depend on the incident itself (a reviewer is assigned, facts are documented, the
board's criteria are met, no prosecution is undecided on a linked criminal case) live in
`services/incidents.py` and `services/board.py`.
"""

from __future__ import annotations

from probity.core.models import Role
from probity.core.workflow import Transition, Workflow
from probity.oversight.models import IncidentStatus

S = IncidentStatus
PROGRAM_MANAGERS = frozenset({Role.PROGRAM_MANAGER})

INCIDENT_FLOW = Workflow(
    "critical incident",
    {
        (S.REPORTED, S.UNDER_REVIEW): Transition(roles=PROGRAM_MANAGERS, label="Assign a reviewer"),
        (S.UNDER_REVIEW, S.AWAITING_PROSECUTION): Transition(
            roles=PROGRAM_MANAGERS, label="Wait for the prosecution decision"
        ),
        (S.AWAITING_PROSECUTION, S.UNDER_REVIEW): Transition(
            roles=PROGRAM_MANAGERS, label="Resume the review"
        ),
        (S.UNDER_REVIEW, S.BOARD_PENDING): Transition(
            roles=PROGRAM_MANAGERS, label="Send to the review board"
        ),
        (S.AWAITING_PROSECUTION, S.BOARD_PENDING): Transition(
            roles=PROGRAM_MANAGERS, label="Send to the review board"
        ),
        (S.BOARD_PENDING, S.DETERMINED): Transition(
            roles=PROGRAM_MANAGERS, label="Record the board's determination"
        ),
        (S.UNDER_REVIEW, S.CLOSED): Transition(roles=PROGRAM_MANAGERS, label="Close without board review"),
        (S.DETERMINED, S.CLOSED): Transition(roles=PROGRAM_MANAGERS, label="Close the incident"),
    },
    labels={status.value: status.label[:1].lower() + status.label[1:] for status in IncidentStatus},
)

# While a review is open the reviewer documents facts and links allegations and cases.
REVIEW_STATES = frozenset({S.UNDER_REVIEW, S.AWAITING_PROSECUTION})
OPEN_STATES = frozenset(set(IncidentStatus.values) - {S.CLOSED})
# Moves with their own service: assigning the reviewer starts the review; the board decides.
MOVES_ELSEWHERE = frozenset({(S.REPORTED, S.UNDER_REVIEW), (S.BOARD_PENDING, S.DETERMINED)})
