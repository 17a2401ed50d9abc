"""In real Chromium: a Giglio request answered with the compiled information.

Before the browser: intake routed an allegation of false statements against an officer to OPR,
and the lead agent found it sustained (through the investigations services), which marked the
officer for Giglio; the case is still being written up. Then, in the browser, the agency's Giglio
official receives a prosecutor's request about the officer, records a court's finding on the
officer, compiles what the agency holds, leaves the court's finding out of the answer, approves
and releases it, and downloads the letter, whose text is read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from probity.core.deadlines import agency_time_zone
from probity.core.models import AuditEvent, Employee, Role, User
from probity.core.services.users import create_user
from probity.intake.models import Channel
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.investigations.models import Case, FindingOutcome, GiglioMark
from probity.investigations.services import cases
from probity.investigations.services.findings import record_finding
from probity.oversight.models import CompiledItem, GiglioRequest, GiglioStatus, ItemKind
from probity.oversight.queries_giglio import response_deadline
from tests.conftest import PASSWORD, Org, Personas, make_employee
from tests.investigations.conftest import route_to_investigation
from tests.investigations.findings_setup import move_to, only_allegation

pytestmark = pytest.mark.e2e

USAO = "U.S. Attorney's Office, District of Arizona"
AUSA = "AUSA Maria Delgado"
PROSECUTION = "United States v. Alvarez-Ortiz, 4:27-cr-01123"
COURT_FINDING = "The officer's account of the consent to search was not credible."


def agency_today() -> dt.date:
    return dt.datetime.now(tz=agency_time_zone()).date()


def sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def submit(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def expect_message(page: Any, text: str) -> None:
    expect(page.get_by_role("main").get_by_text(text).first).to_be_visible()


def sustained_case(personas: Personas, org: Org, officer: Employee) -> Case:
    """The investigation behind the Giglio mark, through intake's and investigations' services."""
    allegation = record_allegation(
        actor=personas.intake,
        data=AllegationInput(
            channel=Channel.PHONE,
            summary="Officer signed a false seizure report",
            narrative="The seizure report says the currency was counted in front of the traveler; "
            "the port's video shows it was not.",
            category_codes=("false-statements",),
            office_id=org.nogales_port.pk,
            people=(PersonInput(role="subject", employee_id=officer.pk),),
        ),
    )
    route_to_investigation(allegation, personas.intake)
    case = Case.objects.get(sources__allegation=allegation)
    cases.assign_lead(actor=personas.supervisor, case=case, agent=personas.agent)
    case = move_to(case, "report_drafting", personas.agent)
    record_finding(
        actor=personas.agent,
        allegation=only_allegation(case),
        outcome=FindingOutcome.SUSTAINED,
        rationale="The port's video shows no count; the subject signed a report saying there was one.",
    )
    assert GiglioMark.objects.filter(employee=officer, case=case).exists()
    return case


def receive_the_request(page: Any, official: User, officer: Employee) -> GiglioRequest:
    sign_in(page, official.username)
    with page.expect_navigation():
        page.get_by_role("link", name="Giglio requests").first.click()
    expect(page.get_by_role("heading", name="Giglio requests", level=1)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Record a new request").click()
    page.get_by_label("Prosecutor's office").fill(USAO)
    page.get_by_label("Requesting official").fill(AUSA)
    page.get_by_label("Prosecution case").fill(PROSECUTION)
    page.get_by_label("Employee witness").fill(officer.employee_number)
    page.get_by_label("Needed by").fill((agency_today() + dt.timedelta(days=20)).isoformat())
    submit(page, "Receive the request")

    request = GiglioRequest.objects.get()
    expect_message(page, f"Request {request.number} received.")
    expect(page.get_by_role("heading", name=request.number, level=1)).to_be_visible()
    assert (request.status, request.employee, request.giglio_official) == (
        GiglioStatus.RECEIVED,
        officer,
        official,
    )
    deadline = response_deadline(request)
    assert deadline is not None and deadline.is_open
    return request


def record_the_courts_finding(page: Any, request: GiglioRequest) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="Record a judicial finding on this employee").click()
    expect(page.get_by_role("textbox", name=re.compile(r"^Employee \("))).to_have_value(
        request.employee.employee_number
    )
    page.get_by_role("textbox", name=re.compile(r"^Court \(")).fill(
        "U.S. District Court, District of Arizona"
    )
    page.get_by_label("Court case reference").fill("4:25-cr-00871")
    page.get_by_label("Date of the finding").fill((agency_today() - dt.timedelta(days=120)).isoformat())
    page.get_by_label("What the court found").fill(COURT_FINDING)
    submit(page, "Record the finding")
    expect_message(page, f"Judicial finding on {request.employee.full_name} recorded.")
    expect(page.get_by_role("heading", name=request.number, level=1)).to_be_visible()


def compile_and_choose(page: Any, request: GiglioRequest, case: Case) -> None:
    submit(page, "Compile the information")
    expect_message(page, f"The information on the employee was compiled for {request.number}")
    chosen = page.get_by_role("group", name="Include in the letter")
    sustained = chosen.get_by_role("checkbox", name=re.compile(r"^Sustained finding"))
    pending = chosen.get_by_role("checkbox", name=re.compile(r"^Pending investigation"))
    court = chosen.get_by_role("checkbox", name=re.compile(r"^Judicial finding"))
    for box in (sustained, pending, court):
        expect(box).to_be_checked()
    expect(pending).to_have_accessible_name(re.compile(f"pending: OPR case {case.number}"))
    # The official sees the case number, never a way into the case.
    expect(page.locator(f"a[href='/investigations/cases/{case.pk}/']")).to_have_count(0)

    page.locator(f"label[for='{court.get_attribute('id')}']").click()  # USWDS draws the label
    expect(court).not_to_be_checked()
    submit(page, "Save the choices")
    expect_message(page, f"Your choice of what goes out in the letter of {request.number} is saved.")
    assert list(
        CompiledItem.objects.filter(request=request).order_by("pk").values_list("kind", "include")
    ) == [
        (ItemKind.SUSTAINED_FINDING, True),
        (ItemKind.PENDING_INVESTIGATION, True),
        (ItemKind.JUDICIAL_FINDING, False),
    ]
    request.refresh_from_db()
    assert request.letter is None  # nothing has left yet


def approve_and_download(page: Any, request: GiglioRequest) -> str:
    submit(page, "Approve and release")
    expect_message(page, f"{request.number} approved and released; the response letter was generated.")
    expect(page.get_by_text("Response released").first).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the response letter (PDF)").click()
    data = Path(info.value.path()).read_bytes()
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_a_giglio_request_is_answered_with_the_compiled_information(  # noqa: PLR0917
    browser_page: Any,
    live_server: Any,
    personas: Personas,
    org: Org,
    tmp_path: Path,
    settings: Any,
    transactional_db: None,
    reference_data: None,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    official = create_user(
        actor=None,
        username="giglio",
        password=PASSWORD,
        roles=[Role.GIGLIO],
        first_name="Grace",
        last_name="Okafor",
    )
    officer = make_employee("E100001", "Sam", "Subject", org.nogales_port, law_enforcement=True)
    case = sustained_case(personas, org, officer)

    request = receive_the_request(browser_page, official, officer)
    record_the_courts_finding(browser_page, request)
    compile_and_choose(browser_page, request, case)
    text = approve_and_download(browser_page, request)

    for expected in (
        request.number,
        "Sam Subject",
        officer.employee_number,
        USAO,
        AUSA,
        PROSECUTION,
        "Sustained finding of false statements",
        f"OPR case {case.number}",
        "Pending investigation",
        "Grace Okafor",
    ):
        assert expected in text, expected
    assert COURT_FINDING not in text and "No information" not in text

    request.refresh_from_db()
    assert (request.status, request.approved_by) == (GiglioStatus.RELEASED, official)
    deadline = response_deadline(request)
    assert deadline is not None and deadline.met_at == request.released_at
    for action in ("create", "view", "transition", "export", "download"):
        assert AuditEvent.objects.filter(
            action=action, object_type="oversight.gigliorequest", object_id=str(request.pk)
        ).exists(), action
