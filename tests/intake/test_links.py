"""Linking allegations as one incident, unlinking, dismissing suggestions: services and their two views."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from probity.core.models import AuditEvent, Employee, OrgUnit, Role, User
from probity.core.services.users import create_user
from probity.intake import duplicates
from probity.intake.models import Allegation, AllegationGroup, Channel, DuplicateSuggestion, SuggestionStatus
from probity.intake.services.links import dismiss_suggestion, link_allegations, unlink_allegation
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from tests.conftest import PASSWORD, Org, Personas, make_employee

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def diaz(org: Org) -> Employee:
    return make_employee("E104233", "Daniel", "Diaz", org.nogales_port, law_enforcement=True)


@pytest.fixture
def witness(org: Org) -> Employee:
    return make_employee("E300003", "Wendy", "Witness", org.nogales_port)


@pytest.fixture
def recused_intake(witness: Employee) -> User:
    """An intake specialist who is a witness in some allegations, and so recused from them."""
    return create_user(
        actor=None, username="recused-intake", password=PASSWORD, roles=[Role.INTAKE], employee=witness
    )


def allegation(
    personas: Personas, *people: PersonInput, summary: str = "Cash taken at secondary"
) -> Allegation:
    """One allegation at the Nogales port (inside the supervisor's scope) on DAY, not yet matched."""
    port = OrgUnit.objects.get(code="POE-NOG")
    with duplicates.suspended():
        return record_allegation(
            actor=personas.intake,
            data=AllegationInput(
                channel=Channel.PHONE, summary=summary, incident_date=DAY, office_id=port.pk, people=people
            ),
        )


def named(employee: Employee, role: str = "subject") -> PersonInput:
    return PersonInput(role=role, employee_id=employee.pk)


def suggestion_between(newer: Allegation, older: Allegation) -> DuplicateSuggestion:
    created = duplicates.suggest_for(newer)
    return next(s for s in created if {s.allegation_id, s.candidate_id} == {newer.pk, older.pk})


def events_on(obj: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


def group_of(pk: int) -> int | None:
    return Allegation.objects.values_list("group_id", flat=True).get(pk=pk)


# Services


def test_linking_two_allegations_puts_both_in_a_new_group_and_audits_both(
    personas: Personas, diaz: Employee
) -> None:
    first = allegation(personas, named(diaz))
    second = allegation(personas, named(diaz))
    suggestion = suggestion_between(second, first)

    group = link_allegations(actor=personas.intake, allegation=first, other=second, suggestion=suggestion)

    assert group_of(first.pk) == group_of(second.pk) == group.pk
    assert group.created_by == personas.intake
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.LINKED, personas.intake)
    for linked in (first, second):
        (event,) = [e for e in events_on(linked) if e.changes.get("group")]
        assert event.changes["group"] == [None, group.pk]
        assert event.actor_id == personas.intake.pk
        assert event.detail["linked"] == [first.number, second.number]
    assert [e.changes for e in events_on(suggestion) if e.action == "transition"] == [
        {"status": ["suggested", "linked"]}
    ]


def test_linking_merges_two_groups_so_every_member_moves_together(personas: Personas, diaz: Employee) -> None:
    a, b, c, d = (allegation(personas, named(diaz)) for _ in range(4))
    first_group = link_allegations(actor=personas.supervisor, allegation=a, other=b)
    second_group = link_allegations(actor=personas.supervisor, allegation=c, other=d)
    pending = suggestion_between(d, a)  # now inside the merged group: resolved by the merge

    group = link_allegations(actor=personas.intake, allegation=b, other=c)

    assert group.pk == min(first_group.pk, second_group.pk)
    assert {group_of(x.pk) for x in (a, b, c, d)} == {group.pk}
    pending.refresh_from_db()
    assert pending.status == SuggestionStatus.LINKED
    for moved in (c, d):
        assert events_on(moved)[0].changes == {"group": [second_group.pk, group.pk]}


def test_linking_needs_both_allegations_visible_else_404_and_nothing_written(
    personas: Personas, diaz: Employee, witness: Employee, recused_intake: User
) -> None:
    seen = allegation(personas, named(diaz))
    hidden = allegation(personas, named(diaz), named(witness, "witness"))
    events_before = AuditEvent.objects.count()

    with pytest.raises(Http404):
        link_allegations(actor=recused_intake, allegation=seen, other=hidden)

    assert group_of(seen.pk) is None and group_of(hidden.pk) is None
    assert AllegationGroup.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_joining_a_group_that_holds_an_allegation_the_actor_may_not_see_is_refused(
    personas: Personas, diaz: Employee, witness: Employee, recused_intake: User
) -> None:
    seen, also_seen = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    hidden = allegation(personas, named(diaz), named(witness, "witness"))
    link_allegations(actor=personas.intake, allegation=also_seen, other=hidden)

    with pytest.raises(ValidationError, match="linked to others you may not see"):
        link_allegations(actor=recused_intake, allegation=seen, other=also_seen)

    assert group_of(seen.pk) is None


@pytest.mark.parametrize("persona", ["agent", "analyst", "outsider"])
def test_only_intake_and_supervisors_link(persona: str, personas: Personas, diaz: Employee) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))

    with pytest.raises(PermissionDenied):
        link_allegations(actor=getattr(personas, persona), allegation=first, other=second)

    assert AllegationGroup.objects.count() == 0


