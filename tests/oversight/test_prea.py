"""PREA tracks: opened the moment a PREA allegation is recorded, each step and its clock (start,
met, overdue), steps refused out of order or by the wrong people, closing only when complete,
and access through the allegation (office scope, recusal, compartment)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse

from probity.core.models import AuditEvent, Deadline
from probity.intake import hooks
from probity.intake.models import Allegation
from probity.oversight import queries_prea
from probity.oversight.models import FacilityType, MonitoringCheck, PreaOutcome, PreaTrack
from probity.oversight.services import prea
from probity.oversight.services.prea import (
    MONITORING_RULE,
    NOTIFICATION_RULE,
    REMOVAL_RULE,
    SEGREGATION_RULE,
)
from tests.conftest import Org
from tests.core.test_files import png_bytes
from tests.oversight.conftest import Overseers
from tests.oversight.prea_setup import (
    DAY,
    HOUR,
    START,
    PreaPeople,
    assign,
    clocks_of,
    people_for,
    prea_allegation,
    restrict,
    work_to_closable,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(overseers: Overseers, org: Org) -> PreaPeople:
    return people_for(overseers, org)


@pytest.fixture
def record(
    people: PreaPeople, org: Org, categories: Any, clock: Any, django_capture_on_commit_callbacks: Any
) -> Callable[..., Allegation]:
    def _record(**fields: Any) -> Allegation:
        with django_capture_on_commit_callbacks(execute=True):
            return prea_allegation(people, org, **fields)

    return _record


@pytest.fixture
def track(record: Callable[..., Allegation]) -> PreaTrack:
    return PreaTrack.objects.get(allegation=record())


def events(track: PreaTrack, step: str) -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.filter(object_type="oversight.preatrack", object_id=str(track.pk))
        if event.detail.get("step") == step
    ]


def state_of(track: PreaTrack, rule: str) -> str:
    clocks = queries_prea.clocks_for([track])[track.pk]
    return next(clock.state for clock in clocks if clock.spec.rule == rule)


# Opened at recording


def test_recording_a_prea_allegation_opens_its_track_at_once(
    record: Callable[..., Allegation], people: PreaPeople, org: Org
) -> None:
    allegation = record()
    track = PreaTrack.objects.get(allegation=allegation)
    assert track.opened_at == START
    assert (track.facility_type, track.facility_name) == (FacilityType.HOLDING, org.nogales_port.name)
    created = AuditEvent.objects.get(
        object_type="oversight.preatrack", object_id=str(track.pk), action="create"
    )
    assert created.detail["source"] == "recorded"
    # intake's two clocks run on the allegation from its receipt
    clocks = clocks_of(allegation)
    assert {NOTIFICATION_RULE, REMOVAL_RULE} <= set(clocks)
    assert state_of(track, NOTIFICATION_RULE) == "running"
    assert state_of(track, MONITORING_RULE) == "not_started"


def test_an_allegation_not_flagged_prea_gets_no_track(record: Callable[..., Allegation]) -> None:
    allegation = record(category_codes=("discourtesy",), summary="Rude at the counter")
    assert not allegation.prea
    assert not PreaTrack.objects.filter(allegation=allegation).exists()


def test_the_hook_is_registered_once_and_opening_twice_keeps_one_track(track: PreaTrack) -> None:
    assert hooks.on_recorded.count(prea.on_allegation_recorded) == 1
    prea.on_allegation_recorded(track.allegation)
    again = prea.open_track(actor=None, allegation=track.allegation)
    assert again.pk == track.pk
    assert PreaTrack.objects.filter(allegation=track.allegation).count() == 1


def test_an_allegation_flagged_later_gets_its_track_and_intake_clocks_by_hand(
    record: Callable[..., Allegation], people: PreaPeople
) -> None:
    allegation = record(category_codes=("detainee-mistreatment",), summary="Detainee mistreated")
    assert not PreaTrack.objects.filter(allegation=allegation).exists()
    Allegation.objects.filter(pk=allegation.pk).update(prea=True)  # flagged on review
    allegation.refresh_from_db()
    track = prea.open_track(actor=people.manager, allegation=allegation, facility_type=FacilityType.DETENTION)
    assert track.facility_type == FacilityType.DETENTION
    assert {NOTIFICATION_RULE, REMOVAL_RULE} <= set(clocks_of(allegation))


def test_opening_a_track_on_an_allegation_not_flagged_prea_is_refused_and_writes_nothing(
    record: Callable[..., Allegation], people: PreaPeople
) -> None:
    allegation = record(category_codes=("discourtesy",), summary="Rude at the counter")
    with pytest.raises(ValidationError, match="not flagged as a PREA allegation"):
        prea.open_track(actor=people.manager, allegation=allegation)
    assert not PreaTrack.objects.exists()


@pytest.mark.parametrize("who", ["agent", "outsider", "analyst"])
def test_only_the_coordinator_or_a_supervisor_may_open_a_track(
    record: Callable[..., Allegation], people: PreaPeople, who: str
) -> None:
    allegation = record(category_codes=("detainee-mistreatment",))
    Allegation.objects.filter(pk=allegation.pk).update(prea=True)
    allegation.refresh_from_db()
    with pytest.raises(PermissionDenied):
        prea.open_track(actor=getattr(people, who), allegation=allegation)
    assert not PreaTrack.objects.exists()


def test_a_supervisor_out_of_scope_cannot_open_a_track_and_nothing_is_left(
    record: Callable[..., Allegation], people: PreaPeople
) -> None:
    allegation = record(category_codes=("detainee-mistreatment",))
    Allegation.objects.filter(pk=allegation.pk).update(prea=True)
    allegation.refresh_from_db()
    with pytest.raises(Http404):
        prea.open_track(actor=people.far_supervisor, allegation=allegation)
    assert not PreaTrack.objects.exists()
    assert not AuditEvent.objects.filter(object_type="oversight.preatrack").exists()


# Immediate reporting and removal: intake's clocks


def test_confirming_reporting_on_time_meets_the_notification_clock(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    clock.shift(3 * HOUR)
    prea.confirm_reporting(actor=people.manager, track=track)
    track.refresh_from_db()
    assert (track.reporting_confirmed_at, track.reporting_confirmed_by) == (START + 3 * HOUR, people.manager)
    assert clocks_of(track.allegation)[NOTIFICATION_RULE].met_at == START + 3 * HOUR
    assert state_of(track, NOTIFICATION_RULE) == "met"
    assert events(track, "confirm-reporting")[0].detail == {
        "step": "confirm-reporting",
        "allegation": track.allegation.number,
        "clock": NOTIFICATION_RULE,
        "late": False,
    }


def test_the_notification_clock_is_due_soon_then_overdue_then_met_late(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    clock.shift(19 * HOUR)  # the last quarter of 24 hours
    assert state_of(track, NOTIFICATION_RULE) == "due_soon"
    clock.shift(6 * HOUR)
    assert state_of(track, NOTIFICATION_RULE) == "overdue"
    assert [row.track for row in queries_prea.needing_attention(people.manager)] == [track]
    prea.confirm_reporting(actor=people.manager, track=track)
    assert state_of(track, NOTIFICATION_RULE) == "met_late"
    assert events(track, "confirm-reporting")[0].detail["late"] is True


def test_recording_the_removal_meets_the_contact_removal_clock(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    clock.shift(30 * HOUR)
    assert state_of(track, REMOVAL_RULE) == "overdue"
    prea.record_accused_removed(actor=people.supervisor, track=track, at=START + 5 * HOUR)
    track.refresh_from_db()
    assert track.accused_removed_at == START + 5 * HOUR
    assert clocks_of(track.allegation)[REMOVAL_RULE].met_at == START + 5 * HOUR
    assert state_of(track, REMOVAL_RULE) == "met"


# Retaliation monitoring: at least 90 days


def test_monitoring_starts_its_90_day_clock_which_runs_then_reaches_its_minimum(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    clock.shift(2 * HOUR)
    prea.start_monitoring(actor=people.manager, track=track, at=START + HOUR)
    monitoring = clocks_of(track)[MONITORING_RULE]
    assert (monitoring.started_at, monitoring.due_at) == (START + HOUR, START + HOUR + 90 * DAY)
    assert state_of(track, MONITORING_RULE) == "running"
    clock.shift(70 * DAY)
    assert state_of(track, MONITORING_RULE) == "due_soon"
    clock.shift(20 * DAY)
    assert state_of(track, MONITORING_RULE) == "minimum_reached"  # a minimum is never "overdue"


def test_monitoring_cannot_end_before_90_days_unless_unfounded(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    prea.start_monitoring(actor=people.manager, track=track, at=START)
    clock.shift(40 * DAY)
    with pytest.raises(ValidationError) as refused:
        prea.end_monitoring(actor=people.manager, track=track)
    message = " ".join(refused.value.message_dict["at"])
    assert "at least 90 days" in message and "unfounded" in message
    track.refresh_from_db()
    assert track.monitoring_ended_at is None
    assert clocks_of(track)[MONITORING_RULE].met_at is None


def test_monitoring_ended_after_90_days_meets_its_clock(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    prea.start_monitoring(actor=people.manager, track=track, at=START)
    clock.shift(92 * DAY)
    prea.end_monitoring(actor=people.manager, track=track, at=START + 91 * DAY)
    assert clocks_of(track)[MONITORING_RULE].met_at == START + 91 * DAY
    assert state_of(track, MONITORING_RULE) == "met"


def test_an_unfounded_allegation_ends_monitoring_early_and_cancels_its_clock(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    prea.start_monitoring(actor=people.manager, track=track, at=START)
    clock.shift(20 * DAY)
    prea.record_outcome(actor=people.manager, track=track, outcome=PreaOutcome.UNFOUNDED)
    prea.end_monitoring(actor=people.manager, track=track)
    monitoring = clocks_of(track)[MONITORING_RULE]
    assert (monitoring.met_at, monitoring.cancelled_at) == (None, START + 20 * DAY)
    assert state_of(track, MONITORING_RULE) == "cancelled"


def test_a_check_finding_retaliation_must_say_what_was_done(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    prea.start_monitoring(actor=people.manager, track=track)
    clock.shift(30 * DAY)
    today = (START + 30 * DAY).date()
    with pytest.raises(ValidationError) as refused:
        prea.record_monitoring_check(
            actor=people.manager, track=track, checked_on=today, retaliation_found=True
        )
    assert "note" in refused.value.message_dict
    assert not MonitoringCheck.objects.exists()
    check = prea.record_monitoring_check(
        actor=people.manager,
        track=track,
        checked_on=today,
        retaliation_found=True,
        note="Moved to another unit.",
    )
    assert (check.retaliation_found, check.recorded_by) == (True, people.manager)


def test_checks_are_refused_before_monitoring_starts_and_in_the_future(
    track: PreaTrack, people: PreaPeople
) -> None:
    with pytest.raises(ValidationError, match="while retaliation monitoring runs"):
        prea.record_monitoring_check(actor=people.manager, track=track, checked_on=START.date())
    prea.start_monitoring(actor=people.manager, track=track)
    with pytest.raises(ValidationError) as refused:
        prea.record_monitoring_check(actor=people.manager, track=track, checked_on=START.date() + DAY)
    assert refused.value.message_dict == {"checked_on": ["This cannot be in the future."]}
    assert not MonitoringCheck.objects.exists()


# Administrative segregation: no more than 5 days


def test_segregation_starts_its_5_day_clock_which_goes_overdue_and_is_met_late(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    clock.shift(HOUR)
    prea.record_segregation(actor=people.manager, track=track, start=START + HOUR)
    limit = clocks_of(track)[SEGREGATION_RULE]
    assert limit.due_at == START + HOUR + 5 * DAY
    clock.shift(4 * DAY)
    assert state_of(track, SEGREGATION_RULE) == "due_soon"
    clock.shift(2 * DAY)
    assert state_of(track, SEGREGATION_RULE) == "overdue"
    assert queries_prea.needing_attention(people.manager)[0].track == track
    prea.end_segregation(actor=people.manager, track=track)
    assert state_of(track, SEGREGATION_RULE) == "met_late"
    assert events(track, "end-segregation")[0].detail["late"] is True


def test_segregation_ended_within_the_limit_meets_its_clock(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    prea.record_segregation(actor=people.manager, track=track)
    clock.shift(3 * DAY)
    prea.end_segregation(actor=people.manager, track=track)
    assert state_of(track, SEGREGATION_RULE) == "met"


def test_a_segregation_cannot_end_before_it_started_nor_end_twice(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    with pytest.raises(ValidationError, match="no administrative segregation running"):
        prea.end_segregation(actor=people.manager, track=track)
    clock.shift(DAY)
    prea.record_segregation(actor=people.manager, track=track)
    with pytest.raises(ValidationError) as refused:
        prea.end_segregation(actor=people.manager, track=track, at=START + HOUR)
    assert "before the segregation started" in refused.value.message_dict["at"][0]
    prea.end_segregation(actor=people.manager, track=track)
    with pytest.raises(ValidationError):
        prea.end_segregation(actor=people.manager, track=track)


# Times, order, closing


def test_a_step_cannot_be_dated_in_the_future_or_before_the_allegation(
    track: PreaTrack, people: PreaPeople
) -> None:
    for at in (START + DAY, START - DAY):
        with pytest.raises(ValidationError):
            prea.confirm_reporting(actor=people.manager, track=track, at=at)
    with pytest.raises(ValidationError, match="time zone"):
        prea.confirm_reporting(actor=people.manager, track=track, at=dt.datetime(2026, 3, 2, 9))  # noqa: DTZ001
    track.refresh_from_db()
    assert track.reporting_confirmed_at is None
    assert clocks_of(track.allegation)[NOTIFICATION_RULE].met_at is None
    assert events(track, "confirm-reporting") == []


def test_a_step_cannot_be_taken_twice(track: PreaTrack, people: PreaPeople) -> None:
    prea.confirm_reporting(actor=people.manager, track=track)
    with pytest.raises(ValidationError, match="already confirmed"):
        prea.confirm_reporting(actor=people.manager, track=track)
    prea.record_outcome(actor=people.manager, track=track, outcome=PreaOutcome.SUBSTANTIATED)
    with pytest.raises(ValidationError, match="already recorded"):
        prea.record_outcome(actor=people.manager, track=track, outcome=PreaOutcome.UNFOUNDED)


def test_an_unknown_outcome_is_refused(track: PreaTrack, people: PreaPeople) -> None:
    with pytest.raises(ValidationError) as refused:
        prea.record_outcome(actor=people.manager, track=track, outcome="proven")
    assert "outcome" in refused.value.message_dict
    track.refresh_from_db()
    assert track.outcome == ""


def test_the_detainee_is_notified_only_after_the_outcome_and_the_notification_is_documented(
    track: PreaTrack, people: PreaPeople, clock: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError, match="Record the outcome"):
        prea.record_detainee_notified(actor=people.manager, track=track, notified_at=START, note="Told")
    clock.shift(30 * DAY)
    prea.record_outcome(actor=people.manager, track=track, outcome=PreaOutcome.SUBSTANTIATED)
    with pytest.raises(ValidationError) as refused:
        prea.record_detainee_notified(
            actor=people.manager, track=track, notified_at=START + 30 * DAY, note=" "
        )
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        prea.record_detainee_notified(actor=people.manager, track=track, notified_at=START + DAY, note="Told")
    assert "before the outcome" in refused.value.message_dict["notified_at"][0]
    letter = SimpleUploadedFile("notice.png", png_bytes(), content_type="image/png")
    prea.record_detainee_notified(
        actor=people.manager, track=track, notified_at=START + 30 * DAY, note="Told in person.", file=letter
    )
    track.refresh_from_db()
    assert track.detainee_notified_at == START + 30 * DAY
    assert track.notification_note == "Told in person."
    assert track.notification_file is not None
    _, name, content = prea.open_notification_file(actor=people.manager, track_id=track.pk)
    assert content.read() == png_bytes()
    assert name == f"{track.allegation.number}-prea-notification.png"
    assert AuditEvent.objects.filter(action="download", object_id=str(track.pk), outcome="success").exists()


def test_the_track_closes_only_when_every_step_is_done(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        prea.close_track(actor=people.manager, track=track)
    for missing in ("reported immediately", "removal", "monitor for retaliation", "outcome", "detainee"):
        assert missing in refused.value.messages[0]
    clock.shift(100 * DAY)
    prea.record_segregation(actor=people.manager, track=track, start=START + HOUR)
    work_to_closable(track, people.manager)
    with pytest.raises(ValidationError, match="end the administrative segregation"):
        prea.close_track(actor=people.manager, track=track)
    track.refresh_from_db()
    assert track.closed_at is None
    prea.end_segregation(actor=people.manager, track=track, at=START + 3 * DAY)
    assert prea.missing_steps(track) == []
    prea.close_track(actor=people.manager, track=track)
    track.refresh_from_db()
    assert track.closed_at == START + 100 * DAY
    assert events(track, "close")[0].changes == {"closed_at": [None, "2026-06-10T14:00:00Z"]}
    with pytest.raises(ValidationError, match="closed"):
        prea.update_facility(actor=people.manager, track=track, facility_type="other", facility_name="")
    assert prea.available_steps(people.manager, track) == frozenset()


def test_an_unfounded_allegation_closes_without_monitoring(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    prea.confirm_reporting(actor=people.manager, track=track)
    prea.record_accused_removed(actor=people.manager, track=track)
    clock.shift(10 * DAY)
    prea.record_outcome(actor=people.manager, track=track, outcome=PreaOutcome.UNFOUNDED)
    prea.record_detainee_notified(
        actor=people.manager, track=track, notified_at=START + 10 * DAY, note="Told."
    )
    prea.close_track(actor=people.manager, track=track)
    assert PreaTrack.objects.get(pk=track.pk).closed_at == START + 10 * DAY


# Who may act, and who may see


def test_a_supervisor_whose_scope_covers_the_allegation_may_work_the_track(
    track: PreaTrack, people: PreaPeople
) -> None:
    prea.confirm_reporting(actor=people.supervisor, track=track)
    assert PreaTrack.objects.get(pk=track.pk).reporting_confirmed_by == people.supervisor


@pytest.mark.parametrize("who", ["far_supervisor", "agent", "outsider", "recused_manager"])
def test_people_who_may_not_see_the_track_get_404_and_nothing_is_written(
    track: PreaTrack, people: PreaPeople, who: str
) -> None:
    user = getattr(people, who)
    with pytest.raises(Http404):
        queries_prea.get_track_for(user, track.pk)
    with pytest.raises(Http404):
        prea.confirm_reporting(actor=user, track=track)
    with pytest.raises(Http404):
        prea.record_segregation(actor=user, track=track)
    track.refresh_from_db()
    assert (track.reporting_confirmed_at, track.segregation_started_at) == (None, None)
    assert not Deadline.objects.filter(rule__code=SEGREGATION_RULE).exists()


def test_someone_assigned_without_a_prea_role_may_read_but_not_act(
    track: PreaTrack, people: PreaPeople
) -> None:
    assign(people.analyst, track)
    assert queries_prea.get_track_for(people.analyst, track.pk) == track
    with pytest.raises(PermissionDenied):
        prea.confirm_reporting(actor=people.analyst, track=track)
    assert PreaTrack.objects.get(pk=track.pk).reporting_confirmed_at is None
    assert prea.available_steps(people.analyst, track) == frozenset()


def test_a_restricted_allegations_track_needs_a_grant_to_its_compartment(
    track: PreaTrack, people: PreaPeople, overseers: Overseers
) -> None:
    restrict(track.allegation, granted=[people.manager])
    assert queries_prea.get_track_for(people.manager, track.pk) == track
    prea.confirm_reporting(actor=people.manager, track=track)
    for user in (overseers.board_member, people.supervisor):
        with pytest.raises(Http404):
            prea.record_accused_removed(actor=user, track=track)
    assert PreaTrack.objects.get(pk=track.pk).accused_removed_at is None


# The screens


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_track_page_shows_the_clocks_and_a_form_per_open_step(
    track: PreaTrack, people: PreaPeople
) -> None:
    response = signed_in(people.manager).get(reverse("prea-track-detail", args=[track.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert track.allegation.number in page and "Adam Accused" in page
    for label in ("Immediate reporting", "Segregation limit", "Retaliation monitoring", "Not started"):
        assert label in page
    for step in ("confirm-reporting", "accused-removed", "start-monitoring", "start-segregation", "outcome"):
        assert reverse("prea-track-step", args=[track.pk, step]) in page
    assert reverse("prea-track-step", args=[track.pk, "close"]) not in page
    assert AuditEvent.objects.filter(
        action="view", object_id=str(track.pk), object_type="oversight.preatrack"
    ).exists()


def test_a_step_posted_from_the_page_is_taken_and_a_refusal_writes_nothing(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    client = signed_in(people.manager)
    url = reverse("prea-track-step", args=[track.pk, "confirm-reporting"])
    refused = client.post(url, {"confirm-reporting-at": "2026-03-03T09:00"})  # tomorrow, agency time
    assert refused.status_code == 400
    assert "cannot be in the future" in refused.content.decode()
    assert PreaTrack.objects.get(pk=track.pk).reporting_confirmed_at is None
    clock.shift(HOUR)
    done = signed_in(people.manager).post(url, {"confirm-reporting-at": "2026-03-02T09:30"})  # 14:30 UTC
    assert done.status_code == 302
    assert done["Location"].startswith(reverse("prea-track-detail", args=[track.pk]))
    assert PreaTrack.objects.get(pk=track.pk).reporting_confirmed_at == START + dt.timedelta(minutes=30)


def test_the_track_screens_are_404_for_people_who_may_not_see_them(
    track: PreaTrack, people: PreaPeople
) -> None:
    for user in (people.far_supervisor, people.recused_manager):
        client = signed_in(user)
        assert client.get(reverse("prea-track-detail", args=[track.pk])).status_code == 404
        posted = client.post(reverse("prea-track-step", args=[track.pk, "confirm-reporting"]), {})
        assert posted.status_code == 404
    assert signed_in(people.agent).get(reverse("prea-track-list")).status_code == 404
    assert PreaTrack.objects.get(pk=track.pk).reporting_confirmed_at is None


def test_the_list_and_the_dashboard_show_tracks_whose_clocks_need_attention(
    track: PreaTrack, people: PreaPeople, clock: Any
) -> None:
    client = signed_in(people.manager)
    listed = client.get(reverse("prea-track-list")).content.decode()
    assert track.allegation.number in listed
    calm = client.get(reverse("dashboard")).content.decode()
    assert "PREA tracks: clocks to watch" in calm and "No PREA track has a clock overdue" in calm
    clock.shift(2 * DAY)
    busy = signed_in(people.manager).get(reverse("dashboard")).content.decode()  # the session timed out
    assert "1</strong> PREA track needs attention" in busy
    assert reverse("prea-track-detail", args=[track.pk]) in busy
    assert 'href="/oversight/prea/"' in busy  # the navigation entry


def test_opening_a_track_by_number_says_the_same_for_missing_and_hidden_allegations(
    record: Callable[..., Allegation], people: PreaPeople
) -> None:
    hidden = record(category_codes=("detainee-mistreatment",))
    Allegation.objects.filter(pk=hidden.pk).update(prea=True)
    client = signed_in(people.far_supervisor)
    for number in (hidden.number, "JIC-1999-00001"):
        response = client.post(reverse("prea-track-open"), {"number": number})
        assert response.status_code == 400
        assert f"You have no PREA allegation numbered {number}" in response.content.decode()
    assert not PreaTrack.objects.filter(allegation=hidden).exists()
    opened = signed_in(people.manager).post(reverse("prea-track-open"), {"number": hidden.number})
    assert opened.status_code == 302
    assert PreaTrack.objects.filter(allegation=hidden).exists()


def test_the_list_and_the_track_page_cost_the_same_queries_whatever_the_number_of_tracks(
    record: Callable[..., Allegation], people: PreaPeople, clock: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = PreaTrack.objects.get(allegation=record())
    prea.record_segregation(actor=people.manager, track=first)
    prea.start_monitoring(actor=people.manager, track=first)
    prea.record_monitoring_check(actor=people.manager, track=first, checked_on=START.date())
    client = signed_in(people.manager)

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    list_url, page_url = reverse("prea-track-list"), reverse("prea-track-detail", args=[first.pk])
    before = (cost(list_url), cost(page_url))
    for _ in range(3):
        record()
        prea.record_monitoring_check(actor=people.manager, track=first, checked_on=START.date())
    assert (cost(list_url), cost(page_url)) == before


# The demo


def test_the_demo_gives_every_prea_allegation_a_track_at_every_step(
    settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from probity.core import demo
    from probity.oversight.services import prea_report

    settings.VAR_DIR = tmp_path
    # Intake's year and this part only: the demo must not depend on the other parts.
    monkeypatch.setattr(
        demo, "_extensions", {k: v for k, v in demo._extensions.items() if k in ("intake", "oversight-prea")}
    )
    today = dt.date(2026, 11, 25)
    with time_machine.travel(dt.datetime(2026, 11, 25, 15, tzinfo=dt.UTC), tick=False):
        result = demo.load_demo(demo.plan_demo(scale=0.3, seed=7, today=today), password="demo-password-1234")
        line = result.extensions[-1]
        tracks = list(PreaTrack.objects.select_related("allegation"))
        assert line.startswith(f"PREA: {len(tracks)} tracks")
        assert not Allegation.objects.filter(prea=True, prea_track__isnull=True).exists()
        states = {clock.state for clocks in queries_prea.clocks_for(tracks).values() for clock in clocks}
        assert {"met", "overdue", "running", "minimum_reached", "cancelled"} <= states
        segregation = [
            clocks[2].state
            for clocks in queries_prea.clocks_for(tracks).values()
            if clocks[2].deadline is not None
        ]
        assert segregation.count("overdue") == 1
        closed = [track for track in tracks if track.closed_at is not None]
        assert closed and all(prea.missing_steps(track) == [] for track in closed)
        assert any(track.closed_at is None and not track.outcome for track in tracks)
        report = prea_report.prea_annual_report(2025)
        assert report.current.grand_total.value and report.previous.grand_total.value
        assert {t.outcome for t in closed} == {"substantiated", "unsubstantiated", "unfounded"}
    again = demo.plan_demo(scale=0.1, seed=7, today=today)
    assert again.digest() == demo.plan_demo(scale=0.1, seed=7, today=today).digest()
