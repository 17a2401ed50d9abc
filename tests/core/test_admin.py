"""The Django admin: every registered page opens, edits are audited, the audit trail is read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from probity.core.models import AuditEvent, Compartment, DeadlineRule, OrgUnit, Role, User
from probity.core.services.users import create_user
from tests.conftest import PASSWORD, Personas


@pytest.fixture
def superuser(personas: Personas) -> User:
    return create_user(
        actor=None,
        username="root",
        password=PASSWORD,
        roles=[Role.ADMINISTRATOR],
        is_staff=True,
        is_superuser=True,
    )


@pytest.mark.parametrize(
    "page",
    [
        "deadlinerule",
        "orgunit",
        "employee",
        "user",
        "compartment",
        "compartmentgrant",
        "auditevent",
    ],
)
def test_each_admin_list_and_form_opens(client: Client, superuser: User, page: str) -> None:
    client.force_login(superuser)
    assert client.get(f"/admin/core/{page}/").status_code == 200
    add = client.get(f"/admin/core/{page}/add/")
    assert add.status_code == (403 if page == "auditevent" else 200)


def test_changing_a_rule_in_the_admin_is_audited_and_keeps_its_code(client: Client, superuser: User) -> None:
    rule = DeadlineRule.objects.get(code="investigation-target")
    client.force_login(superuser)
    response = client.post(
        f"/admin/core/deadlinerule/{rule.pk}/change/",
        {
            "code": "renamed",
            "name": rule.name,
            "description": rule.description,
            "amount": 120,
            "unit": rule.unit,
            "source": rule.source,
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.amount == 120
    assert rule.code == "investigation-target"
    event = AuditEvent.objects.filter(object_type="core.deadlinerule", action="update").get()
    assert event.changes == {"amount": [180, 120]}
    assert event.actor_id == superuser.pk


def test_audit_events_cannot_be_changed_or_deleted_in_the_admin(
    client: Client, superuser: User, personas: Personas
) -> None:
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    client.force_login(superuser)
    page = client.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_changing_a_users_office_scope_in_the_admin_names_both_offices(
    client: Client, superuser: User, personas: Personas
) -> None:
    agent = personas.agent
    el_paso = OrgUnit.objects.get(code="OPR-ELP")
    client.force_login(superuser)
    form = client.get(f"/admin/core/user/{agent.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(
        groups=[group.pk for group in agent.groups.all()],
        user_permissions=[],
        office_scope=el_paso.pk,
        last_login_0="",
        last_login_1="",
        date_joined_0=agent.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=agent.date_joined.strftime("%H:%M:%S"),
        employee="",
    )
    response = client.post(f"/admin/core/user/{agent.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.filter(object_type="core.user", action="update").get()
    assert event.changes["office_scope"] == ["OPR Tucson", "OPR El Paso"]


def test_a_password_set_in_the_admin_is_audited_without_the_password(
    client: Client, superuser: User, personas: Personas
) -> None:
    client.force_login(superuser)
    new = "another-long-passphrase-77"
    response = client.post(
        f"/admin/core/user/{personas.agent.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="core.user", action="update").get()
    assert event.changes == {"password": ["[redacted]", "[redacted]"]}
    assert new not in str(event.detail)


def test_deleting_in_the_admin_records_which_row_was_deleted(client: Client, superuser: User) -> None:
    compartment = Compartment.objects.create(code="temp", name="Temporary")
    client.force_login(superuser)
    response = client.post(f"/admin/core/compartment/{compartment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="delete").get()
    assert (event.object_type, event.object_id, event.object_repr) == (
        "core.compartment",
        str(compartment.pk),
        "Temporary",
    )
