"""Oversight fixtures: the program's people, and investigations' and intake's fixtures for the
cases and allegations oversight reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from probity.core.models import Employee, Role, User
from probity.core.services.users import create_user
from tests.conftest import PASSWORD, Org, Personas, make_employee
from tests.intake import conftest as _intake
from tests.investigations import conftest as _investigations

staff = _intake.staff
categories = _intake.categories
make_allegation = _intake.make_allegation
team = _investigations.team
make_case = _investigations.make_case
route_to_investigation = _investigations.route_to_investigation


@dataclass
class Overseers:
    """Who runs the oversight programs: a program manager (agency-wide), a second one (board
    member), a Giglio official and a second Giglio official linked to their own directory record
    (recusal), plus the shared personas and an employee involved in incidents."""

    program_manager: User
    board_member: User
    giglio: User
    recused_giglio: User
    recused_giglio_employee: Employee
    supervisor: User
    agent: User
    intake: User
    outsider: User
    officer: Employee


@pytest.fixture
def overseers(personas: Personas, org: Org) -> Overseers:
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

    own = make_employee("E300001", "Gil", "Giglio", org.opr)
    return Overseers(
        program_manager=user("program_manager", [Role.PROGRAM_MANAGER]),
        board_member=user("board_member", [Role.PROGRAM_MANAGER]),
        giglio=user("giglio", [Role.GIGLIO]),
        recused_giglio=user("giglio_recused", [Role.GIGLIO], employee=own),
        recused_giglio_employee=own,
        supervisor=personas.supervisor,
        agent=personas.agent,
        intake=personas.intake,
        outsider=personas.outsider,
        officer=make_employee("E300002", "Oscar", "Officer", org.nogales_port, law_enforcement=True),
    )
