"""The directory, organisation and deadline API: the screens' rules, audit trail and paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from probity.core.models import AuditAction, AuditEvent, Employee, Role, User
from probity.core.services.deadlines import start_deadline
from probity.core.services.people import assign_employee, create_employee
from probity.core.services.tokens import create_token
from probity.core.services.users import create_user
from tests.conftest import PASSWORD, Org, Personas
from tests.policyapp.models import Dossier, DossierPerson

EMPLOYEES = "/api/v1/employees"
BIRTHDAY = dt.date(1985, 3, 14)
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(actor=None, user=user, name='tests')[1]}"}


def searches() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.SEARCH, object_type="core.employee"))


def views_of(employee: Employee) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_type="core.employee", object_id=str(employee.pk)
        )
    )


@pytest.fixture
def maria(org: Org, personas: Personas) -> Employee:
    """A CBP Officer who moved from the Nogales port to El Paso, with a supervisor."""
    boss = create_employee(
        actor=personas.admin,
        employee_number="E100100",
        first_name="Ana",
        last_name="Boss",
        org_unit=org.el_paso,
    )
    maria = create_employee(
        actor=personas.admin,
        employee_number="E100200",
        first_name="María",
        middle_name="Elena",
        last_name="Garza",
        date_of_birth=BIRTHDAY,
        position_title="CBP Officer",
        series="1895",
        grade="GS-12",
        law_enforcement=True,
        entry_on_duty_date=dt.date(2012, 6, 4),
        org_unit=org.nogales_port,
    )
    assign_employee(
        actor=personas.admin,
        employee=maria,
        org_unit=org.el_paso,
        duty_station=org.nogales_port,
        supervisor=boss,
        start_date=dt.date(2020, 1, 6),
    )
    return maria


# Directory search ----------------------------------------------------------------------------


def test_an_agent_searches_the_directory_with_a_bearer_token(
    client: Client, personas: Personas, maria: Employee, org: Org
) -> None:
    response = client.get(EMPLOYEES, {"q": "garza"}, headers=bearer(personas.agent))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [found] = body["items"]
    assert found["id"] == maria.pk
    assert found["full_name"] == "María Elena Garza"
    assert found["current_org_unit"] == {"id": org.el_paso.pk, "code": "OPR-ELP", "name": "OPR El Paso"}
    assert found["current_duty_station"] == "Nogales Port of Entry"
    assert "date_of_birth" not in found


def test_each_search_is_recorded_in_the_audit_trail(
    client: Client, personas: Personas, maria: Employee
) -> None:
    client.get(
        EMPLOYEES, {"q": "  garza   elena ", "limit": "10", "offset": "0"}, headers=bearer(personas.intake)
    )

    [event] = searches()
    assert event.actor_id == personas.intake.pk
    assert event.detail == {"q": "garza elena", "limit": 10, "offset": 0, "results": 1, "channel": "api"}


def test_the_browser_session_works_too(client: Client, personas: Personas, maria: Employee) -> None:
    client.force_login(personas.analyst)

    response = client.get(EMPLOYEES, {"q": "E100200"})

    assert response.status_code == 200
    assert [item["employee_number"] for item in response.json()["items"]] == ["E100200"]


def test_limit_and_offset_page_the_directory_in_name_order(
    client: Client, personas: Personas, maria: Employee
) -> None:
    headers = bearer(personas.analyst)

    first = client.get(EMPLOYEES, {"limit": 2, "offset": 0}, headers=headers).json()
    second = client.get(EMPLOYEES, {"limit": 2, "offset": 2}, headers=headers).json()

    # Rita Recused (from the personas), Ana Boss and María Garza.
    assert first["count"] == second["count"] == 3
    assert [item["last_name"] for item in first["items"]] == ["Boss", "Garza"]
    assert [item["last_name"] for item in second["items"]] == ["Recused"]


def test_no_credentials_is_401_and_no_search_is_recorded(client: Client, maria: Employee) -> None:
    response = client.get(EMPLOYEES, {"q": "garza"})

    assert response.status_code == 401
    assert "Garza" not in response.content.decode()
    assert searches() == []


def test_an_account_without_a_role_gets_404_and_no_search_is_recorded(
    client: Client, personas: Personas, maria: Employee
) -> None:
    response = client.get(EMPLOYEES, {"q": "garza"}, headers=bearer(personas.outsider))

    assert response.status_code == 404
    assert response.json() == {"detail": "No such page"}
    assert searches() == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_paging_or_query_is_422_with_a_clear_message_and_records_nothing(
    client: Client, personas: Personas, maria: Employee, params: dict[str, Any], field: str
) -> None:
    response = client.get(EMPLOYEES, params, headers=bearer(personas.agent))

    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"Invalid input: {field}:")
    assert searches() == []


def test_a_limit_of_200_is_allowed(client: Client, personas: Personas, maria: Employee) -> None:
    response = client.get(EMPLOYEES, {"limit": 200}, headers=bearer(personas.agent))

    assert response.status_code == 200
    assert response.json()["count"] == 3


@pytest.mark.parametrize("extra", [0, 8])
def test_the_directory_list_takes_the_same_queries_however_many_results(
    extra: int,
    personas: Personas,
    maria: Employee,
    org: Org,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(extra):
        create_employee(
            actor=None,
            employee_number=f"E2{n:05}",
            first_name="Extra",
            last_name=f"Person{n}",
            org_unit=org.tucson,
        )
    client, headers = Client(), bearer(personas.agent)
    # Token (find it, mark it used), roles, count, the page, and the search event (chain head
    # locked, event written, head moved: 3).
    with django_assert_num_queries(8):
        response = client.get(EMPLOYEES, headers=headers)

    assert len(response.json()["items"]) == 3 + extra


# One employee ------------------------------------------------------------------------------


def test_the_detail_has_the_current_assignment_and_the_history_newest_first(
    client: Client, personas: Personas, maria: Employee, org: Org
) -> None:
    response = client.get(f"{EMPLOYEES}/{maria.pk}", headers=bearer(personas.supervisor))

    assert response.status_code == 200
    boss = Employee.objects.get(employee_number="E100100")
    body = response.json()
    assert body["entry_on_duty_date"] == "2012-06-04"
    assert body["current_org_unit"]["code"] == "OPR-ELP"
    assert body["current_assignment"] == {
        "org_unit": {"id": org.el_paso.pk, "code": "OPR-ELP", "name": "OPR El Paso"},
        "duty_station": {"id": org.nogales_port.pk, "code": "POE-NOG", "name": "Nogales Port of Entry"},
        "supervisor": {"id": boss.pk, "employee_number": "E100100", "full_name": "Ana Boss"},
        "start_date": "2020-01-06",
        "end_date": None,
    }
    assert [(row["org_unit"]["code"], row["start_date"], row["end_date"]) for row in body["assignments"]] == [
        ("OPR-ELP", "2020-01-06", None),
        ("POE-NOG", "2012-06-04", "2020-01-05"),
    ]


def test_viewing_an_employee_is_recorded(client: Client, personas: Personas, maria: Employee) -> None:
    client.get(f"{EMPLOYEES}/{maria.pk}", headers=bearer(personas.agent))

    [event] = views_of(maria)
    assert event.actor_id == personas.agent.pk
    assert event.detail == {"date_of_birth_shown": False}


@pytest.mark.parametrize(
    ("role", "shown"), [(Role.ADMINISTRATOR, True), (Role.ADJUDICATOR, True), (Role.AGENT, False)]
)
def test_the_date_of_birth_is_given_to_administrators_and_adjudicators_only(
    client: Client, maria: Employee, role: str, shown: bool
) -> None:
    user = create_user(actor=None, username=f"{role}-2", password=PASSWORD, roles=[role])

    body = client.get(f"{EMPLOYEES}/{maria.pk}", headers=bearer(user)).json()

    if shown:
        assert body["date_of_birth"] == "1985-03-14"
    else:
        assert "date_of_birth" not in body
        assert "1985" not in str(body)
    assert views_of(maria)[0].detail == {"date_of_birth_shown": shown}


def test_a_missing_employee_is_a_404_that_says_so_and_records_no_view(
    client: Client, personas: Personas, maria: Employee
) -> None:
    response = client.get(f"{EMPLOYEES}/999999", headers=bearer(personas.agent))

    assert response.status_code == 404
    assert response.json() == {"detail": "No such employee"}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_an_outsider_gets_404_for_a_real_employee_and_learns_nothing(
    client: Client, personas: Personas, maria: Employee
) -> None:
    response = client.get(f"{EMPLOYEES}/{maria.pk}", headers=bearer(personas.outsider))

    assert response.status_code == 404
    assert "Garza" not in response.content.decode()
    assert views_of(maria) == []


# Organisation -------------------------------------------------------------------------------


def test_org_units_come_as_a_flat_list_in_tree_order_with_depth_and_parent(
    client: Client, personas: Personas
) -> None:
    response = client.get("/api/v1/org-units", headers=bearer(personas.intake))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    rows = [(u["code"], u["depth"], u["parent_code"], u["kind"]) for u in body["items"]]
    assert rows == [
        ("CBP", 1, None, "agency"),
        ("OPR", 2, "CBP", "directorate"),
        ("OPR-ELP", 3, "OPR", "field_office"),
        ("OPR-TUC", 3, "OPR", "field_office"),
        ("POE-NOG", 4, "OPR-TUC", "port_of_entry"),
    ]
    nogales = body["items"][-1]
    assert (nogales["city"], nogales["state"], nogales["active"]) == ("Nogales", "AZ", True)


def test_org_units_page_with_the_parent_code_from_an_earlier_page(client: Client, personas: Personas) -> None:
    body = client.get("/api/v1/org-units", {"limit": 1, "offset": 4}, headers=bearer(personas.agent)).json()

    assert body["count"] == 5
    assert [(u["code"], u["parent_code"]) for u in body["items"]] == [("POE-NOG", "OPR-TUC")]


def test_org_units_are_404_for_an_account_without_a_role(client: Client, personas: Personas) -> None:
    response = client.get("/api/v1/org-units", headers=bearer(personas.outsider))

    assert response.status_code == 404
    assert "OPR" not in response.content.decode()


def test_org_units_refuse_a_limit_above_200(client: Client, personas: Personas) -> None:
    response = client.get("/api/v1/org-units", {"limit": 500}, headers=bearer(personas.agent))

    assert response.status_code == 422
    assert "limit" in response.json()["detail"]


# Deadlines ---------------------------------------------------------------------------------


@pytest.fixture
def deadlines(org: Org, personas: Personas) -> Iterator[None]:
    """On Wednesday the agent gets a Tucson and an El Paso clock; by Friday one is overdue."""
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        tucson = Dossier.objects.create(title="Tucson", office=org.tucson)
        el_paso = Dossier.objects.create(title="El Paso", office=org.el_paso)
        for rule, record, title in (
            ("death-in-custody-notice", tucson, "Tucson notice"),
            ("death-in-custody-notice", el_paso, "El Paso notice"),
            ("investigation-target", tucson, "Tucson target"),
        ):
            start_deadline(
                actor=None, rule=rule, record=record, title=title, owner=personas.agent, office=record.office
            )
        traveller.move_to(dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC))
        yield


def test_my_deadlines_are_the_open_ones_on_records_i_may_see_soonest_first(
    client: Client, personas: Personas, deadlines: None, org: Org
) -> None:
    response = client.get("/api/v1/deadlines/mine", headers=bearer(personas.agent))

    assert response.status_code == 200
    body = response.json()
    # The El Paso dossier is outside the agent's office scope, so its deadline is not listed.
    assert body["count"] == 2
    notice, target = body["items"]
    assert (notice["title"], notice["overdue"], target["title"], target["overdue"]) == (
        "Tucson notice",
        True,
        "Tucson target",
        False,
    )
    assert notice["rule"] == "death-in-custody-notice"
    assert notice["record_type"] == "policyapp.dossier"
    assert notice["office"] == {"id": org.tucson.pk, "code": "OPR-TUC", "name": "OPR Tucson"}
    assert notice["owner"] == "agent"


def test_deadlines_on_a_record_that_names_me_are_hidden(client: Client, personas: Personas, org: Org) -> None:
    recusing = Dossier.objects.create(title="Names the agent", office=org.tucson)
    DossierPerson.objects.create(dossier=recusing, employee=personas.recused_employee, relation="subject")
    start_deadline(
        actor=None, rule="giglio-response", record=recusing, title="Secret", owner=personas.recused_agent
    )

    response = client.get("/api/v1/deadlines/mine", headers=bearer(personas.recused_agent))

    assert response.json() == {"items": [], "count": 0}


def test_the_office_list_shows_a_supervisor_the_overdue_deadlines_in_scope(
    client: Client, personas: Personas, deadlines: None
) -> None:
    body = client.get("/api/v1/deadlines/office", headers=bearer(personas.supervisor)).json()

    assert body["count"] == 2
    assert {item["title"] for item in body["items"]} == {"Tucson notice", "El Paso notice"}
    assert all(item["overdue"] for item in body["items"])


def test_the_office_list_is_404_for_an_agent_and_leaks_nothing(
    client: Client, personas: Personas, deadlines: None
) -> None:
    response = client.get("/api/v1/deadlines/office", headers=bearer(personas.agent))

    assert response.status_code == 404
    assert "notice" not in response.content.decode()


def test_deadlines_need_credentials(client: Client, deadlines: None) -> None:
    assert client.get("/api/v1/deadlines/mine").status_code == 401
    assert client.get("/api/v1/deadlines/office").status_code == 401
