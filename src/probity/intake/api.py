"""Staff API for allegations at /api/v1/allegations: the queue, one allegation, recording and
every workflow step, through the same queries and services as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Errors are JSON with a `detail`: 404 for an allegation that does not exist or may not be seen,
403 for a step the user's role does not allow on an allegation they can see, 409 for a step the
allegation's state does not allow, 422 for bad input (with `fields`: the messages per field).
A refused request writes nothing.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from probity.core import access
from probity.core.models import User
from probity.core.workflow import IllegalTransition
from probity.intake import queries
from probity.intake.models import Allegation, AllegationPerson, Channel, OigReferral
from probity.intake.services import triage
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.intake.workflow import ALLEGATION_FLOW

router = Router(tags=["allegations"])

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_BULK = 500
# The portal and imports have their own doors; staff record every other channel.
STAFF_CHANNELS = [c for c in Channel.values if c not in (Channel.WEB, Channel.IMPORT)]


# Shapes


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    fields: dict[str, list[str]] = Field(description="Messages per input field; `__all__` for the whole")


class UnitRef(Schema):
    id: int
    code: str
    name: str


class EmployeeRef(Schema):
    id: int
    employee_number: str
    full_name: str


class AllegationSummaryOut(Schema):
    id: int
    number: str
    channel: str
    status: str
    seriousness: str
    summary: str
    received_at: dt.datetime
    age_days: int
    office: UnitRef | None
    categories: list[str] = Field(description="Category codes")
    prea: bool
    use_of_force: bool
    subjects: list[str] = Field(
        description="Named subjects: directory name, else name, badge or 'unidentified'"
    )
    assigned_to: str | None = Field(description="User name of the assigned intake specialist")
    oig_due_at: dt.datetime | None = Field(description="When a pending OIG answer is due")
    oig_overdue: bool


class AllegationPage(Schema):
    items: list[AllegationSummaryOut]
    count: int
    messages: list[str] = Field(description="Filters that were ignored, and why")


class PersonOut(Schema):
    role: str
    employee: EmployeeRef | None
    name: str
    badge_number: str
    description: str
    anonymous: bool
    contact: str
    contact_preference: str


class OigReferralOut(Schema):
    id: int
    sent_at: dt.datetime
    sent_by: str
    answer: str
    answered_at: dt.datetime | None
    answered_by: str | None
    oig_reference: str
    note: str
    due_at: dt.datetime | None
    overdue: bool


class SuggestionOut(Schema):
    id: int
    candidate_id: int
    candidate_number: str
    score: float
    reasons: list[Any]
    status: str


class AllegationOut(AllegationSummaryOut):
    narrative: str
    incident_date: dt.date | None
    incident_date_precision: str
    incident_end_date: dt.date | None
    incident_place: str
    self_report_kind: str
    arrest_category: str | None = Field(description="Arrest category code")
    group_id: int | None = Field(description="Linked allegations share a group")
    routing_outcome: str
    routing_rationale: str
    routed_at: dt.datetime | None
    routed_by: str | None
    closure_requested_by: str | None
    closure_approved_by: str | None
    closed_at: dt.datetime | None
    language: str
    people: list[PersonOut]
    oig_referrals: list[OigReferralOut]
    suggestions: list[SuggestionOut]
    next_statuses: list[str] = Field(description="Statuses you may move this allegation to")


class QueueQuery(Schema):
    """Documented here; parsed leniently by `QueueFilters.from_query` (bad values are ignored)."""

    status: list[str] = Field(default_factory=list, description="Repeat, or separate with commas")
    channel: str = ""
    category: str = Field("", description="Category code")
    office: str = Field("", description="Office id: that office and everything below it")
    age: str = Field("", description="under_7, 7_to_30, over_30 or over_90 (days since received)")
    prea: str = Field("", description="true or false")
    use_of_force: str = Field("", description="true or false")
    assigned: str = Field("", description="me, unassigned, or a user id")
    q: str = Field("", description="Words to find in the number or summary")
    sort: str = Field("oldest", description="oldest, newest or seriousness (criminal first)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


class PersonIn(Schema):
    role: str = Field(description="subject, witness or complainant")
    employee_id: int | None = None
    name: str = ""
    badge_number: str = ""
    description: str = ""
    anonymous: bool = False
    contact: str = ""
    contact_preference: str = ""


class AllegationIn(Schema):
    channel: str = Field(description=f"One of {', '.join(STAFF_CHANNELS)}")
    summary: str
    narrative: str = ""
    received_at: dt.datetime | None = Field(None, description="With a time zone; default now")
    categories: list[str] = Field(default_factory=list, description="Category codes")
    incident_date: dt.date | None = None
    incident_date_precision: str = "day"
    incident_end_date: dt.date | None = None
    incident_place: str = ""
    office_id: int | None = None
    prea: bool | None = Field(None, description="Default: from the categories")
    use_of_force: bool | None = Field(None, description="Default: from the categories")
    self_report_kind: str = ""
    arrest_category: str = Field("", description="Arrest category code, for a self-report")
    people: list[PersonIn] = Field(default_factory=list)
    source_reference: str | None = Field(None, description="Identifier in the sending system; unique")


class TriageIn(Schema):
    seriousness: str
    note: str = ""


class NoteIn(Schema):
    note: str = ""


class OigAnswerIn(Schema):
    answer: str = Field(description="accepted, declined or returned")
    oig_reference: str = ""
    note: str = ""


class RouteIn(Schema):
    outcome: str
    rationale: str


class ReasonIn(Schema):
    reason: str


class AssignIn(Schema):
    allegations: list[int] = Field(description=f"Allegation ids, at most {MAX_BULK}")
    assignee: int | None = Field(description="User id of an intake specialist; null to unassign")


class AssignOut(Schema):
    changed: int


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Turning service answers into HTTP answers


def error_fields(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: list(messages) for name, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def answer[T](work: Callable[[], T]) -> T | Status[Any]:
    """Run a service call; its refusals become the API's answers (404, 409, 403, 422 with fields).

    Shared by every staff API module, so a refusal reads the same everywhere.
    """
    try:
        return work()
    except Http404 as error:
        return Status(404, ErrorOut(detail=str(error) or "Not found"))
    except IllegalTransition as error:
        return Status(409, ErrorOut(detail=" ".join(error.messages)))
    except PermissionDenied as error:
        return Status(403, ErrorOut(detail=str(error) or "You may not do this."))
    except ValidationError as error:
        fields = error_fields(error)
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in fields.items()
        )
        return Status(422, InvalidOut(detail=f"Invalid input: {problems}", fields=fields))


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _unit(allegation: Allegation) -> UnitRef | None:
    office = allegation.office
    return UnitRef(id=office.pk, code=office.code, name=office.name) if office is not None else None


def _subject_label(person: AllegationPerson) -> str:
    if person.employee is not None:
        return person.employee.full_name
    return person.name or (f"badge {person.badge_number}" if person.badge_number else "unidentified")


def _summary_fields(
    allegation: Allegation, now: dt.datetime, subjects: list[AllegationPerson]
) -> dict[str, Any]:
    due = getattr(allegation, "oig_due_at", None)
    return {
        "id": allegation.pk,
        "number": allegation.number,
        "channel": allegation.channel,
        "status": allegation.status,
        "seriousness": allegation.seriousness,
        "summary": allegation.summary,
        "received_at": allegation.received_at,
        "age_days": max((now - allegation.received_at).days, 0),
        "office": _unit(allegation),
        "categories": [category.code for category in allegation.categories.all()],
        "prea": allegation.prea,
        "use_of_force": allegation.use_of_force,
        "subjects": [_subject_label(person) for person in subjects],
        "assigned_to": _username(allegation.assigned_to),
        "oig_due_at": due,
        "oig_overdue": due is not None and due < now,
    }


def _summary(allegation: Allegation, now: dt.datetime) -> AllegationSummaryOut:
    return AllegationSummaryOut(**_summary_fields(allegation, now, allegation.subjects))  # type: ignore[attr-defined]


def _referral(referral: OigReferral, now: dt.datetime) -> OigReferralOut:
    deadline = referral.deadline
    return OigReferralOut(
        id=referral.pk,
        sent_at=referral.sent_at,
        sent_by=referral.sent_by.get_username(),
        answer=referral.answer,
        answered_at=referral.answered_at,
        answered_by=_username(referral.answered_by),
        oig_reference=referral.oig_reference,
        note=referral.note,
        due_at=deadline.due_at if deadline else None,
        overdue=bool(deadline and deadline.is_open and deadline.due_at < now),
    )


def _detail(user: Any, allegation: Allegation) -> AllegationOut:
    now = timezone.now()
    people = list(allegation.people.all())
    referrals = list(allegation.oig_referrals.all())
    pending = next((r for r in referrals if r.answer == "pending" and r.deadline is not None), None)
    allegation.oig_due_at = pending.deadline.due_at if pending and pending.deadline else None  # type: ignore[attr-defined]
    fields = _summary_fields(allegation, now, [p for p in people if p.role == "subject"])
    return AllegationOut(
        **fields,
        narrative=allegation.narrative,
        incident_date=allegation.incident_date,
        incident_date_precision=allegation.incident_date_precision,
        incident_end_date=allegation.incident_end_date,
        incident_place=allegation.incident_place,
        self_report_kind=allegation.self_report_kind,
        arrest_category=allegation.arrest_category.code if allegation.arrest_category else None,
        group_id=allegation.group_id,
        routing_outcome=allegation.routing_outcome,
        routing_rationale=allegation.routing_rationale,
        routed_at=allegation.routed_at,
        routed_by=_username(allegation.routed_by),
        closure_requested_by=_username(allegation.closure_requested_by),
        closure_approved_by=_username(allegation.closure_approved_by),
        closed_at=allegation.closed_at,
        language=allegation.language,
        people=[
            PersonOut(
                role=person.role,
                employee=EmployeeRef(
                    id=person.employee.pk,
                    employee_number=person.employee.employee_number,
                    full_name=person.employee.full_name,
                )
                if person.employee is not None
                else None,
                name=person.name,
                badge_number=person.badge_number,
                description=person.description,
                anonymous=person.anonymous,
                contact=person.contact,
                contact_preference=person.contact_preference,
            )
            for person in people
        ],
        oig_referrals=[_referral(referral, now) for referral in referrals],
        suggestions=[
            SuggestionOut(
                id=suggestion.pk,
                candidate_id=suggestion.candidate_id,
                candidate_number=suggestion.candidate.number,
                score=suggestion.score,
                reasons=list(suggestion.reasons),
                status=suggestion.status,
            )
            for suggestion in allegation.suggestions.all()
        ],
        next_statuses=ALLEGATION_FLOW.targets_for(user, allegation.status),
    )


def _fresh(user: Any, pk: int) -> AllegationOut:
    # The answer to a step shows the allegation as it now stands; the step itself is audited.
    return _detail(user, queries.get_allegation_for(user, pk, record_view=False))


def _visible(user: Any, allegation_id: int) -> Allegation:
    return access.get_for(user, Allegation.objects.all(), pk=allegation_id)


# Endpoints


@router.get(
    "",
    response=AllegationPage,
    summary="The intake queue, filtered and sorted",
    description=(
        "Only allegations you may see. Filters as on the queue page; a bad filter value is "
        "ignored and explained in `messages`. Each call records a `search` event."
    ),
)
def list_allegations(request: HttpRequest, params: Query[QueueQuery]) -> AllegationPage:
    user = request.auth  # type: ignore[attr-defined]
    filters = queries.QueueFilters.from_query(request.GET)
    rows = queries.allegation_queue(user, filters=filters)
    count = rows.count()
    page = list(rows[params.offset : params.offset + params.limit])
    queries.record_queue_search(user, filters, results=count, channel="api")
    now = timezone.now()
    return AllegationPage(
        items=[_summary(allegation, now) for allegation in page], count=count, messages=list(filters.messages)
    )


@router.post(
    "",
    response={201: AllegationOut, **ERRORS},
    summary="Record an allegation from a staff channel",
    description="Intake specialists and supervisors; every problem with the input comes back at once.",
)
def create_allegation(request: HttpRequest, payload: AllegationIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[AllegationOut]:
        if payload.channel not in STAFF_CHANNELS:
            raise ValidationError({"channel": [f"Staff record these channels: {', '.join(STAFF_CHANNELS)}."]})
        data = AllegationInput(
            channel=payload.channel,
            summary=payload.summary,
            narrative=payload.narrative,
            received_at=payload.received_at,
            category_codes=tuple(payload.categories),
            incident_date=payload.incident_date,
            incident_date_precision=payload.incident_date_precision,
            incident_end_date=payload.incident_end_date,
            incident_place=payload.incident_place,
            office_id=payload.office_id,
            prea=payload.prea,
            use_of_force=payload.use_of_force,
            self_report_kind=payload.self_report_kind,
            arrest_category_code=payload.arrest_category,
            people=tuple(PersonInput(**person.model_dump()) for person in payload.people),
            source_reference=payload.source_reference,
        )
        allegation = record_allegation(actor=user, data=data)
        return Status(201, _fresh(user, allegation.pk))

    return answer(work)


@router.post(
    "/assign",
    response={200: AssignOut, **ERRORS},
    summary="Assign allegations to an intake specialist",
    description="Each allegation must be one you may see, and one the assignee may see.",
)
def assign_allegations(request: HttpRequest, payload: AssignIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AssignOut:
        ids = set(payload.allegations)
        if len(ids) > MAX_BULK:
            raise ValidationError({"allegations": [f"At most {MAX_BULK} allegations at a time."]})
        rows = list(Allegation.objects.filter(pk__in=ids).only("pk"))
        if len(rows) < len(ids):
            raise Http404("No such allegation")
        assignee = None
        if payload.assignee is not None:
            assignee = User.objects.filter(pk=payload.assignee, is_active=True).first()
            if assignee is None:
                raise ValidationError({"assignee": ["There is no active user with this id."]})
        return AssignOut(changed=triage.assign(actor=user, allegations=rows, assignee=assignee))

    return answer(work)


@router.get(
    "/{allegation_id}",
    response={200: AllegationOut, 404: ErrorOut},
    summary="One allegation with its people, OIG referrals and duplicate suggestions",
    description="Records a `view` event. One you may not see is a 404.",
)
def get_allegation(request: HttpRequest, allegation_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return answer(lambda: _detail(user, queries.get_allegation_for(user, allegation_id, channel="api")))


@router.post(
    "/{allegation_id}/triage", response={200: AllegationOut, **ERRORS}, summary="Triage: received → triaged"
)
def triage_allegation(request: HttpRequest, allegation_id: int, payload: TriageIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationOut:
        allegation = _visible(user, allegation_id)
        triage.triage(actor=user, allegation=allegation, seriousness=payload.seriousness, note=payload.note)
        return _fresh(user, allegation_id)

    return answer(work)


@router.post(
    "/{allegation_id}/refer",
    response={200: AllegationOut, **ERRORS},
    summary="Refer to DHS OIG: triaged → awaiting OIG answer (starts OIG's clock)",
)
def refer_allegation(request: HttpRequest, allegation_id: int, payload: NoteIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationOut:
        triage.refer_to_oig(actor=user, allegation=_visible(user, allegation_id), note=payload.note)
        return _fresh(user, allegation_id)

    return answer(work)


@router.post(
    "/{allegation_id}/oig-answer",
    response={200: AllegationOut, **ERRORS},
    summary="Record OIG's answer: accepted → accepted by OIG; declined or returned → triaged",
)
def answer_allegation(request: HttpRequest, allegation_id: int, payload: OigAnswerIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationOut:
        triage.record_oig_answer(
            actor=user,
            allegation=_visible(user, allegation_id),
            answer=payload.answer,
            oig_reference=payload.oig_reference,
            note=payload.note,
        )
        return _fresh(user, allegation_id)

    return answer(work)


@router.post(
    "/{allegation_id}/route",
    response={200: AllegationOut, **ERRORS},
    summary="Route with a rationale: triaged → routed, or → closure awaiting approval",
    description=(
        "Criminal and serious administrative allegations need OIG's declined or returned answer "
        "first (409 otherwise). information_only and closed_no_action ask a supervisor to close."
    ),
)
def route_allegation(request: HttpRequest, allegation_id: int, payload: RouteIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationOut:
        triage.route(
            actor=user,
            allegation=_visible(user, allegation_id),
            outcome=payload.outcome,
            rationale=payload.rationale,
        )
        return _fresh(user, allegation_id)

    return answer(work)


@router.post(
    "/{allegation_id}/approve-closure",
    response={200: AllegationOut, **ERRORS},
    summary="Approve a closure (a supervisor other than the requester)",
)
def approve_closure(request: HttpRequest, allegation_id: int, payload: NoteIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationOut:
        triage.approve_closure(actor=user, allegation=_visible(user, allegation_id), note=payload.note)
        return _fresh(user, allegation_id)

    return answer(work)


@router.post(
    "/{allegation_id}/reject-closure",
    response={200: AllegationOut, **ERRORS},
    summary="Reject a closure with the reason: back to triaged (supervisors)",
)
def reject_closure(request: HttpRequest, allegation_id: int, payload: ReasonIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationOut:
        triage.reject_closure(actor=user, allegation=_visible(user, allegation_id), reason=payload.reason)
        return _fresh(user, allegation_id)

    return answer(work)
