"""`/api/v1/cases`: the investigative work of a case (plan, activities, interviews) and its
evidence with the chain of custody, through the same access policy and services as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Reads are audited (`view`, with the part read). Interviews and evidence come as metadata: the
files' names, types, sizes and SHA-256, never their content. Errors are JSON with a `detail`:
404 for a case or item that does not exist or may not be seen, 403 for a step the user may not
take on a case they see, 422 for bad input (with `fields`). A refused request writes nothing.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from probity.core import audit
from probity.core.models import AuditAction, FileAttachment, StoredFile, User
from probity.intake.api import ErrorOut, InvalidOut
from probity.investigations import queries
from probity.investigations.models import (
    Activity,
    Case,
    CustodyTransfer,
    DisposalRequest,
    EvidenceItem,
    Interview,
    PlanStep,
)
from probity.investigations.services import evidence as evidence_services

router = Router()

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Shapes


class FileOut(Schema):
    filename: str
    content_type: str = Field(description="Detected from the content")
    size: int
    sha256: str


class PlanStepOut(Schema):
    id: int
    description: str
    owner: str | None = Field(description="User name of the owner")
    due_date: dt.date | None
    done_at: dt.datetime | None
    done_by: str | None


class ActivityOut(Schema):
    id: int
    kind: str
    occurred_on: dt.date
    performed_by: str
    summary: str
    interview_id: int | None = Field(description="Set for an interview; see /interviews")
    files: list[FileOut]


class InterviewOut(Schema):
    id: int
    activity_id: int
    interviewee_id: int = Field(description="The interviewee's party id")
    interviewee_role: str = Field(description="The party's role when interviewed")
    started_at: dt.datetime
    place: str
    participants: str
    warning: str
    warning_form: FileOut | None
    recording: FileOut | None
    transcript: FileOut | None


class CustodyOut(Schema):
    sequence: int
    from_custodian: str
    to_custodian: str
    purpose: str
    condition: str
    transferred_at: dt.datetime
    recorded_at: dt.datetime
    recorded_by: str


class DisposalOut(Schema):
    id: int
    kind: str
    reason: str
    released_to: str
    requested_at: dt.datetime
    requested_by: str
    decided_at: dt.datetime | None
    decided_by: str | None
    approved: bool | None
    decision_note: str


class EvidenceOut(Schema):
    id: int
    number: str
    description: str
    kind: str
    source: str
    collected_by: str
    collected_at: dt.datetime
    storage_location: str
    custodian: str = Field(description="Who holds it now (the last link of the chain)")
    status: str
    sha256: str = Field(description="SHA-256 of a digital item's file when collected; empty otherwise")
    file: FileOut | None
    custody: list[CustodyOut] = Field(description="The chain of custody, in order")
    disposals: list[DisposalOut]


class TransferIn(Schema):
    to_custodian: str
    purpose: str
    condition: str
    transferred_at: dt.datetime | None = Field(None, description="With a time zone; default now")


# Turning service answers into HTTP answers


def _fields(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: list(messages) for name, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def _answer[T](work: Callable[[], T]) -> T | Status[Any]:
    try:
        return work()
    except Http404 as error:
        return Status(404, ErrorOut(detail=str(error) or "Not found"))
    except PermissionDenied as error:
        return Status(403, ErrorOut(detail=str(error) or "You may not do this."))
    except ValidationError as error:
        fields = _fields(error)
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in fields.items()
        )
        return Status(422, InvalidOut(detail=f"Invalid input: {problems}", fields=fields))


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _file(stored: StoredFile | None, filename: str = "") -> FileOut | None:
    if stored is None:
        return None
    return FileOut(
        filename=filename or stored.sha256[:12],
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def _case(user: Any, case_id: int, part: str) -> Case:
    case = queries.get_case_for(user, case_id)
    audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": "api", "part": part})
    return case


def _custody(link: CustodyTransfer) -> CustodyOut:
    return CustodyOut(
        sequence=link.sequence,
        from_custodian=link.from_custodian,
        to_custodian=link.to_custodian,
        purpose=link.purpose,
        condition=link.condition,
        transferred_at=link.transferred_at,
        recorded_at=link.recorded_at,
        recorded_by=link.recorded_by.get_username(),
    )


def _evidence(item: EvidenceItem) -> EvidenceOut:
    return EvidenceOut(
        id=item.pk,
        number=item.number,
        description=item.description,
        kind=item.kind,
        source=item.source,
        collected_by=item.collected_by.get_username(),
        collected_at=item.collected_at,
        storage_location=item.storage_location,
        custodian=item.custodian,
        status=item.status,
        sha256=item.sha256,
        file=_file(item.file, f"{item.number}"),
        custody=[_custody(link) for link in item.custody.all()],
        disposals=[
            DisposalOut(
                id=request.pk,
                kind=request.kind,
                reason=request.reason,
                released_to=request.released_to,
                requested_at=request.requested_at,
                requested_by=request.requested_by.get_username(),
                decided_at=request.decided_at,
                decided_by=_username(request.decided_by),
                approved=request.approved,
                decision_note=request.decision_note,
            )
            for request in item.disposals.all()
        ],
    )


def _evidence_rows(case: Case) -> Any:
    return (
        EvidenceItem.objects.filter(case=case)
        .select_related("collected_by", "file")
        .prefetch_related(
            Prefetch(
                "custody", queryset=CustodyTransfer.objects.select_related("recorded_by").order_by("sequence")
            ),
            Prefetch(
                "disposals",
                queryset=DisposalRequest.objects.select_related("requested_by", "decided_by").order_by(
                    "requested_at", "pk"
                ),
            ),
        )
        .order_by("number")
    )


# Endpoints


@router.get(
    "/{int:case_id}/plan",
    response={200: list[PlanStepOut], 404: ErrorOut},
    summary="The investigative plan: steps, owners, due dates, done",
    description="Records a `view` event.",
)
def list_plan(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[PlanStepOut]:
        case = _case(user, case_id, "plan")
        steps = (
            PlanStep.objects.filter(case=case).select_related("owner", "done_by").order_by("due_date", "pk")
        )
        return [
            PlanStepOut(
                id=step.pk,
                description=step.description,
                owner=_username(step.owner),
                due_date=step.due_date,
                done_at=step.done_at,
                done_by=_username(step.done_by),
            )
            for step in steps
        ]

    return _answer(work)


@router.get(
    "/{int:case_id}/activities",
    response={200: list[ActivityOut], 404: ErrorOut},
    summary="The activity log, with each entry's files (metadata)",
    description="Records a `view` event.",
)
def list_activities(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[ActivityOut]:
        case = _case(user, case_id, "activities")
        activities = list(
            Activity.objects.filter(case=case).select_related("performed_by").order_by("occurred_on", "pk")
        )
        interviews = dict(Interview.objects.filter(activity__case=case).values_list("activity_id", "pk"))
        attached: dict[int, list[FileOut]] = {}
        rows = FileAttachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Activity),
            object_id__in=Activity.objects.filter(case=case).values("pk"),
        ).select_related("file")
        for attachment in rows.order_by("attached_at", "pk"):
            described = _file(attachment.file, attachment.filename)
            if described is not None:
                attached.setdefault(attachment.object_id, []).append(described)
        return [
            ActivityOut(
                id=activity.pk,
                kind=activity.kind,
                occurred_on=activity.occurred_on,
                performed_by=activity.performed_by.get_username(),
                summary=activity.summary,
                interview_id=interviews.get(activity.pk),
                files=attached.get(activity.pk, []),
            )
            for activity in activities
        ]

    return _answer(work)


@router.get(
    "/{int:case_id}/interviews",
    response={200: list[InterviewOut], 404: ErrorOut},
    summary="Interviews: who, when, where, the warning given, and the files (metadata, no summary)",
    description="Records a `view` event.",
)
def list_interviews(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[InterviewOut]:
        case = _case(user, case_id, "interviews")
        rows = (
            Interview.objects.filter(activity__case=case)
            .select_related("warning_form", "recording", "transcript")
            .defer("summary")
            .order_by("started_at", "pk")
        )
        return [
            InterviewOut(
                id=interview.pk,
                activity_id=interview.activity_id,
                interviewee_id=interview.interviewee_id,
                interviewee_role=interview.interviewee_role,
                started_at=interview.started_at,
                place=interview.place,
                participants=interview.participants,
                warning=interview.warning,
                warning_form=_file(interview.warning_form, "warning form"),
                recording=_file(interview.recording, "recording"),
                transcript=_file(interview.transcript, "transcript"),
            )
            for interview in rows
        ]

    return _answer(work)


@router.get(
    "/{int:case_id}/evidence",
    response={200: list[EvidenceOut], 404: ErrorOut},
    summary="Evidence items with their SHA-256, chain of custody and disposal requests",
    description="Records a `view` event.",
)
def list_evidence(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[EvidenceOut]:
        case = _case(user, case_id, "evidence")
        return [_evidence(item) for item in _evidence_rows(case)]

    return _answer(work)


@router.get(
    "/{int:case_id}/evidence/{int:item_id}",
    response={200: EvidenceOut, 404: ErrorOut},
    summary="One evidence item with its chain of custody",
    description="Records a `view` event.",
)
def get_evidence(request: HttpRequest, case_id: int, item_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> EvidenceOut:
        case = _case(user, case_id, "evidence")
        item = _evidence_rows(case).filter(pk=item_id).first()
        if item is None:
            raise Http404("No such evidence item in this case")
        return _evidence(item)

    return _answer(work)


@router.get(
    "/{int:case_id}/evidence/{int:item_id}/custody",
    response={200: list[CustodyOut], 404: ErrorOut},
    summary="The chain of custody of one item, in order",
    description="Records a `view` event.",
)
def get_custody(request: HttpRequest, case_id: int, item_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[CustodyOut]:
        case = _case(user, case_id, "custody")
        item = EvidenceItem.objects.filter(case=case, pk=item_id).first()
        if item is None:
            raise Http404("No such evidence item in this case")
        links = CustodyTransfer.objects.filter(item=item).select_related("recorded_by").order_by("sequence")
        return [_custody(link) for link in links]

    return _answer(work)


@router.post(
    "/{int:case_id}/evidence/{int:item_id}/custody",
    response={201: CustodyOut, **ERRORS},
    summary="Transfer custody: append the next link of the chain (from whoever holds it now)",
    description=(
        "For the case's lead agent, team and supervisors. A released or destroyed item, a time in "
        "the future or before the last link, or a missing field is a 422; nothing is written."
    ),
)
def transfer_custody(request: HttpRequest, case_id: int, item_id: int, payload: TransferIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[CustodyOut]:
        case = queries.get_case_for(user, case_id)
        item = EvidenceItem.objects.filter(case=case, pk=item_id).first()
        if item is None:
            raise Http404("No such evidence item in this case")
        link = evidence_services.transfer_custody(
            actor=user,
            item=item,
            to_custodian=payload.to_custodian,
            purpose=payload.purpose,
            condition=payload.condition,
            transferred_at=payload.transferred_at or timezone.now(),
        )
        link = CustodyTransfer.objects.select_related("recorded_by").get(pk=link.pk)
        return Status(201, _custody(link))

    return _answer(work)
