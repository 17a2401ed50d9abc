"""In real Chromium: one case from the allegation intake routed to OPR to a decided discipline.

Intake has routed an allegation of false statements to an administrative investigation, which
opened the case. Everything after that is done in the browser by the people who do it: the
supervisor assigns the lead agent; the agent plans, interviews the subject under a Kalkines
warning (the signed form attached), collects a digital file and moves it twice, finds the
allegation sustained, drafts and submits the report; another supervisor returns it once, then
approves it (the case closes); the final report is downloaded in PDF and Word and read; the
lead agent refers the subject to management, and labor relations proposes and decides the
discipline after weighing the 12 Douglas factors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from weasyprint import HTML  # type: ignore[import-untyped]

from probity.core.deadlines import agency_time_zone
from probity.core.models import Employee, Role, User
from probity.core.services.users import create_user
from probity.intake.models import Channel
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.investigations.models import (
    Case,
    CaseStatus,
    ChecklistItem,
    CustodyTransfer,
    DisciplineAction,
    DisciplineStatus,
    DouglasFactor,
    EvidenceItem,
    FindingOutcome,
    GiglioMark,
    Interview,
    PlanStep,
    ReportVersion,
    ReviewOutcome,
    SufficiencyReview,
    Warning,
)
from tests.conftest import PASSWORD, Org, Personas, make_employee
from tests.core.test_files import png_bytes
from tests.investigations.conftest import route_to_investigation

pytestmark = pytest.mark.e2e

RETURN_COMMENTS = "Say in the synopsis how the video was obtained, then resubmit."
RATIONALE = "The seizure video shows no currency was counted; the report the subject signed says it was."


@dataclass
class People:
    supervisor: User
    reviewer: User  # a second supervisor, who never worked on the case
    agent: User
    labor: User
    subject: Employee
    proposing: Employee
    deciding: Employee


def signed_warning_form() -> bytes:
    """A real PDF, made without fetching anything (the HTML has no resources to fetch)."""

    def refuse(url: str, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"Nothing is fetched here: {url}")

    html = "<h1>Kalkines warning</h1><p>Read, understood and signed: Sam Subject.</p>"
    pdf: bytes = HTML(string=html, url_fetcher=refuse).write_pdf()
    return pdf


def agency_today() -> dt.date:
    return dt.datetime.now(tz=agency_time_zone()).date()


def sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def open_case(page: Any, case: Case) -> None:
    page.goto(f"/investigations/cases/{case.pk}/")
    expect(page.get_by_role("heading", name=case.number, level=1)).to_be_visible()


def submit(page: Any, name: str) -> None:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def expect_message(page: Any, text: str) -> None:
    expect(page.get_by_role("main").get_by_text(text).first).to_be_visible()


def choose(page: Any, group: str, option: str) -> None:
    """Pick a radio button or checkbox in a labelled group. USWDS hides the input itself and
    draws its label, which is what a person clicks."""
    box = page.get_by_role("group", name=group).get_by_label(option, exact=True)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def routed_case(people: People, org: Org, intake: User) -> Case:
    """What comes before the case: intake records the allegation and routes it to OPR."""
    allegation = record_allegation(
        actor=intake,
        data=AllegationInput(
            channel=Channel.PHONE,
            summary="Officer signed a false seizure report",
            narrative="The seizure report says the currency was counted in front of the traveler; "
            "the port's video shows it was not.",
            category_codes=("false-statements",),
            office_id=org.nogales_port.pk,
            people=(
                PersonInput(role="subject", employee_id=people.subject.pk),
                PersonInput(role="complainant", name="Carla Complainant", contact="carla@example.org"),
            ),
        ),
    )
    route_to_investigation(allegation, intake)
    case = Case.objects.get(sources__allegation=allegation)
    assert case.status == CaseStatus.OPENED
    return case


# The supervisor staffs the case


def assign_the_lead_agent(page: Any, case: Case, people: People) -> None:
    sign_in(page, people.supervisor.username)
    open_case(page, case)
    expect(page.get_by_text("Not assigned yet")).to_be_visible()
    assign = page.get_by_role("region", name="Assign the lead agent")
    assign.get_by_label("Lead agent").select_option(label=people.agent.get_full_name())
    with page.expect_navigation():
        assign.get_by_role("button", name="Assign").click()
    expect_message(page, f"Lead agent of {case.number} assigned.")

    case.refresh_from_db()
    assert case.lead_agent == people.agent
    assert case.supervisor == people.supervisor


# The lead agent investigates


def plan_the_investigation(page: Any, case: Case, people: People) -> None:
    sign_in(page, people.agent.username)
    open_case(page, case)
    submit(page, "Start investigating")
    expect_message(page, f"{case.number} moved to investigating.")

    with page.expect_navigation():
        page.get_by_role("link", name="Add a plan step").click()
    page.get_by_label("Step").fill("Obtain the port's video of the seizure")
    page.get_by_label("Owner").select_option(label=people.agent.get_full_name())
    page.get_by_label("Due date").fill((agency_today() + dt.timedelta(days=14)).isoformat())
    submit(page, "Add the step")
    expect_message(page, f"Step added to the plan of {case.number}.")

    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    step = PlanStep.objects.get(case=case)
    assert (step.owner, step.done_at) == (people.agent, None)


def interview_the_subject(page: Any, case: Case, people: People, warning_form: Path) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="Record an interview").click()
    page.get_by_label("Interviewee").select_option(
        label=f"{people.subject.full_name} ({people.subject.employee_number}) (subject, employee)"
    )
    page.get_by_label("Place").fill("OPR Tucson, interview room 2")
    page.get_by_label("Participants").fill("Agent Persona (OPR); union representative J. Reyes")
    choose(page, "Warning given", Warning.KALKINES.label)
    page.get_by_label("Signed warning form").set_input_files(str(warning_form))
    page.get_by_label("Summary").fill(
        "The subject said the count was done at the secondary inspection counter, off camera."
    )
    submit(page, "Record the interview")
    expect_message(page, f"recorded in {case.number}")
    expect(page.get_by_role("link", name="Signed warning form")).to_be_visible()

    interview = Interview.objects.select_related("warning_form").get(activity__case=case)
    assert interview.interviewee.employee == people.subject
    assert interview.warning == Warning.KALKINES
    assert interview.warning_form is not None
    assert interview.warning_form.sha256 == hashlib.sha256(warning_form.read_bytes()).hexdigest()


def collect_the_video_still(page: Any, case: Case, still: Path) -> EvidenceItem:
    with page.expect_navigation():
        page.get_by_role("link", name="Add evidence").click()
    page.get_by_label("Description").fill("Still from the port's camera 4 at the time of the seizure")
    page.get_by_label("Kind").select_option(label="Digital")
    page.get_by_label("Source").fill("Nogales port video system")
    page.get_by_label("Storage location").fill("Evidence server, case folder")
    page.get_by_label("File", exact=True).set_input_files(str(still))
    submit(page, "Add the item")
    expect_message(page, f"Evidence E-001 added to {case.number}")

    item = EvidenceItem.objects.get(case=case)
    digest = hashlib.sha256(still.read_bytes()).hexdigest()
    assert item.sha256 == digest
    expect(page.get_by_text(digest)).to_be_visible()
    return item


def move_the_item_twice(page: Any, item: EvidenceItem) -> None:
    for to, purpose in (
        ("Forensic lab, Tucson", "Frame-by-frame examination"),
        ("Evidence room A, locker 12", "Back to storage after examination"),
    ):
        with page.expect_navigation():
            page.get_by_role("link", name=f"Transfer custody of {item.number}").click()
        page.get_by_label(re.compile(r"^\s*To\b")).fill(to)
        page.get_by_label("Purpose").fill(purpose)
        page.get_by_label("Condition").fill("Sealed, seal intact")
        submit(page, "Record the transfer")
        expect_message(page, f"{item.number} transferred to {to}")

    chain = list(CustodyTransfer.objects.filter(item=item).order_by("sequence"))
    assert [link.sequence for link in chain] == [1, 2, 3]
    assert [link.to_custodian for link in chain[1:]] == ["Forensic lab, Tucson", "Evidence room A, locker 12"]
    assert chain[2].from_custodian == chain[1].to_custodian
    item.refresh_from_db()
    assert item.custodian == "Evidence room A, locker 12"


def find_and_draft(page: Any, case: Case, item: EvidenceItem) -> None:
    findings = page.get_by_role("region", name=re.compile("False statements", re.IGNORECASE))
    findings.get_by_text("Record the finding").click()
    choose(findings, "Finding", FindingOutcome.SUSTAINED.label)
    findings.get_by_label("Rationale").fill(RATIONALE)
    choose(findings, "Evidence relied on", f"{item.number} · {item.description}")
    with page.expect_navigation():
        findings.get_by_role("button", name="Save the finding").click()
    expect_message(page, "Finding on")

    submit(page, "Draft the report")
    expect_message(page, f"{case.number} moved to report drafting.")
    submit(page, "Generate a new version")
    expect_message(page, f"A new version of the report of {case.number} was generated.")
    submit(page, "Submit the report for sufficiency review")
    expect_message(page, f"{case.number} submitted for sufficiency review.")

    case.refresh_from_db()
    assert case.status == CaseStatus.SUFFICIENCY_REVIEW
    finding = case.case_allegations.get().finding
    assert finding.outcome == FindingOutcome.SUSTAINED
    assert list(finding.evidence.all()) == [item]
    assert ReportVersion.objects.filter(case=case, draft=True).count() == 1


# The sufficiency review


def review(page: Any, case: Case, *, approve: bool) -> None:
    open_case(page, case)
    review = page.get_by_role("region", name="Sufficiency review")
    for item in ChecklistItem.objects.filter(active=True):
        choose(review, item.text, "Met")
    if approve:
        choose(review, "Decision", "Approve the report and close the case")
    else:
        choose(review, "Decision", "Return it for more work")
        review.get_by_label("Comments", exact=True).fill(RETURN_COMMENTS)
    with page.expect_navigation():
        review.get_by_role("button", name="Record the decision").click()


def return_then_approve(page: Any, case: Case, people: People) -> None:
    sign_in(page, people.reviewer.username)
    review(page, case, approve=False)
    expect_message(page, f"{case.number} returned to the agents for more work.")
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORT_DRAFTING

    sign_in(page, people.agent.username)
    open_case(page, case)
    expect(page.get_by_role("list", name="Review history").get_by_text(RETURN_COMMENTS)).to_be_visible()
    submit(page, "Submit the report for sufficiency review")
    expect_message(page, f"{case.number} submitted for sufficiency review.")

    sign_in(page, people.reviewer.username)
    review(page, case, approve=True)
    expect_message(page, f"{case.number} approved and closed")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_at is not None
    rounds = list(SufficiencyReview.objects.filter(case=case).order_by("round"))
    assert [(r.round, r.outcome, r.reviewer) for r in rounds] == [
        (1, ReviewOutcome.RETURNED, people.reviewer),
        (2, ReviewOutcome.APPROVED, people.reviewer),
    ]
    assert rounds[0].comments == RETURN_COMMENTS
    assert all(r.answers.count() == 5 and all(a.met for a in r.answers.all()) for r in rounds)


# The final report, as a reader gets it


def download(page: Any, link: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    path = info.value.path()
    return Path(path).read_bytes()


def read_the_final_report(page: Any, case: Case, item: EvidenceItem) -> None:
    final = ReportVersion.objects.filter(case=case).order_by("-version").first()
    assert final is not None and final.version > 1 and not final.draft
    open_case(page, case)
    reports = page.get_by_role("region", name="Report of Investigation")
    expect(reports.get_by_text("Final").first).to_be_visible()

    draft = PdfReader(io.BytesIO(download(page, "PDF of version 1")))
    assert "DRAFT" in draft.pages[0].extract_text()
    pdf = PdfReader(io.BytesIO(download(page, f"PDF of version {final.version}")))
    pdf_text = "\n".join(p.extract_text() for p in pdf.pages)
    word = docx.Document(io.BytesIO(download(page, f"Word of version {final.version}")))
    word_text = "\n".join(
        [p.text for p in word.paragraphs]
        + [cell.text for table in word.tables for row in table.rows for cell in row.cells]
        + [p.text for section in word.sections for p in section.header.paragraphs]
    )
    for text in (pdf_text, word_text):
        flat = "".join(text.split())  # a long hash may wrap across lines
        assert case.number in text
        assert "Sustained" in text
        assert item.sha256 in flat
        assert "DRAFT" not in text


# Discipline


def refer_the_subject(page: Any, case: Case, people: People) -> DisciplineAction:
    sign_in(page, people.agent.username)
    open_case(page, case)
    refer = page.get_by_role("region", name="Refer to management")
    refer.get_by_text("Show the form").click()
    category = case.case_allegations.get().category.name
    choose(refer, "Sustained allegations", f"{people.subject.full_name}: {category}")
    with page.expect_navigation():
        refer.get_by_role("button", name="Refer for discipline").click()
    expect_message(page, "Referred to management.")

    action = DisciplineAction.objects.get(case=case)
    assert (action.employee, action.status) == (people.subject, DisciplineStatus.REFERRED)
    return action


def propose_and_decide(page: Any, action: DisciplineAction, people: People) -> None:
    sign_in(page, people.labor.username)
    page.goto("/investigations/discipline/")
    with page.expect_navigation():
        page.get_by_role("link", name=people.subject.full_name).click()

    propose = page.get_by_role("region", name="Propose an action")
    with page.expect_response(lambda response: "/discipline/consistency" in response.url):
        propose.get_by_label("Offense").select_option(label="Lack of candor or false statements")
    expect(propose.get_by_text("No penalty has been decided for lack of candor")).to_be_visible()
    propose.get_by_label("Proposing official").fill(people.proposing.employee_number)
    propose.get_by_label("Proposed penalty").select_option(label="14-day suspension")
    propose.get_by_label("Date proposed").fill(agency_today().isoformat())
    with page.expect_navigation():
        propose.get_by_role("button", name="Record the proposal").click()
    expect_message(page, "Proposal recorded.")

    decide = page.get_by_role("region", name="Decision")
    decide.get_by_label("Deciding official").fill(people.deciding.employee_number)
    decide.get_by_label("Decided penalty").select_option(label="7-day suspension")
    decide.get_by_label("Date decided").fill(agency_today().isoformat())
    decide.get_by_label("Reasons for the decision").fill(
        "A false seizure report goes to the officer's credibility; a long record and candour in "
        "the interview mitigate."
    )
    for factor in DouglasFactor:
        weight = (
            "Aggravating" if factor.value in {1, 2, 5} else "Mitigating" if factor.value == 3 else "Neutral"
        )
        decide.get_by_label(f"Factor {factor.value}: weight").select_option(label=weight)
        decide.get_by_label(f"Factor {factor.value}: explanation").fill(f"Weighed for factor {factor.value}.")
    with page.expect_navigation():
        decide.get_by_role("button", name="Record the decision").click()
    expect_message(page, "Decision recorded.")
    expect(page.get_by_role("table", name="The Douglas factors as weighed")).to_be_visible()

    action.refresh_from_db()
    assert action.status == DisciplineStatus.DECIDED
    assert (action.proposing_official, action.deciding_official) == (people.proposing, people.deciding)
    assert action.proposed_penalty is not None and action.proposed_penalty.code == "suspension-14"
    assert action.decided_penalty is not None and action.decided_penalty.code == "suspension-7"
    assert sorted(action.douglas.values_list("factor", flat=True)) == list(range(1, 13))


def test_a_routed_allegation_is_investigated_reviewed_reported_and_disciplined(  # noqa: PLR0917
    browser_page: Any,
    live_server: Any,
    personas: Personas,
    org: Org,
    tmp_path: Path,
    transactional_db: None,
    reference_data: None,
) -> None:
    def user(name: str, role: str, scope: Any = None) -> User:
        return create_user(
            actor=None,
            username=name,
            password=PASSWORD,
            roles=[role],
            office_scope=scope,
            first_name=name.title(),
            last_name="Persona",
        )

    people = People(
        supervisor=personas.supervisor,
        reviewer=user("supervisor2", Role.SUPERVISOR, org.opr),
        agent=personas.agent,
        labor=user("labor", Role.LABOR_RELATIONS),
        subject=make_employee("E100001", "Sam", "Subject", org.nogales_port, law_enforcement=True),
        proposing=make_employee("E200001", "Paula", "Proposer", org.nogales_port),
        deciding=make_employee("E200002", "Dan", "Decider", org.tucson),
    )
    warning_form = tmp_path / "kalkines-signed.pdf"
    warning_form.write_bytes(signed_warning_form())
    still = tmp_path / "camera-4.png"
    still.write_bytes(png_bytes())
    case = routed_case(people, org, personas.intake)

    assign_the_lead_agent(browser_page, case, people)
    plan_the_investigation(browser_page, case, people)
    interview_the_subject(browser_page, case, people, warning_form)
    item = collect_the_video_still(browser_page, case, still)
    move_the_item_twice(browser_page, item)
    find_and_draft(browser_page, case, item)
    return_then_approve(browser_page, case, people)
    read_the_final_report(browser_page, case, item)
    action = refer_the_subject(browser_page, case, people)
    propose_and_decide(browser_page, action, people)

    # A sustained finding of false statements is Giglio material.
    assert GiglioMark.objects.filter(employee=people.subject, case=case).exists()
