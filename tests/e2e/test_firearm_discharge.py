"""In real Chromium: a firearm discharge from report to board determination and a tracked
recommendation.

The use-of-force program manager reports the discharge at the Nogales port (the officer, the
armed traveler, the round fired) and assigns a special agent to review it; the reviewer
documents the facts; the program manager sends it to the review board, schedules a meeting with
the incident on its agenda, records the board's determination (possible misconduct, which
intake receives as an allegation) and a training recommendation with an owner and a due date;
the owner marks it done. The database is checked after each phase.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import expect

from probity.core.deadlines import agency_time_zone
from probity.core.models import Deadline, Employee, Role, User
from probity.core.services.users import create_user
from probity.intake.models import Allegation, AllegationPerson, Channel, PersonRole
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    BoardMeetingStatus,
    CriticalIncident,
    Determination,
    ForceUsed,
    IncidentStatus,
    IncidentSubject,
    Recommendation,
    RecommendationKind,
)
from tests.conftest import PASSWORD, Org, make_employee

pytestmark = pytest.mark.e2e

S = IncidentStatus
SUMMARY = "Officer fired at a traveler who drew a knife at the turnstiles"
FACTS = "The port's camera 3 shows the traveler advancing with a knife drawn; one round was fired, missing."
RATIONALE = "The video contradicts the officer's account of the distance; referred as possible misconduct."
RECOMMENDATION = "Add edged-weapon scenarios in confined lanes to the quarterly firearms training."


@dataclass
class People:
    manager: User
    board_member: User
    reviewer: User
    owner: User
    officer: Employee


def agency_now() -> dt.datetime:
    return timezone.now().astimezone(agency_time_zone())


def sign_in(page: Any, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def submit(scope: Any, page: Any, name: str) -> None:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        scope.get_by_role("button", name=name).click()


def expect_message(page: Any, text: str) -> None:
    expect(page.get_by_role("main").get_by_text(text).first).to_be_visible()


def choose(scope: Any, page: Any, group: str, option: str) -> None:
    """Tick a radio button or checkbox of a labelled group: USWDS draws the label a person clicks."""
    box = scope.get_by_role("group", name=group).get_by_label(option, exact=True)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    expect(box).to_be_checked()


def open_incident(page: Any, incident: CriticalIncident) -> None:
    page.goto(f"/oversight/incidents/{incident.pk}/")
    expect(page.get_by_role("heading", name=incident.number, level=1)).to_be_visible()


# The program manager reports the discharge and assigns the review


def report_the_discharge(page: Any, people: People, org: Org) -> CriticalIncident:
    sign_in(page, people.manager.username)
    with page.expect_navigation():
        page.get_by_role("link", name="Incidents", exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Report an incident").click()
    occurred = agency_now() - dt.timedelta(hours=2)
    page.get_by_label("Kind of incident").select_option(label="Use of force: firearm discharge")
    page.get_by_label("When it happened").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(re.compile(r"^\s*Office\b")).select_option(value=str(org.nogales_port.pk))
    page.get_by_label(re.compile(r"^\s*Place\b")).fill("Pedestrian processing, turnstile 3")
    page.get_by_label(re.compile(r"^\s*Summary\b")).fill(SUMMARY)
    page.get_by_label("Narrative").fill(
        "The traveler drew a knife at the turnstiles and advanced on the officer."
    )
    page.get_by_label("Who responded").fill("Port watch commander; EMS")
    page.get_by_label("When the office was notified").fill(
        (occurred + dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("When responders were on scene").fill(
        (occurred + dt.timedelta(minutes=25)).strftime("%Y-%m-%dT%H:%M")
    )
    employee = page.get_by_role("group", name="Employee 1")
    employee.get_by_label("Employee number").fill(people.officer.employee_number)
    employee.get_by_label("What they did").fill("Fired one round from the service pistol")
    subject = page.get_by_role("group", name="Subject 1")
    subject.get_by_label("Description").fill("Adult male pedestrian")
    subject.get_by_label("Age").fill("34")
    subject.get_by_label("Armed").select_option(label="Yes")
    subject.get_by_label("Weapon").fill("Knife")
    force = page.get_by_role("group", name="Force 1")
    force.get_by_label("Force, weapon or device").fill("Firearm (service pistol, one round)")
    force.get_by_label("Used by (employee number)").fill(people.officer.employee_number)
    submit(page, page, "Report the incident")

    incident = CriticalIncident.objects.get()
    expect_message(page, f"Incident {incident.number} reported.")
    expect(page.get_by_role("heading", name=incident.number, level=1)).to_be_visible()
    assert incident.status == S.REPORTED and incident.meets_board_criteria
    assert incident.office == org.nogales_port and incident.created_by == people.manager
    assert incident.employees.get().employee == people.officer
    assert IncidentSubject.objects.get(incident=incident).weapon == "Knife"
    assert ForceUsed.objects.get(incident=incident).by_employee is not None
    assert incident.notified_at is not None and incident.on_scene_at is not None
    return incident


def assign_a_reviewer(page: Any, incident: CriticalIncident, people: People) -> None:
    region = page.get_by_role("region", name="Assign the reviewer")
    region.get_by_label("Reviewer").select_option(label=people.reviewer.get_full_name())
    submit(region, page, "Assign")
    expect_message(page, f"Reviewer of {incident.number} assigned.")
    expect(page.locator("#incident-reviewer")).to_contain_text(people.reviewer.get_full_name())

    incident.refresh_from_db()
    assert (incident.status, incident.reviewer) == (S.UNDER_REVIEW, people.reviewer)


# The reviewer documents the facts


def document_the_facts(page: Any, incident: CriticalIncident, people: People) -> None:
    sign_in(page, people.reviewer.username)
    panel = page.get_by_role("main")
    with page.expect_navigation():
        panel.get_by_role("link", name=incident.number).click()
    region = page.get_by_role("region", name="Document the facts")
    region.get_by_label("Facts").fill(FACTS)
    submit(region, page, "Save the facts")
    expect_message(page, f"Facts of {incident.number} saved.")
    expect(page.locator("#incident-facts")).to_contain_text("camera 3")
    # The reviewer is not the one who sends it on.
    expect(page.get_by_role("region", name="Send to the review board")).to_have_count(0)

    incident.refresh_from_db()
    assert incident.facts == FACTS and incident.status == S.UNDER_REVIEW


# The program manager takes it to the board


def send_to_the_board(page: Any, incident: CriticalIncident, people: People) -> None:
    sign_in(page, people.manager.username)
    open_incident(page, incident)
    region = page.get_by_role("region", name="Send to the review board")
    submit(region, page, "Send to the review board")
    expect_message(page, f"{incident.number} moved to awaiting the review board.")

    incident.refresh_from_db()
    assert incident.status == S.BOARD_PENDING


def schedule_a_meeting(page: Any, incident: CriticalIncident, people: People) -> AgendaItem:
    with page.expect_navigation():
        page.get_by_role("link", name="Review board").first.click()
    expect(page.get_by_role("main").get_by_text(incident.number)).to_be_visible()  # awaiting a meeting
    with page.expect_navigation():
        page.get_by_role("link", name="Schedule a meeting").click()
    today = agency_now().date()
    expect(page.get_by_label("Date of the meeting")).to_have_value(today.isoformat())
    choose(page, page, "Members", people.manager.get_full_name())
    choose(page, page, "Members", people.board_member.get_full_name())
    submit(page, page, "Schedule the meeting")
    expect_message(page, f"Meeting of {today:%Y-%m-%d} scheduled.")

    region = page.get_by_role("region", name="Add an incident to the agenda")
    region.get_by_label("Incident awaiting the board").select_option(label=f"{incident.number}: {SUMMARY}")
    submit(region, page, "Add to the agenda")
    expect_message(page, "Incident added to the agenda.")

    meeting = BoardMeeting.objects.get()
    assert meeting.held_on == today and meeting.status == BoardMeetingStatus.SCHEDULED
    assert set(meeting.members.all()) == {people.manager, people.board_member}
    return AgendaItem.objects.get(meeting=meeting, incident=incident)


def record_the_determination(page: Any, item: AgendaItem) -> Allegation:
    number = item.incident.number
    region = page.get_by_role("region", name=f"Record the determination on {number}")
    choose(region, page, "Determination", Determination.POSSIBLE_MISCONDUCT.label)
    region.get_by_label("Rationale").fill(RATIONALE)
    submit(region, page, "Record the determination")
    expect_message(page, f"Determination on {number} recorded.")
    expect(page.get_by_text("Determination: Possible misconduct")).to_be_visible()

    item.refresh_from_db()
    item.incident.refresh_from_db()
    item.meeting.refresh_from_db()
    assert item.determination == Determination.POSSIBLE_MISCONDUCT and item.rationale == RATIONALE
    assert item.incident.status == S.DETERMINED
    assert item.meeting.status == BoardMeetingStatus.HELD
    allegation = Allegation.objects.get()
    assert item.referral == allegation and allegation.channel == Channel.SUPERVISOR
    subject = AllegationPerson.objects.get(allegation=allegation, role=PersonRole.SUBJECT)
    assert subject.employee == item.incident.employees.get().employee
    expect(page.get_by_text(f"Referred to intake as allegation {allegation.number}.")).to_be_visible()
    return allegation


def add_a_recommendation(page: Any, item: AgendaItem, people: People) -> Recommendation:
    number = item.incident.number
    due = agency_now().date() + dt.timedelta(days=60)
    region = page.get_by_role("region", name=f"Add a recommendation on {number}")
    region.get_by_label("Kind").select_option(label="Training")
    region.get_by_label("Recommendation").fill(RECOMMENDATION)
    region.get_by_label("Owner").select_option(label=people.owner.get_full_name())
    region.get_by_label("Due date").fill(due.isoformat())
    submit(region, page, "Add the recommendation")
    expect_message(page, f"Recommendation on {number} added.")
    row = page.get_by_role("row").filter(has_text=RECOMMENDATION)
    expect(row).to_contain_text(people.owner.get_full_name())
    expect(row).to_contain_text(f"{due:%-d %b %Y}")
    expect(row).to_contain_text("Open")

    rec = Recommendation.objects.get()
    assert (rec.kind, rec.owner, rec.due_on, rec.completed_at) == (
        RecommendationKind.TRAINING,
        people.owner,
        due,
        None,
    )
    clock = Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(Recommendation), object_id=rec.pk
    )
    assert clock.rule.code == "board-recommendation-due" and clock.owner == people.owner
    assert clock.due_at.astimezone(agency_time_zone()).date() == due and clock.is_open
    return rec


# The owner marks it done


def the_owner_marks_it_done(page: Any, rec: Recommendation, people: People) -> None:
    sign_in(page, people.owner.username)
    expect(page.get_by_role("heading", name="My board recommendations")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="My recommendations").click()
    region = page.get_by_role("region", name=f"Training recommendation on {rec.item.incident.number}")
    expect(region).to_contain_text(RECOMMENDATION)
    region.get_by_label("What was done").fill("Scenarios added; every port team trained in the quarter.")
    submit(region, page, "Mark it done")
    expect_message(page, "Recommendation marked done.")
    expect(page.get_by_role("main").get_by_text("Done", exact=False).first).to_be_visible()

    rec.refresh_from_db()
    assert rec.completed_at is not None
    clock = Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(Recommendation), object_id=rec.pk
    )
    assert clock.met_at == rec.completed_at and clock.met_at <= clock.due_at


def test_a_firearm_discharge_goes_from_report_to_board_determination_and_a_tracked_recommendation(
    browser_page: Any,
    live_server: Any,
    org: Org,
    transactional_db: None,
    reference_data: None,
) -> None:
    # A transactional test's flush empties the rules; the incidents part's seed puts its own back.
    importlib.import_module("probity.oversight.migrations.0002_incidents_deadline_rules").seed(apps, None)

    def user(name: str, first: str, last: str, roles: list[str], **extra: Any) -> User:
        return create_user(
            actor=None,
            username=name,
            password=PASSWORD,
            roles=roles,
            first_name=first,
            last_name=last,
            **extra,
        )

    people = People(
        manager=user("use_of_force", "Uma", "Manager", [Role.PROGRAM_MANAGER]),
        board_member=user("board_member", "Bo", "Member", [Role.PROGRAM_MANAGER]),
        reviewer=user("reviewer", "Rey", "Reviewer", [Role.AGENT], office_scope=org.tucson),
        owner=user("academy", "Ada", "Academy", [Role.SUPERVISOR], office_scope=org.opr),
        officer=make_employee("E300002", "Oscar", "Officer", org.nogales_port, law_enforcement=True),
    )
    page = browser_page

    incident = report_the_discharge(page, people, org)
    assign_a_reviewer(page, incident, people)
    document_the_facts(page, incident, people)
    send_to_the_board(page, incident, people)
    item = schedule_a_meeting(page, incident, people)
    record_the_determination(page, item)
    rec = add_a_recommendation(page, item, people)
    the_owner_marks_it_done(page, rec, people)

    incident.refresh_from_db()
    assert incident.status == S.DETERMINED
