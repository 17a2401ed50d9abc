"""The one access policy: role, office scope, assignment, compartments and recusal; 404 when hidden."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone

from probity.core import access
from probity.core.models import Compartment, CompartmentGrant, RecordAssignment
from tests.conftest import Org, Personas, make_employee
from tests.policyapp.models import Dossier, DossierPerson


def visible_titles(user: object) -> set[str]:
    return set(access.visible(user, Dossier.objects.all()).values_list("title", flat=True))


@pytest.fixture
def dossiers(org: Org, personas: Personas) -> dict[str, Dossier]:
    return {
        "tucson": Dossier.objects.create(title="tucson", office=org.tucson),
        "nogales": Dossier.objects.create(title="nogales", office=org.nogales_port),
        "el_paso": Dossier.objects.create(title="el_paso", office=org.el_paso),
    }


def test_agent_sees_records_in_their_office_subtree_only(
    personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    assert visible_titles(personas.agent) == {"tucson", "nogales"}


def test_agency_wide_role_sees_every_office(personas: Personas, dossiers: dict[str, Dossier]) -> None:
    assert visible_titles(personas.supervisor) == {"tucson", "nogales", "el_paso"}


def test_role_without_access_to_the_kind_sees_nothing(
    personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    assert visible_titles(personas.analyst) == set()
    assert visible_titles(personas.outsider) == set()
    assert visible_titles(personas.admin) == set()


def test_anonymous_and_inactive_users_see_nothing(personas: Personas, dossiers: dict[str, Dossier]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible_titles(AnonymousUser()) == set()
    personas.agent.is_active = False
    assert visible_titles(personas.agent) == set()


def test_explicit_assignment_grants_a_record_outside_scope(
    personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    RecordAssignment.objects.create(
        user=personas.analyst,
        content_type=ContentType.objects.get_for_model(Dossier),
        object_id=dossiers["el_paso"].pk,
        assigned_at=timezone.now(),
    )
    assert visible_titles(personas.analyst) == {"el_paso"}


def test_ended_assignment_no_longer_grants_access(personas: Personas, dossiers: dict[str, Dossier]) -> None:
    RecordAssignment.objects.create(
        user=personas.analyst,
        content_type=ContentType.objects.get_for_model(Dossier),
        object_id=dossiers["el_paso"].pk,
        assigned_at=timezone.now(),
        ended_at=timezone.now(),
    )
    assert visible_titles(personas.analyst) == set()


def test_restricted_record_needs_a_compartment_grant(
    personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    restricted = Compartment.objects.create(code="sensitive-case", name="Sensitive case")
    Dossier.objects.filter(pk=dossiers["tucson"].pk).update(compartment=restricted)
    assert visible_titles(personas.supervisor) == {"nogales", "el_paso"}

    grant = CompartmentGrant.objects.create(
        compartment=restricted, user=personas.supervisor, granted_at=timezone.now()
    )
    assert visible_titles(personas.supervisor) == {"tucson", "nogales", "el_paso"}

    grant.revoked_at = timezone.now()
    grant.save()
    assert "tucson" not in visible_titles(personas.supervisor)


@pytest.mark.parametrize("relation", list(DossierPerson.Relation))
def test_user_linked_to_a_named_employee_is_recused_whatever_the_relation(
    personas: Personas, dossiers: dict[str, Dossier], relation: str
) -> None:
    DossierPerson.objects.create(
        dossier=dossiers["tucson"], employee=personas.recused_employee, relation=relation
    )
    assert visible_titles(personas.recused_agent) == {"nogales"}
    assert visible_titles(personas.agent) == {"tucson", "nogales"}


def test_recusal_beats_assignment_and_compartment_grant(
    personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    restricted = Compartment.objects.create(code="c1", name="C1")
    Dossier.objects.filter(pk=dossiers["tucson"].pk).update(compartment=restricted)
    CompartmentGrant.objects.create(
        compartment=restricted, user=personas.recused_agent, granted_at=timezone.now()
    )
    RecordAssignment.objects.create(
        user=personas.recused_agent,
        content_type=ContentType.objects.get_for_model(Dossier),
        object_id=dossiers["tucson"].pk,
        assigned_at=timezone.now(),
    )
    DossierPerson.objects.create(
        dossier=dossiers["tucson"],
        employee=personas.recused_employee,
        relation=DossierPerson.Relation.SUBJECT,
    )
    assert "tucson" not in visible_titles(personas.recused_agent)


def test_recusal_only_hides_records_naming_that_employee(
    org: Org, personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    colleague = make_employee("E900002", "Carl", "Colleague", org.tucson)
    DossierPerson.objects.create(dossier=dossiers["tucson"], employee=colleague, relation="subject")
    assert visible_titles(personas.recused_agent) == {"tucson", "nogales"}


def test_get_for_hidden_or_missing_record_raises_404_alike(
    personas: Personas, dossiers: dict[str, Dossier]
) -> None:
    with pytest.raises(Http404):
        access.get_for(personas.agent, Dossier.objects.all(), pk=dossiers["el_paso"].pk)
    with pytest.raises(Http404):
        access.get_for(personas.agent, Dossier.objects.all(), pk=999_999)
    with pytest.raises(Http404):
        access.get_for(personas.agent, Dossier.objects.all(), pk="not-a-number")
    assert access.get_for(personas.agent, Dossier.objects.all(), pk=dossiers["tucson"].pk).title == "tucson"


def test_can_view_agrees_with_visible(personas: Personas, dossiers: dict[str, Dossier]) -> None:
    assert access.can_view(personas.agent, dossiers["nogales"])
    assert not access.can_view(personas.agent, dossiers["el_paso"])


def test_unregistered_model_is_a_programming_error(personas: Personas) -> None:
    from probity.core.models import StoredFile

    with pytest.raises(LookupError):
        access.visible(personas.agent, StoredFile.objects.all())


def test_visible_is_one_query(
    personas: Personas, dossiers: dict[str, Dossier], django_assert_num_queries: object
) -> None:
    user = personas.recused_agent
    _ = user.roles, user.office_scope  # loaded once per request in practice
    ContentType.objects.get_for_model(Dossier)
    with django_assert_num_queries(1):  # type: ignore[operator]
        list(access.visible(user, Dossier.objects.all()))
