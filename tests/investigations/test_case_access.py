"""Who sees a case: agents only their own cases, supervisors their office subtree, a restricted
case only those granted its compartment, and never anyone named in it. A hidden case is a 404
everywhere (services, API, pages) and leaves no trace in any list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from probity.core import access
from probity.core.models import AuditEvent, Compartment, CompartmentGrant, RecordAssignment, Role, User
from probity.core.services.tokens import create_token
from probity.core.services.users import create_user
from probity.investigations import queries
from probity.investigations.models import Case, CaseStatus, CaseType, PartyRole
from probity.investigations.services import cases as services
from tests.conftest import PASSWORD, Org
from tests.investigations.conftest import MakeCase, Team

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cases"
Api = Callable[..., Any]


def url_of(path: str) -> str:
    """The list by its name (the nested mount decides its trailing slash); the rest below BASE."""
    return reverse("api:list_cases") + path if path[:1] in ("", "?") else BASE + path


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    """api(user)(method, path) → response, with the user's bearer token."""

    def as_user(user: User) -> Api:
        headers = {"Authorization": f"Bearer {create_token(actor=None, user=user, name='tests')[1]}"}

        def call(method: str, path: str, json: Any = None) -> Any:
            url = url_of(path)
            if method == "get":
                return client.get(url, headers=headers)
            return client.post(url, data=json or {}, content_type="application/json", headers=headers)

        return call

    return as_user


def supervisor_of(name: str, scope: Any) -> User:
    return create_user(
        actor=None,
        username=name,
        password=PASSWORD,
        roles=[Role.SUPERVISOR],
        office_scope=scope,
        first_name=name.title(),
        last_name="Test",
    )


def seen(user: User) -> set[int]:
    return set(access.visible(user, Case.objects.all()).values_list("pk", flat=True))


def listed(
    api: Callable[[User], Api], user: User, query: str = "?status=" + ",".join(CaseStatus.values)
) -> Any:
    response = api(user)("get", query)
    assert response.status_code == 200
    return response.json()


def hidden_everywhere(case: Case, user: User, api: Callable[[User], Api], client: Client) -> None:
    """The user gets a 404 from every door and finds no trace of the case in any list."""
    assert not access.can_view(user, case)
    with pytest.raises(Http404):
        services.require_case_worker(user, case)
    with pytest.raises(Http404):
        queries.get_case_for(user, case.pk)
    call = api(user)
    for path in ("", "/parties", "/allegations"):
        response = call("get", f"/{case.pk}{path}")
        assert response.status_code == 404, path
        assert case.number not in response.content.decode()
    before = (Case.objects.values_list("status", "lead_agent_id").get(pk=case.pk), case.parties.count())
    for path, body in (
        ("/transitions", {"target": CaseStatus.INVESTIGATING}),
        ("/reopen", {"reason": "Because"}),
        ("/parties", {"role": PartyRole.WITNESS, "name": "Somebody"}),
        ("/assign", {"agent": user.pk}),
    ):
        response = call("post", f"/{case.pk}{path}", body)
        assert response.status_code == 404, path
    assert (
        Case.objects.values_list("status", "lead_agent_id").get(pk=case.pk),
        case.parties.count(),
    ) == before
    body = listed(api, user)
    assert case.number not in [item["number"] for item in body["items"]]
    assert case.number not in str(body)
    assert case.pk not in {row.pk for row in queries.case_list(user, filters=queries.CaseFilters())}
    client.force_login(user)
    page = client.get(reverse("case-detail", args=[case.pk]))
    assert page.status_code == 404
    assert (
        case.number
        not in client.get(reverse("case-list") + "?status=" + ",".join(CaseStatus.values)).content.decode()
    )
    client.logout()


# Agents


