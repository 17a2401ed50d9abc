"""In real Chromium: a PREA allegation through all its clocks.

Intake records a detainee's sexual-abuse allegation received 100 days ago (a report that
reached the Joint Intake Center late): the recording opens its PREA track at once, with
intake's two clocks already overdue. The PREA coordinator (a program manager) sees it on the
dashboard, then works the track in the browser, entering when each step happened: reporting
confirmed in time, the accused removed late, the victim's segregation (overdue until it is
recorded as ended within the limit), retaliation monitoring (refused to end before 90 days,
then ended after a check), the outcome, the detainee told with the signed notice attached,
and the track closed. The clocks' states are read off the page after each phase.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from probity.core.deadlines import agency_time_zone
from probity.core.models import Role, User
from probity.core.services.users import create_user
from probity.intake.models import Channel, PersonRole
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.oversight.models import PreaTrack
from probity.oversight.services.prea import MONITORING_RULE, NOTIFICATION_RULE, REMOVAL_RULE, SEGREGATION_RULE
from tests.conftest import PASSWORD, Org, Personas, make_employee
from tests.core.test_files import png_bytes
from tests.oversight.prea_setup import clocks_of

pytestmark = pytest.mark.e2e

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)


def local(moment: dt.datetime) -> str:
    """What a person types in a date-and-time field: agency time."""
    return moment.astimezone(agency_time_zone()).strftime("%Y-%m-%dT%H:%M")


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


def expect_clocks(page: Any, **states: str) -> None:
    """Each named clock's row shows its state (rule codes with underscores)."""
    for rule, state in states.items():
        row = page.locator(f'tr[data-clock="{rule.replace("_", "-")}"]')
        expect(row.get_by_role("cell").last).to_contain_text(state)


def record_the_allegation(org: Org, intake: User, received: dt.datetime) -> PreaTrack:
    accused = make_employee("E500001", "Paul", "Accused", org.nogales_port, law_enforcement=True)
    allegation = record_allegation(
        actor=intake,
        data=AllegationInput(
            channel=Channel.OTHER_AGENCY,
            summary="Detainee reports sexual abuse by an officer in the hold room",
            narrative="Reported by the detainee's attorney to the DHS OIG, who referred it to the JIC.",
            received_at=received,
            category_codes=("sexual-abuse",),
            office_id=org.nogales_port.pk,
            people=(PersonInput(role=PersonRole.SUBJECT, employee_id=accused.pk),),
        ),
    )
    # The recording committed, so the hook has opened the track already.
    track = PreaTrack.objects.get(allegation=allegation)
    assert timezone.now() - track.opened_at < dt.timedelta(minutes=5)
    return track


def find_the_track(page: Any, track: PreaTrack) -> None:
    number = track.allegation.number
    panel = page.get_by_role("region", name="PREA tracks: clocks to watch")
    expect(panel.get_by_role("link", name=number)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("navigation", name="Primary navigation").get_by_role(
            "link", name="PREA", exact=True
        ).click()
    with page.expect_navigation():
        page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"PREA track {number}", level=1)).to_be_visible()
    expect_clocks(
        page,
        prea_intake_notification="Overdue",
        prea_contact_removal="Overdue",
        prea_segregation_limit="Not started",
        prea_retaliation_monitoring="Not started",
    )


def report_and_remove(page: Any, received: dt.datetime) -> None:
    page.get_by_label("Reporting confirmed at").fill(local(received + 3 * HOUR))
    submit(page, "Confirm reporting")
    expect_message(page, "Immediate reporting confirmed.")
    page.get_by_label("Removed from contact at").fill(local(received + 30 * HOUR))
    submit(page, "Record the removal")
    expect_message(page, "Removal from detainee contact recorded.")
    expect_clocks(page, prea_intake_notification="Met", prea_contact_removal="Met late")


def segregate(page: Any, received: dt.datetime) -> None:
    page.get_by_label("Segregation started at").fill(local(received + DAY))
    submit(page, "Record a segregation")
    expect_message(page, "Administrative segregation recorded.")
    expect_clocks(page, prea_segregation_limit="Overdue")  # the 5 days ran out long ago
    page.get_by_label("Segregation ended at").fill(local(received + 4 * DAY))
    submit(page, "End the segregation")
    expect_message(page, "End of the segregation recorded.")
    expect_clocks(page, prea_segregation_limit="Met")


