"""Recording an allegation on the staff form, reading it, and each action on its page."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from probity.core.models import AuditAction, AuditEvent, Deadline, FileAttachment, StoredFile
from probity.intake.models import (
    Allegation,
    AllegationPerson,
    AllegationStatus,
    OigAnswer,
    OigReferral,
    RoutingOutcome,
)
from probity.intake.services import triage
from probity.intake.services.record import PersonInput
from tests.conftest import Org, make_employee
from tests.core.test_files import EXE, png_bytes
from tests.intake.conftest import MakeAllegation, Staff, assign_record, bring_to, events_for

S = AllegationStatus
NEW = "/intake/new/"


def detail_url(allegation: Allegation) -> str:
    return f"/intake/allegations/{allegation.pk}/"


def signed_in(client: Client, user: object) -> Client:
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT  # type: ignore[no-any-return]


def form_data(**overrides: Any) -> dict[str, Any]:
    """A valid recording-form post with one blank person row."""
    data: dict[str, Any] = {
        "channel": "phone",
        "received_at": "",
        "summary": "Officer took cash during secondary inspection",
        "narrative": "The caller says the officer kept $200.",
        "incident_date": "",
        "incident_date_precision": "day",
        "incident_end_date": "",
        "incident_place": "Nogales, lane 4",
        "office": "",
        "prea": "",
        "use_of_force": "",
        "self_report_kind": "",
        "arrest_category": "",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "100",
        "people-0-role": "subject",
    }
    data.update(overrides)
    return data


class _Controls(HTMLParser):
    """Collects the form controls of a page and the ids its labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.inline_scripts = 0
        self.styled = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.styled += 1
        if tag == "script" and "src" not in attributes:
            self.inline_scripts += 1
        if tag == "label" and attributes.get("for"):
            self.labelled.add(str(attributes["for"]))
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {"hidden", "submit"}:
            self.controls.append(attributes)


def controls_of(html: str) -> _Controls:
    parser = _Controls()
    parser.feed(html)
    return parser


# The recording form


@pytest.mark.parametrize("page_name", ["record", "queue", "detail"])
def test_every_input_has_a_label_and_no_page_has_inline_script_or_style(
    client: Client, staff: Staff, make_allegation: MakeAllegation, page_name: str
) -> None:
    allegation = make_allegation(narrative="<script>alert(1)</script>")
    url = {"record": NEW, "queue": "/intake/", "detail": detail_url(allegation)}[page_name]

    response = signed_in(client, staff.supervisor).get(url)

    assert response.status_code == 200
    page = controls_of(response.content.decode())
    unlabelled = [c for c in page.controls if c.get("id") not in page.labelled and not c.get("aria-label")]
    assert page.controls and unlabelled == []
    assert page.inline_scripts == 0 and page.styled == 0


def test_the_form_offers_the_seeded_categories_in_a_fieldset(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.intake).get(NEW)

    body = response.content.decode()
    assert re.search(r'<legend class="usa-legend">\s*Allegation categories', body)
    assert "Sexual abuse / assault (PREA)" in body  # categories come from the seeded taxonomy


@pytest.mark.parametrize("who", ["agent", "outsider", "recused_agent"])
def test_other_roles_cannot_open_the_form_or_post_it(client: Client, staff: Staff, who: str) -> None:
    signed_in(client, getattr(staff, who))

    assert client.get(NEW).status_code == 404
    assert client.post(NEW, form_data()).status_code == 404
    assert not Allegation.objects.exists()