def test_an_allegation_cannot_be_linked_to_itself(personas: Personas, diaz: Employee) -> None:
    first = allegation(personas, named(diaz))
    with pytest.raises(ValidationError, match="itself"):
        link_allegations(actor=personas.intake, allegation=first, other=first)


def test_a_suggestion_about_another_pair_is_refused(personas: Personas, diaz: Employee) -> None:
    a, b, c = (allegation(personas, named(diaz)) for _ in range(3))
    about_a_and_b = suggestion_between(b, a)

    with pytest.raises(ValidationError, match="not about these two"):
        link_allegations(actor=personas.intake, allegation=a, other=c, suggestion=about_a_and_b)

    assert AllegationGroup.objects.count() == 0


def test_unlinking_the_last_pair_dissolves_the_group_and_audits_both(
    personas: Personas, diaz: Employee
) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    group = link_allegations(actor=personas.intake, allegation=first, other=second)

    unlink_allegation(actor=personas.intake, allegation=first)

    assert group_of(first.pk) is None and group_of(second.pk) is None
    for member in (first, second):
        assert events_on(member)[0].changes == {"group": [group.pk, None]}


def test_unlinking_one_of_three_keeps_the_other_two_together(personas: Personas, diaz: Employee) -> None:
    a, b, c = (allegation(personas, named(diaz)) for _ in range(3))
    group = link_allegations(actor=personas.intake, allegation=a, other=b)
    link_allegations(actor=personas.intake, allegation=b, other=c)

    unlink_allegation(actor=personas.supervisor, allegation=c)

    assert (group_of(a.pk), group_of(b.pk), group_of(c.pk)) == (group.pk, group.pk, None)
    with pytest.raises(ValidationError, match="not linked"):
        unlink_allegation(actor=personas.supervisor, allegation=c)


def test_dismissing_records_the_decision_once_and_audits_it(personas: Personas, diaz: Employee) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    suggestion = suggestion_between(second, first)

    dismiss_suggestion(actor=personas.intake, suggestion=suggestion)

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.DISMISSED, personas.intake)
    assert suggestion.decided_at is not None
    assert [e.changes for e in events_on(suggestion) if e.action == "transition"] == [
        {"status": ["suggested", "dismissed"]}
    ]
    assert events_on(first)[0].detail == {
        "dismissed_suggestion": suggestion.pk,
        "not_linked_with": second.number,
    }
    with pytest.raises(ValidationError, match="already dismissed"):
        dismiss_suggestion(actor=personas.intake, suggestion=suggestion)


def test_dismissing_a_suggestion_about_a_hidden_allegation_is_404_and_writes_nothing(
    personas: Personas, diaz: Employee, witness: Employee, recused_intake: User
) -> None:
    seen = allegation(personas, named(diaz))
    hidden = allegation(personas, named(diaz), named(witness, "witness"))
    suggestion = suggestion_between(hidden, seen)
    events_before = AuditEvent.objects.count()

    with pytest.raises(Http404):
        dismiss_suggestion(actor=recused_intake, suggestion=suggestion)

    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUGGESTED
    assert AuditEvent.objects.count() == events_before


# Views


