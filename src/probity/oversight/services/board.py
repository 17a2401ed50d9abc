"""Review board services: meetings, their agenda, determinations and tracked recommendations.

Program managers run the board: they schedule meetings with their members, put incidents that
wait for the board on the agenda, record the board's determination per incident and its
recommendations. A determination of possible misconduct is referred to intake: an allegation is
recorded there (a supervisor-referral channel, the incident's employees its subjects) and kept
on the agenda item. Each recommendation has an owner and a due date, tracked by a deadline on
the `board-recommendation-due` rule (its duration is the default due date); the owner or a
program manager marks it done, which meets the deadline.

Every service runs in one transaction, checks permission and sight of the incident (404 when
hidden), validates everything at once, writes, and records the audit events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.deadlines import agency_time_zone, due_at
from probity.core.models import AuditAction, Deadline, DeadlineRule, User
from probity.core.services.deadlines import meet_deadline, start_deadline
from probity.core.workflow import IllegalTransition
from probity.intake.models import Allegation, Channel, PersonRole
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    BoardMeetingStatus,
    CriticalIncident,
    Determination,
    IncidentStatus,
    Recommendation,
    RecommendationKind,
)
from probity.oversight.services.incidents import MAX_TEXT, USE_OF_FORCE, is_program_manager
from probity.oversight.workflow_incidents import INCIDENT_FLOW

S = IncidentStatus
RECOMMENDATION_RULE = "board-recommendation-due"
REFERRAL_CHANNEL = Channel.SUPERVISOR  # the closest internal-referral channel intake has
MAX_MEMBERS = 30
MAX_MINUTES = 50_000
SCHEDULE_WINDOW = dt.timedelta(days=366)

Problems = dict[str, list[str]]


def agency_today() -> dt.date:
    return timezone.now().astimezone(agency_time_zone()).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` on the agency's calendar, in UTC."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=agency_time_zone()).astimezone(dt.UTC)


def _require_program_manager(actor: Any, *, doing: str) -> None:
    if actor is None or not is_program_manager(actor):
        raise PermissionDenied(f"Only a program manager may {doing}.")


def _require_incident(actor: Any, incident: CriticalIncident | None) -> None:
    if incident is None or incident.pk is None or not access.can_view(actor, incident):
        raise Http404("No such incident")


def _text(value: Any, name: str, errors: Problems, *, required: str = "", limit: int = MAX_TEXT) -> str:
    text = (value if isinstance(value, str) else "").strip()
    if required and not text:
        errors.setdefault(name, []).append(required)
    if len(text) > limit:
        errors.setdefault(name, []).append(f"This must be {limit:,} characters or fewer.")
    return text


def _raise_if(errors: Problems) -> None:
    if errors:
        raise ValidationError(errors)


def _date(value: Any, name: str, errors: Problems, *, required: str) -> dt.date | None:
    if value is None:
        errors.setdefault(name, []).append(required)
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.setdefault(name, []).append("Give a calendar date.")
        return None
    return value


def _involved(incident: CriticalIncident, users: Sequence[User]) -> list[User]:
    employee_ids = {user.employee_id for user in users if user.employee_id is not None}
    if not employee_ids:
        return []
    named = set(incident.employees.filter(employee_id__in=employee_ids).values_list("employee_id", flat=True))
    return [user for user in users if user.employee_id in named]


# Meetings and their agenda


def schedule_meeting(
    *, actor: Any, held_on: dt.date, members: Sequence[User], minutes: str = ""
) -> BoardMeeting:
    """Schedule a meeting of the review board (or record one already held) with its members."""
    _require_program_manager(actor, doing="schedule a review board meeting")
    errors: Problems = {}
    day = _date(held_on, "held_on", errors, required="Give the meeting's date.")
    today = agency_today()
    if day is not None and not today - SCHEDULE_WINDOW <= day <= today + SCHEDULE_WINDOW:
        errors["held_on"] = ["The meeting must be within a year of today; check the date."]
    ids = list(dict.fromkeys(getattr(user, "pk", None) for user in members if isinstance(user, User)))
    active = list(User.objects.filter(pk__in=[pk for pk in ids if pk], is_active=True).order_by("username"))
    if not ids:
        errors["members"] = ["Name the board's members."]
    elif len(ids) > MAX_MEMBERS:
        errors["members"] = [f"At most {MAX_MEMBERS} members."]
    elif len(active) < len(ids) or len(ids) < len(members):
        errors["members"] = ["Every member must be an active user."]
    minutes = _text(minutes, "minutes", errors, limit=MAX_MINUTES)
    _raise_if(errors)
    assert day is not None  # noqa: S101  (checked above: required)
    with transaction.atomic():
        meeting = BoardMeeting.objects.create(
            held_on=day, minutes=minutes, created_at=timezone.now(), created_by=actor
        )
        meeting.members.set(active)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=meeting,
            changes={
                "held_on": [None, day.isoformat()],
                "members": [None, [user.get_username() for user in active]],
                "status": [None, meeting.status],
            },
        )
    return meeting


def _lock_meeting(meeting: BoardMeeting) -> BoardMeeting:
    found = BoardMeeting.objects.select_for_update().filter(pk=getattr(meeting, "pk", None) or 0).first()
    if found is None:
        raise Http404("No such meeting")
    return found


def add_to_agenda(*, actor: Any, meeting: BoardMeeting, incident: CriticalIncident) -> AgendaItem:
    """Put an incident that waits for the board on a scheduled meeting's agenda."""
    _require_program_manager(actor, doing="set the review board's agenda")
    _require_incident(actor, incident)
    with transaction.atomic():
        current = _lock_meeting(meeting)
        locked = CriticalIncident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        if current.status != BoardMeetingStatus.SCHEDULED:
            raise IllegalTransition(
                f"The meeting of {current.held_on:%Y-%m-%d} was held; put the incident on a later meeting.",
                code="meeting_held",
            )
        if locked.status != S.BOARD_PENDING:
            raise IllegalTransition(
                f"Only an incident awaiting the review board goes on the agenda; {locked.number} is "
                f"{INCIDENT_FLOW.labels.get(locked.status, locked.status)}.",
                code="not_board_pending",
            )
        errors: Problems = {}
        if AgendaItem.objects.filter(meeting=current, incident=locked).exists():
            errors["incident"] = [f"{locked.number} is already on this meeting's agenda."]
        else:
            other = (
                AgendaItem.objects.filter(
                    incident=locked, determination="", meeting__status=BoardMeetingStatus.SCHEDULED
                )
                .select_related("meeting")
                .first()
            )
            if other is not None:
                held_on = f"{other.meeting.held_on:%Y-%m-%d}"
                errors["incident"] = [
                    f"{locked.number} is already on the agenda of the meeting of {held_on}."
                ]
        involved = _involved(locked, list(current.members.all()))
        if involved:
            names = ", ".join(user.get_full_name() or user.get_username() for user in involved)
            errors.setdefault("incident", []).append(
                f"{names} sat on this board and was involved in {locked.number}; change the members first."
            )
        _raise_if(errors)
        item = AgendaItem.objects.create(meeting=current, incident=locked)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=item,
            changes={"meeting": [None, current.pk], "incident": [None, locked.number]},
        )
    return item