def test_recording_a_valid_allegation_with_people_and_files(
    client: Client, staff: Staff, org: Org, media: Path
) -> None:
    employee = make_employee("E100200", "Paula", "Subject", org.nogales_port)
    data = form_data(
        received_at="2026-03-02T09:30",
        office=str(org.nogales_port.pk),
        categories=["corruption-bribery", "excessive-force"],
        incident_date="2026-03-01",
        **{
            "people-TOTAL_FORMS": "3",
            "people-0-role": "subject",
            "people-0-employee": str(employee.pk),
            "people-1-role": "subject",
            "people-1-description": "Tall officer, grey moustache",
            "people-1-badge_number": "B-77",
            "people-2-role": "complainant",
            "people-2-name": "Ana Caller",
            "people-2-contact": "ana@example.org",
            "people-2-contact_preference": "email",
        },
    )
    data["attachments"] = [
        SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("photo2.png", png_bytes(b"second"), content_type="image/png"),
    ]

    with time_machine.travel(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC), tick=False):
        response = signed_in(client, staff.intake).post(NEW, data, follow=True)

    allegation = Allegation.objects.get()
    assert response.redirect_chain == [(detail_url(allegation), 302)]
    assert f"Allegation {allegation.number} recorded." in response.content.decode()
    assert allegation.channel == "phone" and allegation.office == org.nogales_port
    # Received 09:30 agency time (New York, EST) is 14:30 UTC.
    assert allegation.received_at == dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)
    assert allegation.use_of_force is True and allegation.prea is False  # from the categories
    assert sorted(allegation.categories.values_list("code", flat=True)) == [
        "corruption-bribery",
        "excessive-force",
    ]
    people = {(p.role, p.employee_id, p.name, p.badge_number, p.contact) for p in allegation.people.all()}
    assert people == {
        ("subject", employee.pk, "", "", ""),
        ("subject", None, "", "B-77", ""),
        ("complainant", None, "Ana Caller", "", "ana@example.org"),
    }
    names = set(FileAttachment.objects.filter(object_id=allegation.pk).values_list("filename", flat=True))
    assert names == {"photo.png", "photo2.png"}
    assert "photo.png" in response.content.decode()  # shown with a download link on the detail page


def test_an_invalid_form_shows_every_problem_at_the_top_and_writes_nothing(
    client: Client, staff: Staff
) -> None:
    signed_in(client, staff.intake)
    events = AuditEvent.objects.count()
    data = form_data(
        channel="",
        summary="",
        incident_date="2026-05-10",
        incident_end_date="2026-05-01",
        **{"people-0-role": "subject", "people-0-contact": "someone@example.org"},
    )

    response = client.post(NEW, data)

    assert response.status_code == 200
    body = response.content.decode()
    summary = body[
        body.find('id="record-errors-heading"') : body.find("</ul>", body.find("record-errors-heading"))
    ]
    assert 'href="#id_channel">How it was received: This field is required.' in summary
    assert 'href="#id_summary">Summary: This field is required.' in summary
    assert "usa-alert--error" in body
    assert not Allegation.objects.exists()
    assert AuditEvent.objects.count() == events
    # What was typed is kept.
    assert 'value="someone@example.org"' in body


