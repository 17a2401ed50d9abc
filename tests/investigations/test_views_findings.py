"""The findings and reports sections of the case page and their screens: recording findings,
submitting and deciding the review, generating and downloading the report."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from probity.core.models import AuditEvent, User
from probity.investigations.models import (
    Case,
    CaseStatus,
    Finding,
    FindingOutcome,
    ReportVersion,
    ReviewAnswer,
    SufficiencyReview,
)
from probity.investigations.services.findings import record_finding
from probity.investigations.services.review import submit_for_review
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.findings_setup import add_evidence, only_allegation, worked_case

pytestmark = pytest.mark.django_db

S = CaseStatus
RATIONALE = "The video contradicts the seizure report."


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def url(case: Case, rest: str = "") -> str:
    return f"/investigations/cases/{case.pk}/{rest}"


def finding_url(case: Case) -> str:
    return url(case, f"allegations/{only_allegation(case).pk}/finding")


def review_post(approve: bool, comments: str = "", unmet: str = "") -> dict[str, str]:
    from probity.investigations.models import ChecklistItem

    data = {"decision": "approve" if approve else "return", "comments": comments}
    for code in ChecklistItem.objects.filter(active=True).values_list("code", flat=True):
        data[f"met_{code}"] = "not_met" if code == unmet else "met"
        data[f"comment_{code}"] = ""
    return data


@pytest.fixture
def drafting(make_case: MakeCase, team: Team) -> Case:
    return worked_case(make_case, team)


@pytest.fixture
def in_review(drafting: Case, team: Team) -> Case:
    record_finding(
        actor=team.agent,
        allegation=only_allegation(drafting),
        outcome=FindingOutcome.SUSTAINED,
        rationale=RATIONALE,
    )
    submit_for_review(actor=team.agent, case=drafting)
    drafting.refresh_from_db()
    return drafting


def test_the_case_page_offers_the_lead_a_finding_form_per_allegation_and_the_report_section(
    drafting: Case, team: Team
) -> None:
    video = add_evidence(drafting, team.agent, "Body-worn camera video", b"frames")

    response = client_for(team.agent).get(url(drafting))

    assert response.status_code == 200
    page = text(response)
    assert "Findings and sufficiency review" in page
    assert "Record the finding" in page
    assert f'action="{finding_url(drafting)}"' in page
    assert f'value="{video.pk}"' in page  # the case's evidence, as checkboxes
    assert "Submit the report for sufficiency review" in page
    assert "Report of Investigation" in page
    assert "Generate a new version" in page


def test_recording_a_finding_from_the_case_page_goes_back_with_a_message(drafting: Case, team: Team) -> None:
    video = add_evidence(drafting, team.agent, "Body-worn camera video", b"frames")
    client = client_for(team.agent)

    response = client.post(
        finding_url(drafting), {"outcome": "sustained", "rationale": RATIONALE, "evidence": [str(video.pk)]}
    )

    assert response.status_code == 302
    assert response["Location"] == url(drafting) + "#section-findings"
    finding = Finding.objects.get()
    assert (finding.outcome, list(finding.evidence.all())) == (FindingOutcome.SUSTAINED, [video])
    shown = text(client.get(response["Location"]))
    assert "Finding on Sam Subject: False statements / lack of candor recorded." in shown
    assert "Revise the finding" in shown


def test_a_finding_without_rationale_is_shown_again_with_the_message_and_what_was_typed(
    drafting: Case, team: Team
) -> None:
    response = client_for(team.agent).post(finding_url(drafting), {"outcome": "exonerated", "rationale": " "})

    assert response.status_code == 400
    page = text(response)
    assert "Give the rationale" in page
    assert 'value="exonerated" checked' in page
    assert not Finding.objects.exists()


def test_a_finding_refused_by_the_case_state_is_409_on_the_form(in_review: Case, team: Team) -> None:
    response = client_for(team.agent).post(
        finding_url(in_review), {"outcome": "unfounded", "rationale": "Other"}
    )

    assert response.status_code == 409
    assert "Findings are recorded while" in text(response)
    assert Finding.objects.get().outcome == FindingOutcome.SUSTAINED


@pytest.mark.parametrize("who", ["el_paso_agent", "second_agent", "outsider"])
def test_the_finding_screens_of_a_hidden_case_are_404_and_write_nothing(
    drafting: Case, team: Team, who: str
) -> None:
    client = client_for(getattr(team, who))

    assert client.get(finding_url(drafting)).status_code == 404
    posted = client.post(finding_url(drafting), {"outcome": "sustained", "rationale": RATIONALE})
    assert posted.status_code == 404
    assert client.post(url(drafting, "review/submit")).status_code == 404
    assert client.post(url(drafting, "reports/generate")).status_code == 404
    assert not Finding.objects.exists()
    assert not ReportVersion.objects.exists()


def test_submitting_without_findings_shows_the_case_page_with_the_allegations_missing(
    drafting: Case, team: Team
) -> None:
    response = client_for(team.agent).post(url(drafting, "review/submit"))

    assert response.status_code == 400
    assert "still without a finding: Sam Subject: False statements" in text(response)
    drafting.refresh_from_db()
    assert drafting.status == S.REPORT_DRAFTING
    assert not SufficiencyReview.objects.exists()


def test_the_reviewer_sees_the_checklist_on_the_case_page_and_the_lead_does_not(
    in_review: Case, team: Team
) -> None:
    as_supervisor = text(client_for(team.supervisor).get(url(in_review)))
    as_lead = text(client_for(team.agent).get(url(in_review)))

    assert "Every allegation is addressed with a finding" in as_supervisor
    assert "Record the decision" in as_supervisor
    assert "Record the decision" not in as_lead
    assert "a supervisor who did not work on the case" in as_lead


def test_returning_without_comments_is_shown_again_with_the_answers_typed(
    in_review: Case, team: Team
) -> None:
    response = client_for(team.supervisor).post(
        url(in_review, "review"), review_post(False, unmet="subject-interviewed")
    )

    assert response.status_code == 400
    page = text(response)
    assert "returning a report needs comments" in page
    assert 'value="not_met" checked' in page
    assert not ReviewAnswer.objects.exists()
    in_review.refresh_from_db()
    assert in_review.status == S.SUFFICIENCY_REVIEW


def test_the_lead_may_not_open_the_review_screen(in_review: Case, team: Team) -> None:
    client = client_for(team.agent)

    assert client.get(url(in_review, "review")).status_code == 403
    assert client.post(url(in_review, "review"), review_post(True)).status_code == 403
    assert not ReviewAnswer.objects.exists()


def test_returned_then_approved_through_the_screens_closes_the_case_with_a_final_report(
    in_review: Case, team: Team
) -> None:
    supervisor = client_for(team.supervisor)
    assert supervisor.get(url(in_review, "review")).status_code == 200

    returned = supervisor.post(
        url(in_review, "review"), review_post(False, "Interview the subject.", "subject-interviewed")
    )
    assert returned.status_code == 302
    assert client_for(team.agent).post(url(in_review, "reports/generate")).status_code == 302
    assert client_for(team.agent).post(url(in_review, "review/submit")).status_code == 302
    approved = supervisor.post(url(in_review, "review"), review_post(True))
    assert approved.status_code == 302

    in_review.refresh_from_db()
    assert in_review.status == S.CLOSED
    page = text(supervisor.get(url(in_review)))
    assert "Round 1" in page
    assert "Returned for more work" in page
    assert "Interview the subject." in page
    assert "Round 2" in page
    assert "Final" in page


def test_a_generated_report_is_listed_and_downloaded_with_an_audit_event(drafting: Case, team: Team) -> None:
    client = client_for(team.agent)

    generated = client.post(url(drafting, "reports/generate"))

    assert generated.status_code == 302
    page = text(client.get(url(drafting)))
    assert url(drafting, "reports/1/pdf") in page
    assert url(drafting, "reports/1/docx") in page
    download = client.get(url(drafting, "reports/1/docx"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="download", actor_id=team.agent.pk).count() == 1


@pytest.mark.parametrize("path", ["reports/1/exe", "reports/2/pdf"])
def test_an_unknown_report_or_format_is_404(drafting: Case, team: Team, path: str) -> None:
    client = client_for(team.agent)
    client.post(url(drafting, "reports/generate"))

    assert client.get(url(drafting, path)).status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_a_hidden_case_report_download_is_404(drafting: Case, team: Team) -> None:
    client_for(team.agent).post(url(drafting, "reports/generate"))

    response = client_for(team.el_paso_agent).get(url(drafting, "reports/1/pdf"))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="download", outcome="success").exists()


def _reviewed_case(make_case: MakeCase, team: Team, categories: tuple[str, ...], exhibits: int) -> Case:
    case = worked_case(make_case, team, categories=categories, summary=f"{len(categories)} allegations")
    items = [
        add_evidence(case, team.agent, f"Exhibit {n}", f"exhibit {n} of {case.pk}".encode())
        for n in range(exhibits)
    ]
    for allegation in case.case_allegations.all():
        record_finding(
            actor=team.agent,
            allegation=allegation,
            outcome=FindingOutcome.SUSTAINED,
            rationale=RATIONALE,
            evidence=items,
        )
    submit_for_review(actor=team.agent, case=case)
    client_for(team.agent).post(url(case, "reports/generate"))
    return case


def test_the_findings_and_reports_sections_cost_the_same_queries_whatever_their_rows(
    make_case: MakeCase, team: Team
) -> None:
    small = _reviewed_case(make_case, team, ("false-statements",), 1)
    large = _reviewed_case(
        make_case, team, ("false-statements", "discourtesy", "retaliation", "theft-embezzlement"), 4
    )
    client = client_for(team.supervisor)
    client.get(url(small))  # warms the per-process caches (content types, session)

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(large)).status_code == 200

    assert len(many.captured_queries) == len(few.captured_queries)
    assert text(client.get(url(large))).count("Revise the finding") == 0  # frozen in review
