"""`/api/v1/prea`: PREA tracks and their steps, through the same access policy and services as
the screens (mounted under /api/v1/; see oversight/api.py).

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Reads are audited (`search` for the list, `view` for a track). Steps are POSTs that answer the
track as it now stands. Errors are JSON with a `detail`: 404 for a track that does not exist
or may not be seen, 403 for a step the user may not take on a track they see, 422 for bad
input or a step out of order (with `fields`). A refused request writes nothing. The
detainee's notification is documented here without its file (upload that on the track page).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from probity.core.models import User
from probity.intake.api import ErrorOut, InvalidOut
from probity.intake.models import Allegation
from probity.oversight import queries_prea
from probity.oversight.models import MonitoringCheck, PreaTrack
from probity.oversight.services import prea as services

router = Router(tags=["prea"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
MAX_LIMIT = 200


# Shapes


class ClockOut(Schema):
    rule: str = Field(description="The deadline rule's code")
    name: str
    state: str = Field(
        description="not_started, running, due_soon, overdue, minimum_reached (monitoring), met, "
        "met_late or cancelled"
    )
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class CheckOut(Schema):
    id: int
    checked_on: dt.date
    retaliation_found: bool
    note: str
    recorded_by: str


class TrackSummaryOut(Schema):
    id: int
    allegation_id: int
    allegation_number: str
    facility_type: str
    facility_name: str
    opened_at: dt.datetime
    outcome: str = Field(description="substantiated, unsubstantiated, unfounded, or empty while pending")
    closed_at: dt.datetime | None
    clocks: list[ClockOut]


class TrackOut(TrackSummaryOut):
    office: str | None = Field(description="Code of the allegation's office")
    received_at: dt.datetime = Field(description="When the allegation was received")
    reporting_confirmed_at: dt.datetime | None
    reporting_confirmed_by: str | None
    accused_removed_at: dt.datetime | None
    monitoring_started_at: dt.datetime | None
    monitoring_may_end_at: dt.datetime | None = Field(description="When the minimum monitoring period ends")
    monitoring_ended_at: dt.datetime | None
    segregation_started_at: dt.datetime | None
    segregation_ended_at: dt.datetime | None
    outcome_at: dt.datetime | None
    detainee_notified_at: dt.datetime | None
    notification_note: str
    notification_file_sha256: str | None
    checks: list[CheckOut]
    missing_steps: list[str] = Field(description="What must still be done before the track can close")
    available_steps: list[str] = Field(description="The steps you may take now")


class TrackPage(Schema):
    items: list[TrackSummaryOut]
    count: int


class ListQuery(Schema):
    show: str = Field("open", description="open, closed or all")
    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class OpenIn(Schema):
    allegation_id: int
    facility_type: str = Field("", description="holding, detention or other; default from the office")
    facility_name: str = ""


class AtIn(Schema):
    at: dt.datetime | None = Field(None, description="When it happened, with a time zone; default now")


class FacilityIn(Schema):
    facility_type: str
    facility_name: str = ""


class CheckIn(Schema):
    checked_on: dt.date
    retaliation_found: bool = False
    note: str = ""


class OutcomeIn(Schema):
    outcome: str = Field(description="substantiated, unsubstantiated or unfounded")
    at: dt.datetime | None = None


class NotifiedIn(Schema):
    notified_at: dt.datetime
    note: str = Field(description="How and by whom the detainee was told")


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


def _clocks(clocks: list[queries_prea.ClockState]) -> list[ClockOut]:
    return [
        ClockOut(
            rule=clock.spec.rule,
            name=clock.spec.label,
            state=clock.state,
            started_at=clock.deadline.started_at if clock.deadline else None,
            due_at=clock.deadline.due_at if clock.deadline else None,
            met_at=clock.deadline.met_at if clock.deadline else None,
            cancelled_at=clock.deadline.cancelled_at if clock.deadline else None,
        )
        for clock in clocks
    ]


def _summary_fields(track: PreaTrack, clocks: list[queries_prea.ClockState]) -> dict[str, Any]:
    return {
        "id": track.pk,
        "allegation_id": track.allegation_id,
        "allegation_number": track.allegation.number,
        "facility_type": track.facility_type,
        "facility_name": track.facility_name,
        "opened_at": track.opened_at,
        "outcome": track.outcome,
        "closed_at": track.closed_at,
        "clocks": _clocks(clocks),
    }


def _detail(user: Any, track: PreaTrack) -> TrackOut:
    allegation = track.allegation
    checks = (
        MonitoringCheck.objects.filter(track=track).select_related("recorded_by").order_by("checked_on", "pk")
    )
    return TrackOut(
        **_summary_fields(track, queries_prea.clocks_for([track])[track.pk]),
        office=allegation.office.code if allegation.office else None,
        received_at=allegation.received_at,
        reporting_confirmed_at=track.reporting_confirmed_at,
        reporting_confirmed_by=_username(track.reporting_confirmed_by),
        accused_removed_at=track.accused_removed_at,
        monitoring_started_at=track.monitoring_started_at,
        monitoring_may_end_at=services.monitoring_may_end_at(track),
        monitoring_ended_at=track.monitoring_ended_at,
        segregation_started_at=track.segregation_started_at,
        segregation_ended_at=track.segregation_ended_at,
        outcome_at=track.outcome_at,
        detainee_notified_at=track.detainee_notified_at,
        notification_note=track.notification_note,
        notification_file_sha256=track.notification_file.sha256 if track.notification_file else None,
        checks=[
            CheckOut(
                id=check.pk,
                checked_on=check.checked_on,
                retaliation_found=check.retaliation_found,
                note=check.note,
                recorded_by=check.recorded_by.get_username(),
            )
            for check in checks
        ],
        missing_steps=services.missing_steps(track),
        available_steps=sorted(services.available_steps(user, track)),
    )


def _fresh(user: Any, track_id: int) -> TrackOut:
    return _detail(user, queries_prea.get_track_for(user, track_id))


def _step(request: HttpRequest, track_id: int, perform: Callable[[Any, PreaTrack], Any]) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> TrackOut:
        perform(user, queries_prea.get_track_for(user, track_id))
        return _fresh(user, track_id)

    return _answer(work)


# Endpoints


@router.get(
    "",
    response=TrackPage,
    summary="The PREA tracks you may see, with their clocks",
    description="`show`: open (default), closed or all. Records a `search` event.",
)
def list_tracks(request: HttpRequest, params: Query[ListQuery]) -> TrackPage:
    user = request.auth  # type: ignore[attr-defined]
    show = params.show if params.show in ("open", "closed", "all") else "open"
    rows = queries_prea.tracks_for(user)
    if show == "open":
        rows = rows.filter(closed_at__isnull=True)
    elif show == "closed":
        rows = rows.filter(closed_at__isnull=False)
    count = rows.count()
    page = list(rows[params.offset : params.offset + params.limit])
    queries_prea.record_search(user, show=show, results=count, channel="api")
    clocks = queries_prea.clocks_for(page)
    return TrackPage(
        items=[TrackSummaryOut(**_summary_fields(track, clocks[track.pk])) for track in page], count=count
    )


@router.post(
    "",
    response={201: TrackOut, **ERRORS},
    summary="Open the PREA track of a PREA-flagged allegation (one flagged later, or imported)",
    description=(
        "Answers the existing track if the allegation has one. An allegation you may not see is a 404."
    ),
)
def open_track(request: HttpRequest, payload: OpenIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[TrackOut]:
        allegation = Allegation.objects.filter(pk=payload.allegation_id).first()
        if allegation is None:
            raise Http404("No such allegation")
        track = services.open_track(
            actor=user,
            allegation=allegation,
            facility_type=payload.facility_type,
            facility_name=payload.facility_name,
        )
        return Status(201, _fresh(user, track.pk))

    return _answer(work)


@router.get(
    "/{int:track_id}",
    response={200: TrackOut, 404: ErrorOut},
    summary="One PREA track: its steps, clocks and monitoring checks",
    description="Records a `view` event. A track you may not see is a 404.",
)
def get_track(request: HttpRequest, track_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> TrackOut:
        track = queries_prea.get_track_for(user, track_id)
        queries_prea.record_view(user, track, channel="api")
        return _detail(user, track)

    return _answer(work)


@router.post("/{int:track_id}/facility", response={200: TrackOut, **ERRORS}, summary="Set the facility")
def set_facility(request: HttpRequest, track_id: int, payload: FacilityIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.update_facility(
            actor=user, track=track, facility_type=payload.facility_type, facility_name=payload.facility_name
        ),
    )


@router.post(
    "/{int:track_id}/confirm-reporting",
    response={200: TrackOut, **ERRORS},
    summary="Confirm the immediate reporting (meets the notification clock)",
)
def confirm_reporting(request: HttpRequest, track_id: int, payload: AtIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.confirm_reporting(actor=user, track=track, at=payload.at),
    )


@router.post(
    "/{int:track_id}/accused-removed",
    response={200: TrackOut, **ERRORS},
    summary="Record the accused's removal from detainee contact (meets the removal clock)",
)
def accused_removed(request: HttpRequest, track_id: int, payload: AtIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.record_accused_removed(actor=user, track=track, at=payload.at),
    )


@router.post(
    "/{int:track_id}/monitoring/start",
    response={200: TrackOut, **ERRORS},
    summary="Start retaliation monitoring (starts its 90-day minimum clock)",
)
def monitoring_start(request: HttpRequest, track_id: int, payload: AtIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.start_monitoring(actor=user, track=track, at=payload.at),
    )


@router.post(
    "/{int:track_id}/monitoring/checks",
    response={200: TrackOut, **ERRORS},
    summary="Record a retaliation-monitoring check",
)
def monitoring_check(request: HttpRequest, track_id: int, payload: CheckIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.record_monitoring_check(
            actor=user,
            track=track,
            checked_on=payload.checked_on,
            retaliation_found=payload.retaliation_found,
            note=payload.note,
        ),
    )


@router.post(
    "/{int:track_id}/monitoring/end",
    response={200: TrackOut, **ERRORS},
    summary="End retaliation monitoring (not before its minimum unless the allegation is unfounded)",
)
def monitoring_end(request: HttpRequest, track_id: int, payload: AtIn) -> Any:
    return _step(
        request, track_id, lambda user, track: services.end_monitoring(actor=user, track=track, at=payload.at)
    )


@router.post(
    "/{int:track_id}/segregation/start",
    response={200: TrackOut, **ERRORS},
    summary="Record the victim's administrative segregation (starts the 5-day limit)",
)
def segregation_start(request: HttpRequest, track_id: int, payload: AtIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.record_segregation(actor=user, track=track, start=payload.at),
    )


@router.post(
    "/{int:track_id}/segregation/end",
    response={200: TrackOut, **ERRORS},
    summary="End the segregation (meets the limit's clock, late if past it)",
)
def segregation_end(request: HttpRequest, track_id: int, payload: AtIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.end_segregation(actor=user, track=track, at=payload.at),
    )


@router.post("/{int:track_id}/outcome", response={200: TrackOut, **ERRORS}, summary="Record the outcome")
def outcome(request: HttpRequest, track_id: int, payload: OutcomeIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.record_outcome(
            actor=user, track=track, outcome=payload.outcome, at=payload.at
        ),
    )


@router.post(
    "/{int:track_id}/detainee-notified",
    response={200: TrackOut, **ERRORS},
    summary="Document that the detainee was told the outcome (a note; files on the track page)",
)
def detainee_notified(request: HttpRequest, track_id: int, payload: NotifiedIn) -> Any:
    return _step(
        request,
        track_id,
        lambda user, track: services.record_detainee_notified(
            actor=user, track=track, notified_at=payload.notified_at, note=payload.note
        ),
    )


@router.post(
    "/{int:track_id}/close",
    response={200: TrackOut, **ERRORS},
    summary="Close the track (refused, with what is missing, until every step is done)",
)
def close(request: HttpRequest, track_id: int) -> Any:
    return _step(request, track_id, lambda user, track: services.close_track(actor=user, track=track))
