"""`/api/v1/giglio-requests`: Giglio requests through the same services and reads as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Only Giglio officials see requests (the access policy; never one about their own record).
Errors are JSON with a `detail`: 404 for a request that does not exist or may not be seen, 403
for a step the user may not take, 409 for a step the request's state does not allow, 422 for
bad input (with `fields`). A refused request writes nothing. Reads are audited (`search`,
`view`, `download`); items withheld from the user (a restricted compartment, a case naming
them) are not listed: `restricted_matter` says one exists.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from probity.core import audit
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, Employee, User
from probity.intake.api import ErrorOut, InvalidOut, answer
from probity.oversight import queries_giglio as queries
from probity.oversight.models import CompiledItem, GiglioRequest
from probity.oversight.services import giglio as services

router = Router(tags=["giglio"])

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


# Shapes


class EmployeeRef(Schema):
    id: int
    employee_number: str
    name: str


class RequestSummaryOut(Schema):
    id: int
    number: str
    status: str
    employee: EmployeeRef
    prosecutor_office: str
    requesting_official: str
    prosecutor_case: str
    needed_by: dt.date
    received_at: dt.datetime
    due_at: dt.datetime | None = Field(description="When the response clock runs out (null: no clock)")
    overdue: bool
    released_at: dt.datetime | None


class RequestPage(Schema):
    items: list[RequestSummaryOut]
    count: int


class ItemOut(Schema):
    id: int
    kind: str = Field(
        description="sustained_finding, criminal_charge, pending_investigation or judicial_finding"
    )
    kind_label: str
    summary: str
    include: bool = Field(description="Whether the Giglio official discloses it in the letter")
    case_number: str | None
    case_id: int | None = Field(description="Only when you may open the case itself")
    mark_id: int | None
    judicial_finding_id: int | None


class FileOut(Schema):
    sha256: str
    size: int


class RequestOut(RequestSummaryOut):
    giglio_official: str | None
    compiled_at: dt.datetime | None
    approved_by: str | None
    items: list[ItemOut]
    restricted_matter: bool = Field(
        description="Some information is withheld from you (restricted compartment or a case naming you): "
        "contact OPR; you cannot release this request"
    )
    letter: FileOut | None


class RequestIn(Schema):
    prosecutor_office: str
    requesting_official: str
    prosecutor_case: str
    employee_number: str = Field(description="The employee witness, by employee number")
    needed_by: dt.date


class IncludeIn(Schema):
    include: bool


class WithdrawIn(Schema):
    reason: str


class ListQuery(Schema):
    status: str = Field(
        queries.OPEN, description="open (default), all, received, compiled, released or withdrawn"
    )
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class JudicialFindingIn(Schema):
    employee_number: str
    court: str
    case_reference: str
    found_on: dt.date
    finding: str


class JudicialFindingOut(Schema):
    id: int
    employee: EmployeeRef
    court: str
    case_reference: str
    found_on: dt.date
    finding: str
    recorded_at: dt.datetime
    recorded_by: str


# Turning service answers into HTTP answers


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _employee(employee: Employee) -> EmployeeRef:
    return EmployeeRef(id=employee.pk, employee_number=employee.employee_number, name=employee.full_name)


def _employee_by_number(number: str) -> Employee:
    found = Employee.objects.filter(employee_number=number.strip()).defer("date_of_birth").first()
    if found is None:
        raise ValidationError({"employee_number": ["No employee in the directory has this number."]})
    return found


def _summary_fields(row: GiglioRequest, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": row.pk,
        "number": row.number,
        "status": row.status,
        "employee": _employee(row.employee),
        "prosecutor_office": row.prosecutor_office,
        "requesting_official": row.requesting_official,
        "prosecutor_case": row.prosecutor_case,
        "needed_by": row.needed_by,
        "received_at": row.received_at,
        "due_at": getattr(row, "due_at", None),
        "overdue": queries.is_overdue(row, now),
        "released_at": row.released_at,
    }


def _item(view: queries.ItemView) -> ItemOut:
    item: CompiledItem = view.item
    return ItemOut(
        id=item.pk,
        kind=item.kind,
        kind_label=item.get_kind_display(),
        summary=item.summary,
        include=item.include,
        case_number=item.case.number if item.case is not None else None,
        case_id=item.case_id if view.case_visible else None,
        mark_id=item.mark_id,
        judicial_finding_id=item.judicial_finding_id,
    )


def _detail(user: Any, pk: int) -> RequestOut:
    """The request as the user sees it, read afresh (no view event: the caller decides)."""
    row = queries.get_request_for(user, pk, record_view=False)
    items = queries.items_for(user, row)
    letter = row.letter
    return RequestOut(
        **_summary_fields(row, timezone.now()),
        giglio_official=_username(row.giglio_official),
        compiled_at=row.compiled_at,
        approved_by=_username(row.approved_by),
        items=[_item(view) for view in items.items],
        restricted_matter=items.withheld,
        letter=FileOut(sha256=letter.sha256, size=letter.size) if letter is not None else None,
    )


def _request(user: Any, pk: int) -> GiglioRequest:
    return queries.get_request_for(user, pk, record_view=False)


# Endpoints


@router.get("", response=RequestPage, summary="The Giglio requests you may see, soonest due first")
def list_requests(request: HttpRequest, params: Query[ListQuery]) -> RequestPage:
    user = request.auth  # type: ignore[attr-defined]
    status = params.status if params.status in queries.STATUS_FILTERS else queries.OPEN
    rows = queries.request_rows(user, status=status)
    count = rows.count()
    page = list(rows[params.offset : params.offset + params.limit])
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type="oversight.gigliorequest",
        detail={"status": status, "results": count, "channel": "api"},
    )
    now = timezone.now()
    return RequestPage(items=[RequestSummaryOut(**_summary_fields(row, now)) for row in page], count=count)


@router.post(
    "",
    response={201: RequestOut, **ERRORS},
    summary="Receive a prosecutor's request (Giglio officials); the response clock starts",
)
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[RequestOut]:
        received = services.receive_request(
            actor=user,
            prosecutor_office=payload.prosecutor_office,
            requesting_official=payload.requesting_official,
            prosecutor_case=payload.prosecutor_case,
            employee=_employee_by_number(payload.employee_number),
            needed_by=payload.needed_by,
        )
        return Status(201, _detail(user, received.pk))

    return answer(work)


@router.post(
    "/judicial-findings",
    response={201: JudicialFindingOut, **ERRORS},
    summary="Record a court's finding on an employee (Giglio officials)",
)
def create_judicial_finding(request: HttpRequest, payload: JudicialFindingIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[JudicialFindingOut]:
        found = services.record_judicial_finding(
            actor=user,
            employee=_employee_by_number(payload.employee_number),
            court=payload.court,
            case_reference=payload.case_reference,
            found_on=payload.found_on,
            finding=payload.finding,
        )
        return Status(
            201,
            JudicialFindingOut(
                id=found.pk,
                employee=_employee(found.employee),
                court=found.court,
                case_reference=found.case_reference,
                found_on=found.found_on,
                finding=found.finding,
                recorded_at=found.recorded_at,
                recorded_by=user.get_username(),
            ),
        )

    return answer(work)


@router.get(
    "/{int:request_id}",
    response={200: RequestOut, 404: ErrorOut},
    summary="One request with the compiled items you may read",
    description="Records a `view` event.",
)
def get_request(request: HttpRequest, request_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> RequestOut:
        found = queries.get_request_for(user, request_id, channel="api")
        return _detail(user, found.pk)

    return answer(work)


@router.post(
    "/{int:request_id}/compile",
    response={200: RequestOut, **ERRORS},
    summary="Compile (or compile again) the potential impeachment information on the employee",
)
def compile_request(request: HttpRequest, request_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> RequestOut:
        services.compile_request(actor=user, request=_request(user, request_id))
        return _detail(user, request_id)

    return answer(work)


@router.post(
    "/{int:request_id}/items/{int:item_id}",
    response={200: RequestOut, **ERRORS},
    summary="Include one compiled item in the letter, or leave it out",
)
def set_item(request: HttpRequest, request_id: int, item_id: int, payload: IncludeIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> RequestOut:
        found = _request(user, request_id)
        item = CompiledItem.objects.filter(request=found, pk=item_id).select_related("request").first()
        if item is None:
            raise Http404("No such item")
        services.set_item_included(actor=user, item=item, include=payload.include)
        return _detail(user, request_id)

    return answer(work)


@router.post(
    "/{int:request_id}/release",
    response={200: RequestOut, **ERRORS},
    summary="Approve and release: the letter is generated now and the response clock is met",
    description="Refused (403) while any item is withheld from you; 409 before the request is compiled.",
)
def release(request: HttpRequest, request_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> RequestOut:
        services.approve_and_release(actor=user, request=_request(user, request_id))
        return _detail(user, request_id)

    return answer(work)


@router.post(
    "/{int:request_id}/withdraw",
    response={200: RequestOut, **ERRORS},
    summary="Withdraw a request the prosecutor no longer needs (the clock is cancelled)",
)
def withdraw(request: HttpRequest, request_id: int, payload: WithdrawIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> RequestOut:
        services.withdraw_request(actor=user, request=_request(user, request_id), reason=payload.reason)
        return _detail(user, request_id)

    return answer(work)


@router.get(
    "/{int:request_id}/letter",
    response={**ERRORS},
    summary="Download the released response letter (PDF)",
    description="409 before release, or if the stored letter no longer matches its SHA-256. Audited.",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The letter",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_letter(request: HttpRequest, request_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Any:
        found = _request(user, request_id)
        try:
            opened = services.open_letter(actor=user, request=found)
        except FileIntegrityError:
            return Status(
                409,
                ErrorOut(detail="The stored letter no longer matches its SHA-256; tell your administrator."),
            )
        response = FileResponse(
            opened.content, as_attachment=True, filename=opened.filename, content_type=opened.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    return answer(work)