def signed_in(user: User, *, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def test_link_view_without_htmx_links_and_returns_to_the_allegation_with_a_message(
    personas: Personas, diaz: Employee
) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    suggestion = suggestion_between(second, first)

    response = signed_in(personas.intake).post(
        reverse("allegation-link", args=[first.pk, suggestion.pk]), follow=True
    )

    assert response.redirect_chain[0] == (reverse("allegation-detail", args=[first.pk]), 302)
    assert group_of(first.pk) == group_of(second.pk) is not None
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith(f"Linked {first.number} with {second.number}: they are one incident")


def test_link_view_with_htmx_answers_the_refreshed_suggestions(personas: Personas, diaz: Employee) -> None:
    a, b, c = (allegation(personas, named(diaz)) for _ in range(3))
    duplicates.suggest_for(b)
    duplicates.suggest_for(c)
    to_b = DuplicateSuggestion.objects.get(allegation=b, candidate=a)

    response = signed_in(personas.intake).post(
        reverse("allegation-link", args=[a.pk, to_b.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="allegation-suggestions"' in html
    assert f"Linked {a.number} with {b.number}" in html
    assert c.number in html  # still to decide
    assert reverse("allegation-link", args=[a.pk, to_b.pk]) not in html


def test_dismiss_view_with_htmx_removes_the_suggestion(personas: Personas, diaz: Employee) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    suggestion = suggestion_between(second, first)

    response = signed_in(personas.supervisor).post(
        reverse("allegation-dismiss", args=[second.pk, suggestion.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Dismissed: {first.number} will not be suggested with {second.number} again." in html
    assert "No possible duplicates awaiting a decision." in html
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED


def test_deciding_twice_shows_a_clear_message_not_an_error_page(personas: Personas, diaz: Employee) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    suggestion = suggestion_between(second, first)
    client = signed_in(personas.intake)
    url = reverse("allegation-dismiss", args=[first.pk, suggestion.pk])
    client.post(url)

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "This suggestion was already dismissed." in response.content.decode()


def test_views_answer_404_for_a_hidden_allegation_and_write_nothing(
    personas: Personas, diaz: Employee, witness: Employee, recused_intake: User
) -> None:
    seen = allegation(personas, named(diaz))
    hidden = allegation(personas, named(diaz), named(witness, "witness"))
    suggestion = suggestion_between(hidden, seen)
    client = signed_in(recused_intake)
    events_before = AuditEvent.objects.count()

    for name in ("allegation-link", "allegation-dismiss"):
        for pk in (seen.pk, hidden.pk):
            response = client.post(reverse(name, args=[pk, suggestion.pk]), headers={"HX-Request": "true"})
            assert response.status_code == 404
            assert hidden.number not in response.content.decode()

    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUGGESTED
    assert group_of(seen.pk) is None
    assert AuditEvent.objects.count() == events_before


def test_a_suggestion_of_another_allegation_is_404(personas: Personas, diaz: Employee) -> None:
    a, b, c = (allegation(personas, named(diaz)) for _ in range(3))
    about_a_and_b = suggestion_between(b, a)

    response = signed_in(personas.intake).post(reverse("allegation-link", args=[c.pk, about_a_and_b.pk]))

    assert response.status_code == 404
    assert AllegationGroup.objects.count() == 0


def test_views_take_only_post_with_a_csrf_token(personas: Personas, diaz: Employee) -> None:
    first, second = allegation(personas, named(diaz)), allegation(personas, named(diaz))
    suggestion = suggestion_between(second, first)
    url = reverse("allegation-link", args=[first.pk, suggestion.pk])

    assert signed_in(personas.intake).get(url).status_code == 405
    assert signed_in(personas.intake, enforce_csrf=True).post(url).status_code == 403
    assert Client().post(url).status_code == 302  # to sign-in
    assert group_of(first.pk) is None
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUGGESTED


def test_the_partial_escapes_text_and_offers_decisions_only_to_deciders(
    personas: Personas, diaz: Employee
) -> None:
    first = allegation(personas, named(diaz), summary="<script>alert(1)</script>")
    second = allegation(personas, named(diaz))
    suggestion_between(second, first)

    shown = duplicates.visible_suggestions(personas.intake, second)
    html = render_to_string("intake/staff/_suggestions.html", {"allegation": second, "suggestions": shown})

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "same subject employee (E104233)" in html
    assert "76%" in html
    assert reverse("allegation-link", args=[second.pk, shown[0].suggestion.pk]) in html

    # An agent assigned to both sees the suggestion but may not decide it.
    Allegation.objects.filter(pk__in=[first.pk, second.pk]).update(assigned_to=personas.agent)
    shown = duplicates.visible_suggestions(personas.agent, second)
    html = render_to_string("intake/staff/_suggestions.html", {"allegation": second, "suggestions": shown})
    assert [item.other.pk for item in shown] == [first.pk]
    assert "allegation-link" not in html and "/link" not in html
