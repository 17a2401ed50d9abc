"""The Report of Investigation: generated from the case as PDF (WeasyPrint) and Word (python-docx).

Both formats are built from one `ReportContent` read from the case's rows, so they always say
the same thing: the cover (number, type, office, dates, the LAW ENFORCEMENT SENSITIVE line),
the synopsis, allegations and findings per subject and category with the rationale and the
evidence relied on, the investigative activity (log entries and interviews) and the exhibits
with their SHA-256. Until the case's sufficiency review is approved every page carries a DRAFT
watermark (PDF: a fixed box that WeasyPrint repeats on each page; Word: the page header).

Each generation is a new `ReportVersion` (n + 1) whose two files are stored by hash through
core's file store; each download is audited. WeasyPrint fetches nothing: its URL fetcher
accepts only `data:` URLs and the fonts are the locally installed DejaVu families.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from probity.core import access, audit, files
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, AuditOutcome, StoredFile, User
from probity.core.services.files import store_file
from probity.investigations.models import (
    Activity,
    Case,
    CaseAllegation,
    CaseStatus,
    EvidenceItem,
    ReportVersion,
    ReviewOutcome,
    SufficiencyReview,
)
from probity.investigations.services.cases import require_case_worker
from probity.investigations.services.findings import lock_case, party_label

CLASSIFICATION = "LAW ENFORCEMENT SENSITIVE"
WATERMARK = "DRAFT"
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# What the report says


@dataclass(frozen=True)
class FindingLine:
    category: str
    description: str
    outcome: str
    rationale: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class SubjectSection:
    name: str
    detail: str
    allegations: tuple[FindingLine, ...]


@dataclass(frozen=True)
class ActivityLine:
    occurred_on: str
    kind: str
    performed_by: str
    summary: str
    interview: str
    interview_summary: str


@dataclass(frozen=True)
class Exhibit:
    number: str
    description: str
    kind: str
    source: str
    collected: str
    sha256: str


@dataclass(frozen=True)
class ReportContent:
    number: str
    title: str
    case_type: str
    office: str
    status: str
    opened: str
    closed: str
    lead_agent: str
    supervisor: str
    synopsis: str
    version: int
    draft: bool
    generated: str
    approval: str
    subjects: tuple[SubjectSection, ...]
    activities: tuple[ActivityLine, ...]
    exhibits: tuple[Exhibit, ...]

    @property
    def cover(self) -> list[tuple[str, str]]:
        return [
            ("Case number", self.number),
            ("Title", self.title),
            ("Case type", self.case_type),
            ("Office", self.office),
            ("Status", self.status),
            ("Opened", self.opened),
            ("Closed", self.closed or "Open"),
            ("Lead agent", self.lead_agent or "Not assigned"),
            ("Supervisor", self.supervisor or "Not assigned"),
            (
                "Report version",
                f"{self.version} ({'draft' if self.draft else 'final'}), generated {self.generated}",
            ),
        ]


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _when(moment: dt.datetime | None, with_time: bool = False) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(agency_time_zone())
    return local.strftime("%Y-%m-%d %H:%M %Z") if with_time else local.strftime("%Y-%m-%d")


def is_approved(case: Case) -> bool:
    """Whether the report is final: the case closed on an approved sufficiency review."""
    if case.status != CaseStatus.CLOSED:
        return False
    latest = SufficiencyReview.objects.filter(case=case).order_by("-round").first()
    return latest is not None and latest.outcome == ReviewOutcome.APPROVED


def _subjects(case: Case) -> tuple[SubjectSection, ...]:
    allegations = (
        CaseAllegation.objects.filter(case=case)
        .select_related("subject__employee", "category", "finding")
        .prefetch_related("finding__evidence")
        .order_by("subject_id", "category__sort_order", "pk")
    )
    sections: dict[int, tuple[str, str, list[FindingLine]]] = {}
    for allegation in allegations:
        subject = allegation.subject
        detail = (
            f"Employee {subject.employee.employee_number}"
            if subject.employee is not None
            else subject.description[:200]
        )
        _, _, lines = sections.setdefault(subject.pk, (party_label(subject), detail, []))
        finding = getattr(allegation, "finding", None)
        lines.append(
            FindingLine(
                category=allegation.category.name,
                description=allegation.description,
                outcome=finding.get_outcome_display() if finding else "No finding recorded",
                rationale=finding.rationale if finding else "",
                evidence=tuple(item.number for item in finding.evidence.all()) if finding else (),
            )
        )
    return tuple(
        SubjectSection(name=name, detail=detail, allegations=tuple(lines))
        for name, detail, lines in sections.values()
    )


def _activities(case: Case) -> tuple[ActivityLine, ...]:
    rows = (
        Activity.objects.filter(case=case)
        .select_related("performed_by", "interview__interviewee__employee")
        .order_by("occurred_on", "pk")
    )
    lines = []
    for activity in rows:
        interview = getattr(activity, "interview", None)
        described = ""
        if interview is not None:
            described = (
                f"Interview of {party_label(interview.interviewee)} ({interview.interviewee_role}), "
                f"{_when(interview.started_at, with_time=True)}, {interview.place}. "
                f"Warning: {interview.get_warning_display()}. Present: {interview.participants}"
            )
        lines.append(
            ActivityLine(
                occurred_on=activity.occurred_on.isoformat(),
                kind=activity.get_kind_display(),
                performed_by=_name(activity.performed_by),
                summary=activity.summary,
                interview=described,
                interview_summary=interview.summary if interview is not None else "",
            )
        )
    return tuple(lines)


def _exhibits(case: Case) -> tuple[Exhibit, ...]:
    return tuple(
        Exhibit(
            number=item.number,
            description=item.description,
            kind=item.get_kind_display(),
            source=item.source,
            collected=_when(item.collected_at),
            sha256=item.sha256 or "— (not a digital file)",
        )
        for item in EvidenceItem.objects.filter(case=case).order_by("number")
    )


def collect(case: Case, *, version: int, draft: bool, now: dt.datetime) -> ReportContent:
    """Everything the report says, read from the case in a fixed number of queries."""
    case = Case.objects.select_related("office", "lead_agent", "supervisor").get(pk=case.pk)
    approval = ""
    if not draft:
        review = (
            SufficiencyReview.objects.filter(case=case, outcome=ReviewOutcome.APPROVED)
            .select_related("reviewer")
            .order_by("-round")
            .first()
        )
        if review is not None:
            approval = f"Approved by {_name(review.reviewer)} on {_when(review.decided_at)}"
    return ReportContent(
        number=case.number,
        title=case.title,
        case_type=case.get_case_type_display(),
        office=case.office.name,
        status=case.get_status_display(),
        opened=_when(case.opened_at),
        closed=_when(case.closed_at),
        lead_agent=_name(case.lead_agent),
        supervisor=_name(case.supervisor),
        synopsis=case.synopsis.strip(),
        version=version,
        draft=draft,
        generated=_when(now, with_time=True),
        approval=approval,
        subjects=_subjects(case),
        activities=_activities(case),
        exhibits=_exhibits(case),
    )


# Rendering


def _data_only_fetcher() -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # Only data: URLs; anything else (http, file, ftp) is refused, so a report never reaches out.
    return URLFetcher(allowed_protocols=("data",))


def render_pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "investigations/report/roi.html",
        {"report": content, "classification": CLASSIFICATION, "watermark": WATERMARK},
    )
    pdf: bytes = HTML(string=html, url_fetcher=_data_only_fetcher()).write_pdf()
    return pdf


def render_docx(content: ReportContent) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.styles["Normal"].font.name = "DejaVu Sans"
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = f"Report of Investigation {content.number}"
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = CLASSIFICATION
    if content.draft:
        marker = section.header.add_paragraph()
        marker.add_run(f"{WATERMARK} · not approved · not for release").bold = True
    section.footer.paragraphs[0].text = f"{CLASSIFICATION} · {content.number}"

    document.add_paragraph(CLASSIFICATION)
    document.add_heading("Report of Investigation", level=0)
    _table(document, ["Item", "Detail"], content.cover)
    if content.approval:
        document.add_paragraph(content.approval)

    document.add_heading("Synopsis", level=1)
    document.add_paragraph(content.synopsis or "No synopsis recorded.")

    document.add_heading("Allegations and findings", level=1)
    if not content.subjects:
        document.add_paragraph("The case has no allegations.")
    for subject in content.subjects:
        document.add_heading(f"{subject.name}" + (f" ({subject.detail})" if subject.detail else ""), level=2)
        for line in subject.allegations:
            document.add_heading(f"{line.category}: {line.outcome}", level=3)
            if line.description:
                document.add_paragraph(line.description)
            document.add_paragraph(f"Rationale: {line.rationale or '—'}")
            document.add_paragraph(f"Evidence relied on: {', '.join(line.evidence) or 'none cited'}")

    document.add_heading("Investigative activity", level=1)
    if not content.activities:
        document.add_paragraph("No activity recorded.")
    for activity in content.activities:
        document.add_heading(f"{activity.occurred_on} · {activity.kind} · {activity.performed_by}", level=3)
        document.add_paragraph(activity.summary)
        if activity.interview:
            document.add_paragraph(activity.interview)
        if activity.interview_summary:
            document.add_paragraph(f"Interview summary: {activity.interview_summary}")

    document.add_heading("Exhibits", level=1)
    if content.exhibits:
        _table(
            document,
            ["Exhibit", "Description", "Kind", "Source", "Collected", "SHA-256"],
            [(e.number, e.description, e.kind, e.source, e.collected, e.sha256) for e in content.exhibits],
        )
    else:
        document.add_paragraph("No evidence recorded.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document: Any, headings: list[str], rows: Sequence[tuple[str, ...]]) -> None:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value


# Services


def _store(actor: Any, data: bytes, name: str) -> StoredFile:
    return store_file(actor=actor, upload=ContentFile(data, name=name))


def build_report(*, actor: Any, case: Case) -> ReportVersion:
    """A new version of the report. For callers that checked access and locked the case."""
    now = timezone.now()
    latest = ReportVersion.objects.filter(case=case).aggregate(latest=Max("version"))["latest"]
    version = (latest or 0) + 1
    draft = not is_approved(case)
    content = collect(case, version=version, draft=draft, now=now)
    stem = f"{case.number}-ROI-v{version}"
    pdf = _store(actor, render_pdf(content), f"{stem}.pdf")
    docx_file = _store(actor, render_docx(content), f"{stem}.docx")
    report = ReportVersion.objects.create(
        case=case, version=version, draft=draft, pdf=pdf, docx=docx_file, generated_at=now, generated_by=actor
    )
    audit.record(
        AuditAction.CREATE,
        actor=actor,
        obj=report,
        changes={
            "version": [None, version],
            "draft": [None, draft],
            "pdf": [None, pdf.sha256],
            "docx": [None, docx_file.sha256],
        },
        detail={"case": case.number},
    )
    return report


def generate_report(*, actor: Any, case: Case) -> ReportVersion:
    """Generate the next version of the Report of Investigation (the lead, team or a supervisor)."""
    require_case_worker(actor, case)
    with transaction.atomic():
        return build_report(actor=actor, case=lock_case(case))


def latest_or_new_report(*, actor: Any, case: Case) -> ReportVersion:
    """The newest version for someone who may see the case; generated if there is none yet."""
    if actor is None or not access.can_view(actor, case):
        raise Http404("No such case")
    latest = ReportVersion.objects.filter(case=case).order_by("-version").first()
    return latest if latest is not None else generate_report(actor=actor, case=case)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    content: IO[bytes]


def open_report(*, actor: Any, report: ReportVersion, fmt: str) -> ReportFile:
    """One format of one version, verified against its hash; every attempt is audited."""
    if fmt not in FORMATS:
        raise ValidationError({"format": [f"Choose the format: {' or '.join(FORMATS)}."]})
    case = report.case
    stored = report.pdf if fmt == "pdf" else report.docx
    detail = {"case": case.number, "version": report.version, "format": fmt, "sha256": stored.sha256}
    if actor is None or not access.can_view(actor, case):
        audit.record(
            AuditAction.DOWNLOAD, actor=actor, obj=report, detail=detail, outcome=AuditOutcome.DENIED
        )
        raise Http404("No such report")
    try:
        content = files.open_verified(stored)
    except FileIntegrityError as error:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=report,
            detail={**detail, "reason": error.reason},
            outcome=AuditOutcome.FAILURE,
        )
        raise
    audit.record(AuditAction.DOWNLOAD, actor=actor, obj=report, detail=detail)
    suffix = "-draft" if report.draft else ""
    return ReportFile(
        filename=f"{case.number}-ROI-v{report.version}{suffix}.{fmt}",
        content_type=FORMATS[fmt],
        content=content,
    )
