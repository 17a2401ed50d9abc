"""Helpers for the PREA tests: the people who work (or may not see) a track, and PREA
allegations recorded through intake with the recording hook run, as in production."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from probity.core.models import (
    Compartment,
    CompartmentGrant,
    Deadline,
    Employee,
    RecordAssignment,
    Role,
    User,
)
from probity.core.services.users import create_user
from probity.intake.models import Allegation, Channel, PersonRole
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.oversight.models import PreaTrack
from tests.conftest import PASSWORD, Org, make_employee
from tests.oversight.conftest import Overseers

# A Monday afternoon in Washington (14:00 UTC is 09:00 there): the tests freeze time here.
START = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@dataclass
class PreaPeople:
    """The PREA coordinator (a program manager, agency-wide), a supervisor whose scope covers
    Nogales and one whose scope does not, an agent and an analyst (no PREA role), a program
    manager who is the accused (recused), the accused officer, and the intake specialist."""

    manager: User
    supervisor: User
    far_supervisor: User
    agent: User
    analyst: User
    outsider: User
    recused_manager: User
    accused: Employee
    intake: User


def people_for(overseers: Overseers, org: Org) -> PreaPeople:
    def user(name: str, roles: list[str], **extra: Any) -> User:
        return create_user(
            actor=None,
            username=name,
            password=PASSWORD,
            roles=roles,
            first_name=name.replace("_", " ").title(),
            last_name="Persona",
            **extra,
        )

    accused = make_employee("E400001", "Adam", "Accused", org.nogales_port, law_enforcement=True)
    return PreaPeople(
        manager=overseers.program_manager,
        supervisor=overseers.supervisor,
        far_supervisor=user("elp_supervisor", [Role.SUPERVISOR], office_scope=org.el_paso),
        agent=overseers.agent,
        analyst=user("prea_analyst", [Role.ANALYST]),
        outsider=overseers.outsider,
        recused_manager=user("accused_manager", [Role.PROGRAM_MANAGER], employee=accused),
        accused=accused,
        intake=overseers.intake,
    )


def prea_allegation(people: PreaPeople, org: Org, **fields: Any) -> Allegation:
    """A PREA allegation against the accused officer at the Nogales port, recorded by intake.
    Run it inside `django_capture_on_commit_callbacks(execute=True)` for the hook to open the
    track, as it does once the recording commits."""
    fields.setdefault("channel", Channel.PHONE)
    fields.setdefault("summary", "Detainee reports sexual abuse in the hold room")
    fields.setdefault("category_codes", ("sexual-abuse",))
    fields.setdefault("office_id", org.nogales_port.pk)
    fields.setdefault("people", (PersonInput(role=PersonRole.SUBJECT, employee_id=people.accused.pk),))
    return record_allegation(actor=people.intake, data=AllegationInput(**fields))


def clocks_of(record: Any) -> dict[str, Deadline]:
    """The record's deadlines by rule code (the latest of each)."""
    rows = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("rule")
    return {deadline.rule.code: deadline for deadline in rows.order_by("started_at", "pk")}


def restrict(allegation: Allegation, *, granted: list[User]) -> Compartment:
    compartment = Compartment.objects.create(code="prea-restricted", name="Restricted PREA matter")
    Allegation.objects.filter(pk=allegation.pk).update(compartment=compartment)
    for user in granted:
        CompartmentGrant.objects.create(compartment=compartment, user=user, granted_at=timezone.now())
    return compartment


def assign(user: User, track: PreaTrack) -> None:
    """Give a user without a PREA role sight of one track (an explicit assignment)."""
    RecordAssignment.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(PreaTrack),
        object_id=track.pk,
        assigned_at=timezone.now(),
    )


def work_to_closable(track: PreaTrack, actor: User, *, outcome: str = "unsubstantiated") -> PreaTrack:
    """Every required step done, dated from the allegation's receipt (time frozen past 91 days)."""
    from probity.oversight.services import prea

    received = track.allegation.received_at
    prea.confirm_reporting(actor=actor, track=track, at=received + HOUR)
    prea.record_accused_removed(actor=actor, track=track, at=received + 2 * HOUR)
    prea.start_monitoring(actor=actor, track=track, at=received + DAY)
    prea.record_outcome(actor=actor, track=track, outcome=outcome, at=received + 60 * DAY)
    prea.record_detainee_notified(
        actor=actor, track=track, notified_at=received + 62 * DAY, note="Told in person with an interpreter."
    )
    prea.end_monitoring(actor=actor, track=track, at=received + 91 * DAY + HOUR)
    return track