# Determinations


def _lock_item(item: AgendaItem) -> AgendaItem:
    found = (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("meeting", "incident")
        .filter(pk=getattr(item, "pk", None) or 0)
        .first()
    )
    if found is None:
        raise Http404("No such agenda item")
    return found


def _refer_to_intake(
    actor: Any, incident: CriticalIncident, rationale: str, events: list[audit.EventSpec]
) -> Allegation:
    """Record the possible misconduct as an allegation in intake, as the system: the program
    manager is not an intake recorder, and the referral is the board's, audited with its name."""
    people = []
    for row in incident.employees.select_related("employee").order_by("pk"):
        if row.employee_id is not None:
            people.append(PersonInput(role=PersonRole.SUBJECT, employee_id=row.employee_id))
        elif row.description or row.source_id:
            people.append(
                PersonInput(
                    role=PersonRole.SUBJECT,
                    description=(row.description or f"Source id {row.source_id}")[:300],
                    badge_number=row.source_id[:40],
                )
            )
    occurred = incident.occurred_at.astimezone(agency_time_zone()).date()
    return record_allegation(
        actor=None,
        data=AllegationInput(
            channel=REFERRAL_CHANNEL,
            summary=f"Review board: possible misconduct in {incident.number}"[:200],
            narrative=(
                f"The use-of-force review board found possible misconduct in critical incident "
                f"{incident.number} ({incident.get_kind_display().lower()}): {incident.summary}\n\n"
                f"The board's rationale: {rationale}"
            ),
            incident_date=occurred,
            incident_place=incident.place[:300],
            office_id=incident.office_id,
            use_of_force=incident.kind in USE_OF_FORCE,
            people=tuple(people),
        ),
        events=events,
    )


