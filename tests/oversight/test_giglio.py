"""Giglio requests: each move allowed and refused, what compiling finds and how it respects
compartments and recusal, that nothing leaves before approval, the letters, the response clock,
the screens and the audit trail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from probity.core import access, dashboards
from probity.core.context_processors import NAVIGATION
from probity.core.deadlines import due_at
from probity.core.models import AuditEvent, Deadline, DeadlineRule, Role, StoredFile
from probity.core.services.users import create_user
from probity.core.workflow import IllegalTransition
from probity.investigations.models import Case, FindingOutcome, GiglioMark
from probity.investigations.services.findings import record_finding
from probity.oversight import queries_giglio
from probity.oversight.connect_giglio import giglio_panel
from probity.oversight.demo_giglio import load_giglio
from probity.oversight.models import CompiledItem, GiglioRequest, GiglioStatus, ItemKind, JudicialFinding
from probity.oversight.services import giglio
from probity.oversight.workflow_giglio import GIGLIO_FLOW
from tests.conftest import PASSWORD
from tests.investigations.conftest import MakeCase, Team
from tests.oversight.conftest import Overseers
from tests.oversight.giglio_setup import (
    AUSA,
    SECRET_SYNOPSIS,
    SECRET_TITLE,
    START,
    TODAY,
    USAO,
    charged,
    grant,
    judicial,
    letter_text,
    pending,
    receive,
    restrict,
    sustained,
    written,
)

pytestmark = pytest.mark.django_db
S = GiglioStatus


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def kinds(request: GiglioRequest) -> list[str]:
    return list(CompiledItem.objects.filter(request=request).order_by("pk").values_list("kind", flat=True))


def events(action: str, obj: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk)
        ).order_by("seq")
    )


# The state machine


def test_the_request_moves_only_as_the_table_says_and_only_for_giglio_officials() -> None:
    assert set(GIGLIO_FLOW.transitions) == {
        (S.RECEIVED, S.COMPILED),
        (S.COMPILED, S.RECEIVED),
        (S.COMPILED, S.RELEASED),
        (S.RECEIVED, S.WITHDRAWN),
        (S.COMPILED, S.WITHDRAWN),
    }
    assert all(t.roles == {Role.GIGLIO} for t in GIGLIO_FLOW.transitions.values())


def test_a_giglio_official_receives_a_numbered_request_and_starts_its_clock(overseers: Overseers) -> None:
    request = receive(overseers.giglio, overseers.officer)

    assert re.fullmatch(r"GIG-2027-\d{6}", request.number)
    assert (request.status, request.giglio_official, request.received_at) == (
        S.RECEIVED,
        overseers.giglio,
        START,
    )
    deadline = queries_giglio.response_deadline(request)
    assert deadline is not None
    rule = DeadlineRule.objects.get(code="giglio-response")
    assert (rule.amount, rule.unit) == (10, "business_days")
    assert (deadline.started_at, deadline.due_at, deadline.owner) == (
        START,
        due_at(rule, START),
        overseers.giglio,
    )
    # Ten federal business days from Monday 15 March 2027: the end of Monday 29 March, agency time.
    assert deadline.due_at.date() == dt.date(2027, 3, 30)
    created = events("create", request)
    assert len(created) == 1
    assert created[0].changes["employee"] == [None, overseers.officer.employee_number]


def test_the_response_clock_follows_its_configured_rule(overseers: Overseers) -> None:
    DeadlineRule.objects.filter(code="giglio-response").update(amount=3, unit="calendar_days")
    request = receive(overseers.giglio, overseers.officer)
    deadline = queries_giglio.response_deadline(request)
    assert deadline is not None and deadline.due_at == START + dt.timedelta(days=3)


def test_only_a_giglio_official_may_receive_a_request(overseers: Overseers) -> None:
    before = written()
    for user in (overseers.supervisor, overseers.agent, overseers.program_manager, overseers.outsider):
        with pytest.raises(PermissionDenied):
            receive(user, overseers.officer)
    assert written() == before


def test_a_request_with_bad_input_is_refused_with_every_problem_and_writes_nothing(
    overseers: Overseers,
) -> None:
    before = written()
    with pytest.raises(ValidationError) as refused:
        receive(
            overseers.giglio,
            None,
            prosecutor_office=" ",
            requesting_official="",
            prosecutor_case="x" * 201,
            needed_by=TODAY - dt.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {
        "prosecutor_office",
        "requesting_official",
        "prosecutor_case",
        "employee",
        "needed_by",
    }
    assert refused.value.message_dict["needed_by"] == ["The date needed cannot be in the past."]
    assert written() == before


def test_a_giglio_official_may_not_receive_a_request_about_their_own_record(overseers: Overseers) -> None:
    before = written()
    with pytest.raises(PermissionDenied, match="your own record"):
        receive(overseers.recused_giglio, overseers.recused_giglio_employee)
    assert written() == before


def test_other_roles_may_take_no_step_on_a_request(overseers: Overseers) -> None:
    request = receive(overseers.giglio, overseers.officer)
    before = written()
    for user in (overseers.supervisor, overseers.program_manager, overseers.outsider):
        with pytest.raises(PermissionDenied):
            giglio.compile_request(actor=user, request=request)
        with pytest.raises(PermissionDenied):
            giglio.withdraw_request(actor=user, request=request, reason="No longer needed")
        with pytest.raises(PermissionDenied):
            giglio.approve_and_release(actor=user, request=request)
        assert not access.visible(user, GiglioRequest.objects.all()).exists()
    assert written() == before


def test_releasing_before_compiling_is_refused_and_nothing_leaves(overseers: Overseers) -> None:
    request = receive(overseers.giglio, overseers.officer)
    before = written()
    with pytest.raises(IllegalTransition, match="Compile the information"):
        giglio.approve_and_release(actor=overseers.giglio, request=request)
    assert written() == before
    assert not StoredFile.objects.exists()


def test_compiling_again_goes_back_to_received_and_picks_up_new_information(overseers: Overseers) -> None:
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    assert (request.status, kinds(request)) == (S.COMPILED, [])

    judicial(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)

    request.refresh_from_db()
    assert (request.status, kinds(request)) == (S.COMPILED, [ItemKind.JUDICIAL_FINDING])
    moves = [event.changes["status"] for event in events("transition", request)]
    assert moves == [[S.RECEIVED, S.COMPILED], [S.COMPILED, S.RECEIVED], [S.RECEIVED, S.COMPILED]]


def test_a_released_or_withdrawn_request_takes_no_further_step(overseers: Overseers) -> None:
    released = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=released)
    giglio.approve_and_release(actor=overseers.giglio, request=released)
    withdrawn = receive(overseers.giglio, overseers.officer)
    giglio.withdraw_request(actor=overseers.giglio, request=withdrawn, reason="The case was dismissed.")
    before = written()
    for request in (released, withdrawn):
        with pytest.raises(IllegalTransition):
            giglio.compile_request(actor=overseers.giglio, request=request)
        with pytest.raises(IllegalTransition):
            giglio.approve_and_release(actor=overseers.giglio, request=request)
        with pytest.raises(IllegalTransition):
            giglio.withdraw_request(actor=overseers.giglio, request=request, reason="Again")
        with pytest.raises(IllegalTransition):
            giglio.set_items_included(actor=overseers.giglio, request=request, included=[])
    assert written() == before


def test_withdrawing_needs_a_reason_and_cancels_the_clock(overseers: Overseers) -> None:
    received = receive(overseers.giglio, overseers.officer)
    before = written()
    with pytest.raises(ValidationError, match="Say why"):
        giglio.withdraw_request(actor=overseers.giglio, request=received, reason="  ")
    assert written() == before

    giglio.withdraw_request(actor=overseers.giglio, request=received, reason="The defendant pleaded.")
    compiled = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=compiled)
    giglio.withdraw_request(actor=overseers.giglio, request=compiled, reason="The witness will not testify.")

    for request in (received, compiled):
        request.refresh_from_db()
        assert request.status == S.WITHDRAWN
        deadline = queries_giglio.response_deadline(request)
        assert deadline is not None and deadline.cancelled_at is not None and deadline.met_at is None
    assert events("transition", received)[-1].detail["reason"] == "The defendant pleaded."


# What compiling finds


def test_compiling_finds_every_kind_of_source_with_links_to_it(
    overseers: Overseers, team: Team, make_case: MakeCase
) -> None:
    officer = overseers.officer
    lied = sustained(make_case, team, officer)
    biased = sustained(make_case, team, officer, category="retaliation")
    referral = charged(make_case, team, officer)
    found = judicial(overseers.giglio, officer)
    request = receive(overseers.giglio, officer)

    giglio.compile_request(actor=overseers.giglio, request=request)

    items = list(CompiledItem.objects.filter(request=request).order_by("pk"))
    assert [item.kind for item in items] == [
        ItemKind.SUSTAINED_FINDING,
        ItemKind.SUSTAINED_FINDING,
        ItemKind.CRIMINAL_CHARGE,
        # the three cases are still open: each is also a pending investigation
        ItemKind.PENDING_INVESTIGATION,
        ItemKind.PENDING_INVESTIGATION,
        ItemKind.PENDING_INVESTIGATION,
        ItemKind.JUDICIAL_FINDING,
    ]
    truth, bias, charge = items[0], items[1], items[2]
    lied_mark = GiglioMark.objects.get(case=lied)
    assert (truth.mark, truth.case) == (lied_mark, lied)
    assert "false statements" in truth.summary.lower() and "reflecting on truthfulness" in truth.summary
    assert f"OPR case {lied.number}" in truth.summary and "Current outcome: sustained." in truth.summary
    assert (bias.case, "reflecting on bias" in bias.summary) == (biased, True)
    assert (charge.mark, charge.case) == (GiglioMark.objects.get(prosecution=referral), referral.case)
    for text in (USAO, "18 U.S.C. 545", "Accepted", "guilty plea", "Two years probation"):
        assert text in charge.summary
    assert {item.case for item in items[3:6]} == {lied, biased, referral.case}
    assert (items[6].judicial_finding, items[6].case) == (found, None)
    assert found.court in items[6].summary and found.finding in items[6].summary
    assert all(item.include for item in items)
    request.refresh_from_db()
    assert (request.status, request.compiled_at) == (S.COMPILED, START)


def test_a_revised_finding_is_shown_with_its_current_outcome(
    overseers: Overseers, team: Team, make_case: MakeCase
) -> None:
    case = sustained(make_case, team, overseers.officer)
    allegation = case.case_allegations.get()
    record_finding(
        actor=team.agent,
        allegation=allegation,
        outcome=FindingOutcome.NOT_SUSTAINED,
        rationale="The second video shows the count was done on camera after all.",
    )
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)

    item = CompiledItem.objects.get(request=request, kind=ItemKind.SUSTAINED_FINDING)
    assert "its current outcome is not sustained" in item.summary


def test_a_pending_investigation_is_shown_without_its_contents_and_opens_no_access(
    overseers: Overseers, team: Team, make_case: MakeCase, client: Client
) -> None:
    case = pending(make_case, team, overseers.officer)
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)

    item = CompiledItem.objects.get(request=request)
    assert item.kind == ItemKind.PENDING_INVESTIGATION
    assert item.summary == (
        f"An investigation in which the employee is a subject is pending: OPR case {case.number}, "
        f"opened {giglio.long_date(case.opened_at)}."
    )
    # The official still may not open the case, and the request page neither links nor reveals it.
    assert not access.can_view(overseers.giglio, case)
    page = signed_in(client, overseers.giglio).get(f"/oversight/giglio/{request.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and case.number in html
    assert f"/investigations/cases/{case.pk}/" not in html
    for secret in (SECRET_TITLE, SECRET_SYNOPSIS, "Excessive force", "excessive force"):
        assert secret not in html and secret not in item.summary
    assert client.get(f"/investigations/cases/{case.pk}/").status_code == 404


def test_a_witness_or_a_closed_case_is_no_pending_investigation(
    overseers: Overseers, team: Team, make_case: MakeCase
) -> None:
    pending(make_case, team, team.subject, witnesses=(overseers.officer,))
    closed = pending(make_case, team, overseers.officer)
    Case.objects.filter(pk=closed.pk).update(status="closed")
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    assert kinds(request) == []


def test_the_request_page_links_a_case_only_for_an_official_who_may_open_it(
    overseers: Overseers, team: Team, make_case: MakeCase, client: Client
) -> None:
    case = pending(make_case, team, overseers.officer)
    both = create_user(
        actor=None, username="giglio_supervisor", password=PASSWORD, roles=[Role.GIGLIO, Role.SUPERVISOR]
    )
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)

    link = f'href="/investigations/cases/{case.pk}/"'
    assert link in signed_in(client, both).get(f"/oversight/giglio/{request.pk}/").content.decode()
    assert (
        link
        not in signed_in(client, overseers.giglio).get(f"/oversight/giglio/{request.pk}/").content.decode()
    )


# Compartments and recusal


def test_a_restricted_matter_is_withheld_from_an_official_without_a_grant_and_blocks_release(
    overseers: Overseers, team: Team, make_case: MakeCase, client: Client
) -> None:
    secret = sustained(make_case, team, overseers.officer)
    compartment = restrict(secret)
    judicial(overseers.giglio, overseers.officer)
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    # The compilation is the same whoever compiles: the restricted items are there ...
    assert kinds(request) == [
        ItemKind.SUSTAINED_FINDING,
        ItemKind.PENDING_INVESTIGATION,
        ItemKind.JUDICIAL_FINDING,
    ]

    # ... but an official without a grant is shown only that a restricted matter exists.
    shown = queries_giglio.items_for(overseers.giglio, request)
    assert shown.withheld
    assert [view.item.kind for view in shown.items] == [ItemKind.JUDICIAL_FINDING]
    html = signed_in(client, overseers.giglio).get(f"/oversight/giglio/{request.pk}/").content.decode()
    assert "A restricted matter exists" in html and "contact OPR" in html
    assert secret.number not in html and "Approve and release" not in html

    before = written()
    with pytest.raises(PermissionDenied, match="restricted matter"):
        giglio.approve_and_release(actor=overseers.giglio, request=request)
    withheld = CompiledItem.objects.filter(request=request, case=secret).first()
    assert withheld is not None
    with pytest.raises(Http404):
        giglio.set_item_included(actor=overseers.giglio, item=withheld, include=False)
    assert written() == before

    # With a grant the official reads everything and may release.
    grant(overseers.giglio, compartment)
    shown = queries_giglio.items_for(overseers.giglio, request)
    assert not shown.withheld and len(shown.items) == 3
    giglio.approve_and_release(actor=overseers.giglio, request=request)
    assert secret.number in letter_text(request)


def test_a_request_about_the_officials_own_record_is_invisible_to_them(
    overseers: Overseers, client: Client
) -> None:
    request = receive(overseers.giglio, overseers.recused_giglio_employee)
    recused = overseers.recused_giglio

    assert not access.visible(recused, GiglioRequest.objects.all()).exists()
    assert list(queries_giglio.request_rows(recused)) == []
    with pytest.raises(Http404):
        queries_giglio.get_request_for(recused, request.pk)
    before = written()
    with pytest.raises(Http404):
        giglio.compile_request(actor=recused, request=request)
    with pytest.raises(Http404):
        giglio.open_letter(actor=recused, request=request)
    assert written() == before
    signed_in(client, recused)
    assert client.get(f"/oversight/giglio/{request.pk}/").status_code == 404
    assert client.post(f"/oversight/giglio/{request.pk}/compile").status_code == 404
    assert request.number not in client.get("/oversight/giglio/?status=all").content.decode()
    # Another Giglio official handles it.
    assert access.can_view(overseers.giglio, request)


def test_items_from_a_case_naming_the_official_are_withheld_from_them_alone(
    overseers: Overseers, team: Team, make_case: MakeCase
) -> None:
    case = sustained(make_case, team, overseers.officer, witnesses=(overseers.recused_giglio_employee,))
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.recused_giglio, request=request)

    mine = queries_giglio.items_for(overseers.recused_giglio, request)
    theirs = queries_giglio.items_for(overseers.giglio, request)
    assert (mine.withheld, mine.items) == (True, [])
    assert not theirs.withheld and {view.item.case for view in theirs.items} == {case}
    with pytest.raises(PermissionDenied):
        giglio.approve_and_release(actor=overseers.recused_giglio, request=request)
    giglio.approve_and_release(actor=overseers.giglio, request=request)


# Release and the letters


def test_nothing_leaves_before_the_official_approves(
    overseers: Overseers, team: Team, make_case: MakeCase, client: Client
) -> None:
    sustained(make_case, team, overseers.officer)
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)

    request.refresh_from_db()
    assert (request.letter, request.released_at, request.approved_by) == (None, None, None)
    assert not StoredFile.objects.exists()
    assert not AuditEvent.objects.filter(action="export").exists()
    with pytest.raises(IllegalTransition, match="no letter yet"):
        giglio.open_letter(actor=overseers.giglio, request=request)
    assert (
        signed_in(client, overseers.giglio).get(f"/oversight/giglio/{request.pk}/letter").status_code == 404
    )


def test_the_letter_lists_only_the_items_the_official_chose(
    overseers: Overseers, team: Team, make_case: MakeCase
) -> None:
    case = sustained(make_case, team, overseers.officer)
    found = judicial(overseers.giglio, overseers.officer)
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    left_out = CompiledItem.objects.get(request=request, kind=ItemKind.JUDICIAL_FINDING)
    giglio.set_item_included(actor=overseers.giglio, item=left_out, include=False)

    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        giglio.approve_and_release(actor=overseers.giglio, request=request)
        released_at = START + dt.timedelta(days=2)

    request.refresh_from_db()
    assert (request.status, request.approved_by, request.released_at) == (
        S.RELEASED,
        overseers.giglio,
        released_at,
    )
    text = letter_text(request)
    for expected in (request.number, overseers.officer.full_name, USAO, AUSA, f"OPR case {case.number}"):
        assert expected in text
    assert "Sustained finding" in text and "Pending investigation" in text
    assert found.finding not in text and "No information" not in text
    export = events("export", request)
    assert len(export) == 1
    assert export[0].detail["items"] == list(
        CompiledItem.objects.filter(request=request, include=True).order_by("pk").values_list("pk", flat=True)
    )
    assert request.letter is not None and export[0].detail["sha256"] == request.letter.sha256
    assert events("update", left_out)[0].changes == {"include": [True, False]}


def test_an_employee_with_no_information_gets_a_plain_no_information_letter(overseers: Overseers) -> None:
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    giglio.approve_and_release(actor=overseers.giglio, request=request)

    text = letter_text(request)
    assert "No information." in text
    assert "found no potential impeachment information" in text
    assert overseers.officer.full_name in text and request.number in text
    assert events("export", request)[0].detail["no_information"] is True


def test_leaving_every_item_out_gives_a_no_information_letter(overseers: Overseers) -> None:
    judicial(overseers.giglio, overseers.officer)
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    giglio.set_items_included(actor=overseers.giglio, request=request, included=[])
    giglio.approve_and_release(actor=overseers.giglio, request=request)

    text = letter_text(request)
    assert "No information." in text and "no potential impeachment information to disclose" in text


def test_choosing_items_of_another_request_is_refused(overseers: Overseers) -> None:
    judicial(overseers.giglio, overseers.officer)
    first = receive(overseers.giglio, overseers.officer)
    second = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=first)
    giglio.compile_request(actor=overseers.giglio, request=second)
    other = CompiledItem.objects.get(request=second)
    before = written()
    with pytest.raises(ValidationError):
        giglio.set_items_included(actor=overseers.giglio, request=first, included=[other.pk])
    assert written() == before


# The response clock


def test_the_clock_is_met_when_the_answer_is_released(overseers: Overseers) -> None:
    request = receive(overseers.giglio, overseers.officer)
    giglio.compile_request(actor=overseers.giglio, request=request)
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        giglio.approve_and_release(actor=overseers.giglio, request=request)
    deadline = queries_giglio.response_deadline(request)
    assert deadline is not None and deadline.met_at == START + dt.timedelta(days=3)
    row = queries_giglio.request_rows(overseers.giglio, status="all").get(pk=request.pk)
    assert not queries_giglio.was_late(row) and not queries_giglio.is_overdue(
        row, START + dt.timedelta(days=30)
    )


def test_an_unanswered_request_becomes_overdue_and_a_late_answer_is_recorded_late(
    overseers: Overseers, client: Client
) -> None:
    request = receive(overseers.giglio, overseers.officer)
    deadline = queries_giglio.response_deadline(request)
    assert deadline is not None
    before_due, after_due = deadline.due_at - dt.timedelta(hours=1), deadline.due_at + dt.timedelta(hours=1)

    row = queries_giglio.request_rows(overseers.giglio).get(pk=request.pk)
    assert not queries_giglio.is_overdue(row, before_due)
    with time_machine.travel(after_due, tick=False):
        row = queries_giglio.request_rows(overseers.giglio).get(pk=request.pk)
        assert queries_giglio.is_overdue(row, after_due)
        listed = signed_in(client, overseers.giglio).get("/oversight/giglio/").content.decode()
        assert "Overdue" in listed
        panel = giglio_panel(overseers.giglio)
        assert (panel.context["count"], panel.context["overdue"]) == (1, 1)
        giglio.compile_request(actor=overseers.giglio, request=request)
        giglio.approve_and_release(actor=overseers.giglio, request=request)

    deadline.refresh_from_db()
    assert deadline.met_at == after_due
    met = AuditEvent.objects.filter(
        object_type="core.deadline", object_id=str(deadline.pk), action="transition"
    )
    assert met.get().detail["late"] is True


def test_the_dashboard_panel_shows_requests_due_soon_and_not_later_ones(
    overseers: Overseers, client: Client
) -> None:
    soon = receive(overseers.giglio, overseers.officer)
    receive(overseers.giglio, overseers.officer)
    Deadline.objects.filter(object_id=soon.pk, rule__code="giglio-response").update(
        due_at=START + dt.timedelta(days=2)
    )
    panel = giglio_panel(overseers.giglio)
    assert (panel.context["count"], panel.context["overdue"]) == (1, 0)
    assert [row["request"] for row in panel.context["rows"]] == [soon]
    assert any(p.title == "Giglio requests due" for p in dashboards.panels_for(overseers.giglio))
    assert not any(p.title == "Giglio requests due" for p in dashboards.panels_for(overseers.supervisor))
    dashboard = signed_in(client, overseers.giglio).get("/").content.decode()
    assert "Giglio requests due" in dashboard and soon.number in dashboard
    entry = next(item for item in NAVIGATION if item.url_name == "giglio-request-list")
    assert entry.roles == frozenset({Role.GIGLIO.value})


# Every step is audited


def test_every_request_compilation_view_release_and_download_is_audited(
    overseers: Overseers, team: Team, make_case: MakeCase, client: Client
) -> None:
    sustained(make_case, team, overseers.officer)
    signed_in(client, overseers.giglio)
    response = client.post(
        "/oversight/giglio/new",
        {
            "prosecutor_office": USAO,
            "requesting_official": AUSA,
            "prosecutor_case": "United States v. Ibarra",
            "employee_number": overseers.officer.employee_number,
            "needed_by": (TODAY + dt.timedelta(days=10)).isoformat(),
        },
    )
    request = GiglioRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/oversight/giglio/{request.pk}/"
    client.get("/oversight/giglio/")
    client.get(f"/oversight/giglio/{request.pk}/")
    client.post(f"/oversight/giglio/{request.pk}/compile")
    item = CompiledItem.objects.filter(request=request).order_by("pk").first()
    assert item is not None
    client.post(f"/oversight/giglio/{request.pk}/items", {"items": [str(item.pk)]})
    client.post(f"/oversight/giglio/{request.pk}/release")
    download = client.get(f"/oversight/giglio/{request.pk}/letter")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    b"".join(download.streaming_content)  # type: ignore[attr-defined]

    by_action = {
        action: events(action, request) for action in ("create", "view", "transition", "export", "download")
    }
    assert all(len(found) >= 1 for found in by_action.values()), by_action
    assert AuditEvent.objects.filter(action="search", object_type="oversight.gigliorequest").exists()
    assert AuditEvent.objects.filter(action="create", object_type="oversight.compileditem").count() == (
        CompiledItem.objects.filter(request=request).count()
    )
    assert AuditEvent.objects.filter(action="update", object_type="oversight.compileditem").exists()
    assert all(event.actor_id == overseers.giglio.pk for found in by_action.values() for event in found)


# The screens


def test_the_giglio_screens_do_not_exist_for_other_roles(overseers: Overseers, client: Client) -> None:
    request = receive(overseers.giglio, overseers.officer)
    before = written()
    for user in (overseers.supervisor, overseers.agent, overseers.program_manager):
        signed_in(client, user)
        for path in ("/oversight/giglio/", "/oversight/giglio/new", f"/oversight/giglio/{request.pk}/"):
            assert client.get(path).status_code == 404
        for action in ("compile", "release", "withdraw", "items"):
            assert client.post(f"/oversight/giglio/{request.pk}/{action}", {"reason": "x"}).status_code == 404
        assert client.post("/oversight/giglio/judicial-findings/new", {}).status_code == 404
    assert written() == before


def test_a_new_request_with_an_unknown_employee_is_shown_again_with_the_message(
    overseers: Overseers, client: Client
) -> None:
    before = written()
    response = signed_in(client, overseers.giglio).post(
        "/oversight/giglio/new",
        {
            "prosecutor_office": USAO,
            "requesting_official": AUSA,
            "prosecutor_case": "United States v. Chen",
            "employee_number": "E999999",
            "needed_by": TODAY.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "No employee in the directory has this number." in response.content.decode()
    assert written() == before


def test_a_judicial_finding_is_recorded_from_its_form_and_refused_on_bad_input(
    overseers: Overseers, client: Client
) -> None:
    signed_in(client, overseers.giglio)
    request = receive(overseers.giglio, overseers.officer)
    url = f"/oversight/giglio/judicial-findings/new?request={request.pk}"
    form = client.get(url + f"&employee={overseers.officer.employee_number}")
    assert form.status_code == 200 and overseers.officer.employee_number in form.content.decode()
    data = {
        "employee_number": overseers.officer.employee_number,
        "court": "Superior Court of Arizona, Pima County",
        "case_reference": "CR2026-1187",
        "found_on": (TODAY + dt.timedelta(days=1)).isoformat(),
        "finding": "The officer's account of the stop was contradicted by the dash camera.",
    }
    before = written()
    refused = client.post(url, data)
    assert refused.status_code == 400 and "cannot be in the future" in refused.content.decode()
    assert written() == before

    done = client.post(url, {**data, "found_on": "2026-11-02"})
    assert done.status_code == 302 and done["Location"] == f"/oversight/giglio/{request.pk}/"
    found = JudicialFinding.objects.get()
    assert (found.employee, found.found_on, found.recorded_by) == (
        overseers.officer,
        dt.date(2026, 11, 2),
        overseers.giglio,
    )
    assert events("create", found)


def test_a_refused_step_shows_the_request_again_with_the_message(
    overseers: Overseers, client: Client
) -> None:
    request = receive(overseers.giglio, overseers.officer)
    signed_in(client, overseers.giglio)
    response = client.post(f"/oversight/giglio/{request.pk}/release")
    assert response.status_code == 409
    assert "Compile the information on the employee before releasing" in response.content.decode()
    refused = client.post(f"/oversight/giglio/{request.pk}/withdraw", {"reason": ""})
    assert refused.status_code == 400
    request.refresh_from_db()
    assert request.status == S.RECEIVED


def test_the_request_list_costs_the_same_queries_however_many_requests(
    overseers: Overseers, client: Client
) -> None:
    signed_in(client, overseers.giglio)
    receive(overseers.giglio, overseers.officer)
    client.get("/oversight/giglio/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        client.get("/oversight/giglio/")
    for _ in range(4):
        receive(overseers.giglio, overseers.officer)
    with CaptureQueriesContext(connection) as five:
        assert client.get("/oversight/giglio/").content.decode().count("GIG-2027-") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# The demo


def test_the_demo_adds_requests_in_each_state(overseers: Overseers, team: Team, make_case: MakeCase) -> None:
    sustained(make_case, team, overseers.officer)
    loaded: Any = SimpleNamespace(logins={"giglio": overseers.giglio})
    line = load_giglio(loaded)

    assert line.startswith("4 Giglio requests")
    statuses = sorted(GiglioRequest.objects.values_list("status", flat=True))
    assert statuses == sorted([S.RELEASED, S.RELEASED, S.COMPILED, S.RECEIVED])
    released = list(GiglioRequest.objects.filter(status=S.RELEASED).order_by("pk"))
    assert released[0].employee == overseers.officer and "Sustained finding" in letter_text(released[0])
    assert "No information." in letter_text(released[1])
    now = START
    rows = {row.status: row for row in queries_giglio.request_rows(overseers.giglio)}
    assert queries_giglio.is_overdue(rows[S.RECEIVED], now)
    due_soon = rows[S.COMPILED]
    assert not queries_giglio.is_overdue(due_soon, now)
    assert due_soon.due_at is not None and due_soon.due_at - now < dt.timedelta(days=5)  # type: ignore[attr-defined]
