"""Public API at /api/v1/public: filing a complaint for partner sites and kiosks (no sign-in).

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Same rules as the portal (the same service stores the complaint): the same validation, the
same per-address rate limit (429 with a `detail` and `Retry-After`), files checked on their
content. There is no session, so no CSRF token: each request stands alone and carries no
credentials a forged request could borrow. The passphrase in the answer is shown once and
stored only as a hash; pass it on to the person who complained.

Errors are JSON with a `detail`: 422 for a complaint that is not acceptable (with `fields`:
the messages per input field), 429 when the address sent too many. A refused request writes
nothing.
"""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from pydantic import ValidationError as SchemaError

from probity.intake.models import DatePrecision
from probity.intake.portal import ratelimit
from probity.intake.services import portal

router = Router(tags=["public"], auth=None)

PRECISION_HELP = (
    "How precise `incident_date` is: `day`, or `month` / `year` when only the month or year is "
    "known (the date is then stored as the first day of that month or year)."
)


class PersonIn(Schema):
    role: Literal["subject", "witness"] = Field(
        "subject", description="`subject`: an employee the complaint is about; `witness`"
    )
    name: str = ""
    badge_number: str = ""
    description: str = Field("", description="What the person looked like or did, when the name is unknown")


class ComplainantIn(Schema):
    name: str = ""
    email: str = ""
    phone: str = ""
    contact_preference: Literal["email", "phone", "none"] = "none"


class ComplaintIn(Schema):
    narrative: str = Field(description="What happened, in the complainant's words (required)")
    concern: str = Field(
        "",
        description="Optional hint: " + ", ".join(f"`{c}`" for c in portal.PublicConcern.values),
    )
    incident_date: dt.date | None = None
    incident_date_precision: Literal["day", "month", "year"] = Field("day", description=PRECISION_HELP)
    place: str = Field("", description="Where it happened, in free text")
    office_code: str | None = Field(
        None, description="Code of the port of entry, station or field office, if known"
    )
    people: list[PersonIn] = Field(default_factory=list, description="Employees involved and witnesses")
    complainant: ComplainantIn | None = Field(
        None, description="Who is complaining; omit (or null) to complain anonymously"
    )
    language: Literal["en", "es"] = Field("en", description="Language of the complaint and of error messages")


class ReceiptOut(Schema):
    tracking_code: str
    passphrase: str = Field(description="Shown once; only its hash is kept")
    status_url: str = Field(description="Where the complainant checks the status with both codes")


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    fields: dict[str, list[str]] = Field(description="Messages per input field")


RESPONSES = {201: ReceiptOut, 422: InvalidOut, 429: ErrorOut}


def _office_id(code: str | None) -> int | None:
    if not code:
        return None
    for unit in portal.office_choices():
        if unit.code == code:
            return int(unit.pk)
    raise ValidationError({"office_code": [translation.gettext("Choose an office or port from the list.")]})


def _first_of(when: dt.date | None, precision: str) -> dt.date | None:
    if when is None or precision == DatePrecision.DAY:
        return when
    return when.replace(day=1) if precision == DatePrecision.MONTH else when.replace(month=1, day=1)


def _complaint(body: ComplaintIn) -> portal.PublicComplaint:
    who = body.complainant
    return portal.PublicComplaint(
        narrative=body.narrative,
        concern=body.concern,
        incident_date=_first_of(body.incident_date, body.incident_date_precision),
        incident_date_precision=body.incident_date_precision,
        place=body.place,
        office_id=_office_id(body.office_code),
        people=tuple(portal.InvolvedPerson(**person.model_dump()) for person in body.people),
        complainant=(
            portal.Complainant(anonymous=False, **who.model_dump())
            if who is not None
            else portal.Complainant()
        ),
        language=body.language,
    )


def _too_many(seconds: int) -> HttpResponse:
    response = JsonResponse(
        {
            "detail": (
                "Too many complaints from this address in the last hour. "
                f"Try again in {max(1, round(seconds / 60))} minutes."
            )
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _invalid(error: ValidationError) -> Status[InvalidOut]:
    fields = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
    return Status(422, InvalidOut(detail=f"The complaint was not accepted: {summary}", fields=fields))


def _file_problems(error: ValidationError) -> ValidationError:
    return ValidationError({"files": error.messages})


def _store(
    request: HttpRequest, body: ComplaintIn, uploads: list[UploadedFile]
) -> Status[ReceiptOut] | Status[InvalidOut] | HttpResponse:
    verdict = ratelimit.check_submission(request)
    if not verdict.allowed:
        return _too_many(verdict.retry_after_seconds)
    with translation.override(body.language):
        try:
            complaint = _complaint(body)
            if len(uploads) > settings.PROBITY_PORTAL_MAX_FILES:
                raise ValidationError(
                    {"files": [f"At most {settings.PROBITY_PORTAL_MAX_FILES} files per complaint."]}
                )
            try:
                staged = portal.stage_uploads(uploads)
            except ValidationError as error:
                raise _file_problems(error) from None
            receipt = portal.submit_public_complaint(complaint=complaint, staged_files=staged, via_api=True)
        except ValidationError as error:
            return _invalid(error)
    return Status(
        201,
        ReceiptOut(
            tracking_code=receipt.tracking_code,
            passphrase=receipt.passphrase,
            status_url=request.build_absolute_uri(reverse("portal-status")),
        ),
    )


@router.post(
    "/complaints",
    response=RESPONSES,
    auth=None,
    summary="File a complaint (JSON)",
    description=(
        "Stores the complaint and answers 201 with its tracking code and passphrase. "
        "To attach files, use `POST /public/complaints/with-files`."
    ),
)
def create_complaint(
    request: HttpRequest, body: ComplaintIn
) -> Status[ReceiptOut] | Status[InvalidOut] | HttpResponse:
    return _store(request, body, [])


@router.post(
    "/complaints/with-files",
    response=RESPONSES,
    auth=None,
    summary="File a complaint with attachments (multipart)",
    description=(
        "A `multipart/form-data` request: the field `complaint` holds the same JSON object as "
        "`POST /public/complaints`, and up to 10 `files` fields hold photos, PDF documents, audio "
        "or video (the type is read from the content; the size limit is the server's upload limit)."
    ),
)
def create_complaint_with_files(
    request: HttpRequest,
    complaint: Form[str],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # optional, as ninja spells it
) -> Status[ReceiptOut] | Status[InvalidOut] | HttpResponse:
    try:
        body = ComplaintIn.model_validate_json(complaint)
    except SchemaError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'complaint'}: {e['msg']}" for e in error.errors()
        )
        return Status(
            422,
            InvalidOut(
                detail=f"The complaint was not accepted: {problems}", fields={"complaint": [problems]}
            ),
        )
    return _store(request, body, list(files or []))