def test_an_agent_sees_only_the_cases_they_lead_or_are_on_the_team_of(
    make_case: MakeCase, team: Team, api: Callable[[User], Api], client: Client
) -> None:
    led, joined, other = (make_case(summary=f"Matter {n}") for n in range(3))
    services.assign_lead(actor=team.supervisor, case=led, agent=team.agent)
    services.assign_lead(actor=team.supervisor, case=joined, agent=team.second_agent)
    services.add_team_member(actor=team.supervisor, case=joined, agent=team.agent)
    services.assign_lead(actor=team.supervisor, case=other, agent=team.second_agent)

    assert seen(team.agent) == {led.pk, joined.pk}
    body = listed(api, team.agent)
    assert sorted(item["number"] for item in body["items"]) == sorted([led.number, joined.number])
    assert body["count"] == 2
    assert api(team.agent)("get", f"/{joined.pk}").status_code == 200
    hidden_everywhere(other, team.agent, api, client)


def test_an_el_paso_agent_cannot_see_a_tucson_case(
    make_case: MakeCase, team: Team, api: Callable[[User], Api], client: Client
) -> None:
    case = make_case()
    services.assign_lead(actor=team.supervisor, case=case, agent=team.agent)

    assert seen(team.el_paso_agent) == set()
    hidden_everywhere(case, team.el_paso_agent, api, client)


def test_an_unassigned_case_is_seen_by_no_agent(make_case: MakeCase, team: Team) -> None:
    case = make_case()

    for agent in (team.agent, team.second_agent, team.el_paso_agent):
        assert case.pk not in seen(agent)


# Supervisors


def test_a_supervisor_sees_the_cases_of_their_office_subtree_only(
    make_case: MakeCase, team: Team, org: Org, api: Callable[[User], Api], client: Client
) -> None:
    tucson_case = make_case()
    el_paso_case = services.open_case_directly(
        actor=team.supervisor,
        office=org.el_paso,
        case_type=CaseType.ADMINISTRATIVE,
        title="Ghost overtime in El Paso",
        reason="Payroll audit referral",
        subjects=[team.witness],
        category_codes=[],
    )
    tucson_supervisor = supervisor_of("sup_tuc", org.tucson)
    el_paso_supervisor = supervisor_of("sup_elp", org.el_paso)

    assert seen(team.supervisor) == {tucson_case.pk, el_paso_case.pk}
    assert seen(tucson_supervisor) == {tucson_case.pk}
    assert seen(el_paso_supervisor) == {el_paso_case.pk}
    assert [item["number"] for item in listed(api, tucson_supervisor)["items"]] == [tucson_case.number]
    hidden_everywhere(el_paso_case, tucson_supervisor, api, client)
    hidden_everywhere(tucson_case, el_paso_supervisor, api, client)


def test_other_roles_see_no_case(make_case: MakeCase, team: Team) -> None:
    make_case()

    for user in (team.intake, team.labor_relations, team.outsider):
        assert seen(user) == set()


# Restricted cases


@pytest.fixture
def restricted(make_case: MakeCase, team: Team) -> tuple[Case, Compartment]:
    """A case in a compartment, with no grants yet. (No service restricts a case after opening;
    intake's compartment normally carries over, so the test sets it on the row.)"""
    case = make_case(summary="Allegation against a port director")
    compartment = Compartment.objects.create(code="senior-officials", name="Senior officials")
    Case.objects.filter(pk=case.pk).update(compartment=compartment)
    case.refresh_from_db()
    return case, compartment


def grant(user: User, compartment: Compartment) -> None:
    CompartmentGrant.objects.create(compartment=compartment, user=user, granted_at=timezone.now())


def test_a_restricted_case_is_hidden_from_a_supervisor_without_a_grant(
    restricted: tuple[Case, Compartment], team: Team, api: Callable[[User], Api], client: Client
) -> None:
    case, _ = restricted

    hidden_everywhere(case, team.supervisor, api, client)
    assert listed(api, team.supervisor, "?restricted=true")["count"] == 0


