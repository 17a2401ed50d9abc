"""Investigations fixtures: cases opened the way production opens them, by intake routing an
allegation to an OPR investigation (the routing hook calls `open_case`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from probity.core.models import Employee, Role, User
from probity.core.services.users import create_user
from probity.intake.models import Allegation, Channel, OigAnswer, RoutingOutcome, Seriousness
from probity.intake.services import triage
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.investigations.models import Case
from tests.conftest import PASSWORD, Org, Personas, make_employee

# Intake's fixtures, for tests that need allegations of their own (imported, not loaded as a
# plugin: a plugin would be registered twice when tests/intake runs in the same session).
from tests.intake import conftest as _intake

staff = _intake.staff
categories = _intake.categories
make_allegation = _intake.make_allegation

MakeCase = Callable[..., Case]


@dataclass
class Team:
    """The personas plus what investigations needs: a second agent for the team, a second
    supervisor (reviews and approvals by someone else), labor relations, and an El Paso agent
    who must not see Tucson's cases."""

    intake: User
    supervisor: User
    second_supervisor: User
    agent: User
    second_agent: User
    el_paso_agent: User
    labor_relations: User
    recused_agent: User
    recused_employee: Employee
    outsider: User
    subject: Employee
    witness: Employee


@pytest.fixture
def team(personas: Personas, org: Org) -> Team:
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

    return Team(
        intake=personas.intake,
        supervisor=personas.supervisor,
        second_supervisor=user("supervisor2", [Role.SUPERVISOR], office_scope=org.opr),
        agent=personas.agent,
        second_agent=user("agent2", [Role.AGENT], office_scope=org.tucson),
        el_paso_agent=user("agent_elp", [Role.AGENT], office_scope=org.el_paso),
        labor_relations=user("labor", [Role.LABOR_RELATIONS]),
        recused_agent=personas.recused_agent,
        recused_employee=personas.recused_employee,
        outsider=personas.outsider,
        subject=make_employee("E100001", "Sam", "Subject", org.nogales_port, law_enforcement=True),
        witness=make_employee("E100002", "Wanda", "Witness", org.nogales_port),
    )


def route_to_investigation(
    allegation: Allegation, intake: User, outcome: str = RoutingOutcome.INVESTIGATION_ADMINISTRATIVE
) -> Allegation:
    """Walk an allegation through triage (and OIG, which declines) to an OPR investigation."""
    triage.triage(actor=intake, allegation=allegation, seriousness=Seriousness.SERIOUS_ADMINISTRATIVE)
    triage.refer_to_oig(actor=intake, allegation=allegation)
    triage.record_oig_answer(actor=intake, allegation=allegation, answer=OigAnswer.DECLINED)
    triage.route(actor=intake, allegation=allegation, outcome=outcome, rationale="OPR takes it")
    allegation.refresh_from_db()
    return allegation


@pytest.fixture
def make_case(team: Team, org: Org) -> MakeCase:
    """A case on a fresh allegation routed by intake. Keyword arguments: `subjects` and
    `witnesses` (employees; default the team's subject and witness), `categories` (codes),
    `outcome` (routing outcome), `summary`."""

    def _make(
        *,
        subjects: tuple[Employee, ...] | None = None,
        witnesses: tuple[Employee, ...] | None = None,
        categories: tuple[str, ...] = ("false-statements",),
        outcome: str = RoutingOutcome.INVESTIGATION_ADMINISTRATIVE,
        summary: str = "Officer lied in a seizure report",
    ) -> Case:
        subjects = (team.subject,) if subjects is None else subjects
        witnesses = (team.witness,) if witnesses is None else witnesses
        people = [PersonInput(role="subject", employee_id=e.pk) for e in subjects]
        people += [PersonInput(role="witness", employee_id=e.pk) for e in witnesses]
        people.append(PersonInput(role="complainant", name="Carla Complainant", contact="carla@example.org"))
        allegation = record_allegation(
            actor=team.intake,
            data=AllegationInput(
                channel=Channel.PHONE,
                summary=summary,
                narrative="The report of the seizure does not match the video.",
                category_codes=categories,
                office_id=org.nogales_port.pk,
                people=tuple(people),
            ),
        )
        route_to_investigation(allegation, team.intake, outcome)
        return Case.objects.get(sources__allegation=allegation)

    return _make
