"""The case's state machine: which moves exist and who may make them.

Rules that depend on the case itself (a reason for abeyance, reopening and conversion; every
allegation has a finding before the report goes to review; the reviewer is not the lead agent)
live in `services/cases.py` and `services/review.py`.
"""

from __future__ import annotations

from probity.core.models import Role
from probity.core.workflow import Transition, Workflow
from probity.investigations.models import CaseStatus

S = CaseStatus
AGENTS = frozenset({Role.AGENT, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})

CASE_FLOW = Workflow(
    "case",
    {
        (S.OPENED, S.INVESTIGATING): Transition(roles=AGENTS, label="Start investigating"),
        (S.INVESTIGATING, S.ABEYANCE): Transition(roles=SUPERVISORS, label="Hold in abeyance"),
        (S.ABEYANCE, S.INVESTIGATING): Transition(roles=SUPERVISORS, label="Resume investigating"),
        (S.INVESTIGATING, S.PROSECUTION): Transition(roles=AGENTS, label="Refer for prosecution"),
        (S.PROSECUTION, S.ABEYANCE): Transition(roles=SUPERVISORS, label="Hold in abeyance"),
        (S.PROSECUTION, S.INVESTIGATING): Transition(roles=AGENTS, label="Resume investigating"),
        (S.INVESTIGATING, S.REPORT_DRAFTING): Transition(roles=AGENTS, label="Draft the report"),
        (S.REPORT_DRAFTING, S.INVESTIGATING): Transition(roles=AGENTS, label="Back to investigating"),
        (S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW): Transition(roles=AGENTS, label="Submit for review"),
        (S.SUFFICIENCY_REVIEW, S.REPORT_DRAFTING): Transition(roles=SUPERVISORS, label="Return"),
        (S.SUFFICIENCY_REVIEW, S.CLOSED): Transition(roles=SUPERVISORS, label="Approve and close"),
        (S.CLOSED, S.REOPENED): Transition(roles=SUPERVISORS, label="Reopen"),
        (S.REOPENED, S.INVESTIGATING): Transition(roles=AGENTS, label="Start investigating"),
    },
    labels={status.value: status.label[:1].lower() + status.label[1:] for status in CaseStatus},
)

# Moves that need a written reason, recorded in the case history.
NEEDS_REASON = frozenset(
    {
        (S.INVESTIGATING, S.ABEYANCE),
        (S.PROSECUTION, S.ABEYANCE),
        (S.ABEYANCE, S.INVESTIGATING),
        (S.CLOSED, S.REOPENED),
        (S.SUFFICIENCY_REVIEW, S.REPORT_DRAFTING),
    }
)

OPEN_STATES = frozenset(set(CaseStatus.values) - {S.CLOSED})
