"""The review board: meetings and their agenda, determinations (possible misconduct goes to
intake as an allegation), recommendations tracked by their clocks (started, met, overdue), who
may do what, and the board's screens. A refusal is a clear message and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from probity.core.models import AuditAction, AuditEvent, Deadline, DeadlineRule
from probity.core.queries.deadlines import my_open_deadlines, overdue_in_office
from probity.core.workflow import IllegalTransition
from probity.intake.models import Allegation, AllegationPerson, Channel, PersonRole
from probity.oversight import queries_incidents as queries
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    BoardMeetingStatus,
    Determination,
    IncidentStatus,
    Recommendation,
    RecommendationKind,
)
from probity.oversight.services import board
from probity.oversight.services import incidents as services
from probity.oversight.services.incidents import EmployeeInput
from tests.conftest import Org
from tests.oversight.conftest import Overseers
from tests.oversight.incidents_setup import (
    Report,
    Scene,
    at_board,
    make_scene,
    meeting_with,
    reporter,
    reviewed,
    written,
)

pytestmark = pytest.mark.django_db

S = IncidentStatus
RULE = "board-recommendation-due"


@pytest.fixture
def scene(overseers: Overseers, org: Org) -> Scene:
    return make_scene(overseers, org)


@pytest.fixture
def report(scene: Scene) -> Report:
    return reporter(scene)


@pytest.fixture
def item(scene: Scene, report: Report) -> AgendaItem:
    """A firearm discharge at the board, on the agenda of today's meeting."""
    return meeting_with(scene, at_board(scene, report()))


def determined(
    scene: Scene, item: AgendaItem, determination: str = Determination.NOT_WITHIN_POLICY
) -> AgendaItem:
    return board.record_determination(
        actor=scene.pm, item=item, determination=determination, rationale="Not the last resort."
    )


def recommend(scene: Scene, item: AgendaItem, *, due_on: dt.date | None = None) -> Recommendation:
    return board.add_recommendation(
        actor=scene.pm,
        item=item,
        kind=RecommendationKind.TRAINING,
        text="Add moving-vehicle scenarios to the firearms training.",
        owner=scene.owner,
        due_on=due_on,
    )


def clock_of(rec: Recommendation) -> Deadline:
    return Deadline.objects.get(
        content_type=ContentType.objects.get_for_model(Recommendation), object_id=rec.pk
    )


# Meetings and the agenda


def test_a_program_manager_schedules_a_meeting_with_its_members(scene: Scene) -> None:
    meeting = board.schedule_meeting(
        actor=scene.pm, held_on=board.agency_today(), members=[scene.pm, scene.overseers.board_member]
    )
    assert meeting.status == BoardMeetingStatus.SCHEDULED
    assert set(meeting.members.all()) == {scene.pm, scene.overseers.board_member}
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="oversight.boardmeeting").exists()


@pytest.mark.parametrize(
    ("held_on", "members", "message"),
    [
        (None, "pm", "meeting's date"),
        (dt.date(2001, 1, 1), "pm", "within a year"),
        ("today", "", "Name the board's members"),
        ("today", "inactive", "active user"),
    ],
)
def test_a_meeting_needs_a_plausible_date_and_active_members(
    scene: Scene, held_on: Any, members: str, message: str
) -> None:
    if members == "inactive":
        scene.overseers.board_member.is_active = False
        scene.overseers.board_member.save()
    chosen = {"pm": [scene.pm], "": [], "inactive": [scene.pm, scene.overseers.board_member]}[members]
    day = board.agency_today() if held_on == "today" else held_on
    before = written()
    with pytest.raises(ValidationError) as refused:
        board.schedule_meeting(actor=scene.pm, held_on=day, members=chosen)
    assert message in str(refused.value)
    assert written() == before


def test_only_program_managers_run_the_board(scene: Scene, report: Report) -> None:
    with pytest.raises(PermissionDenied):
        board.schedule_meeting(
            actor=scene.overseers.supervisor, held_on=board.agency_today(), members=[scene.pm]
        )
    assert not BoardMeeting.objects.exists()


def test_only_an_incident_awaiting_the_board_goes_on_the_agenda(scene: Scene, report: Report) -> None:
    incident = reviewed(scene, report())
    meeting = board.schedule_meeting(actor=scene.pm, held_on=board.agency_today(), members=[scene.pm])
    with pytest.raises(IllegalTransition) as refused:
        board.add_to_agenda(actor=scene.pm, meeting=meeting, incident=incident)
    assert "awaiting the review board" in str(refused.value)
    services.send_to_board(actor=scene.pm, incident=incident)
    board.add_to_agenda(actor=scene.pm, meeting=meeting, incident=incident)
    with pytest.raises(ValidationError) as again:
        board.add_to_agenda(actor=scene.pm, meeting=meeting, incident=incident)
    assert "already on this meeting's agenda" in str(again.value)
    later = board.schedule_meeting(
        actor=scene.pm, held_on=board.agency_today() + dt.timedelta(days=7), members=[scene.pm]
    )
    with pytest.raises(ValidationError) as elsewhere:
        board.add_to_agenda(actor=scene.pm, meeting=later, incident=incident)
    assert "already on the agenda of the meeting" in str(elsewhere.value)


