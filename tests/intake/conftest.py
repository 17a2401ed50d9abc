"""Intake fixtures: allegations made through `record_allegation`, and moved through the workflow's
own services, so test data obeys the same rules as production."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from probity.core.models import AuditEvent, Employee, RecordAssignment, Role, User
from probity.core.services.users import create_user
from probity.intake.models import (
    Allegation,
    AllegationCategory,
    AllegationStatus,
    Channel,
    OigAnswer,
    RoutingOutcome,
    Seriousness,
)
from probity.intake.services import triage
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from tests.conftest import PASSWORD, Org, Personas, make_employee

S = AllegationStatus
INTAKE: Any = object()  # make_allegation's default actor: the intake specialist (None is the system)
MakeAllegation = Callable[..., Allegation]


@dataclass
class Staff:
    """The shared personas plus the people intake's rules need: a second supervisor (closure
    needs two people) and an intake specialist who must be recused from their own allegations."""

    intake: User
    supervisor: User
    second_supervisor: User
    agent: User
    recused_agent: User
    recused_employee: Employee
    recused_intake: User
    recused_intake_employee: Employee
    outsider: User


@pytest.fixture
def staff(personas: Personas, org: Org) -> Staff:
    own_record = make_employee("E900002", "Ivan", "Intake", org.tucson)

    def user(name: str, roles: list[str], **extra: Any) -> User:
        return create_user(
            actor=None,
            username=name,
            password=PASSWORD,
            roles=roles,
            first_name=name.title(),
            last_name="Persona",
            **extra,
        )

    return Staff(
        intake=personas.intake,
        supervisor=personas.supervisor,
        second_supervisor=user("supervisor2", [Role.SUPERVISOR], office_scope=org.opr),
        agent=personas.agent,
        recused_agent=personas.recused_agent,
        recused_employee=personas.recused_employee,
        recused_intake=user("recused_intake", [Role.INTAKE], employee=own_record),
        recused_intake_employee=own_record,
        outsider=personas.outsider,
    )


@pytest.fixture
def categories(db: None) -> dict[str, AllegationCategory]:
    """The allegation taxonomy as the data migration seeded it."""
    found = {category.code: category for category in AllegationCategory.objects.all()}
    assert found, "the intake data migration did not seed the allegation categories"
    return found


@pytest.fixture
def make_allegation(staff: Staff, org: Org) -> MakeAllegation:
    """Record an allegation through the service; keyword arguments override AllegationInput's
    fields; `subjects` names directory employees; `actor` defaults to the intake specialist
    (pass None for the system)."""

    def _make(*, actor: Any = INTAKE, subjects: tuple[Employee, ...] = (), **fields: Any) -> Allegation:
        people = list(fields.pop("people", ()))
        people += [PersonInput(role="subject", employee_id=employee.pk) for employee in subjects]
        fields.setdefault("channel", Channel.PHONE)
        fields.setdefault("summary", "Officer took cash during secondary inspection")
        fields.setdefault("office_id", org.nogales_port.pk)
        data = AllegationInput(people=tuple(people), **fields)
        return record_allegation(actor=staff.intake if actor is INTAKE else actor, data=data)

    return _make


def bring_to(allegation: Allegation, status: str, staff: Staff) -> Allegation:
    """Walk an allegation to `status` through the services (supervisor2 approves closures)."""
    if status == S.RECEIVED:
        return allegation
    serious = status in (S.OIG_PENDING, S.OIG_ACCEPTED)
    triage.triage(
        actor=staff.intake,
        allegation=allegation,
        seriousness=Seriousness.CRIMINAL if serious else Seriousness.MINOR_ADMINISTRATIVE,
    )
    if status in (S.OIG_PENDING, S.OIG_ACCEPTED):
        triage.refer_to_oig(actor=staff.intake, allegation=allegation)
    if status == S.OIG_ACCEPTED:
        triage.record_oig_answer(actor=staff.intake, allegation=allegation, answer=OigAnswer.ACCEPTED)
    if status == S.ROUTED:
        triage.route(
            actor=staff.intake,
            allegation=allegation,
            outcome=RoutingOutcome.MANAGEMENT_INQUIRY,
            rationale="Minor matter for the port director",
        )
    if status in (S.CLOSURE_PENDING, S.CLOSED):
        triage.route(
            actor=staff.intake,
            allegation=allegation,
            outcome=RoutingOutcome.INFORMATION_ONLY,
            rationale="No misconduct alleged",
        )
    if status == S.CLOSED:
        triage.approve_closure(actor=staff.second_supervisor, allegation=allegation)
    allegation.refresh_from_db()
    assert allegation.status == status
    return allegation


def assign_record(user: User, allegation: Allegation) -> None:
    """Give a user without an intake role sight of one allegation, as a case assignment would."""
    RecordAssignment.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Allegation),
        object_id=allegation.pk,
        assigned_at=timezone.now(),
    )


def events_for(allegation: Allegation) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="intake.allegation", object_id=str(allegation.pk)).order_by(
            "seq"
        )
    )
