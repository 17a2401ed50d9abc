"""The auditor's audit-trail screens: search, page, read one event, start a chain check."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from probity.core import audit
from probity.core.models import AuditAction, AuditEvent, AuditOutcome, TaskProgress
from tests.conftest import Personas

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
LIST = reverse("audit-events")


@pytest.fixture
def auditor_client(client: Client, personas: Personas) -> Client:
    client.force_login(personas.auditor)
    return client


def seqs_on(response: Any) -> list[int]:
    return [int(seq) for seq in re.findall(r'href="/audit/(\d+)/"', response.content.decode())]


def searches() -> int:
    return AuditEvent.objects.filter(action=AuditAction.SEARCH).count()


def test_auditor_sees_the_newest_events_first_with_links_to_each(auditor_client: Client) -> None:
    newest = audit.record(
        AuditAction.EXPORT, object_type="tests.report", object_id="7", object_repr="Report 7"
    )

    response = auditor_client.get(LIST)

    assert response.status_code == 200
    shown = seqs_on(response)
    assert shown == sorted(shown, reverse=True)
    assert shown[0] == newest.seq + 1  # this search itself is the newest event
    assert "tests.report:7" in response.content.decode()
    assert reverse("audit-event-detail", args=[newest.seq]) in response.content.decode()


@pytest.mark.parametrize("persona", ["admin", "agent", "supervisor", "outsider"])
def test_everyone_but_an_auditor_gets_404_and_leaves_no_search(
    client: Client, personas: Personas, persona: str
) -> None:
    client.force_login(getattr(personas, persona))
    before = searches()

    listing = client.get(LIST, {"person": "auditor"})
    detail = client.get(reverse("audit-event-detail", args=[1]))

    assert (listing.status_code, detail.status_code) == (404, 404)
    assert b"/audit/1/" not in listing.content
    assert searches() == before
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="core.auditevent").exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_searching_records_a_search_event_with_the_criteria(
    auditor_client: Client, personas: Personas
) -> None:
    auditor_client.get(LIST, {"person": "Agent", "action": "view", "object_type": "tests.dossier"})

    event = AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("-seq").first()
    assert event is not None
    assert event.actor_id == personas.auditor.pk
    assert event.object_type == "core.auditevent"
    assert event.detail == {
        "channel": "web",
        "filters": {"person": "Agent", "action": "view", "object_type": "tests.dossier"},
    }


def test_filters_by_person_object_action_and_outcome(auditor_client: Client, personas: Personas) -> None:
    wanted = audit.record(AuditAction.VIEW, actor=personas.agent, object_type="tests.dossier", object_id="41")
    audit.record(AuditAction.VIEW, actor=personas.agent, object_type="tests.dossier", object_id="42")
    audit.record(AuditAction.VIEW, actor=personas.intake, object_type="tests.dossier", object_id="41")
    audit.record(AuditAction.UPDATE, actor=personas.agent, object_type="tests.dossier", object_id="41")
    denied = audit.record(
        AuditAction.VIEW,
        actor=personas.agent,
        object_type="tests.dossier",
        object_id="41",
        outcome=AuditOutcome.DENIED,
    )
    query = {"person": "AGENT", "object_type": "tests.dossier", "object_id": "41", "action": "view"}

    everything = auditor_client.get(LIST, query)
    only_denied = auditor_client.get(LIST, {**query, "outcome": "denied"})

    assert seqs_on(everything) == [denied.seq, wanted.seq]
    assert seqs_on(only_denied) == [denied.seq]


def test_dates_are_whole_days_in_the_agency_time_zone(auditor_client: Client) -> None:
    # 03:30 UTC on 10 March is still the evening of 9 March in New York (EST); 03:59 UTC on
    # 11 March is the last minute of 10 March there (EDT, since that morning).
    with time_machine.travel(dt.datetime(2024, 3, 10, 3, 30, tzinfo=dt.UTC), tick=False):
        evening_before = audit.record(AuditAction.EXPORT, object_id="late")
    with time_machine.travel(dt.datetime(2024, 3, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        that_day = audit.record(AuditAction.EXPORT, object_id="day")
    with time_machine.travel(dt.datetime(2024, 3, 11, 3, 59, tzinfo=dt.UTC), tick=False):
        end_of_day = audit.record(AuditAction.EXPORT, object_id="end")

    response = auditor_client.get(
        LIST, {"action": "export", "date_from": "2024-03-10", "date_to": "2024-03-10"}
    )
    before = auditor_client.get(LIST, {"action": "export", "date_to": "2024-03-09"})

    assert seqs_on(response) == [end_of_day.seq, that_day.seq]
    assert seqs_on(before) == [evening_before.seq]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "last tuesday"}, "Enter a valid date."),
        (
            {"date_from": "2024-05-02", "date_to": "2024-05-01"},
            "The to date must not be before the from date.",
        ),
        ({"action": "delete-everything"}, "Select a valid choice."),
        ({"before": "-4"}, "The page link is not valid"),
        ({"person": "x" * 151}, "Ensure this value has at most 150 characters"),
    ],
)
def test_bad_criteria_are_explained_and_nothing_is_searched(
    auditor_client: Client, query: dict[str, str], message: str
) -> None:
    before = searches()

    response = auditor_client.get(LIST, query)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert seqs_on(response) == []
    assert searches() == before


def test_pages_of_fifty_move_older_and_back_newer(auditor_client: Client) -> None:
    audit.record_many([audit.EventSpec(action=AuditAction.EXPORT, object_id=str(n)) for n in range(120)])
    exports = list(
        AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("-seq").values_list("seq", flat=True)
    )

    first = auditor_client.get(LIST, {"action": "export"})
    assert seqs_on(first) == exports[:50]
    older_link = re.search(r'href="\?([^"]*before=\d+[^"]*)"', first.content.decode())
    assert older_link is not None
    assert "Newer events" not in first.content.decode()

    second = auditor_client.get(f"{LIST}?{older_link.group(1).replace('&amp;', '&')}")
    assert seqs_on(second) == exports[50:100]

    third = auditor_client.get(LIST, {"action": "export", "before": str(exports[99])})
    assert seqs_on(third) == exports[100:]
    assert "Older events" not in third.content.decode()

    back = auditor_client.get(LIST, {"action": "export", "after": str(exports[100])})
    assert seqs_on(back) == exports[50:100]


def test_the_list_runs_a_fixed_number_of_queries_however_long_the_trail(
    auditor_client: Client, django_assert_num_queries: Any
) -> None:
    audit.record_many([audit.EventSpec(action=AuditAction.VIEW, object_id=str(n)) for n in range(5)])
    # session, user, roles; the search event (head, insert, head update); one page of events;
    # the session renewal (savepoint, update, release). No COUNT(*).
    with django_assert_num_queries(10):
        auditor_client.get(LIST)
    audit.record_many([audit.EventSpec(action=AuditAction.VIEW, object_id=str(n)) for n in range(200)])
    with django_assert_num_queries(10):
        response = auditor_client.get(LIST)
    assert len(seqs_on(response)) == 50


def test_the_detail_shows_changes_detail_and_hashes_and_records_the_view(
    auditor_client: Client, personas: Personas
) -> None:
    event = audit.record(
        AuditAction.UPDATE,
        actor=personas.admin,
        object_type="core.user",
        object_id=str(personas.agent.pk),
        object_repr="agent",
        changes={"office_scope": ["OPR-TUC", "OPR-ELP"]},
        detail={"reason": "transfer"},
    )

    response = auditor_client.get(reverse("audit-event-detail", args=[event.seq]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "office_scope" in html
    assert "&quot;OPR-TUC&quot;" in html
    assert "&quot;OPR-ELP&quot;" in html
    assert "&quot;reason&quot;: &quot;transfer&quot;" in html
    assert event.hash in html
    assert event.prev_hash in html
    assert "does not match its hash" not in html
    view = AuditEvent.objects.order_by("-seq").first()
    assert view is not None
    assert (view.action, view.actor_id, view.object_type, view.object_id) == (
        AuditAction.VIEW,
        personas.auditor.pk,
        "core.auditevent",
        str(event.pk),
    )


def test_the_detail_warns_when_an_event_no_longer_matches_its_hash(auditor_client: Client) -> None:
    event = audit.record(AuditAction.EXPORT, object_repr="Annual report")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
        cursor.execute("UPDATE core_auditevent SET object_repr = 'Nothing' WHERE seq = %s", [event.seq])

    response = auditor_client.get(reverse("audit-event-detail", args=[event.seq]))

    assert "This event does not match its hash" in response.content.decode()


def test_an_unknown_event_is_404(auditor_client: Client) -> None:
    assert auditor_client.get(reverse("audit-event-detail", args=[999_999])).status_code == 404


def test_verify_button_starts_the_check_and_opens_its_progress_page(
    auditor_client: Client, personas: Personas, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor_client.post(reverse("audit-verify"))

    progress = TaskProgress.objects.get()
    assert progress.requested_by == personas.auditor
    assert response.status_code == 302
    assert response["Location"] == reverse("task-progress", args=[progress.task_id])
    page = auditor_client.get(response["Location"])
    assert page.status_code == 200
    assert "OK: " in page.content.decode()


def test_verify_button_needs_post_csrf_and_an_auditor(personas: Personas) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.auditor)
    other = Client()
    other.force_login(personas.admin)

    assert strict.get(reverse("audit-verify")).status_code == 405
    assert strict.post(reverse("audit-verify")).status_code == 403
    assert other.post(reverse("audit-verify")).status_code == 404
    assert not TaskProgress.objects.exists()


def test_the_page_offers_the_verify_button_as_a_csrf_protected_form(auditor_client: Client) -> None:
    html = auditor_client.get(LIST).content.decode()

    form = re.search(r'<form[^>]*method="post"[^>]*action="/audit/verify/"[^>]*>(.*?)</form>', html, re.S)
    assert form is not None
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert "Verify the chain now" in form.group(1)


def test_every_search_field_has_a_label(auditor_client: Client) -> None:
    html = auditor_client.get(LIST).content.decode()

    for name in ("person", "object_type", "object_id", "action", "outcome", "date_from", "date_to"):
        assert re.search(rf'<label[^>]*\sfor="id_{name}"', html), name