def test_a_granted_supervisor_sees_a_restricted_case_and_can_filter_on_it(
    restricted: tuple[Case, Compartment], make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    case, compartment = restricted
    plain = make_case(summary="Plain matter")
    grant(team.supervisor, compartment)

    assert seen(team.supervisor) == {case.pk, plain.pk}
    assert [item["number"] for item in listed(api, team.supervisor, "?restricted=true")["items"]] == [
        case.number
    ]
    assert [item["number"] for item in listed(api, team.supervisor, "?restricted=false")["items"]] == [
        plain.number
    ]
    detail = api(team.supervisor)("get", f"/{case.pk}").json()
    assert (detail["restricted"], detail["compartment"]) == (True, "senior-officials")


def test_a_restricted_case_needs_both_a_grant_and_an_assignment_for_an_agent(
    restricted: tuple[Case, Compartment], team: Team, api: Callable[[User], Api], client: Client
) -> None:
    case, compartment = restricted
    grant(team.supervisor, compartment)
    grant(team.agent, compartment)
    grant(team.second_agent, compartment)
    services.assign_lead(actor=team.supervisor, case=case, agent=team.agent)

    assert seen(team.agent) == {case.pk}
    hidden_everywhere(case, team.second_agent, api, client)


def test_a_revoked_grant_hides_the_case_again(
    restricted: tuple[Case, Compartment], team: Team, api: Callable[[User], Api], client: Client
) -> None:
    case, compartment = restricted
    grant(team.supervisor, compartment)
    assert access.can_view(team.supervisor, case)

    CompartmentGrant.objects.filter(user=team.supervisor).update(revoked_at=timezone.now())

    hidden_everywhere(case, team.supervisor, api, client)


# Recusal


def test_an_agent_named_as_a_witness_cannot_open_the_case_even_when_assigned(
    make_case: MakeCase, team: Team, api: Callable[[User], Api], client: Client
) -> None:
    case = make_case(witnesses=(team.witness, team.recused_employee))
    # The assignment service refuses a named agent; give the assignment anyway, as if it had
    # been made before they were named, to show the policy holds whatever the assignment.
    Case.objects.filter(pk=case.pk).update(lead_agent=team.recused_agent)
    RecordAssignment.objects.create(
        user=team.recused_agent,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=case.pk,
        assigned_at=timezone.now(),
    )
    case.refresh_from_db()
    assert case.parties.filter(employee=team.recused_employee, role=PartyRole.WITNESS).exists()

    hidden_everywhere(case, team.recused_agent, api, client)
    with pytest.raises(Http404):
        services.move_case(actor=team.recused_agent, case=case, target=CaseStatus.INVESTIGATING)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED


def test_the_recused_agent_sees_their_other_cases_but_no_trace_of_the_one_naming_them(
    make_case: MakeCase, team: Team, api: Callable[[User], Api]
) -> None:
    theirs = make_case(summary="Their own work")
    services.assign_lead(actor=team.supervisor, case=theirs, agent=team.recused_agent)
    naming = make_case(summary="Naming them", witnesses=(team.recused_employee,))
    RecordAssignment.objects.create(
        user=team.recused_agent,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=naming.pk,
        assigned_at=timezone.now(),
    )
    before = AuditEvent.objects.filter(action="view").count()

    body = listed(api, team.recused_agent)

    assert [item["number"] for item in body["items"]] == [theirs.number]
    assert body["count"] == 1
    assert naming.number not in str(body)
    assert AuditEvent.objects.filter(action="view").count() == before


def test_a_supervisor_named_in_a_case_does_not_see_it(make_case: MakeCase, team: Team, org: Org) -> None:
    named_supervisor = create_user(
        actor=None,
        username="sup_named",
        password=PASSWORD,
        roles=[Role.SUPERVISOR],
        office_scope=org.opr,
        employee=team.witness,
    )
    case = make_case()

    assert case.pk not in seen(named_supervisor)
    with pytest.raises(Http404):
        services.assign_lead(actor=named_supervisor, case=case, agent=team.agent)