def monitor(page: Any, received: dt.datetime) -> None:
    page.get_by_label("Monitoring started at").fill(local(received + DAY))
    submit(page, "Start the monitoring")
    expect_message(page, "Retaliation monitoring started.")
    expect_clocks(page, prea_retaliation_monitoring="Minimum reached")
    page.get_by_label("Date of the check").fill(
        (received + 30 * DAY).astimezone(agency_time_zone()).date().isoformat()
    )
    page.get_by_label("What was checked and found").fill(
        "Housing and work assignments reviewed: no retaliation."
    )
    submit(page, "Record the check")
    expect_message(page, "Monitoring check of")
    # Ending before 90 days is refused, and says why.
    page.get_by_label("Monitoring ended at").fill(local(received + 60 * DAY))
    submit(page, "End the monitoring")
    expect(page.get_by_role("alert")).to_contain_text("at least 90 days")
    with page.expect_navigation():
        page.get_by_role("link", name="Back to the track").click()
    expect_clocks(page, prea_retaliation_monitoring="Minimum reached")
    page.get_by_label("Monitoring ended at").fill(local(received + 92 * DAY))
    submit(page, "End the monitoring")
    expect_message(page, "Retaliation monitoring ended.")
    expect_clocks(page, prea_retaliation_monitoring="Ended after the minimum")


def decide_and_notify(page: Any, received: dt.datetime, notice: Path) -> None:
    group = page.get_by_role("group", name="Outcome")
    box = group.get_by_label("Unsubstantiated", exact=True)
    page.locator(f"label[for='{box.get_attribute('id')}']").click()  # USWDS draws the label
    page.get_by_label("Outcome decided at").fill(local(received + 95 * DAY))
    submit(page, "Record the outcome")
    expect_message(page, "Outcome recorded: unsubstantiated.")
    missing = page.locator("#missing-steps")
    expect(missing).to_contain_text("Document that the detainee was told the outcome")
    expect(page.get_by_role("button", name="Close the track")).to_have_count(0)
    page.get_by_label("Detainee notified at").fill(local(received + 97 * DAY))
    page.get_by_label("How the detainee was told").fill("Told in person by the PREA compliance manager.")
    page.locator("input[type=file]").set_input_files(str(notice))  # USWDS wraps the labelled input
    submit(page, "Document the notification")
    expect_message(page, "The detainee's notification is documented.")
    expect(page.get_by_role("link", name="Notification record")).to_be_visible()


def close(page: Any, track: PreaTrack) -> None:
    submit(page, "Close the track")
    expect_message(page, f"The PREA track of {track.allegation.number} is closed.")
    expect(page.locator("#track-status")).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Confirm reporting")).to_have_count(0)


def test_a_prea_allegation_through_all_its_clocks(  # noqa: PLR0917
    browser_page: Any,
    live_server: Any,
    personas: Personas,
    org: Org,
    tmp_path: Path,
    transactional_db: None,
    reference_data: None,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    create_user(
        actor=None,
        username="coordinator",
        password=PASSWORD,
        roles=[Role.PROGRAM_MANAGER],
        first_name="Petra",
        last_name="Coordinator",
    )
    notice = tmp_path / "signed-notice.png"
    notice.write_bytes(png_bytes())
    received = (timezone.now() - 100 * DAY).replace(second=0, microsecond=0)
    track = record_the_allegation(org, personas.intake, received)

    page = browser_page
    sign_in(page, "coordinator")
    find_the_track(page, track)
    report_and_remove(page, received)
    segregate(page, received)
    monitor(page, received)
    decide_and_notify(page, received, notice)
    close(page, track)

    track.refresh_from_db()
    assert track.closed_at is not None
    assert track.accused_removed_at == received + 30 * HOUR
    intake_clocks, track_clocks = clocks_of(track.allegation), clocks_of(track)
    assert intake_clocks[NOTIFICATION_RULE].met_at == received + 3 * HOUR
    removal = intake_clocks[REMOVAL_RULE]
    assert removal.met_at is not None and removal.met_at > removal.due_at  # late
    assert track_clocks[SEGREGATION_RULE].met_at == received + 4 * DAY
    assert track_clocks[MONITORING_RULE].met_at == received + 92 * DAY
    assert track.notification_file is not None
