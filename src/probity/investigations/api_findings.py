"""`/api/v1/cases`: findings, the sufficiency review and the Report of Investigation, through the
same services as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Errors are JSON with a `detail`, as in the rest of the case API: 404 for a case (allegation,
report) that does not exist or may not be seen, 403 for a step the user may not take on a case
they see, 409 for a step the case's state does not allow, 422 for bad input (with `fields`).
A refused request writes nothing. Reads are audited (`view` events, downloads `download`).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from probity.core import audit
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, StoredFile, User
from probity.intake.api import ErrorOut, InvalidOut, answer
from probity.investigations import queries
from probity.investigations.models import (
    Case,
    CaseAllegation,
    EvidenceItem,
    Finding,
    ReportVersion,
    SufficiencyReview,
)
from probity.investigations.services.findings import party_label, record_finding
from probity.investigations.services.reports import (
    FORMATS,
    generate_report,
    latest_or_new_report,
    open_report,
)
from probity.investigations.services.review import decide_review, submit_for_review

router = Router()

ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Shapes


class FindingOut(Schema):
    id: int
    outcome: str
    rationale: str
    evidence: list[str] = Field(description="Exhibit numbers of the evidence relied on")
    evidence_ids: list[int]
    recorded_at: dt.datetime
    recorded_by: str
    updated_at: dt.datetime


class AllegationFindingOut(Schema):
    allegation_id: int
    subject_id: int = Field(description="The subject's party id")
    subject: str
    category: str = Field(description="Category code")
    category_name: str
    finding: FindingOut | None


class FindingIn(Schema):
    outcome: str = Field(
        description="sustained, not_sustained, unfounded, exonerated, policy_failure or not_involved"
    )
    rationale: str
    evidence: list[int] = Field(
        default_factory=list, description="Ids of this case's evidence items relied on"
    )


class AnswerOut(Schema):
    item: str = Field(description="Checklist item code")
    text: str
    met: bool
    comment: str


class ReviewOut(Schema):
    round: int
    submitted_at: dt.datetime
    submitted_by: str
    reviewer: str | None
    decided_at: dt.datetime | None
    outcome: str = Field(description="approved, returned, or empty while awaiting the reviewer")
    comments: str
    answers: list[AnswerOut]


class AnswerIn(Schema):
    met: bool
    comment: str = ""


class DecisionIn(Schema):
    answers: dict[str, AnswerIn] = Field(description="Every active checklist item, by its code")
    approve: bool = Field(description="true approves the report and closes the case; false returns it")
    comments: str = Field("", description="Required when returning the report")


class FileOut(Schema):
    sha256: str
    size: int


class ReportOut(Schema):
    version: int
    draft: bool
    generated_at: dt.datetime
    generated_by: str
    pdf: FileOut
    docx: FileOut


class ReportQuery(Schema):
    format: str = Field("pdf", description="pdf or docx")
    version: int | None = Field(None, description="Default: the latest (generated if there is none)")


# Turning service answers into HTTP answers


def _username(user: User | None) -> str:
    return user.get_username() if user is not None else ""


def _case(user: Any, case_id: int) -> Case:
    return queries.get_case_for(user, case_id)


def _record_view(user: Any, case: Case, part: str) -> None:
    audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": "api", "part": part})


def _finding(finding: Finding | None) -> FindingOut | None:
    if finding is None:
        return None
    items = list(finding.evidence.all())
    return FindingOut(
        id=finding.pk,
        outcome=finding.outcome,
        rationale=finding.rationale,
        evidence=[item.number for item in items],
        evidence_ids=[item.pk for item in items],
        recorded_at=finding.recorded_at,
        recorded_by=_username(finding.recorded_by),
        updated_at=finding.updated_at,
    )


def _allegations(case: Case, pk: int | None = None) -> list[AllegationFindingOut]:
    rows = (
        CaseAllegation.objects.filter(case=case)
        .select_related("subject__employee", "category", "finding__recorded_by")
        .defer("subject__contact", "subject__employee__date_of_birth")
        .prefetch_related("finding__evidence")
        .order_by("subject_id", "category__sort_order", "pk")
    )
    if pk is not None:
        rows = rows.filter(pk=pk)
    return [
        AllegationFindingOut(
            allegation_id=allegation.pk,
            subject_id=allegation.subject_id,
            subject=party_label(allegation.subject),
            category=allegation.category.code,
            category_name=allegation.category.name,
            finding=_finding(getattr(allegation, "finding", None)),
        )
        for allegation in rows
    ]


def _reviews(case: Case) -> list[ReviewOut]:
    rows = (
        SufficiencyReview.objects.filter(case=case)
        .select_related("submitted_by", "reviewer")
        .prefetch_related("answers__item")
        .order_by("round")
    )
    return [_review(review) for review in rows]


def _review(review: SufficiencyReview) -> ReviewOut:
    return ReviewOut(
        round=review.round,
        submitted_at=review.submitted_at,
        submitted_by=_username(review.submitted_by),
        reviewer=review.reviewer.get_username() if review.reviewer else None,
        decided_at=review.decided_at,
        outcome=review.outcome,
        comments=review.comments,
        answers=[
            AnswerOut(item=answer.item.code, text=answer.item.text, met=answer.met, comment=answer.comment)
            for answer in sorted(review.answers.all(), key=lambda a: (a.item.sort_order, a.item.code))
        ],
    )


def _latest_review(case: Case) -> ReviewOut:
    rounds = _reviews(case)
    return rounds[-1]


def _file(stored: StoredFile) -> FileOut:
    return FileOut(sha256=stored.sha256, size=stored.size)


def _report(report: ReportVersion) -> ReportOut:
    return ReportOut(
        version=report.version,
        draft=report.draft,
        generated_at=report.generated_at,
        generated_by=_username(report.generated_by),
        pdf=_file(report.pdf),
        docx=_file(report.docx),
    )


def _evidence_items(case: Case, ids: list[int]) -> list[EvidenceItem]:
    wanted = set(ids)
    items = list(EvidenceItem.objects.filter(pk__in=wanted))
    missing = sorted(wanted - {item.pk for item in items})
    if missing:
        raise ValidationError(
            {"evidence": [f"There is no evidence item with the id {', '.join(str(pk) for pk in missing)}."]}
        )
    return items


# Findings


@router.get(
    "/{int:case_id}/findings",
    response={200: list[AllegationFindingOut], 404: ErrorOut},
    summary="The case's allegations, each with its finding (or null)",
    description="Records a `view` event.",
)
def list_findings(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[AllegationFindingOut]:
        case = _case(user, case_id)
        _record_view(user, case, "findings")
        return _allegations(case)

    return answer(work)


@router.post(
    "/{int:case_id}/allegations/{int:allegation_id}/finding",
    response={200: AllegationFindingOut, **ERRORS},
    summary="Record or revise the finding on one allegation",
    description=(
        "The lead agent, a team member or a supervisor, while the case is investigating, in report "
        "drafting or reopened (409 otherwise). A sustained finding in a truthfulness or bias category "
        "marks the subject for Giglio."
    ),
)
def put_finding(request: HttpRequest, case_id: int, allegation_id: int, payload: FindingIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> AllegationFindingOut:
        case = _case(user, case_id)
        allegation = CaseAllegation.objects.filter(case=case, pk=allegation_id).first()
        if allegation is None:
            raise Http404("No such allegation in this case")
        record_finding(
            actor=user,
            allegation=allegation,
            outcome=payload.outcome,
            rationale=payload.rationale,
            evidence=_evidence_items(case, payload.evidence),
        )
        return _allegations(case, allegation.pk)[0]

    return answer(work)


# Review


@router.get(
    "/{int:case_id}/reviews",
    response={200: list[ReviewOut], 404: ErrorOut},
    summary="Every sufficiency review round with its checklist answers",
    description="Records a `view` event.",
)
def list_reviews(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[ReviewOut]:
        case = _case(user, case_id)
        _record_view(user, case, "reviews")
        return _reviews(case)

    return answer(work)


@router.post(
    "/{int:case_id}/review/submit",
    response={200: ReviewOut, **ERRORS},
    summary="Submit the report: report drafting → sufficiency review",
    description="Refused (422) while an allegation has no finding; the message names them.",
)
def submit_review(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> ReviewOut:
        case = _case(user, case_id)
        submit_for_review(actor=user, case=case)
        return _latest_review(case)

    return answer(work)


@router.post(
    "/{int:case_id}/review/decide",
    response={200: ReviewOut, **ERRORS},
    summary="Decide the open review round: approve (→ closed, final report) or return (→ report drafting)",
    description=(
        "A supervisor who is neither the lead agent nor on the team. Every active checklist item is "
        "answered; approving needs every item met; returning needs comments."
    ),
)
def decide(request: HttpRequest, case_id: int, payload: DecisionIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> ReviewOut:
        case = _case(user, case_id)
        answers = {code: (answer.met, answer.comment) for code, answer in payload.answers.items()}
        decide_review(
            actor=user, case=case, answers=answers, approve=payload.approve, comments=payload.comments
        )
        return _latest_review(case)

    return answer(work)


# The Report of Investigation


def _report_rows(case: Case) -> Any:
    return ReportVersion.objects.filter(case=case).select_related("generated_by", "pdf", "docx")


@router.get(
    "/{int:case_id}/reports",
    response={200: list[ReportOut], 404: ErrorOut},
    summary="The versions of the Report of Investigation, newest first",
)
def list_reports(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[ReportOut]:
        case = _case(user, case_id)
        _record_view(user, case, "reports")
        return [_report(report) for report in _report_rows(case).order_by("-version")]

    return answer(work)


@router.post(
    "/{int:case_id}/reports",
    response={201: ReportOut, **ERRORS},
    summary="Generate the next version of the report (PDF and Word)",
)
def create_report(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[ReportOut]:
        report = generate_report(actor=user, case=_case(user, case_id))
        return Status(201, _report(_report_rows(report.case).get(pk=report.pk)))

    return answer(work)


@router.get(
    "/{int:case_id}/report",
    response={**ERRORS},
    summary="Download the report as PDF or Word (?format=pdf|docx)",
    description=(
        "The latest version (generated first if there is none), or `version`. Each download is "
        "audited. 409 if the stored file no longer matches its SHA-256."
    ),
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}} for media in FORMATS.values()
                },
            }
        }
    },
)
def download_report(request: HttpRequest, case_id: int, params: Query[ReportQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Any:
        if params.format not in FORMATS:
            raise ValidationError({"format": [f"Choose the format: {' or '.join(FORMATS)}."]})
        case = _case(user, case_id)
        if params.version is None:
            report = latest_or_new_report(actor=user, case=case)
        else:
            found = ReportVersion.objects.filter(case=case, version=params.version).first()
            if found is None:
                raise Http404("No such report version")
            report = found
        try:
            opened = open_report(actor=user, report=report, fmt=params.format)
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
