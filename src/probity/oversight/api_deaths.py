"""The deaths part's API (mounted under /api/v1/deaths; see oversight/api.py): the list, one death,
recording a death, its clocks, its review and the review report, and the DCRA export, through
the same queries and services as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Errors are JSON with a `detail`: 404 for a death that does not exist or may not be seen (and, to
users who are neither program managers nor supervisors nor reviewers, for everything), 403 for a
step the user may not take on a death they see, 409 for a step the review's state refuses, 422
for bad input (with `fields`). A refused request writes nothing. Reads are audited.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from probity.core import audit
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, OrgUnit, User
from probity.intake.api import ErrorOut, InvalidOut, UnitRef, answer
from probity.oversight import queries_deaths as queries
from probity.oversight.models import CustodyAgency, DeathInCustody, DeathReview
from probity.oversight.services import deaths as services

router = Router(tags=["deaths"])

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Shapes


class DeathSummaryOut(Schema):
    id: int
    number: str
    name: str
    agency: str
    date_of_death: dt.date
    facility_name: str
    place_of_death: str
    office: UnitRef | None
    review_status: str | None = Field(description="open, completed, or null without a reviewer")
    next_clock_due_at: dt.datetime | None = Field(description="When the soonest open clock runs out")


class DeathPage(Schema):
    items: list[DeathSummaryOut]
    count: int
    messages: list[str]


class ClockOut(Schema):
    step: str = Field(description="notification, public-release, report-30 or report-90")
    label: str
    rule: str | None = Field(description="The deadline rule's code; null when the death has no such clock")
    state: str = Field(description="open, overdue, met, met_late, cancelled, or none")
    started_at: dt.datetime | None
    due_at: dt.datetime | None
    met_at: dt.datetime | None


class ReviewOut(Schema):
    reviewer: str | None = Field(description="User name of the reviewer")
    status: str
    standards: str
    facts: str
    compliance: str
    findings: str
    completed_at: dt.datetime | None
    report_sha256: str | None


class DeathOut(DeathSummaryOut):
    sex: str
    race: str
    ethnicity: str
    age: int | None
    country: str
    time_of_death: dt.time | None
    facility_location: str
    facility_type: str
    circumstances: str
    cause: str
    reported_at: dt.datetime
    incident: str | None = Field(description="Number of the critical incident opened with the death")
    source_system: str
    source_reference: str | None
    clocks: list[ClockOut]
    review: ReviewOut | None


class DeathIn(Schema):
    name: str = Field(description='"Unknown" if the person is not identified')
    sex: str = ""
    race: str = ""
    ethnicity: str = ""
    age: int | None = None
    country: str = Field("", description="Country of citizenship")
    date_of_death: dt.date
    time_of_death: dt.time | None = Field(None, description="Agency time")
    place_of_death: str = ""
    facility_name: str = ""
    facility_location: str = ""
    facility_type: str = ""
    office_id: int = Field(
        description="The port, station or office whose custody it was (for a detention facility, the OPR "
        "office that covers it)"
    )
    agency: str = Field(description=f"One of {', '.join(CustodyAgency.values)}")
    circumstances: str
    cause: str = ""
    reported_at: dt.datetime | None = Field(
        None,
        description="When OPR learned of the death, with a time zone; default now. The clocks start here.",
    )


class StepIn(Schema):
    at: dt.datetime | None = Field(None, description="When it was done, with a time zone; default now")
    note: str = ""


class ReviewerIn(Schema):
    reviewer: int = Field(description="User id of a program manager or supervisor")


class ReviewIn(Schema):
    standards: str = ""
    facts: str = ""
    compliance: str = ""
    findings: str = ""


class DeathListQuery(Schema):
    year: int | None = Field(None, description="Calendar year of death")
    agency: str | None = Field(None, description="ICE or CBP")
    facility: str | None = Field(None, description="Part of the facility's name or location, or the place")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


class DcraQuery(Schema):
    year: int = Field(description="Calendar year of death")
    agency: str | None = Field(None, description="ICE or CBP; default both")


# Turning service answers into HTTP answers


def _user(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    if not queries.may_use_death_pages(user):
        raise Http404("Not found")
    return user


def _death(user: Any, death_id: int) -> DeathInCustody:
    return queries.get_death_for(user, death_id)


def _record_view(user: Any, death: DeathInCustody, part: str) -> None:
    audit.record(AuditAction.VIEW, actor=user, obj=death, detail={"channel": "api", "part": part})


def _unit(unit: OrgUnit | None) -> UnitRef | None:
    return UnitRef(id=unit.pk, code=unit.code, name=unit.name) if unit is not None else None


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _summary_fields(death: DeathInCustody, review: DeathReview | None) -> dict[str, Any]:
    return {
        "id": death.pk,
        "number": death.number,
        "name": death.name,
        "agency": death.agency,
        "date_of_death": death.date_of_death,
        "facility_name": death.facility_name,
        "place_of_death": death.place_of_death,
        "office": _unit(death.office),
        "review_status": review.status if review is not None else None,
    }


def _clocks(death: DeathInCustody) -> list[ClockOut]:
    return [
        ClockOut(
            step=clock.key,
            label=clock.label,
            rule=clock.deadline.rule.code if clock.deadline else None,
            state=clock.state,
            started_at=clock.deadline.started_at if clock.deadline else None,
            due_at=clock.deadline.due_at if clock.deadline else None,
            met_at=clock.deadline.met_at if clock.deadline else None,
        )
        for clock in services.clocks_of(death)
    ]


def _review(review: DeathReview | None) -> ReviewOut | None:
    if review is None:
        return None
    return ReviewOut(
        reviewer=_username(review.reviewer),
        status=review.status,
        standards=review.standards,
        facts=review.facts,
        compliance=review.compliance,
        findings=review.findings,
        completed_at=review.completed_at,
        report_sha256=review.report.sha256 if review.report_id and review.report else None,
    )


def _detail(death: DeathInCustody) -> DeathOut:
    review = queries.review_of(death)
    clocks = _clocks(death)
    open_due = [clock.due_at for clock in clocks if clock.state in {"open", "overdue"} and clock.due_at]
    return DeathOut(
        **_summary_fields(death, review),
        next_clock_due_at=min(open_due) if open_due else None,
        sex=death.sex,
        race=death.race,
        ethnicity=death.ethnicity,
        age=death.age,
        country=death.country,
        time_of_death=death.time_of_death,
        facility_location=death.facility_location,
        facility_type=death.facility_type,
        circumstances=death.circumstances,
        cause=death.cause,
        reported_at=death.reported_at,
        incident=death.incident.number if death.incident_id and death.incident else None,
        source_system=death.source_system,
        source_reference=death.source_reference,
        clocks=clocks,
        review=_review(review),
    )


def _office(office_id: int) -> OrgUnit:
    found: OrgUnit | None = OrgUnit.objects.filter(pk=office_id).first()
    if found is None:
        raise ValidationError({"office_id": ["There is no office with this id."]})
    return found


# Endpoints


@router.get(
    "",
    response={200: DeathPage, 404: ErrorOut},
    summary="The deaths in custody you may see, newest first, filtered and paged",
    description="A bad filter value is ignored and explained in `messages`. Records a `search` event.",
)
def list_deaths(request: HttpRequest, params: Query[DeathListQuery]) -> Any:
    def work() -> DeathPage:
        user = _user(request)
        filters = queries.DeathFilters.from_query(
            {"year": params.year or "", "agency": params.agency or "", "facility": params.facility or ""}
        )
        rows = queries.death_list(user, filters=filters)
        count = rows.count()
        page = list(rows[params.offset : params.offset + params.limit])
        queries.record_death_search(user, filters, results=count, channel="api")
        return DeathPage(
            items=[
                DeathSummaryOut(
                    **_summary_fields(death, getattr(death, "review", None)),
                    next_clock_due_at=death.next_due_at,  # type: ignore[attr-defined]
                )
                for death in page
            ],
            count=count,
            messages=filters.messages,
        )

    return answer(work)


@router.post(
    "",
    response={201: DeathOut, **ERRORS},
    summary="Record a death in custody: its clocks start at once and a critical incident opens",
    description="Program managers. The clocks start at `reported_at` (default now).",
)
def create_death(request: HttpRequest, payload: DeathIn) -> Any:
    def work() -> Status[DeathOut]:
        user = _user(request)
        data = payload.dict()
        office = _office(data.pop("office_id"))
        death = services.record_death(actor=user, office=office, **data)
        return Status(201, _detail(_death(user, death.pk)))

    return answer(work)


@router.get(
    "/dcra",
    response={**ERRORS},
    summary="The DCRA export of one calendar year as CSV (program managers)",
    description="One row per death in the year, in the fields the Death in Custody Reporting Act asks for. "
    "Recorded as an `export` event.",
    openapi_extra={
        "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}
    },
)
def dcra(request: HttpRequest, params: Query[DcraQuery]) -> Any:
    def work() -> HttpResponse:
        user = _user(request)
        agency = (params.agency or "").upper() or None
        data = services.dcra_export(actor=user, year=params.year, agency=agency)
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        name = f"dcra-{params.year}" + (f"-{agency.lower()}" if agency else "") + ".csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response

    return answer(work)


@router.get(
    "/{int:death_id}",
    response={200: DeathOut, 404: ErrorOut},
    summary="One death with its clocks and review",
    description="Records a `view` event. A death you may not see is a 404.",
)
def get_death(request: HttpRequest, death_id: int) -> Any:
    def work() -> DeathOut:
        user = _user(request)
        death = _death(user, death_id)
        _record_view(user, death, "death")
        return _detail(death)

    return answer(work)


@router.get(
    "/{int:death_id}/clocks",
    response={200: list[ClockOut], 404: ErrorOut},
    summary="The death's four clocks and their state",
)
def list_clocks(request: HttpRequest, death_id: int) -> Any:
    def work() -> list[ClockOut]:
        user = _user(request)
        death = _death(user, death_id)
        _record_view(user, death, "clocks")
        return _clocks(death)

    return answer(work)


@router.post(
    "/{int:death_id}/clocks/{step}",
    response={200: list[ClockOut], **ERRORS},
    summary="Meet one clock: notification, public-release, report-30 or report-90",
    description="Program managers. A step done late is recorded as late; one already done is a 422.",
)
def meet_clock(request: HttpRequest, death_id: int, step: str, payload: StepIn) -> Any:
    def work() -> list[ClockOut]:
        user = _user(request)
        death = _death(user, death_id)
        services.meet_step(actor=user, death=death, step=step, at=payload.at, note=payload.note)
        return _clocks(death)

    return answer(work)


@router.get(
    "/{int:death_id}/review",
    response={200: ReviewOut | None, 404: ErrorOut},
    summary="The review (null until a reviewer is assigned)",
)
def get_review(request: HttpRequest, death_id: int) -> Any:
    def work() -> ReviewOut | None:
        user = _user(request)
        death = _death(user, death_id)
        _record_view(user, death, "review")
        return _review(queries.review_of(death))

    return answer(work)


@router.post(
    "/{int:death_id}/review/reviewer",
    response={200: ReviewOut, **ERRORS},
    summary="Assign (or change) the reviewer (program managers)",
)
def assign_reviewer(request: HttpRequest, death_id: int, payload: ReviewerIn) -> Any:
    def work() -> ReviewOut | None:
        user = _user(request)
        death = _death(user, death_id)
        reviewer = User.objects.filter(pk=payload.reviewer).first()
        if reviewer is None:
            raise ValidationError({"reviewer": ["There is no user with this id."]})
        services.assign_reviewer(actor=user, death=death, reviewer=reviewer)
        return _review(queries.review_of(death))

    return answer(work)


@router.put(
    "/{int:death_id}/review",
    response={200: ReviewOut, **ERRORS},
    summary="Write the review: standards in force, facts, compliance, findings (the reviewer)",
)
def update_review(request: HttpRequest, death_id: int, payload: ReviewIn) -> Any:
    def work() -> ReviewOut | None:
        user = _user(request)
        death = _death(user, death_id)
        services.update_review(actor=user, death=death, **payload.dict())
        return _review(queries.review_of(death))

    return answer(work)


@router.post(
    "/{int:death_id}/review/complete",
    response={200: ReviewOut, **ERRORS},
    summary="Complete the review; its report PDF is generated",
    description="Every part of the review must be written (422 otherwise); a completed review is a 409.",
)
def complete_review(request: HttpRequest, death_id: int) -> Any:
    def work() -> ReviewOut | None:
        user = _user(request)
        death = _death(user, death_id)
        services.complete_review(actor=user, death=death)
        return _review(queries.review_of(death))

    return answer(work)


@router.get(
    "/{int:death_id}/review/report",
    response={**ERRORS},
    summary="Download the review report (PDF)",
    description="Each download is audited. 409 if the stored file no longer matches its SHA-256.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_review_report(request: HttpRequest, death_id: int) -> Any:
    def work() -> Any:
        user = _user(request)
        death = _death(user, death_id)
        try:
            opened = services.open_review_report(actor=user, death=death)
        except FileIntegrityError:
            return Status(
                409,
                ErrorOut(detail="The stored report no longer matches its SHA-256; tell your administrator."),
            )
        response = FileResponse(
            opened.content, as_attachment=True, filename=opened.filename, content_type=opened.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    return answer(work)
