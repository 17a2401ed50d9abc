"""Helpers for the prosecution and discipline tests: cases worked through the services up to
where outcomes are recorded, and a discipline history (rows, as an import would leave them) for
Douglas factor 6."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from probity.core.models import AuditEvent, Employee, OrgUnit, User
from probity.intake.models import RoutingOutcome
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseEvent,
    CaseParty,
    CaseStatus,
    DisciplineAction,
    DisciplineStatus,
    DouglasAssessment,
    FactorWeight,
    FindingOutcome,
    GiglioMark,
    Offense,
    Penalty,
    ProsecutionReferral,
)
from probity.investigations.services import cases
from probity.investigations.services.findings import record_finding
from tests.conftest import make_employee
from tests.investigations.conftest import MakeCase, Team

S = CaseStatus
D = DisciplineStatus
CRIMINAL = RoutingOutcome.INVESTIGATION_CRIMINAL
JOINT = RoutingOutcome.INVESTIGATION_JOINT
ADMINISTRATIVE = RoutingOutcome.INVESTIGATION_ADMINISTRATIVE
# Noon in Tucson: the agency's date is the same as UTC's whatever the configured time zone.
START = dt.datetime(2027, 3, 15, 17, 0, tzinfo=dt.UTC)
TODAY = dt.date(2027, 3, 15)


def staffed_case(
    make_case: MakeCase,
    team: Team,
    *,
    outcome: str = CRIMINAL,
    categories: tuple[str, ...] = ("false-statements",),
    subjects: tuple[Employee, ...] | None = None,
) -> Case:
    """A case routed by intake, led by `team.agent`, being investigated."""
    case = make_case(outcome=outcome, categories=categories, subjects=subjects)
    cases.assign_lead(actor=team.supervisor, case=case, agent=team.agent)
    cases.move_case(actor=team.agent, case=case, target=S.INVESTIGATING)
    case.refresh_from_db()
    return case


def subject_of(case: Case, employee: Employee) -> CaseParty:
    party: CaseParty = case.parties.get(employee=employee, role="subject")
    return party


def witness_of(case: Case) -> CaseParty:
    party: CaseParty = case.parties.filter(role="witness").first()  # type: ignore[assignment]
    return party


def find(case: Case, outcome: str = FindingOutcome.SUSTAINED, *, actor: User) -> list[CaseAllegation]:
    """Record the same finding on every allegation of the case (through the findings service)."""
    allegations = list(case.case_allegations.select_related("subject__employee", "category"))
    for allegation in allegations:
        record_finding(
            actor=actor,
            allegation=allegation,
            outcome=outcome,
            rationale="The video contradicts the report, and the subject admitted it in interview.",
        )
    return allegations


def officials(unit: OrgUnit) -> tuple[Employee, Employee]:
    """A proposing and a deciding official."""
    return (
        make_employee("P200001", "Paula", "Proposer", unit),
        make_employee("D200001", "Dora", "Decider", unit),
    )


def all_factors(weight: str = FactorWeight.NEUTRAL) -> dict[int, tuple[str, str]]:
    return {factor: (weight, f"Weighed factor {factor} on the record.") for factor in range(1, 13)}


def penalty(code: str) -> Penalty:
    found: Penalty = Penalty.objects.get(code=code)
    return found


def offense(code: str) -> Offense:
    found: Offense = Offense.objects.get(code=code)
    return found


def past_action(
    *,
    case: Case,
    employee: Employee,
    offense_code: str,
    decided: str | None,
    status: str = D.FINAL,
    final: str | None = None,
    decided_on: dt.date = dt.date(2026, 6, 1),
    actor: User,
) -> DisciplineAction:
    """A historical discipline action, written as rows (the services only make today's)."""
    now = timezone.now()
    decided_penalty = penalty(decided) if decided else None
    final_penalty = None
    if status == D.FINAL:
        final_penalty = penalty(final) if final else decided_penalty
    action = DisciplineAction.objects.create(
        case=case,
        employee=employee,
        status=status,
        office=case.office,
        referred_at=now - dt.timedelta(days=400),
        referred_by=actor,
        offense=offense(offense_code),
        decided_penalty=decided_penalty,
        decided_on=decided_on if decided_penalty else None,
        final_penalty=final_penalty,
        final_on=decided_on if status == D.FINAL else None,
        updated_at=now,
    )
    return action


def written() -> dict[str, Any]:
    """What a refused outcome request must leave as it was (reads are audited: not counted)."""
    return {
        "referrals": list(
            ProsecutionReferral.objects.order_by("pk").values_list(
                "pk", "decision", "decided_on", "charges", "disposition", "sentence"
            )
        ),
        "cases": list(Case.objects.order_by("pk").values_list("pk", "status", "case_type")),
        "case_events": CaseEvent.objects.count(),
        "actions": list(
            DisciplineAction.objects.order_by("pk").values_list(
                "pk", "status", "offense_id", "proposed_penalty_id", "decided_penalty_id", "final_penalty_id"
            )
        ),
        "douglas": DouglasAssessment.objects.count(),
        "giglio": GiglioMark.objects.count(),
        "audit": AuditEvent.objects.exclude(action__in=["view", "search"])
        .exclude(object_type="core.apitoken")
        .count(),
    }
