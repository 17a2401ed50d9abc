"""The allegation's state machine: which moves exist and who may make them.

The rules that depend on the allegation itself (OIG first refusal, a rationale for routing,
closure approved by someone other than the requester) live in `services/triage.py`.
"""

from __future__ import annotations

from probity.core.models import Role
from probity.core.workflow import Transition, Workflow
from probity.intake.models import AllegationStatus, RoutingOutcome, Seriousness

S = AllegationStatus
INTAKE_STAFF = frozenset({Role.INTAKE, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})

ALLEGATION_FLOW = Workflow(
    "allegation",
    {
        (S.RECEIVED, S.TRIAGED): Transition(roles=INTAKE_STAFF, label="Triage"),
        (S.TRIAGED, S.OIG_PENDING): Transition(roles=INTAKE_STAFF, label="Refer to OIG"),
        (S.OIG_PENDING, S.OIG_ACCEPTED): Transition(roles=INTAKE_STAFF, label="OIG accepted"),
        (S.OIG_PENDING, S.TRIAGED): Transition(roles=INTAKE_STAFF, label="OIG declined or returned"),
        (S.TRIAGED, S.ROUTED): Transition(roles=INTAKE_STAFF, label="Route"),
        (S.TRIAGED, S.CLOSURE_PENDING): Transition(roles=INTAKE_STAFF, label="Request closure"),
        (S.CLOSURE_PENDING, S.CLOSED): Transition(roles=SUPERVISORS, label="Approve closure"),
        (S.CLOSURE_PENDING, S.TRIAGED): Transition(roles=SUPERVISORS, label="Reject closure"),
    },
    # "awaiting OIG answer", keeping the acronym's capitals.
    labels={status.value: status.label[:1].lower() + status.label[1:] for status in AllegationStatus},
)

# Closing without referral is a request that a supervisor approves, not a routing.
CLOSURE_OUTCOMES = frozenset({RoutingOutcome.INFORMATION_ONLY, RoutingOutcome.CLOSED_NO_ACTION})

# DHS OIG has first refusal on criminal and serious misconduct (DOMAIN.md, "Intake and routing").
OIG_FIRST_REFUSAL = frozenset({Seriousness.CRIMINAL, Seriousness.SERIOUS_ADMINISTRATIVE})


def target_of_routing(outcome: str) -> str:
    """The status a routing decision leads to."""
    return S.CLOSURE_PENDING if outcome in CLOSURE_OUTCOMES else S.ROUTED


# A supervisor who opens a case directly records the allegation and routes it to the
# investigation in one step (`services.triage.record_direct_opening`), so that intake sees every
# case and its reason. Kept out of ALLEGATION_FLOW: the queue, the allegation page and the API
# never offer it as a step of its own; only opening a case makes it.
DIRECT_OPENING_FLOW = Workflow(
    "allegation",
    {(S.RECEIVED, S.ROUTED): Transition(roles=SUPERVISORS, label="Opened directly as a case")},
    labels=ALLEGATION_FLOW.labels,
)
DIRECT_OPENING_OUTCOMES = frozenset(
    {
        RoutingOutcome.INVESTIGATION_CRIMINAL,
        RoutingOutcome.INVESTIGATION_ADMINISTRATIVE,
        RoutingOutcome.INVESTIGATION_JOINT,
    }
)