def test_service_rules_come_back_as_messages_on_the_form(client: Client, staff: Staff) -> None:
    signed_in(client, staff.intake)
    events = AuditEvent.objects.count()
    data = form_data(
        incident_date="2026-05-10",
        incident_end_date="2026-05-01",
        self_report_kind="arrest",
        **{"people-0-role": "subject", "people-0-contact": "someone@example.org"},
    )

    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
        response = client.post(NEW, data)

    body = response.content.decode()
    assert "The incident cannot end before it starts." in body
    assert "Only an employee self-report has a self-report kind." in body
    assert "Person 1: name the employee, or describe them or give a badge number." in body
    assert 'href="#id_incident_end_date"' in body
    assert not Allegation.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_attachment_lying_about_its_type_is_refused_and_nothing_is_written(
    client: Client, staff: Staff, media: Path
) -> None:
    signed_in(client, staff.intake)
    events = AuditEvent.objects.count()
    data = form_data()
    data["attachments"] = [
        SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("statement.pdf", EXE, content_type="application/pdf"),
    ]

    response = client.post(NEW, data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "statement.pdf: This file is a Windows program, which is not accepted." in body
    assert "the files you chose were not kept" in body
    assert not Allegation.objects.exists()
    assert not StoredFile.objects.exists() and not FileAttachment.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_file_refused_while_attaching_undoes_the_recording(
    client: Client, staff: Staff, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ValidationError

    from probity.core.services import files as file_services
    from probity.intake.views import allegations as views

    attached: list[str] = []

    def attach_then_refuse(**kwargs: Any) -> Any:
        if attached:
            raise ValidationError("The store refused it.")
        attached.append(kwargs["filename"])
        return file_services.attach_file(**kwargs)

    monkeypatch.setattr(views, "attach_file", attach_then_refuse)
    signed_in(client, staff.intake)
    events = AuditEvent.objects.count()
    data = form_data()
    data["attachments"] = [
        SimpleUploadedFile("one.png", png_bytes(b"1"), content_type="image/png"),
        SimpleUploadedFile("two.png", png_bytes(b"2"), content_type="image/png"),
    ]

    response = client.post(NEW, data)

    assert attached == ["one.png"]
    assert "two.png: The store refused it." in response.content.decode()
    assert not Allegation.objects.exists()
    assert not FileAttachment.objects.exists() and not StoredFile.objects.exists()
    assert AuditEvent.objects.count() == events


def test_more_than_ten_files_are_refused(client: Client, staff: Staff, media: Path) -> None:
    data = form_data()
    data["attachments"] = [
        SimpleUploadedFile(f"p{i}.png", png_bytes(str(i).encode()), content_type="image/png")
        for i in range(11)
    ]

    response = signed_in(client, staff.intake).post(NEW, data)

    assert "Attach at most 10 files; you chose 11." in response.content.decode()
    assert not Allegation.objects.exists()


def test_a_narrative_over_the_limit_is_refused_with_a_message(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.intake).post(NEW, form_data(narrative="x" * 50_001))

    assert response.status_code == 200
    assert "The narrative must be 50,000 characters or fewer." in response.content.decode()
    assert not Allegation.objects.exists()


def test_adding_a_person_without_scripts_shows_the_form_again_with_one_more_row(
    client: Client, staff: Staff
) -> None:
    data = form_data(add_person="1", summary="Kept summary")

    response = signed_in(client, staff.intake).post(NEW, data)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="people-TOTAL_FORMS" value="2"' in body
    assert "Person 2" in body
    assert 'value="Kept summary"' in body
    assert "usa-alert--error" not in body
    assert not Allegation.objects.exists()


def test_the_add_person_button_fetches_a_row_and_the_new_total(client: Client, staff: Staff) -> None:
    response = signed_in(client, staff.intake).get("/intake/new/person", {"people-TOTAL_FORMS": "3"})

    body = response.content.decode()
    assert "Person 4" in body
    assert 'name="people-3-role"' in body
    assert 'id="id_people-TOTAL_FORMS"' in body and 'value="4"' in body and 'hx-swap-oob="true"' in body


def test_the_employee_picker_offers_matches_as_radio_buttons(client: Client, staff: Staff, org: Org) -> None:
    employee = make_employee("E555001", "Zelda", "Pickable", org.tucson)

    response = signed_in(client, staff.intake).get(
        "/intake/new/employees", {"prefix": "people-2", "people-2-employee_query": "pickab"}
    )

    body = response.content.decode()
    assert f'name="people-2-employee" id="people-2-employee-{employee.pk}"' in re.sub(r"\s+", " ", body)
    assert "Pickable, Zelda" in body and "E555001" in body
    assert "Not in the directory, or not identified" in body


def test_the_no_script_find_button_shows_matches_in_the_form(client: Client, staff: Staff, org: Org) -> None:
    employee = make_employee("E555002", "Yusuf", "Findable", org.tucson)
    data = form_data(find_people="people-0", **{"people-0-employee_query": "Findable"})

    response = signed_in(client, staff.intake).post(NEW, data)

    assert f'value="{employee.pk}"' in response.content.decode()
    assert not Allegation.objects.exists()


def test_the_picker_refuses_a_strange_row_and_other_roles(client: Client, staff: Staff) -> None:
    url = "/intake/new/employees"
    assert signed_in(client, staff.intake).get(url, {"prefix": "<script>"}).status_code == 404
    assert signed_in(client, staff.agent).get(url, {"prefix": "people-0"}).status_code == 404


# The detail page


def test_the_narrative_is_shown_as_text_never_run(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation(
        narrative="<script>alert('x')</script> and <b>bold</b>", summary="<img src=x onerror=alert(1)>"
    )

    body = signed_in(client, staff.intake).get(detail_url(allegation)).content.decode()

    assert "<script>alert" not in body and "<img src=x" not in body and "<b>bold</b>" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_the_detail_page_shows_the_record_and_audits_the_view(
    client: Client, staff: Staff, org: Org, make_allegation: MakeAllegation
) -> None:
    employee = make_employee("E100300", "Omar", "Named", org.nogales_port)
    allegation = make_allegation(
        subjects=(employee,),
        category_codes=["sexual-abuse"],
        people=(PersonInput(role="complainant", name="Bea Witness", contact="bea@example.org"),),
    )

    response = signed_in(client, staff.intake).get(detail_url(allegation))

    body = response.content.decode()
    assert response.status_code == 200
    assert allegation.number in body and "Received, not triaged" not in body
    assert f'href="/people/{employee.pk}/"' in body
    assert "Sexual abuse / assault (PREA)" in body and ">PREA</span>" in body
    assert "PREA: notify the program manager" in body  # the PREA clocks on this record
    assert "bea@example.org" in body
    assert f'action="/intake/allegations/{allegation.pk}/triage"' in body
    assert f'action="/intake/allegations/{allegation.pk}/refer"' not in body  # not offered yet
    views = [e for e in events_for(allegation) if e.action == AuditAction.VIEW]
    assert len(views) == 1 and views[0].actor_id == staff.intake.pk


def test_a_hidden_allegation_is_404_for_the_recused_and_the_unassigned(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    naming = make_allegation(subjects=(staff.recused_intake_employee,))
    other = make_allegation()

    assert signed_in(client, staff.recused_intake).get(detail_url(naming)).status_code == 404
    assert signed_in(client, staff.agent).get(detail_url(other)).status_code == 404
    assert not [e for e in events_for(naming) + events_for(other) if e.action == AuditAction.VIEW]


def test_an_assigned_agent_reads_it_but_is_offered_no_action(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    assign_record(staff.agent, allegation)

    body = signed_in(client, staff.agent).get(detail_url(allegation)).content.decode()

    assert allegation.number in body
    assert "There is nothing for you to do on this allegation now." in body
    assert "/triage" not in body and "/assign" not in body


def test_an_overdue_oig_answer_is_shown_in_words(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        allegation = bring_to(make_allegation(), S.OIG_PENDING, staff)
    with time_machine.travel(start + dt.timedelta(days=30), tick=False):
        body = signed_in(client, staff.intake).get(detail_url(allegation)).content.decode()

    assert "OIG answer overdue:" in body
    assert "Referred to OIG" in body  # the history
    assert f'action="/intake/allegations/{allegation.pk}/oig-answer"' in body


def test_the_detail_page_costs_the_same_queries_however_much_it_holds(
    client: Client, staff: Staff, org: Org, make_allegation: MakeAllegation, media: Path
) -> None:
    small = make_allegation()
    employees = [make_employee(f"E7{i:05d}", "Many", f"Subject{i}", org.tucson) for i in range(6)]
    big = make_allegation(
        subjects=tuple(employees),
        category_codes=["sexual-abuse", "excessive-force", "theft-embezzlement"],
        people=(PersonInput(role="witness", name="W"), PersonInput(role="complainant", name="C")),
    )
    bring_to(big, S.OIG_PENDING, staff)
    triage.record_oig_answer(actor=staff.intake, allegation=big, answer=OigAnswer.RETURNED)
    triage.refer_to_oig(actor=staff.intake, allegation=big)
    signed_in(client, staff.intake)
    client.get(detail_url(small))

    def cost(allegation: Allegation) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(detail_url(allegation)).status_code == 200
        return len(captured)

    assert cost(big) == cost(small)
    assert cost(big) <= 30


# Actions


def post_action(client: Client, allegation: Allegation, action: str, data: dict[str, str]) -> Any:
    url = f"/intake/allegations/{allegation.pk}/{action.replace('_', '-')}"
    return client.post(url, {f"{action}-{key}": value for key, value in data.items()})


def test_triage_records_the_seriousness(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = post_action(signed_in(client, staff.intake), allegation, "triage", {"seriousness": "criminal"})

    assert response.status_code == 302 and response["Location"] == detail_url(allegation)
    allegation.refresh_from_db()
    assert (allegation.status, allegation.seriousness) == (S.TRIAGED, "criminal")
    assert f"{allegation.number} triaged." in client.get(detail_url(allegation)).content.decode()


def test_triage_refused_by_the_workflow_shows_the_reason_and_writes_nothing(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    transitions = AuditEvent.objects.filter(action=AuditAction.TRANSITION).count()

    response = post_action(signed_in(client, staff.intake), allegation, "triage", {"seriousness": "criminal"})

    assert response.status_code == 400
    assert "Triage is possible only for an allegation that is received; this one is triaged." in (
        response.content.decode()
    )
    allegation.refresh_from_db()
    assert allegation.seriousness == "minor_administrative"
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION).count() == transitions


def test_triage_without_a_seriousness_is_refused_on_the_form(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = post_action(signed_in(client, staff.intake), allegation, "triage", {"seriousness": ""})

    assert response.status_code == 400
    assert 'href="#id_triage-seriousness">Seriousness: This field is required.' in response.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).status == S.RECEIVED


def test_refer_to_oig_starts_the_clock(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()
    triage.triage(actor=staff.intake, allegation=allegation, seriousness="criminal")

    response = post_action(signed_in(client, staff.intake), allegation, "refer", {"note": "Bribery"})

    assert response.status_code == 302
    referral = OigReferral.objects.get(allegation=allegation)
    assert referral.note == "Bribery" and referral.deadline is not None
    assert Allegation.objects.get(pk=allegation.pk).status == S.OIG_PENDING


def test_refer_refused_before_triage(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()

    response = post_action(signed_in(client, staff.intake), allegation, "refer", {})

    assert response.status_code == 400
    assert "Refer to OIG is possible only for an allegation that is triaged; this one is received." in (
        response.content.decode()
    )
    assert not OigReferral.objects.exists()


def test_recording_oig_answer(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = bring_to(make_allegation(), S.OIG_PENDING, staff)

    response = post_action(
        signed_in(client, staff.intake),
        allegation,
        "oig_answer",
        {"answer": "accepted", "oig_reference": "OIG-26-0042"},
    )

    assert response.status_code == 302
    referral = OigReferral.objects.get(allegation=allegation)
    assert (referral.answer, referral.oig_reference) == ("accepted", "OIG-26-0042")
    assert Allegation.objects.get(pk=allegation.pk).status == S.OIG_ACCEPTED


def test_an_oig_answer_without_a_referral_is_refused(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = post_action(signed_in(client, staff.intake), allegation, "oig_answer", {"answer": "declined"})

    assert response.status_code == 400
    assert Allegation.objects.get(pk=allegation.pk).status == S.RECEIVED


def test_routing_with_a_rationale(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)

    response = post_action(
        signed_in(client, staff.intake),
        allegation,
        "route",
        {"outcome": RoutingOutcome.FACT_FINDER, "rationale": "Facts in dispute"},
    )

    assert response.status_code == 302
    allegation.refresh_from_db()
    assert (allegation.status, allegation.routing_outcome, allegation.routing_rationale) == (
        S.ROUTED,
        "fact_finder",
        "Facts in dispute",
    )
    assert "Routed: Fact finder" in client.get(detail_url(allegation)).content.decode()


def test_routing_without_a_rationale_keeps_the_choice_and_writes_nothing(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)

    response = post_action(
        signed_in(client, staff.intake),
        allegation,
        "route",
        {"outcome": RoutingOutcome.FACT_FINDER, "rationale": ""},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Give the rationale for this routing decision." in body
    assert '<option value="fact_finder" selected>' in body
    assert Allegation.objects.get(pk=allegation.pk).status == S.TRIAGED


def test_routing_a_criminal_allegation_before_oig_has_answered_is_refused(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()
    triage.triage(actor=staff.intake, allegation=allegation, seriousness="criminal")

    response = post_action(
        signed_in(client, staff.intake),
        allegation,
        "route",
        {"outcome": RoutingOutcome.INVESTIGATION_CRIMINAL, "rationale": "Serious"},
    )

    assert response.status_code == 400
    assert "must first be referred to the DHS OIG" in response.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).status == S.TRIAGED


def test_a_second_supervisor_approves_a_closure(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)

    page = signed_in(client, staff.second_supervisor).get(detail_url(allegation)).content.decode()
    response = post_action(client, allegation, "approve_closure", {"note": "Agreed"})

    assert "approve-closure" in page and "reject-closure" in page
    assert response.status_code == 302
    allegation.refresh_from_db()
    assert allegation.status == S.CLOSED and allegation.closure_approved_by == staff.second_supervisor


def test_an_intake_specialist_cannot_approve_a_closure(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)

    page = signed_in(client, staff.intake).get(detail_url(allegation)).content.decode()
    response = post_action(client, allegation, "approve_closure", {})

    assert "approve-closure" not in page
    assert response.status_code == 403
    assert "needs one of the roles: supervisor" in response.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).status == S.CLOSURE_PENDING


def test_the_requesting_supervisor_is_not_offered_approval_and_is_refused(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.TRIAGED, staff)
    triage.route(
        actor=staff.supervisor,
        allegation=allegation,
        outcome=RoutingOutcome.CLOSED_NO_ACTION,
        rationale="None",
    )

    page = signed_in(client, staff.supervisor).get(detail_url(allegation)).content.decode()
    response = post_action(client, allegation, "approve_closure", {})

    assert "approve-closure" not in page and "reject-closure" in page
    assert response.status_code == 403
    assert "another supervisor must approve it" in response.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).status == S.CLOSURE_PENDING


def test_rejecting_a_closure_needs_a_reason(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = bring_to(make_allegation(), S.CLOSURE_PENDING, staff)
    signed_in(client, staff.second_supervisor)

    refused = post_action(client, allegation, "reject_closure", {"reason": ""})
    assert refused.status_code == 400 and "Say why the closure is rejected." in refused.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).status == S.CLOSURE_PENDING

    done = post_action(client, allegation, "reject_closure", {"reason": "Needs a management inquiry"})
    assert done.status_code == 302
    assert Allegation.objects.get(pk=allegation.pk).status == S.TRIAGED


def test_assigning_one_allegation_from_its_page(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = post_action(
        signed_in(client, staff.supervisor), allegation, "assign", {"assignee": str(staff.intake.pk)}
    )

    assert response.status_code == 302
    assert Allegation.objects.get(pk=allegation.pk).assigned_to == staff.intake


def test_assigning_to_someone_who_is_not_an_intake_specialist_is_refused(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation()

    response = post_action(
        signed_in(client, staff.intake), allegation, "assign", {"assignee": str(staff.agent.pk)}
    )

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Allegation.objects.get(pk=allegation.pk).assigned_to is None


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("triage", {"seriousness": "criminal"}),
        ("refer", {}),
        ("oig_answer", {"answer": "accepted"}),
        ("route", {"outcome": "fact_finder", "rationale": "x"}),
        ("approve_closure", {}),
        ("reject_closure", {"reason": "x"}),
        ("assign", {"assignee": "1"}),
    ],
)
def test_every_action_on_a_hidden_allegation_is_404_and_writes_nothing(
    client: Client, staff: Staff, make_allegation: MakeAllegation, action: str, data: dict[str, str]
) -> None:
    allegation = make_allegation(subjects=(staff.recused_intake_employee,))
    before = [e.seq for e in events_for(allegation)]

    response = post_action(signed_in(client, staff.recused_intake), allegation, action, data)

    assert response.status_code == 404
    assert [e.seq for e in events_for(allegation)] == before
    assert Allegation.objects.get(pk=allegation.pk).status == S.RECEIVED
    assert not Deadline.objects.filter(rule__code="oig-referral-answer").exists()


def test_actions_answer_only_post(client: Client, staff: Staff, make_allegation: MakeAllegation) -> None:
    allegation = make_allegation()

    response = signed_in(client, staff.intake).get(f"/intake/allegations/{allegation.pk}/triage")

    assert response.status_code == 405


def test_people_recorded_on_the_form_appear_on_the_page(
    client: Client, staff: Staff, make_allegation: MakeAllegation
) -> None:
    allegation = make_allegation(people=(PersonInput(role="witness", description="Man in a red cap"),))

    body = signed_in(client, staff.intake).get(detail_url(allegation)).content.decode()

    assert AllegationPerson.objects.filter(allegation=allegation).count() == 1
    assert "Witness" in body and "Man in a red cap" in body
