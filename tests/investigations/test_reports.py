"""The Report of Investigation: PDF and Word content, the draft watermark, versions, audited downloads."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from pypdf import PdfReader

from probity.core.files import FileIntegrityError
from probity.core.models import AuditEvent
from probity.investigations.models import Case, EvidenceItem, FindingOutcome, ReportVersion
from probity.investigations.services.findings import record_finding
from probity.investigations.services.reports import (
    _data_only_fetcher,
    generate_report,
    latest_or_new_report,
    open_report,
)
from probity.investigations.services.review import decide_review, submit_for_review
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.findings_setup import add_evidence, all_met, only_allegation, worked_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    """Stored files (evidence, reports) go to a temporary folder, not the instance's media."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


RATIONALE = "The body-worn camera video contradicts the seizure report in three places."


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read(report: ReportVersion, fmt: str, team: Team) -> bytes:
    return open_report(actor=team.agent, report=report, fmt=fmt).content.read()


@pytest.fixture
def found(make_case: MakeCase, team: Team) -> tuple[Case, EvidenceItem]:
    case = worked_case(make_case, team)
    video = add_evidence(
        case, team.agent, "Body-worn camera video of the seizure", b"the video, frame by frame"
    )
    record_finding(
        actor=team.agent,
        allegation=only_allegation(case),
        outcome=FindingOutcome.SUSTAINED,
        rationale=RATIONALE,
        evidence=[video],
    )
    return case, video


def test_a_draft_report_in_both_formats_carries_the_case_findings_exhibits_and_watermark(
    found: tuple[Case, EvidenceItem], team: Team
) -> None:
    case, video = found

    report = generate_report(actor=team.agent, case=case)

    assert (report.version, report.draft) == (1, True)
    pages = pdf_text(read(report, "pdf", team))
    assert all("DRAFT" in page for page in pages)
    assert all("LAW ENFORCEMENT SENSITIVE" in page for page in pages)
    pdf = squeezed("".join(pages))
    word = docx_text(read(report, "docx", team))
    for text in (case.number, "Sustained", RATIONALE, "Falsestatements", video.number, video.sha256):
        assert squeezed(text) in pdf
    for text in (
        case.number,
        "Sustained",
        RATIONALE,
        "False statements",
        video.number,
        video.sha256,
        "DRAFT",
    ):
        assert text in word
    assert "LAW ENFORCEMENT SENSITIVE" in word
    assert team.subject.full_name in word


def test_each_generation_is_a_new_version_stored_by_hash(
    found: tuple[Case, EvidenceItem], team: Team
) -> None:
    case, _ = found

    first = generate_report(actor=team.agent, case=case)
    second = generate_report(actor=team.supervisor, case=case)

    assert [r.version for r in ReportVersion.objects.filter(case=case).order_by("version")] == [1, 2]
    assert (first.generated_by, second.generated_by) == (team.agent, team.supervisor)
    assert second.pdf.content_type == "application/pdf"
    assert second.docx.content_type.endswith("wordprocessingml.document")
    assert AuditEvent.objects.filter(object_type="investigations.reportversion", action="create").count() == 2


def test_the_report_approved_in_review_is_final_and_has_no_draft_watermark(
    found: tuple[Case, EvidenceItem], team: Team
) -> None:
    case, video = found
    generate_report(actor=team.agent, case=case)
    submit_for_review(actor=team.agent, case=case)

    decide_review(actor=team.supervisor, case=case, answers=all_met(), approve=True, comments="Well done.")

    final = ReportVersion.objects.filter(case=case).order_by("-version").first()
    assert final is not None
    assert (final.version, final.draft) == (2, False)
    pages = pdf_text(read(final, "pdf", team))
    word = docx_text(read(final, "docx", team))
    assert not any("DRAFT" in page for page in pages)
    assert "DRAFT" not in word
    assert squeezed(video.sha256) in squeezed("".join(pages))
    assert "Approved by" in word


def test_each_download_is_audited_with_its_format(found: tuple[Case, EvidenceItem], team: Team) -> None:
    case, _ = found
    report = generate_report(actor=team.agent, case=case)

    opened = open_report(actor=team.supervisor, report=report, fmt="docx")

    assert opened.filename == f"{case.number}-ROI-v1-draft.docx"
    event = AuditEvent.objects.filter(action="download").get()
    assert (event.actor_id, event.outcome) == (team.supervisor.pk, "success")
    assert event.detail["format"] == "docx"
    assert event.detail["sha256"] == report.docx.sha256


@pytest.mark.parametrize("who", ["el_paso_agent", "second_agent", "outsider"])
def test_a_hidden_case_report_is_404_and_the_attempt_is_audited(
    found: tuple[Case, EvidenceItem], team: Team, who: str
) -> None:
    case, _ = found
    report = generate_report(actor=team.agent, case=case)

    with pytest.raises(Http404):
        open_report(actor=getattr(team, who), report=report, fmt="pdf")
    with pytest.raises(Http404):
        generate_report(actor=getattr(team, who), case=case)
    with pytest.raises(Http404):
        latest_or_new_report(actor=getattr(team, who), case=case)

    assert AuditEvent.objects.filter(action="download").get().outcome == "denied"
    assert ReportVersion.objects.count() == 1


def test_an_unknown_format_is_refused(found: tuple[Case, EvidenceItem], team: Team) -> None:
    report = generate_report(actor=team.agent, case=found[0])

    with pytest.raises(ValidationError, match="pdf or docx"):
        open_report(actor=team.agent, report=report, fmt="exe")

    assert not AuditEvent.objects.filter(action="download").exists()


def test_a_report_file_altered_in_the_store_is_refused_and_the_failure_audited(
    found: tuple[Case, EvidenceItem], team: Team
) -> None:
    report = generate_report(actor=team.agent, case=found[0])
    with default_storage.open(report.pdf.storage_name, "wb") as blob:
        blob.write(b"%PDF-1.7 tampered")

    with pytest.raises(FileIntegrityError):
        open_report(actor=team.agent, report=report, fmt="pdf")

    assert AuditEvent.objects.filter(action="download").get().outcome == "failure"


def test_the_latest_report_is_generated_when_there_is_none(
    found: tuple[Case, EvidenceItem], team: Team
) -> None:
    case, _ = found

    first = latest_or_new_report(actor=team.agent, case=case)
    again = latest_or_new_report(actor=team.agent, case=case)

    assert first == again
    assert ReportVersion.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    "url", ["http://example.org/logo.png", "https://example.org/a.css", "file:///etc/passwd"]
)
def test_the_pdf_renderer_fetches_nothing_but_data_urls(url: str) -> None:
    fetcher = _data_only_fetcher()

    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher(url)
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"
