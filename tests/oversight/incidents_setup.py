"""Set-up of the incidents part's tests: the people around an incident, and incidents reported
and moved along through the services, as production does (each test module makes its fixtures
from these)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from probity.core.models import AuditEvent, Employee, Role, User
from probity.core.services.users import create_user
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    CriticalIncident,
    ForceUsed,
    IncidentEmployee,
    IncidentKind,
    IncidentSubject,
    Recommendation,
)
from probity.oversight.services import board
from probity.oversight.services import incidents as services
from probity.oversight.services.incidents import EmployeeInput, ForceInput, SubjectInput
from tests.conftest import PASSWORD, Org, make_employee
from tests.oversight.conftest import Overseers

Report = Callable[..., CriticalIncident]


@dataclass
class Scene:
    """The overseers plus: a special agent who reviews, a supervisor of El Paso only (who must not
    see Nogales), a program manager who is the involved officer (recused), a second officer, and
    the owner of the board's recommendations."""

    overseers: Overseers
    org: Org
    reviewer: User  # a special agent
    el_paso_supervisor: User
    involved_manager: User  # a program manager linked to the officer's directory record
    second_officer: Employee
    owner: User

    @property
    def pm(self) -> User:
        return self.overseers.program_manager

    @property
    def officer(self) -> Employee:
        return self.overseers.officer


def make_scene(overseers: Overseers, org: Org) -> Scene:
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

    return Scene(
        overseers=overseers,
        org=org,
        reviewer=user("reviewer_agent", [Role.AGENT], office_scope=org.tucson),
        el_paso_supervisor=user("supervisor_elp", [Role.SUPERVISOR], office_scope=org.el_paso),
        involved_manager=user("pm_involved", [Role.PROGRAM_MANAGER], employee=overseers.officer),
        second_officer=make_employee("E300003", "Ines", "Inspector", org.nogales_port, law_enforcement=True),
        owner=user("training_director", [Role.SUPERVISOR], office_scope=org.opr),
    )


def an_hour_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)


def reporter(scene: Scene) -> Report:
    """report(**overrides): a firearm discharge at Nogales by the officer, reported by the program
    manager; any argument of `report_incident` may be overridden."""

    def _report(**overrides: Any) -> CriticalIncident:
        occurred = overrides.pop("occurred_at", an_hour_ago())
        values: dict[str, Any] = {
            "actor": scene.pm,
            "kind": IncidentKind.FIREARM,
            "occurred_at": occurred,
            "place": "Pedestrian processing, turnstile 3",
            "office": scene.org.nogales_port,
            "summary": "Officer fired at a traveler who drew a knife",
            "narrative": "The traveler drew a knife at the turnstiles; the officer fired one round.",
            "employees": [EmployeeInput(employee=scene.officer, actions="Fired one round")],
            "subjects": [
                SubjectInput(description="Adult male pedestrian", age=34, armed=True, weapon="Knife")
            ],
            "force": [ForceInput(action="Firearm (one round)", by_employee=scene.officer)],
            "training_discharge": False,
            "serious_injury": False,
            "death": False,
            "responders": "Port watch commander",
            "notified_at": occurred + dt.timedelta(minutes=10),
            "on_scene_at": occurred + dt.timedelta(minutes=20),
        }
        values.update(overrides)
        return services.report_incident(**values)

    return _report


def reviewed(
    scene: Scene, incident: CriticalIncident, *, facts: str = "The video shows the knife."
) -> CriticalIncident:
    """Assign the scene's reviewer and document the facts."""
    services.assign_reviewer(actor=scene.pm, incident=incident, reviewer=scene.reviewer)
    services.document_facts(actor=scene.reviewer, incident=incident, facts=facts)
    return incident


def at_board(scene: Scene, incident: CriticalIncident) -> CriticalIncident:
    reviewed(scene, incident)
    return services.send_to_board(actor=scene.pm, incident=incident)


def meeting_with(scene: Scene, incident: CriticalIncident, *, held_on: dt.date | None = None) -> AgendaItem:
    """A meeting (today, the program managers as members) with the incident on its agenda."""
    meeting = board.schedule_meeting(
        actor=scene.pm,
        held_on=held_on or board.agency_today(),
        members=[scene.pm, scene.overseers.board_member],
    )
    return board.add_to_agenda(actor=scene.pm, meeting=meeting, incident=incident)


def written() -> tuple[int, ...]:
    """Counts of everything an incident or board write touches: a refusal leaves them as they were."""
    return (
        CriticalIncident.objects.count(),
        IncidentEmployee.objects.count(),
        IncidentSubject.objects.count(),
        ForceUsed.objects.count(),
        BoardMeeting.objects.count(),
        AgendaItem.objects.count(),
        Recommendation.objects.count(),
        AuditEvent.objects.count(),
    )
