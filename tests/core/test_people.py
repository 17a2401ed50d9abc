"""The workforce directory: its services, searches, pages and the organisation tree."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from probity.core.models import AuditAction, AuditEvent, Employee, EmployeeAssignment, OrgUnitKind, Role, User
from probity.core.queries.people import search_employees
from probity.core.services.org import add_org_unit
from probity.core.services.people import (
    assign_employee,
    create_employee,
    employee_assignment_as_of,
    update_employee,
)
from probity.core.services.users import create_user
from tests.conftest import PASSWORD, Org, Personas

BIRTHDAY = dt.date(1985, 3, 14)


def events(action: str, object_type: str = "core.employee") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type=object_type).order_by("seq"))


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def adjudicator(org: Org) -> User:
    return create_user(actor=None, username="adjudicator", password=PASSWORD, roles=[Role.ADJUDICATOR])


@pytest.fixture
def maria(org: Org, personas: Personas) -> Employee:
    return create_employee(
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


# --- services ---------------------------------------------------------------------------------


def test_admin_creates_an_employee_with_a_first_assignment_from_entry_on_duty(
    maria: Employee, org: Org
) -> None:
    assignment = EmployeeAssignment.objects.get(employee=maria)
    assert (assignment.org_unit, assignment.start_date, assignment.end_date) == (
        org.nogales_port,
        dt.date(2012, 6, 4),
        None,
    )
    (event,) = events(AuditAction.CREATE)
    assert event.changes["last_name"] == [None, "Garza"]
    assert event.changes["assignment"][1]["org_unit"] == "POE-NOG"


def test_the_audit_trail_never_holds_the_date_of_birth(maria: Employee, personas: Personas) -> None:
    update_employee(actor=personas.admin, employee=maria, date_of_birth=dt.date(1985, 3, 15))
    created, updated = events(AuditAction.CREATE)[0], events(AuditAction.UPDATE)[0]
    assert created.changes["date_of_birth"] == [None, "<encrypted>"]
    assert updated.changes == {"date_of_birth": ["<encrypted>", "<encrypted>"]}
    trail = str(list(AuditEvent.objects.values_list("changes", "detail")))
    assert "1985" not in trail


def test_non_admin_cannot_create_an_employee_and_nothing_is_written(personas: Personas, org: Org) -> None:
    before = Employee.objects.count()
    with pytest.raises(PermissionDenied):
        create_employee(
            actor=personas.supervisor,
            employee_number="E1",
            first_name="A",
            last_name="B",
            org_unit=org.tucson,
        )
    assert Employee.objects.count() == before
    assert events(AuditAction.CREATE) == []


def test_update_records_only_the_changed_fields(maria: Employee, personas: Personas) -> None:
    updated = update_employee(
        actor=personas.admin, employee=maria, grade="GS-13", position_title="CBP Officer"
    )
    assert Employee.objects.get(pk=maria.pk).grade == "GS-13"
    assert updated.grade == "GS-13"
    (event,) = events(AuditAction.UPDATE)
    assert event.changes == {"grade": ["GS-12", "GS-13"]}
    assert event.actor_username == "admin"


def test_an_update_that_changes_nothing_records_nothing(maria: Employee, personas: Personas) -> None:
    update_employee(actor=personas.admin, employee=maria, grade="GS-12")
    assert events(AuditAction.UPDATE) == []


def test_update_refuses_fields_it_does_not_manage(maria: Employee, personas: Personas) -> None:
    with pytest.raises(ValidationError):
        update_employee(
            actor=personas.admin, employee=maria, created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        )
    with pytest.raises(PermissionDenied):
        update_employee(actor=personas.agent, employee=maria, grade="GS-13")
    assert Employee.objects.get(pk=maria.pk).grade == "GS-12"
    assert events(AuditAction.UPDATE) == []


def test_assigning_closes_the_open_assignment_the_day_before(
    maria: Employee, personas: Personas, org: Org
) -> None:
    boss = create_employee(
        actor=personas.admin,
        employee_number="E100300",
        first_name="Ana",
        last_name="Boss",
        org_unit=org.tucson,
        start_date=dt.date(2010, 1, 1),
    )
    new = assign_employee(
        actor=personas.admin,
        employee=maria,
        org_unit=org.el_paso,
        supervisor=boss,
        start_date=dt.date(2024, 7, 1),
    )
    old = EmployeeAssignment.objects.exclude(pk=new.pk).get(employee=maria)
    assert old.end_date == dt.date(2024, 6, 30)
    assert new.end_date is None and new.supervisor == boss
    assert employee_assignment_as_of(employee=maria, day=dt.date(2024, 6, 30)) == old
    assert employee_assignment_as_of(employee=maria, day=dt.date(2024, 7, 1)) == new
    assert employee_assignment_as_of(employee=maria, day=dt.date(2000, 1, 1)) is None
    (event,) = events(AuditAction.UPDATE)
    before, after = event.changes["assignment"]
    assert (before["org_unit"], after["org_unit"], after["supervisor"]) == ("POE-NOG", "OPR-ELP", "E100300")


def test_an_assignment_cannot_start_before_the_open_one_did(
    maria: Employee, personas: Personas, org: Org
) -> None:
    for start in (dt.date(2012, 6, 4), dt.date(2011, 1, 1)):
        with pytest.raises(ValidationError):
            assign_employee(actor=personas.admin, employee=maria, org_unit=org.el_paso, start_date=start)
    assert EmployeeAssignment.objects.filter(employee=maria).count() == 1
    assert EmployeeAssignment.objects.get(employee=maria).end_date is None


def test_a_supervisor_chain_may_not_loop(maria: Employee, personas: Personas, org: Org) -> None:
    report = create_employee(
        actor=personas.admin,
        employee_number="E100400",
        first_name="Rae",
        last_name="Port",
        org_unit=org.nogales_port,
        supervisor=maria,
        start_date=dt.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError, match="loop"):
        assign_employee(
            actor=personas.admin,
            employee=maria,
            org_unit=org.nogales_port,
            supervisor=report,
            start_date=dt.date(2024, 1, 1),
        )
    with pytest.raises(ValidationError):
        assign_employee(
            actor=personas.admin,
            employee=maria,
            org_unit=org.nogales_port,
            supervisor=maria,
            start_date=dt.date(2024, 1, 1),
        )
    assert EmployeeAssignment.objects.filter(employee=maria, end_date__isnull=True).get().supervisor is None


def test_only_an_admin_may_reassign(maria: Employee, personas: Personas, org: Org) -> None:
    with pytest.raises(PermissionDenied):
        assign_employee(
            actor=personas.supervisor, employee=maria, org_unit=org.el_paso, start_date=dt.date(2024, 1, 1)
        )
    assert EmployeeAssignment.objects.filter(employee=maria).count() == 1


# --- directory pages --------------------------------------------------------------------------


def test_every_staff_role_may_search_the_directory(personas: Personas, maria: Employee) -> None:
    for user in (personas.intake, personas.agent, personas.analyst, personas.auditor, personas.recused_agent):
        response = client_for(user).get(reverse("employee-list"), {"q": "garza"})
        assert response.status_code == 200
        assert "María Elena" in response.content.decode()


def test_an_account_without_a_role_gets_404_and_leaves_no_search(personas: Personas, maria: Employee) -> None:
    client = client_for(personas.outsider)
    for url in (
        reverse("employee-list") + "?q=garza",
        reverse("employee-search") + "?q=garza",
        reverse("employee-detail", args=[maria.pk]),
        reverse("org-tree"),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Garza" not in response.content.decode()
    assert events(AuditAction.SEARCH) == []
    assert events(AuditAction.VIEW) == []


def test_anonymous_visitors_are_sent_to_sign_in(maria: Employee) -> None:
    response = Client().get(reverse("employee-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_search_matches_name_parts_and_numbers_in_any_case(
    personas: Personas, maria: Employee, org: Org
) -> None:
    create_employee(
        actor=personas.admin,
        employee_number="E555001",
        first_name="Tom",
        last_name="Garzón",
        org_unit=org.tucson,
    )

    def found(q: str) -> set[str]:
        return {e.employee_number for e in search_employees(personas.intake, q).object_list}

    assert found("GARZA") == {"E100200"}
    assert found("maría garza") == {"E100200"}
    assert found("elena") == {"E100200"}
    assert found("e5550") == {"E555001"}
    assert found("garz") == {"E100200", "E555001"}
    assert found("tom garza") == set()
    assert len(found("")) == Employee.objects.count()


def test_each_search_is_audited_with_its_query(personas: Personas, maria: Employee) -> None:
    client_for(personas.agent).get(reverse("employee-search"), {"q": "  Garza  "}, HTTP_HX_REQUEST="true")
    (event,) = events(AuditAction.SEARCH)
    assert event.detail == {"q": "Garza", "page": 1, "results": 1}
    assert event.actor_username == "agent"


def test_the_list_shows_each_current_org_unit(personas: Personas, maria: Employee, org: Org) -> None:
    create_employee(
        actor=personas.admin,
        employee_number="A0001",
        first_name="Abe",
        last_name="Applicant",
        status="applicant",
    )
    assign_employee(
        actor=personas.admin, employee=maria, org_unit=org.el_paso, start_date=dt.date(2024, 7, 1)
    )
    body = client_for(personas.intake).get(reverse("employee-list")).content.decode()
    rows = {row.split("</th>")[0]: row for row in body.split('<th scope="row"')[1:]}
    (maria_row,) = [row for name, row in rows.items() if "Garza" in name]
    (abe_row,) = [row for name, row in rows.items() if "Applicant" in name]
    assert "OPR El Paso" in maria_row and "Nogales" not in maria_row
    assert 'data-label="Org unit">—<' in abe_row


def test_search_as_you_type_returns_only_the_results_table(personas: Personas, maria: Employee) -> None:
    response = client_for(personas.intake).get(
        reverse("employee-search"), {"q": "garza"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<table" in body and "Garza" in body
    assert "<html" not in body


def test_the_search_form_works_without_javascript(personas: Personas, maria: Employee) -> None:
    body = client_for(personas.intake).get(reverse("employee-list"), {"q": "garza"}).content.decode()
    assert "<html" in body
    assert f'action="{reverse("employee-list")}"' in body
    assert f'hx-get="{reverse("employee-search")}"' in body
    assert 'for="employee-q"' in body
    assert "Garza" in body


def test_results_are_paged(personas: Personas, org: Org) -> None:
    for n in range(30):
        create_employee(
            actor=personas.admin,
            employee_number=f"P{n:03d}",
            first_name="Pat",
            last_name=f"Page{n:02d}",
            org_unit=org.tucson,
        )
    first = client_for(personas.intake).get(reverse("employee-list"), {"q": "pat"}).content.decode()
    second = (
        client_for(personas.intake).get(reverse("employee-list"), {"q": "pat", "page": "2"}).content.decode()
    )
    assert "Page00" in first and "Page29" not in first
    assert "Page29" in second and "Page00" not in second
    assert "page 2 of 2" in second
    assert "q=pat&amp;page=2" in first


def test_the_date_of_birth_is_shown_to_admins_and_adjudicators_only(
    personas: Personas, adjudicator: User, maria: Employee
) -> None:
    url = reverse("employee-detail", args=[maria.pk])
    for user, shown in (
        (personas.admin, True),
        (adjudicator, True),
        (personas.agent, False),
        (personas.intake, False),
    ):
        body = client_for(user).get(url).content.decode()
        assert ("14 March 1985" in body) is shown, user.username
        assert ("Date of birth" in body) is shown, user.username


def test_viewing_an_employee_is_audited(personas: Personas, maria: Employee) -> None:
    client_for(personas.analyst).get(reverse("employee-detail", args=[maria.pk]))
    (event,) = events(AuditAction.VIEW)
    assert (event.object_id, event.actor_username) == (str(maria.pk), "analyst")
    assert event.detail == {"date_of_birth_shown": False}


def test_a_missing_employee_is_404_and_leaves_no_view(personas: Personas) -> None:
    response = client_for(personas.admin).get(reverse("employee-detail", args=[999999]))
    assert response.status_code == 404
    assert events(AuditAction.VIEW) == []


def test_the_detail_page_shows_position_assignment_and_history(
    personas: Personas, maria: Employee, org: Org
) -> None:
    boss = create_employee(
        actor=personas.admin,
        employee_number="E100300",
        first_name="Ana",
        last_name="Boss",
        org_unit=org.el_paso,
        start_date=dt.date(2010, 1, 1),
    )
    assign_employee(
        actor=personas.admin,
        employee=maria,
        org_unit=org.el_paso,
        supervisor=boss,
        start_date=dt.date(2024, 7, 1),
    )
    body = client_for(personas.supervisor).get(reverse("employee-detail", args=[maria.pk])).content.decode()
    for text in (
        "CBP Officer",
        "1895",
        "GS-12",
        "Active",
        "OPR El Paso",
        "Nogales Port of Entry",
        "Ana Boss",
        "1 Jul 2024",
        "30 Jun 2024",
        reverse("employee-detail", args=[boss.pk]),
    ):
        assert text in body, text
    assert "/admin/" not in body


def test_admins_get_a_link_to_the_administration_site(personas: Personas, maria: Employee) -> None:
    body = client_for(personas.admin).get(reverse("employee-detail", args=[maria.pk])).content.decode()
    assert reverse("admin:core_employee_change", args=[maria.pk]) in body


# --- organisation tree ------------------------------------------------------------------------


def test_the_org_tree_nests_units_with_places_and_counts(
    personas: Personas, maria: Employee, org: Org
) -> None:
    body = client_for(personas.intake).get(reverse("org-tree")).content.decode()
    # personas' recused employee is in Tucson; María is at the Nogales port under it.
    assert (
        body.index("U.S. Customs and Border Protection")
        < body.index("OPR Tucson")
        < body.index("Nogales Port")
    )
    assert "Nogales, AZ" in body
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    assert "Tucson, AZ · OPR-TUC · 1 employee (2 in all)" in text
    assert "Nogales, AZ · POE-NOG · 1 employee" in text
    assert "Office of Professional Responsibility Directorate · OPR · 0 employees (2 in all)" in text


# --- query counts -----------------------------------------------------------------------------


def _grow(org: Org, n: int, start: int) -> None:
    for i in range(start, start + n):
        unit = add_org_unit(
            actor=None,
            code=f"U{i}",
            name=f"Unit {i}",
            kind=OrgUnitKind.STATION,
            parent=org.tucson,
            city="Tucson",
            state="AZ",
        )
        employee = Employee.objects.create(
            employee_number=f"Q{i:04d}", first_name="Quinn", last_name=f"Count{i}"
        )
        EmployeeAssignment.objects.create(employee=employee, org_unit=unit, start_date=dt.date(2020, 1, 1))


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["employee-list", "org-tree"])
def test_the_list_and_the_tree_take_the_same_queries_however_large(
    url_name: str, personas: Personas, org: Org
) -> None:
    client = client_for(personas.intake)
    url = reverse(url_name)
    _grow(org, 2, 0)
    small = _queries(client, url)
    _grow(org, 20, 100)
    assert _queries(client, url) == small


def test_the_directory_list_query_count(
    personas: Personas, org: Org, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _grow(org, 5, 0)
    client = client_for(personas.intake)
    client.get(reverse("employee-list"))  # the session and the audit chain head now exist
    # session, user, roles, count, audit (head lock, insert, head update), the page with its
    # units joined, and the session's renewal (savepoint, update, release)
    with django_assert_num_queries(11):
        client.get(reverse("employee-list"))


def test_the_org_tree_query_count(
    personas: Personas, org: Org, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _grow(org, 5, 0)
    client = client_for(personas.intake)
    client.get(reverse("org-tree"))
    # session, user, roles, every unit with its count, the session's renewal (3)
    with django_assert_num_queries(7):
        client.get(reverse("org-tree"))