def record_determination(*, actor: Any, item: AgendaItem, determination: str, rationale: str) -> AgendaItem:
    """The board's determination on one incident of the agenda, with its rationale. Possible
    misconduct is referred to intake as an allegation. The incident is then determined."""
    _require_program_manager(actor, doing="record the board's determination")
    incident = getattr(item, "incident", None)
    _require_incident(actor, incident)
    errors: Problems = {}
    if determination not in Determination.values:
        errors["determination"] = [f"Choose the determination: one of {', '.join(Determination.values)}."]
    rationale = _text(rationale, "rationale", errors, required="Give the board's rationale.")
    _raise_if(errors)
    with transaction.atomic():
        current = _lock_item(item)
        meeting = _lock_meeting(current.meeting)
        locked = CriticalIncident.objects.select_for_update(of=("self",)).get(pk=current.incident_id)
        if current.determination:
            raise IllegalTransition(
                f"The board already determined {locked.number}: "
                f"{current.get_determination_display().lower()}.",
                code="decided",
            )
        if meeting.held_on > agency_today():
            raise IllegalTransition(
                f"The meeting is on {meeting.held_on:%Y-%m-%d}; record its determinations from that day on.",
                code="not_yet",
            )
        INCIDENT_FLOW.check(actor, locked.status, S.DETERMINED)
        now = timezone.now()
        events: list[audit.EventSpec] = []
        changes: dict[str, list[Any]] = {
            "determination": ["", determination],
            "rationale": ["", rationale],
            "decided_at": [None, now],
        }
        if determination == Determination.POSSIBLE_MISCONDUCT:
            referral = _refer_to_intake(actor, locked, rationale, events)
            current.referral = referral
            locked.allegations.add(referral)
            changes["referral"] = [None, referral.number]
        current.determination = determination
        current.rationale = rationale
        current.decided_at = now
        current.save(update_fields=["determination", "rationale", "decided_at", "referral"])
        events.append(
            audit.EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=current,
                changes=changes,
                detail={"incident": locked.number},
            )
        )
        source = locked.status
        locked.status = S.DETERMINED
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
        events.append(
            audit.EventSpec(
                AuditAction.TRANSITION,
                actor=actor,
                obj=locked,
                changes={"status": [source, S.DETERMINED]},
                detail={"determination": determination, "meeting": meeting.pk},
            )
        )
        if meeting.status == BoardMeetingStatus.SCHEDULED:
            meeting.status = BoardMeetingStatus.HELD
            meeting.save(update_fields=["status"])
            events.append(
                audit.EventSpec(
                    AuditAction.TRANSITION,
                    actor=actor,
                    obj=meeting,
                    changes={"status": [BoardMeetingStatus.SCHEDULED, BoardMeetingStatus.HELD]},
                )
            )
        audit.record_many(events)
    item.determination, item.rationale, item.decided_at = current.determination, current.rationale, now
    item.referral = current.referral
    incident.status = S.DETERMINED  # type: ignore[union-attr]
    return current


# Recommendations


def _recommendation_rule() -> DeadlineRule | None:
    # A rule an administrator switched off runs no clock; the recommendation is still kept.
    return DeadlineRule.objects.filter(code=RECOMMENDATION_RULE, active=True).first()


def default_due_on(started: dt.datetime | None = None) -> dt.date | None:
    """The due date the rule gives a recommendation made now (None without an active rule)."""
    rule = _recommendation_rule()
    if rule is None:
        return None
    return due_at(rule, started or timezone.now()).astimezone(agency_time_zone()).date()


