"""`/api/v1/incidents` (the incident list, one incident, reporting, the review's steps and moves)
and `/api/v1/review-board` (meetings, agenda, determinations, recommendations), through the same
queries and services as the screens (mounted in oversight/api.py).

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Errors are JSON with a `detail`: 404 for what does not exist or may not be seen (the board's
meetings do not exist for anyone but program managers), 403 for a step the user may not take
on a record they see, 409 for a step the record's state does not allow, 422 for bad input
(with `fields`: the messages per field). A refused request writes nothing.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from probity.core import access, audit
from probity.core.models import AuditAction, Employee, OrgUnit, User
from probity.intake.api import EmployeeRef, ErrorOut, InvalidOut, UnitRef, answer
from probity.intake.models import Allegation
from probity.investigations.models import Case
from probity.oversight import queries_incidents as queries
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    CriticalIncident,
    Determination,
    IncidentKind,
    IncidentStatus,
    Recommendation,
    RecommendationKind,
)
from probity.oversight.services import board as board_services
from probity.oversight.services import incidents as services

router = Router(tags=["incidents"])
board_router = Router(tags=["review board"])

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Shapes


class IncidentSummaryOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    occurred_at: dt.datetime
    place: str
    office: UnitRef | None
    summary: str
    training_discharge: bool
    serious_injury: bool
    death: bool
    meets_board_criteria: bool
    reviewer: str | None = Field(description="User name of the reviewer")
    restricted: bool = Field(description="The incident lives in a compartment")


class IncidentListOut(Schema):
    items: list[IncidentSummaryOut]
    count: int
    messages: list[str] = Field(description="Filters that were ignored, and why")


class InvolvedEmployeeOut(Schema):
    id: int
    employee: EmployeeRef | None
    source_id: str
    description: str
    actions: str
    injured: bool


class SubjectOut(Schema):
    id: int
    source_id: str
    description: str
    age: int | None
    sex: str
    race: str
    injured: bool
    injuries: str
    armed: bool | None
    weapon: str


class ForceOut(Schema):
    action: str
    detail: str
    by_subject: bool
    by_employee: int | None = Field(description="Id of the involved employee row (`employees[].id`)")


class LinkOut(Schema):
    number: str
    status: str


class IncidentOut(IncidentSummaryOut):
    narrative: str
    responders: str
    notified_at: dt.datetime | None
    on_scene_at: dt.datetime | None
    facts: str
    source_system: str
    source_reference: str | None
    created_at: dt.datetime
    employees: list[InvolvedEmployeeOut]
    subjects: list[SubjectOut]
    force: list[ForceOut]
    allegations: list[LinkOut]
    cases: list[LinkOut]
    prosecution_holds: list[str] = Field(description="Why the board still waits on a prosecutor")
    next_statuses: list[str] = Field(description="Statuses you may move the incident to with /transitions")


class IncidentListQuery(Schema):
    """Documented here; parsed leniently (bad values are ignored and explained in `messages`)."""

    status: list[str] = Field(
        default_factory=list, description="Repeat, or separate with commas; default: every open status"
    )
    kind: str = Field("", description=f"One of {', '.join(IncidentKind.values)}")
    office: str = Field("", description="Office id: that office and everything below it")
    board: str = Field("", description="true: meets the review board's criteria; false: does not")
    reviewer: str = Field("", description="me, none, or a user id")
    q: str = Field("", description="Words to find in the number, summary or place")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


class EmployeeIn(Schema):
    employee_id: int | None = Field(None, description="Directory employee id")
    source_id: str = ""
    description: str = Field("", description="Who they are, when not in the directory")
    actions: str = ""
    injured: bool = False


class SubjectIn(Schema):
    description: str = ""
    source_id: str = ""
    age: int | None = None
    sex: str = ""
    race: str = ""
    injured: bool = False
    injuries: str = ""
    armed: bool | None = None
    weapon: str = ""


class ForceIn(Schema):
    action: str
    detail: str = ""
    by_employee_id: int | None = Field(None, description="Directory id of one of the involved employees")
    by_subject: bool = False


class IncidentIn(Schema):
    kind: str = Field(description=f"One of {', '.join(IncidentKind.values)}")
    occurred_at: dt.datetime = Field(description="With a time zone")
    office_id: int
    place: str = ""
    summary: str
    narrative: str = ""
    training_discharge: bool = False
    serious_injury: bool = False
    death: bool = False
    responders: str = ""
    notified_at: dt.datetime | None = None
    on_scene_at: dt.datetime | None = None
    employees: list[EmployeeIn] = Field(default_factory=list)
    subjects: list[SubjectIn] = Field(default_factory=list)
    force: list[ForceIn] = Field(default_factory=list)
    allegations: list[str] = Field(default_factory=list, description="Intake numbers to link")
    cases: list[str] = Field(default_factory=list, description="Case numbers to link")


class ReviewerIn(Schema):
    reviewer: int = Field(description="User id of an active program manager, supervisor or special agent")


class FactsIn(Schema):
    facts: str


class LinkIn(Schema):
    allegation: str = Field("", description="An intake number, e.g. JIC-2026-000123")
    case: str = Field("", description="A case number")


class MoveIn(Schema):
    target: str = Field(description=f"The status to move to: one of {', '.join(IncidentStatus.values)}")
    reason: str = ""


# Board shapes


class MeetingSummaryOut(Schema):
    id: int
    held_on: dt.date
    status: str
    members: list[str] = Field(description="User names")


class RecommendationOut(Schema):
    id: int
    incident: str | None = Field(description="The incident's number (null if you may not see it)")
    meeting_id: int
    kind: str
    text: str
    owner: str
    due_on: dt.date
    overdue: bool
    completed_at: dt.datetime | None
    completion_note: str


class AgendaItemOut(Schema):
    id: int
    incident: IncidentSummaryOut | None = Field(description="Null for an incident you may not see")
    determination: str
    rationale: str
    referral: str | None = Field(description="Intake number of the possible-misconduct referral")
    decided_at: dt.datetime | None
    recommendations: list[RecommendationOut]


class MeetingOut(MeetingSummaryOut):
    minutes: str
    agenda: list[AgendaItemOut]


class MeetingIn(Schema):
    held_on: dt.date
    members: list[int] = Field(description="User ids of the members")
    minutes: str = ""


class AgendaIn(Schema):
    incident_id: int


class DeterminationIn(Schema):
    determination: str = Field(description=f"One of {', '.join(Determination.values)}")
    rationale: str


class RecommendationIn(Schema):
    kind: str = Field(description=f"One of {', '.join(RecommendationKind.values)}")
    text: str
    owner: int = Field(description="User id of the owner")
    due_on: dt.date | None = Field(None, description="Default: the board-recommendation-due rule's date")


class CompleteIn(Schema):
    note: str


# Turning service answers into HTTP answers


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _summary(incident: CriticalIncident) -> IncidentSummaryOut:
    office = incident.office
    return IncidentSummaryOut(
        id=incident.pk,
        number=incident.number,
        kind=incident.kind,
        status=incident.status,
        occurred_at=incident.occurred_at,
        place=incident.place,
        office=UnitRef(id=office.pk, code=office.code, name=office.name) if office is not None else None,
        summary=incident.summary,
        training_discharge=incident.training_discharge,
        serious_injury=incident.serious_injury,
        death=incident.death,
        meets_board_criteria=incident.meets_board_criteria,
        reviewer=_username(incident.reviewer),
        restricted=incident.compartment_id is not None,
    )


def _detail(user: Any, page: queries.IncidentPage) -> IncidentOut:
    incident = page.incident
    return IncidentOut(
        **_summary(incident).dict(),
        narrative=incident.narrative,
        responders=incident.responders,
        notified_at=incident.notified_at,
        on_scene_at=incident.on_scene_at,
        facts=incident.facts,
        source_system=incident.source_system,
        source_reference=incident.source_reference,
        created_at=incident.created_at,
        employees=[
            InvolvedEmployeeOut(
                id=row.pk,
                employee=EmployeeRef(
                    id=row.employee.pk,
                    employee_number=row.employee.employee_number,
                    full_name=row.employee.full_name,
                )
                if row.employee is not None
                else None,
                source_id=row.source_id,
                description=row.description,
                actions=row.actions,
                injured=row.injured,
            )
            for row in page.employees
        ],
        subjects=[
            SubjectOut(
                id=s.pk,
                source_id=s.source_id,
                description=s.description,
                age=s.age,
                sex=s.sex,
                race=s.race,
                injured=s.injured,
                injuries=s.injuries,
                armed=s.armed,
                weapon=s.weapon,
            )
            for s in page.subjects
        ],
        force=[
            ForceOut(action=f.action, detail=f.detail, by_subject=f.by_subject, by_employee=f.by_employee_id)
            for f in page.force
        ],
        allegations=[LinkOut(number=a.number, status=a.status) for a in page.allegations],
        cases=[LinkOut(number=c.number, status=c.status) for c in page.cases],
        prosecution_holds=page.holds,
        next_statuses=services.movable_targets(user, incident),
    )


def _fresh(user: Any, incident_id: int) -> IncidentOut:
    # The answer to a step shows the incident as it now stands; the step itself is audited.
    return _detail(user, queries.incident_page(user, incident_id, record_view=False))


def _incident(user: Any, incident_id: int) -> CriticalIncident:
    return queries.get_incident_for(user, incident_id)


def _active_user(user_id: int, field: str) -> User:
    found: User | None = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise ValidationError({field: ["There is no active user with this id."]})
    return found


def _employees_by_id(ids: set[int]) -> dict[int, Employee]:
    found = {e.pk: e for e in Employee.objects.filter(pk__in=ids).defer("date_of_birth")} if ids else {}
    if len(found) < len(ids):
        raise ValidationError({"employees": ["Some employees are not in the directory."]})
    return found


def _linked(user: Any, model: type[Any], numbers: list[str], field: str) -> list[Any]:
    wanted = list(dict.fromkeys(number.strip().upper()[:40] for number in numbers if number.strip()))
    if len(wanted) > services.MAX_LINKS:
        raise ValidationError({field: [f"At most {services.MAX_LINKS} linked {field}."]})
    found = {row.number: row for row in access.visible(user, model.objects.filter(number__in=wanted))}
    if len(found) < len(wanted):
        raise ValidationError({field: [f"Some {field} do not exist or you may not see them."]})
    return [found[number] for number in wanted]


# Incidents


@router.get(
    "",
    response=IncidentListOut,
    summary="The incidents you may see, filtered and paged",
    description="Without a status, the open incidents. Each call records a `search` event.",
)
def list_incidents(request: HttpRequest, params: Query[IncidentListQuery]) -> IncidentListOut:
    user = request.auth  # type: ignore[attr-defined]
    filters = queries.IncidentFilters.from_query(request.GET)
    rows = queries.incident_list(user, filters=filters)
    count = rows.count()
    page = list(rows[params.offset : params.offset + params.limit])
    queries.record_incident_search(user, filters, results=count, channel="api")
    return IncidentListOut(items=[_summary(i) for i in page], count=count, messages=list(filters.messages))


@router.post(
    "",
    response={201: IncidentOut, **ERRORS},
    summary="Report a critical incident (program managers; supervisors in their scope)",
    description="Numbered CIR-YYYY-NNNNNN (the year it happened); it waits for a reviewer.",
)
def report_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[IncidentOut]:
        if not user.has_role(*services.REPORTING_ROLES):
            raise PermissionDenied("Only program managers and supervisors report critical incidents.")
        office = OrgUnit.objects.filter(pk=payload.office_id).first()
        if office is None:
            raise ValidationError({"office_id": ["There is no office with this id."]})
        ids = {e.employee_id for e in payload.employees if e.employee_id is not None}
        ids |= {f.by_employee_id for f in payload.force if f.by_employee_id is not None}
        people = _employees_by_id(ids)
        incident = services.report_incident(
            actor=user,
            kind=payload.kind,
            occurred_at=payload.occurred_at,
            place=payload.place,
            office=office,
            summary=payload.summary,
            narrative=payload.narrative,
            employees=[
                services.EmployeeInput(
                    employee=people[e.employee_id] if e.employee_id is not None else None,
                    source_id=e.source_id,
                    description=e.description,
                    actions=e.actions,
                    injured=e.injured,
                )
                for e in payload.employees
            ],
            subjects=[services.SubjectInput(**s.dict()) for s in payload.subjects],
            force=[
                services.ForceInput(
                    action=f.action,
                    detail=f.detail,
                    by_employee=people[f.by_employee_id] if f.by_employee_id is not None else None,
                    by_subject=f.by_subject,
                )
                for f in payload.force
            ],
            training_discharge=payload.training_discharge,
            serious_injury=payload.serious_injury,
            death=payload.death,
            responders=payload.responders,
            notified_at=payload.notified_at,
            on_scene_at=payload.on_scene_at,
            allegations=_linked(user, Allegation, payload.allegations, "allegations"),
            cases=_linked(user, Case, payload.cases, "cases"),
        )
        return Status(201, _fresh(user, incident.pk))

    return answer(work)


@router.get(
    "/{int:incident_id}",
    response={200: IncidentOut, 404: ErrorOut},
    summary="One incident with its people, force used, links and review",
    description="Records a `view` event. An incident you may not see is a 404.",
)
def get_incident(request: HttpRequest, incident_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return answer(lambda: _detail(user, queries.incident_page(user, incident_id, channel="api")))


@router.post(
    "/{int:incident_id}/reviewer",
    response={200: IncidentOut, **ERRORS},
    summary="Assign or change the reviewer (program managers); the first assignment starts the review",
)
def assign_reviewer(request: HttpRequest, incident_id: int, payload: ReviewerIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> IncidentOut:
        incident = _incident(user, incident_id)
        services.assign_reviewer(
            actor=user, incident=incident, reviewer=_active_user(payload.reviewer, "reviewer")
        )
        return _fresh(user, incident_id)

    return answer(work)


@router.post(
    "/{int:incident_id}/facts",
    response={200: IncidentOut, **ERRORS},
    summary="Document the facts (the reviewer or a program manager), while under review",
)
def document_facts(request: HttpRequest, incident_id: int, payload: FactsIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> IncidentOut:
        services.document_facts(actor=user, incident=_incident(user, incident_id), facts=payload.facts)
        return _fresh(user, incident_id)

    return answer(work)


@router.post(
    "/{int:incident_id}/links",
    response={200: IncidentOut, **ERRORS},
    summary="Link an intake allegation or an investigation case you may see",
)
def link_record(request: HttpRequest, incident_id: int, payload: LinkIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> IncidentOut:
        incident = _incident(user, incident_id)
        if bool(payload.allegation.strip()) == bool(payload.case.strip()):
            raise ValidationError({"__all__": ["Give either an allegation number or a case number."]})
        if payload.case.strip():
            [case] = _linked(user, Case, [payload.case], "cases")
            services.link_case(actor=user, incident=incident, case=case)
        else:
            [allegation] = _linked(user, Allegation, [payload.allegation], "allegations")
            services.link_allegation(actor=user, incident=incident, allegation=allegation)
        return _fresh(user, incident_id)

    return answer(work)


@router.post(
    "/{int:incident_id}/transitions",
    response={200: IncidentOut, **ERRORS},
    summary="Move the incident: hold for or resume from prosecution, send to the board, close",
    description=(
        "Starting the review is assigning a reviewer (/reviewer), and the board's determination is "
        "recorded on its meeting (/review-board): those moves are not made here (409)."
    ),
)
def move_incident(request: HttpRequest, incident_id: int, payload: MoveIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> IncidentOut:
        services.move_incident(
            actor=user, incident=_incident(user, incident_id), target=payload.target, reason=payload.reason
        )
        return _fresh(user, incident_id)

    return answer(work)


# The review board


def _recommendation(
    rec: Recommendation, visible: set[int] | frozenset[int], today: dt.date
) -> RecommendationOut:
    incident = rec.item.incident
    return RecommendationOut(
        id=rec.pk,
        incident=incident.number if incident.pk in visible else None,
        meeting_id=rec.item.meeting_id,
        kind=rec.kind,
        text=rec.text,
        owner=rec.owner.get_username(),
        due_on=rec.due_on,
        overdue=rec.completed_at is None and rec.due_on < today,
        completed_at=rec.completed_at,
        completion_note=rec.completion_note,
    )


def _meeting_summary(meeting: BoardMeeting) -> MeetingSummaryOut:
    return MeetingSummaryOut(
        id=meeting.pk,
        held_on=meeting.held_on,
        status=meeting.status,
        members=[user.get_username() for user in meeting.members.order_by("username")],
    )


def _meeting(user: Any, meeting_id: int, *, record_view: bool = False) -> MeetingOut:
    page = queries.meeting_page(user, meeting_id, record_view=record_view, channel="api")
    agenda = []
    for item in page.agenda:
        visible = item.incident_id in page.visible_incidents
        agenda.append(
            AgendaItemOut(
                id=item.pk,
                incident=_summary(item.incident) if visible else None,
                determination=item.determination if visible else "",
                rationale=item.rationale if visible else "",
                referral=item.referral.number if visible and item.referral is not None else None,
                decided_at=item.decided_at if visible else None,
                recommendations=[
                    _recommendation(rec, page.visible_incidents, page.today)
                    for rec in item.recommendations.all()
                ]
                if visible
                else [],
            )
        )
    return MeetingOut(
        **_meeting_summary(page.meeting).dict(),
        minutes=page.meeting.minutes,
        agenda=agenda,
    )


def _item(user: Any, meeting_id: int, item_id: int) -> AgendaItem:
    return queries.get_agenda_item_for(user, queries.get_meeting_for(user, meeting_id), item_id)


@board_router.get(
    "/meetings",
    response={200: list[MeetingSummaryOut], 404: ErrorOut},
    summary="The board's meetings, newest first (program managers)",
)
def list_meetings(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[MeetingSummaryOut]:
        meetings = queries.meeting_list(user).prefetch_related("members")
        audit.record(
            AuditAction.SEARCH,
            actor=user,
            object_type=audit.label_of(BoardMeeting),
            detail={"channel": "api"},
        )
        return [
            MeetingSummaryOut(
                id=m.pk,
                held_on=m.held_on,
                status=m.status,
                members=sorted(u.get_username() for u in m.members.all()),
            )
            for m in meetings
        ]

    return answer(work)


@board_router.post(
    "/meetings",
    response={201: MeetingOut, **ERRORS},
    summary="Schedule a meeting with its members (program managers)",
)
def schedule_meeting(request: HttpRequest, payload: MeetingIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[MeetingOut]:
        queries.require_board_user(user)
        ids = list(dict.fromkeys(payload.members))
        members = list(User.objects.filter(pk__in=ids))
        if len(members) < len(ids):
            raise ValidationError({"members": ["Some members are not users."]})
        meeting = board_services.schedule_meeting(
            actor=user, held_on=payload.held_on, members=members, minutes=payload.minutes
        )
        return Status(201, _meeting(user, meeting.pk))

    return answer(work)


@board_router.get(
    "/meetings/{int:meeting_id}",
    response={200: MeetingOut, 404: ErrorOut},
    summary="One meeting: members, agenda, determinations and recommendations",
    description="Records a `view` event. Incidents you may not see appear as null.",
)
def get_meeting(request: HttpRequest, meeting_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return answer(lambda: _meeting(user, meeting_id, record_view=True))


@board_router.post(
    "/meetings/{int:meeting_id}/agenda",
    response={201: MeetingOut, **ERRORS},
    summary="Put an incident awaiting the board on a scheduled meeting's agenda",
)
def add_to_agenda(request: HttpRequest, meeting_id: int, payload: AgendaIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[MeetingOut]:
        meeting = queries.get_meeting_for(user, meeting_id)
        incident = CriticalIncident.objects.filter(pk=payload.incident_id).first()
        if incident is None or not access.can_view(user, incident):
            raise ValidationError({"incident_id": ["There is no such incident, or you may not see it."]})
        board_services.add_to_agenda(actor=user, meeting=meeting, incident=incident)
        return Status(201, _meeting(user, meeting_id))

    return answer(work)


@board_router.post(
    "/meetings/{int:meeting_id}/agenda/{int:item_id}/determination",
    response={200: MeetingOut, **ERRORS},
    summary="Record the board's determination on an agenda item",
    description="Possible misconduct records an allegation in intake (its number is the item's `referral`).",
)
def record_determination(
    request: HttpRequest, meeting_id: int, item_id: int, payload: DeterminationIn
) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> MeetingOut:
        board_services.record_determination(
            actor=user,
            item=_item(user, meeting_id, item_id),
            determination=payload.determination,
            rationale=payload.rationale,
        )
        return _meeting(user, meeting_id)

    return answer(work)


@board_router.post(
    "/meetings/{int:meeting_id}/agenda/{int:item_id}/recommendations",
    response={201: RecommendationOut, **ERRORS},
    summary="Add a recommendation with its owner and due date to a determined item",
)
def add_recommendation(request: HttpRequest, meeting_id: int, item_id: int, payload: RecommendationIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[RecommendationOut]:
        item = _item(user, meeting_id, item_id)
        rec = board_services.add_recommendation(
            actor=user,
            item=item,
            kind=payload.kind,
            text=payload.text,
            owner=_active_user(payload.owner, "owner"),
            due_on=payload.due_on,
        )
        fresh = queries.get_recommendation_for(user, rec.pk)
        return Status(201, _recommendation(fresh, {item.incident_id}, board_services.agency_today()))

    return answer(work)


@board_router.get(
    "/recommendations",
    response={200: list[RecommendationOut], 404: ErrorOut},
    summary="The recommendations you own; with overdue=true, every overdue one (program managers)",
)
def list_recommendations(request: HttpRequest, overdue: bool = False) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[RecommendationOut]:
        if overdue:
            queries.require_board_user(user)
            rows = list(queries.overdue_recommendations(user))
        else:
            rows = list(queries.my_recommendations(user).select_related("owner"))
        ids = {rec.item.incident_id for rec in rows}
        visible = set(
            access.visible(user, CriticalIncident.objects.filter(pk__in=ids)).values_list("pk", flat=True)
        )
        return [_recommendation(rec, visible, board_services.agency_today()) for rec in rows]

    return answer(work)


@board_router.post(
    "/recommendations/{int:recommendation_id}/complete",
    response={200: RecommendationOut, **ERRORS},
    summary="Mark a recommendation done (its owner, or a program manager); its deadline is met",
)
def complete_recommendation(request: HttpRequest, recommendation_id: int, payload: CompleteIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> RecommendationOut:
        rec = queries.get_recommendation_for(user, recommendation_id)
        board_services.complete_recommendation(actor=user, recommendation=rec, note=payload.note)
        fresh = queries.get_recommendation_for(user, recommendation_id)
        visible = {fresh.item.incident_id} if access.can_view(user, fresh.item.incident) else set()
        return _recommendation(fresh, visible, board_services.agency_today())

    return answer(work)
