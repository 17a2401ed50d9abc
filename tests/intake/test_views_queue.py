"""The Joint Intake Center's queue screen: filters, sorting, paging, counts, bulk assignment,
the dashboard panels, and never a hidden allegation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from probity.core.models import AuditAction, AuditEvent
from probity.intake.models import Allegation, AllegationStatus, Channel
from probity.intake.services import triage
from probity.intake.services.record import PersonInput
from tests.conftest import Org
from tests.intake.conftest import MakeAllegation, Staff, assign_record, bring_to

S = AllegationStatus
QUEUE = "/intake/"
NUMBER = re.compile(r"JIC-\d{4}-\d{6}")


def numbers_on(response: object) -> list[str]:
    """Allegation numbers in the order the table lists them."""
    body = response.content.decode()  # type: ignore[attr-defined]
    table = body[body.find("<table") : body.find("</table>")]
    return list(dict.fromkeys(NUMBER.findall(table)))


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


# Who may see the queue


@pytest.mark.parametrize("who", ["agent", "recused_agent", "outsider"])
def test_roles_without_the_queue_get_404_even_with_an_assigned_allegation(
    client: Client, staff: Staff, make_allegation: MakeAllegation, who: str
) -> None:
    user = getattr(staff, who)
    assign_record(user, make_allegation())
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH).count()

    response = signed_in(client, user).get(QUEUE)

    assert response.status_code == 404
    assert NUMBER.search(response.content.decode()) is None
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH).count() == searches


def test_anonymous_visitor_is_sent_to_sign_in(client: Client, staff: Staff) -> None:
    response = client.get(QUEUE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_queue_never_shows_an_allegation_naming_the_recused_specialist(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    naming = make_allegation(summary="Names the specialist", subjects=(staff.recused_intake_employee,))
    other = make_allegation(summary="Someone else")

    response = signed_in(client, staff.recused_intake).get(QUEUE)

    assert response.status_code == 200
    assert numbers_on(response) == [other.number]
    assert naming.number not in response.content.decode()
    assert "Names the specialist" not in response.content.decode()


def test_supervisor_sees_only_their_office_subtree(
    client: Client, staff: Staff, org: Org, make_allegation: MakeAllegation
) -> None:
    staff.supervisor.office_scope = org.tucson
    staff.supervisor.save()
    nogales = make_allegation(office_id=org.nogales_port.pk)
    el_paso = make_allegation(office_id=org.el_paso.pk)

    response = signed_in(client, staff.supervisor).get(QUEUE)

    assert numbers_on(response) == [nogales.number]
    assert el_paso.number not in response.content.decode()


# Filters, sorting, paging


def test_filters_narrow_the_queue(
    client: Client, staff: Staff, org: Org, make_allegation: MakeAllegation
) -> None:
    phone = make_allegation(channel=Channel.PHONE, category_codes=["excessive-force"])
    email = make_allegation(channel=Channel.EMAIL, office_id=org.el_paso.pk)
    prea = make_allegation(channel=Channel.MAIL, category_codes=["sexual-abuse"])
    triaged = bring_to(make_allegation(channel=Channel.WALK_IN), S.TRIAGED, staff)
    triage.assign(actor=staff.intake, allegations=[email], assignee=staff.intake)
    signed_in(client, staff.intake)

    def shown(query: str) -> set[str]:
        return set(numbers_on(client.get(QUEUE + query)))

    assert shown("") == {phone.number, email.number, prea.number, triaged.number}
    assert shown("?status=triaged") == {triaged.number}
    assert shown("?status=received&status=triaged") == {
        phone.number,
        email.number,
        prea.number,
        triaged.number,
    }
    assert shown("?channel=email") == {email.number}
    assert shown("?category=excessive-force") == {phone.number}
    assert shown(f"?office={org.el_paso.pk}") == {email.number}
    assert shown(f"?office={org.tucson.pk}") == {phone.number, prea.number, triaged.number}
    assert shown("?prea=true") == {prea.number}
    assert shown("?use_of_force=true") == {phone.number}
    assert shown("?prea=false&use_of_force=false") == {email.number, triaged.number}
    assert shown("?assigned=me") == {email.number}
    assert shown("?assigned=unassigned") == {phone.number, prea.number, triaged.number}
    assert shown(f"?q={phone.number}") == {phone.number}


def test_age_filter_counts_from_receipt(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    now = timezone.now()
    old = make_allegation(received_at=now - dt.timedelta(days=45))
    recent = make_allegation(received_at=now - dt.timedelta(days=2))
    signed_in(client, staff.intake)

    assert numbers_on(client.get(QUEUE + "?age=over_30")) == [old.number]
    assert numbers_on(client.get(QUEUE + "?age=under_7")) == [recent.number]


def test_an_unusable_filter_is_ignored_and_explained(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = signed_in(client, staff.intake).get(QUEUE + "?status=bogus&prea=maybe")

    assert response.status_code == 200
    assert numbers_on(response) == [allegation.number]
    body = response.content.decode()
    assert "Ignored the unknown status &#x27;bogus&#x27;." in body
    assert "Ignored prea=&#x27;maybe&#x27;: use true or false." in body


def test_sorting_by_age_and_by_seriousness(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    now = timezone.now()
    oldest = make_allegation(received_at=now - dt.timedelta(days=9))
    middle = make_allegation(received_at=now - dt.timedelta(days=5))
    newest = make_allegation(received_at=now - dt.timedelta(days=1))
    triage.triage(actor=staff.intake, allegation=newest, seriousness="criminal")
    triage.triage(actor=staff.intake, allegation=oldest, seriousness="minor_administrative")
    signed_in(client, staff.intake)

    assert numbers_on(client.get(QUEUE)) == [oldest.number, middle.number, newest.number]
    assert numbers_on(client.get(QUEUE + "?sort=newest")) == [newest.number, middle.number, oldest.number]
    # Criminal first, untriaged last.
    assert numbers_on(client.get(QUEUE + "?sort=seriousness")) == [
        newest.number,
        oldest.number,
        middle.number,
    ]


def test_the_queue_pages_by_fifty(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    now = timezone.now()
    made = [make_allegation(received_at=now - dt.timedelta(minutes=60 - i)) for i in range(52)]
    signed_in(client, staff.intake)

    first = client.get(QUEUE)
    second = client.get(QUEUE + "?page=2")

    assert numbers_on(first) == [a.number for a in made[:50]]
    assert numbers_on(second) == [a.number for a in made[50:]]
    assert "52 allegations, page 1 of 2." in first.content.decode()
    assert 'href="/intake/?page=2"' in first.content.decode()


def test_the_filter_form_updates_the_table_by_htmx(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    phone = make_allegation(channel=Channel.PHONE)
    make_allegation(channel=Channel.EMAIL)
    signed_in(client, staff.intake)

    full = client.get(QUEUE).content.decode()
    partial = client.get(QUEUE + "?channel=phone", headers={"HX-Request": "true"})

    assert (
        'hx-get="/intake/"' in full and 'hx-target="#queue-results"' in full and 'hx-push-url="true"' in full
    )
    assert '<div id="queue-results" aria-live="polite">' in full
    assert "<h1" not in partial.content.decode()
    assert numbers_on(partial) == [phone.number]
    assert "HX-Request" in partial["Vary"]
    # The partial carries the return address of the bulk form, filters included.
    assert 'name="next" value="/intake/?channel=phone"' in partial.content.decode()


def test_each_look_at_the_queue_is_audited_with_its_filters(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    make_allegation(channel=Channel.PHONE)

    signed_in(client, staff.intake).get(QUEUE + "?channel=phone")

    event = AuditEvent.objects.filter(action=AuditAction.SEARCH, actor_id=staff.intake.pk).latest("seq")
    assert event.object_type == "intake.allegation"
    assert event.detail["filters"]["channel"] == "phone"
    assert event.detail["results"] == 1


# Counts at a glance and overdue OIG answers


def test_counts_at_a_glance_and_an_overdue_oig_answer_marked_in_words(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        referred = bring_to(make_allegation(summary="Referred"), S.OIG_PENDING, staff)
        make_allegation(summary="Fresh")
    with time_machine.travel(start + dt.timedelta(days=30), tick=False):
        response = signed_in(client, staff.intake).get(QUEUE)

    body = response.content.decode()
    assert re.search(
        r"OIG answers overdue</h3>\s*</div>\s*<div class=\"usa-card__body\">\s*<p[^>]*>\s*1\b", body
    )
    assert re.search(
        r"Received, not triaged</h3>\s*</div>\s*<div class=\"usa-card__body\">\s*<p[^>]*>\s*1\b", body
    )
    row = body[body.find(referred.number) :]
    assert "OIG answer overdue" in row[: row.find("</tr>")]


# Bulk assignment


def test_bulk_assignment_assigns_every_selected_allegation(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    first, second, untouched = make_allegation(), make_allegation(), make_allegation()

    response = signed_in(client, staff.supervisor).post(
        "/intake/assign",
        {"allegations": [first.pk, second.pk], "assignee": staff.intake.pk, "next": "/intake/?channel=phone"},
        follow=True,
    )

    assert response.redirect_chain == [("/intake/?channel=phone", 302)]
    assert "Assigned 2 allegations to Intake Persona." in response.content.decode()
    assigned = dict(Allegation.objects.values_list("pk", "assigned_to_id"))
    assert assigned == {first.pk: staff.intake.pk, second.pk: staff.intake.pk, untouched.pk: None}


def test_bulk_assignment_with_a_hidden_allegation_assigns_nothing(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    visible = make_allegation()
    hidden = make_allegation(subjects=(staff.recused_intake_employee,))
    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE).count()

    response = signed_in(client, staff.recused_intake).post(
        "/intake/assign", {"allegations": [visible.pk, hidden.pk], "assignee": staff.intake.pk}, follow=True
    )

    assert response.status_code == 200
    assert "nothing was assigned" in response.content.decode()
    assert hidden.number not in response.content.decode()
    assert not Allegation.objects.filter(assigned_to__isnull=False).exists()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == updates


def test_bulk_assignment_to_someone_who_may_not_see_it_is_refused_with_the_reason(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    naming = make_allegation(subjects=(staff.recused_intake_employee,))

    response = signed_in(client, staff.intake).post(
        "/intake/assign", {"allegations": [naming.pk], "assignee": staff.recused_intake.pk}, follow=True
    )

    assert f"Nothing was assigned: recused_intake may not see {naming.number}" in response.content.decode()
    assert Allegation.objects.get(pk=naming.pk).assigned_to is None


def test_bulk_assignment_without_a_selection_or_an_assignee_says_so(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    make_allegation()

    response = signed_in(client, staff.intake).post("/intake/assign", {}, follow=True)

    body = response.content.decode()
    assert "Select at least one allegation to assign." in body
    assert "Choose the intake specialist to assign to." in body
    assert not Allegation.objects.filter(assigned_to__isnull=False).exists()


def test_an_agent_cannot_bulk_assign(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()
    assign_record(staff.agent, allegation)

    response = signed_in(client, staff.agent).post(
        "/intake/assign", {"allegations": [allegation.pk], "assignee": staff.intake.pk}
    )

    assert response.status_code == 404
    assert Allegation.objects.get(pk=allegation.pk).assigned_to is None


def test_bulk_assignment_never_redirects_off_the_queue(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = signed_in(client, staff.intake).post(
        "/intake/assign",
        {"allegations": [allegation.pk], "assignee": staff.intake.pk, "next": "https://evil.example/intake/"},
    )

    assert response["Location"] == "/intake/"


# Query counts


def _queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_costs_the_same_queries_for_three_rows_or_thirty(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    employee = staff.recused_employee
    for _ in range(3):
        make_allegation(subjects=(employee,), category_codes=["theft-embezzlement"])
    signed_in(client, staff.intake)
    client.get(QUEUE)  # warm the content-type cache
    few = _queries_for(client, QUEUE)

    for _ in range(27):
        make_allegation(
            subjects=(employee,),
            category_codes=["theft-embezzlement", "excessive-force"],
            people=(PersonInput(role="witness", name="A witness"),),
        )
    many = _queries_for(client, QUEUE)

    assert few == many
    assert many <= 20


# Dashboard and navigation


def test_the_intake_dashboard_panel_shows_counts_mine_and_overdue_answers(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        mine = make_allegation(summary="Mine to work")
        triage.assign(actor=staff.intake, allegations=[mine], assignee=staff.intake)
        late = bring_to(make_allegation(summary="Waiting on OIG"), S.OIG_PENDING, staff)
    with time_machine.travel(start + dt.timedelta(days=30), tick=False):
        body = signed_in(client, staff.intake).get("/").content.decode()

    assert "Intake queue" in body
    assert "Assigned to me (1)" in body and mine.number in body
    assert "OIG answers overdue (1)" in body and late.number in body
    assert 'href="/intake/new/"' in body  # navigation: Record allegation


def test_the_supervisor_panel_lists_closures_awaiting_approval(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    closing = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)

    body = signed_in(client, staff.supervisor).get("/").content.decode()

    assert "Closures awaiting approval" in body
    assert closing.number in body
    assert 'href="/intake/"' in body
    assert 'href="/intake/new/"' not in body  # recording is in the intake specialist's menu


def test_other_roles_see_neither_panel_nor_navigation(client: Client, staff: Staff) -> None:
    body = signed_in(client, staff.agent).get("/").content.decode()

    assert 'href="/intake/"' not in body
    assert "Closures awaiting approval" not in body