def test_a_member_involved_in_the_incident_keeps_it_off_that_meeting(scene: Scene, report: Report) -> None:
    incident = at_board(scene, report())
    meeting = board.schedule_meeting(
        actor=scene.pm, held_on=board.agency_today(), members=[scene.pm, scene.involved_manager]
    )
    with pytest.raises(ValidationError) as refused:
        board.add_to_agenda(actor=scene.pm, meeting=meeting, incident=incident)
    assert "was involved" in str(refused.value)
    assert not AgendaItem.objects.exists()


def test_a_program_manager_recused_from_the_incident_cannot_put_it_on_the_agenda(
    scene: Scene, report: Report
) -> None:
    incident = at_board(scene, report())
    meeting = board.schedule_meeting(
        actor=scene.involved_manager, held_on=board.agency_today(), members=[scene.pm]
    )
    with pytest.raises(Http404):
        board.add_to_agenda(actor=scene.involved_manager, meeting=meeting, incident=incident)


# Determinations


def test_a_determination_decides_the_incident_and_the_meeting_is_held(scene: Scene, item: AgendaItem) -> None:
    determined(scene, item, Determination.WITHIN_POLICY)
    item.refresh_from_db()
    item.incident.refresh_from_db()
    item.meeting.refresh_from_db()
    assert item.determination == Determination.WITHIN_POLICY and item.decided_at is not None
    assert item.referral is None
    assert item.incident.status == S.DETERMINED
    assert item.meeting.status == BoardMeetingStatus.HELD
    services.close_incident(actor=scene.pm, incident=item.incident)
    item.incident.refresh_from_db()
    assert item.incident.status == S.CLOSED


def test_possible_misconduct_is_referred_to_intake_as_an_allegation_naming_the_employees(
    scene: Scene, report: Report
) -> None:
    incident = report(
        employees=[
            EmployeeInput(employee=scene.officer, actions="Fired"),
            EmployeeInput(description="Deputy of the county", source_id="D-17", actions="Watched"),
        ]
    )
    item = meeting_with(scene, at_board(scene, incident))
    determined(scene, item, Determination.POSSIBLE_MISCONDUCT)

    item.refresh_from_db()
    allegation = Allegation.objects.get()
    assert item.referral == allegation
    assert allegation.channel == Channel.SUPERVISOR
    assert allegation.use_of_force and allegation.office == scene.org.nogales_port
    assert incident.number in allegation.summary
    subjects = AllegationPerson.objects.filter(allegation=allegation, role=PersonRole.SUBJECT)
    assert {p.employee_id for p in subjects} == {scene.officer.pk, None}
    assert subjects.get(employee__isnull=True).badge_number == "D-17"
    assert list(incident.allegations.all()) == [allegation]
    # The triage clock starts as for any allegation.
    assert Deadline.objects.filter(object_id=allegation.pk, rule__code="intake-triage-target").exists()


def test_a_determination_is_refused_before_the_meeting_day_twice_or_without_a_rationale(
    scene: Scene, report: Report
) -> None:
    item = meeting_with(scene, at_board(scene, report()), held_on=board.agency_today() + dt.timedelta(days=3))
    before = written()
    with pytest.raises(IllegalTransition) as early:
        determined(scene, item)
    assert "record its determinations from that day on" in str(early.value)
    with pytest.raises(ValidationError):
        board.record_determination(actor=scene.pm, item=item, determination="excellent", rationale="")
    assert written() == before
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        determined(scene, item)
        with pytest.raises(IllegalTransition) as twice:
            determined(scene, item)
    assert "already determined" in str(twice.value)


def test_only_a_program_manager_records_the_determination(scene: Scene, item: AgendaItem) -> None:
    with pytest.raises(PermissionDenied):
        board.record_determination(
            actor=scene.overseers.supervisor,
            item=item,
            determination=Determination.WITHIN_POLICY,
            rationale="x",
        )
    item.refresh_from_db()
    assert item.determination == ""


# Recommendations and their clocks