def add_recommendation(
    *,
    actor: Any,
    item: AgendaItem,
    kind: str,
    text: str,
    owner: User,
    due_on: dt.date | None = None,
) -> Recommendation:
    """A board recommendation on a determined incident, with its owner and due date (by default
    the `board-recommendation-due` rule's); its deadline clock starts, owned by the owner."""
    _require_program_manager(actor, doing="record the board's recommendations")
    _require_incident(actor, getattr(item, "incident", None))
    errors: Problems = {}
    if kind not in RecommendationKind.values:
        errors["kind"] = [f"Choose the kind: one of {', '.join(RecommendationKind.values)}."]
    text = _text(text, "text", errors, required="Write the recommendation.")
    if (
        not isinstance(owner, User)
        or owner.pk is None
        or not User.objects.filter(pk=owner.pk, is_active=True).exists()
    ):
        errors["owner"] = ["Choose an active user who owns the recommendation."]
    rule = _recommendation_rule()
    today = agency_today()
    if due_on is None:
        due_on = default_due_on()
        if due_on is None:
            errors["due_on"] = ["Give the due date (no default rule is switched on)."]
    elif isinstance(due_on, dt.datetime) or not isinstance(due_on, dt.date):
        errors["due_on"] = ["Give a calendar date."]
    elif due_on < today:
        errors["due_on"] = ["The due date cannot be in the past."]
    elif due_on > today + dt.timedelta(days=3 * 366):
        errors["due_on"] = ["The due date must be within three years."]
    _raise_if(errors)
    assert due_on is not None  # noqa: S101  (checked above)
    with transaction.atomic():
        current = _lock_item(item)
        if not current.determination:
            raise IllegalTransition(
                "Recommendations follow the board's determination; record the determination first.",
                code="undetermined",
            )
        now = timezone.now()
        recommendation = Recommendation.objects.create(
            item=current, kind=kind, text=text, owner=owner, due_on=due_on, created_at=now
        )
        events = [
            audit.EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=recommendation,
                changes={
                    "kind": [None, kind],
                    "text": [None, text],
                    "owner": [None, owner.get_username()],
                    "due_on": [None, due_on.isoformat()],
                },
                detail={"incident": current.incident.number, "meeting": current.meeting_id},
            )
        ]
        if rule is not None:
            # The board sets the date; the rule's duration is only its default.
            start_deadline(
                actor=actor,
                rule=rule,
                record=recommendation,
                title=f"Board recommendation on {current.incident.number} "
                f"({recommendation.get_kind_display().lower()})",
                owner=owner,
                office=current.incident.office,
                started_at=now,
                events=events,
                due_at=end_of_day(due_on),
            )
        audit.record_many(events)
    return recommendation


def recommendation_deadline(recommendation: Recommendation) -> Deadline | None:
    """The open clock on a recommendation, if it has one."""
    return (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Recommendation),
            object_id=recommendation.pk,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .order_by("-started_at", "-pk")
        .first()
    )


def complete_recommendation(*, actor: Any, recommendation: Recommendation, note: str) -> Recommendation:
    """The owner (or a program manager) marks a recommendation done, saying what was done; its
    deadline is met (late if past the due date)."""
    if actor is None or not getattr(actor, "is_active", False):
        raise PermissionDenied("Sign in to complete a recommendation.")
    errors: Problems = {}
    note = _text(note, "note", errors, required="Say what was done.")
    with transaction.atomic():
        current = (
            Recommendation.objects.select_for_update(of=("self",))
            .select_related("item__incident")
            .filter(pk=getattr(recommendation, "pk", None) or 0)
            .first()
        )
        if current is None:
            raise Http404("No such recommendation")
        if current.owner_id != actor.pk and not is_program_manager(actor):
            raise Http404("No such recommendation")  # not theirs: it does not exist for them
        if current.completed_at is not None:
            raise IllegalTransition(
                f"This recommendation was already marked done on {current.completed_at:%Y-%m-%d}.",
                code="completed",
            )
        _raise_if(errors)
        now = timezone.now()
        current.completed_at = now
        current.completion_note = note
        current.save(update_fields=["completed_at", "completion_note"])
        audit.record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=current,
            changes={"completed_at": [None, now], "completion_note": ["", note]},
            detail={"incident": current.item.incident.number, "late": agency_today() > current.due_on},
        )
        deadline = recommendation_deadline(current)
        if deadline is not None:
            meet_deadline(actor=actor, deadline=deadline, met_at=now)
    recommendation.completed_at, recommendation.completion_note = (
        current.completed_at,
        current.completion_note,
    )
    return current