def test_a_recommendation_starts_its_clock_due_at_the_end_of_its_due_date(
    scene: Scene, item: AgendaItem
) -> None:
    determined(scene, item)
    due_on = board.agency_today() + dt.timedelta(days=30)
    rec = recommend(scene, item, due_on=due_on)

    clock = clock_of(rec)
    assert clock.rule.code == RULE
    assert clock.owner == scene.owner and clock.office == scene.org.nogales_port
    assert clock.due_at == board.end_of_day(due_on)
    assert clock.is_open
    assert clock in my_open_deadlines(scene.owner)
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.deadline").last()
    assert event is not None
    # The clock's own event records the board's date (not the rule's default).
    assert str(event.changes["due_at"][1]).startswith(clock.due_at.isoformat()[:19])


def test_without_a_due_date_the_rule_gives_the_default(scene: Scene, item: AgendaItem) -> None:
    determined(scene, item)
    rule = DeadlineRule.objects.get(code=RULE)
    rec = recommend(scene, item)
    assert rec.due_on == board.agency_today() + dt.timedelta(days=rule.amount)


def test_a_switched_off_rule_keeps_the_recommendation_without_a_clock(scene: Scene, item: AgendaItem) -> None:
    determined(scene, item)
    DeadlineRule.objects.filter(code=RULE).update(active=False)
    rec = recommend(scene, item, due_on=board.agency_today() + dt.timedelta(days=5))
    assert not Deadline.objects.filter(object_id=rec.pk, rule__code=RULE).exists()
    with pytest.raises(ValidationError):  # and no default date to fall back on
        recommend(scene, item)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "snacks"}, "kind"),
        ({"text": "  "}, "text"),
        ({"due_on": dt.date(2000, 1, 1)}, "due_on"),
        ({"owner": None}, "owner"),
    ],
)
def test_a_bad_recommendation_is_refused_and_nothing_is_written(
    scene: Scene, item: AgendaItem, change: dict[str, Any], field: str
) -> None:
    determined(scene, item)
    values: dict[str, Any] = {
        "actor": scene.pm,
        "item": item,
        "kind": RecommendationKind.POLICY,
        "text": "Revise the policy.",
        "owner": scene.owner,
        "due_on": board.agency_today() + dt.timedelta(days=10),
        **change,
    }
    before = (written(), Deadline.objects.count())
    with pytest.raises(ValidationError) as refused:
        board.add_recommendation(**values)
    assert field in refused.value.message_dict
    assert (written(), Deadline.objects.count()) == before


def test_recommendations_follow_the_determination(scene: Scene, item: AgendaItem) -> None:
    with pytest.raises(IllegalTransition):
        recommend(scene, item, due_on=board.agency_today())
    assert not Recommendation.objects.exists()


def test_a_recommendation_past_its_due_date_is_overdue_everywhere(scene: Scene, item: AgendaItem) -> None:
    determined(scene, item)
    rec = recommend(scene, item, due_on=board.agency_today() + dt.timedelta(days=10))
    assert rec not in queries.overdue_recommendations(scene.pm)
    with time_machine.travel(timezone.now() + dt.timedelta(days=12)):
        assert list(queries.overdue_recommendations(scene.pm)) == [rec]
        assert clock_of(rec) in overdue_in_office(scene.pm)
        assert not queries.overdue_recommendations(scene.involved_manager).exists()  # recused


def test_the_owner_marks_it_done_and_the_clock_is_met(scene: Scene, item: AgendaItem) -> None:
    determined(scene, item)
    rec = recommend(scene, item, due_on=board.agency_today() + dt.timedelta(days=10))
    board.complete_recommendation(actor=scene.owner, recommendation=rec, note="Taught in every sector.")
    rec.refresh_from_db()
    clock = clock_of(rec)
    assert rec.completed_at is not None and rec.completion_note == "Taught in every sector."
    assert clock.met_at == rec.completed_at and clock.met_at <= clock.due_at
    with pytest.raises(IllegalTransition):
        board.complete_recommendation(actor=scene.owner, recommendation=rec, note="Again")


def test_done_late_is_recorded_as_late(scene: Scene, item: AgendaItem) -> None:
    determined(scene, item)
    rec = recommend(scene, item, due_on=board.agency_today() + dt.timedelta(days=1))
    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        board.complete_recommendation(actor=scene.owner, recommendation=rec, note="Finally done.")
    event = AuditEvent.objects.filter(
        action=AuditAction.TRANSITION, object_type="oversight.recommendation"
    ).last()
    assert event is not None and event.detail["late"] is True
    assert clock_of(rec).met_at > clock_of(rec).due_at  # type: ignore[operator]


def test_someone_else_cannot_complete_the_recommendation_or_leave_it_half_done(
    scene: Scene, item: AgendaItem
) -> None:
    determined(scene, item)
    rec = recommend(scene, item, due_on=board.agency_today() + dt.timedelta(days=10))
    with pytest.raises(Http404):
        board.complete_recommendation(actor=scene.overseers.supervisor, recommendation=rec, note="Not mine")
    with pytest.raises(ValidationError):
        board.complete_recommendation(actor=scene.owner, recommendation=rec, note=" ")
    rec.refresh_from_db()
    assert rec.completed_at is None and clock_of(rec).is_open


# The screens


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_the_board_screens_do_not_exist_for_other_roles(
    client: Client, scene: Scene, item: AgendaItem
) -> None:
    signed_in(client, scene.overseers.supervisor)
    for url in (
        reverse("board-meeting-list"),
        reverse("board-meeting-new"),
        reverse("board-meeting-detail", args=[item.meeting_id]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("board-determination", args=[item.meeting_id, item.pk]),
        {
            f"determination-{item.pk}-determination": Determination.WITHIN_POLICY,
            f"determination-{item.pk}-rationale": "x",
        },
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.determination == ""


def test_the_meeting_page_runs_the_agenda_determination_and_recommendation(
    client: Client, scene: Scene, report: Report
) -> None:
    incident = at_board(scene, report())
    signed_in(client, scene.pm)
    response = client.post(
        reverse("board-meeting-new"),
        {
            "held_on": board.agency_today().isoformat(),
            "members": [scene.pm.pk, scene.overseers.board_member.pk],
        },
    )
    meeting = BoardMeeting.objects.get()
    assert response.status_code == 302
    client.post(reverse("board-agenda-add", args=[meeting.pk]), {"agenda-incident": incident.pk})
    item = AgendaItem.objects.get()
    prefix = f"determination-{item.pk}"
    client.post(
        reverse("board-determination", args=[meeting.pk, item.pk]),
        {
            f"{prefix}-determination": Determination.NOT_WITHIN_POLICY,
            f"{prefix}-rationale": "Not the last resort.",
        },
    )
    prefix = f"recommendation-{item.pk}"
    due = board.agency_today() + dt.timedelta(days=20)
    response = client.post(
        reverse("board-recommendation-add", args=[meeting.pk, item.pk]),
        {
            f"{prefix}-kind": RecommendationKind.TRAINING,
            f"{prefix}-text": "Train on moving vehicles.",
            f"{prefix}-owner": scene.owner.pk,
            f"{prefix}-due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    rec = Recommendation.objects.get()
    assert (rec.owner, rec.due_on) == (scene.owner, due)
    page = client.get(reverse("board-meeting-detail", args=[meeting.pk]))
    assert "Train on moving vehicles." in page.text and "Not within policy" in page.text


def test_a_refused_recommendation_form_shows_the_problem(
    client: Client, scene: Scene, item: AgendaItem
) -> None:
    determined(scene, item)
    prefix = f"recommendation-{item.pk}"
    response = signed_in(client, scene.pm).post(
        reverse("board-recommendation-add", args=[item.meeting_id, item.pk]),
        {
            f"{prefix}-kind": "training",
            f"{prefix}-text": "x",
            f"{prefix}-owner": scene.owner.pk,
            f"{prefix}-due_on": "2001-01-01",
        },
    )
    assert response.status_code == 400
    assert "cannot be in the past" in response.text
    assert not Recommendation.objects.exists()


def test_the_owner_sees_their_recommendations_marks_overdue_and_completes_one(
    client: Client, scene: Scene, item: AgendaItem
) -> None:
    determined(scene, item)
    rec = recommend(scene, item, due_on=board.agency_today() + dt.timedelta(days=1))
    signed_in(client, scene.owner)
    assert "My board recommendations" in client.get(reverse("dashboard")).text
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        signed_in(client, scene.owner)  # a fresh session: the first one expired on the way
        page = client.get(reverse("recommendation-mine"))
        assert "Overdue" in page.text and rec.text in page.text
        response = client.post(
            reverse("recommendation-complete", args=[rec.pk]), {f"rec-{rec.pk}-note": "Done."}
        )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.completed_at is not None
    client.logout()
    signed_in(client, scene.overseers.supervisor)
    assert (
        client.post(
            reverse("recommendation-complete", args=[rec.pk]), {f"rec-{rec.pk}-note": "x"}
        ).status_code
        == 404
    )


def test_the_board_list_reads_a_fixed_number_of_queries(
    client: Client, scene: Scene, report: Report, django_assert_max_num_queries: Any
) -> None:
    item = meeting_with(scene, at_board(scene, report()))
    determined(scene, item)
    recommend(scene, item, due_on=board.agency_today())
    signed_in(client, scene.pm)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("board-meeting-list"))
        client.get(reverse("board-meeting-detail", args=[item.meeting_id]))
    for _ in range(3):
        other = meeting_with(scene, at_board(scene, report()))
        determined(scene, other)
        recommend(scene, other, due_on=board.agency_today())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("board-meeting-list"))
        client.get(reverse("board-meeting-detail", args=[item.meeting_id]))
