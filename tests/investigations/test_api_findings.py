"""The findings, review and report API under /api/v1/cases: every review step allowed and refused
(404 hidden, 403 not allowed, 409 wrong state, 422 bad input), writing nothing when refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from probity.core.models import AuditEvent, User
from probity.core.services.tokens import create_token
from probity.investigations.models import (
    Case,
    CaseStatus,
    Finding,
    GiglioMark,
    ReportVersion,
    ReviewAnswer,
    SufficiencyReview,
)
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.findings_setup import add_evidence, all_met, only_allegation, worked_case

pytestmark = pytest.mark.django_db

S = CaseStatus
BASE = "/api/v1/cases"
RATIONALE = "The video contradicts the seizure report."
Api = Callable[..., Any]


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def api(client: Client) -> Callable[[User], Api]:
    """api(user)(method, path, json=None) → response, with the user's bearer token."""
    tokens: dict[int, str] = {}

    def as_user(user: User) -> Api:
        if user.pk not in tokens:
            tokens[user.pk] = create_token(actor=None, user=user, name="tests")[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}

        def call(method: str, path: str, json: Any = None) -> Any:
            if method == "get":
                return client.get(BASE + path, headers=headers)
            return client.post(BASE + path, data=json or {}, content_type="application/json", headers=headers)

        return call

    return as_user


def written(case: Case) -> tuple[Any, ...]:
    """Everything a refused request must leave untouched (reads and tokens aside)."""
    case.refresh_from_db()
    return (
        case.status,
        Finding.objects.count(),
        GiglioMark.objects.count(),
        SufficiencyReview.objects.count(),
        ReviewAnswer.objects.count(),
        ReportVersion.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "download"])
        .exclude(object_type="core.apitoken")
        .count(),
    )


def answers(**overrides: tuple[bool, str]) -> dict[str, dict[str, Any]]:
    chosen = {**all_met(), **overrides}
    return {code: {"met": met, "comment": comment} for code, (met, comment) in chosen.items()}


def finding_path(case: Case) -> str:
    return f"/{case.pk}/allegations/{only_allegation(case).pk}/finding"


def sustain(api: Callable[[User], Api], team: Team, case: Case) -> Any:
    response = api(team.agent)("post", finding_path(case), {"outcome": "sustained", "rationale": RATIONALE})
    assert response.status_code == 200, response.content
    return response


# Findings


def test_the_lead_records_a_finding_with_evidence_and_lists_it(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    video = add_evidence(case, team.agent, "Body-worn camera video", b"frames")

    response = api(team.agent)(
        "post", finding_path(case), {"outcome": "sustained", "rationale": RATIONALE, "evidence": [video.pk]}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["category"] == "false-statements"
    assert body["finding"]["outcome"] == "sustained"
    assert body["finding"]["evidence"] == [video.number]
    listed = api(team.supervisor)("get", f"/{case.pk}/findings").json()
    assert [row["finding"]["rationale"] for row in listed] == [RATIONALE]
    assert AuditEvent.objects.filter(
        action="view", actor_id=team.supervisor.pk, object_id=str(case.pk)
    ).exists()


def test_a_sustained_truthfulness_finding_marks_giglio_and_a_discourtesy_one_does_not(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    lying = worked_case(make_case, team)
    rude = worked_case(make_case, team, categories=("discourtesy",), summary="Rude at the port")

    sustain(api, team, lying)
    sustain(api, team, rude)

    assert [mark.case_id for mark in GiglioMark.objects.all()] == [lying.pk]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"outcome": "guilty", "rationale": RATIONALE}, "outcome"),
        ({"outcome": "sustained", "rationale": ""}, "rationale"),
        ({"outcome": "sustained", "rationale": RATIONALE, "evidence": [987654]}, "evidence"),
    ],
)
def test_bad_finding_input_is_422_with_the_field_and_nothing_is_written(
    api: Callable[[User], Api], make_case: MakeCase, team: Team, payload: dict[str, Any], field: str
) -> None:
    case = worked_case(make_case, team)
    before = written(case)

    response = api(team.agent)("post", finding_path(case), payload)

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert written(case) == before


def test_evidence_of_another_case_is_422_without_naming_that_case(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    other = worked_case(make_case, team, summary="Another matter")
    foreign = add_evidence(other, team.agent, "A ledger")
    before = written(case)

    response = api(team.agent)(
        "post", finding_path(case), {"outcome": "sustained", "rationale": RATIONALE, "evidence": [foreign.pk]}
    )

    assert response.status_code == 422
    assert "evidence" in response.json()["fields"]
    assert other.number not in response.content.decode()
    assert written(case) == before


def test_a_finding_on_an_opened_case_is_409(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = make_case()
    before = written(case)

    response = api(team.supervisor)(
        "post", finding_path(case), {"outcome": "sustained", "rationale": RATIONALE}
    )

    assert response.status_code == 409
    assert written(case) == before


@pytest.mark.parametrize("who", ["el_paso_agent", "second_agent", "outsider"])
def test_a_hidden_case_is_404_for_every_findings_endpoint_and_nothing_is_written(
    api: Callable[[User], Api], make_case: MakeCase, team: Team, who: str
) -> None:
    case = worked_case(make_case, team)
    sustain(api, team, case)
    before = written(case)
    call = api(getattr(team, who))

    answers_404 = [
        call("get", f"/{case.pk}/findings"),
        call("post", finding_path(case), {"outcome": "unfounded", "rationale": RATIONALE}),
        call("get", f"/{case.pk}/reviews"),
        call("post", f"/{case.pk}/review/submit"),
        call("post", f"/{case.pk}/review/decide", {"answers": answers(), "approve": True}),
        call("get", f"/{case.pk}/reports"),
        call("post", f"/{case.pk}/reports"),
        call("get", f"/{case.pk}/report?format=pdf"),
    ]

    assert [response.status_code for response in answers_404] == [404] * len(answers_404)
    assert all(case.number not in response.content.decode() for response in answers_404)
    assert written(case) == before


# Review


def test_submitting_with_an_allegation_without_finding_is_422_naming_it(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    before = written(case)

    response = api(team.agent)("post", f"/{case.pk}/review/submit")

    assert response.status_code == 422
    assert "False statements" in response.json()["detail"]
    assert written(case) == before


def test_submitting_a_case_still_investigating_is_409(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team, S.INVESTIGATING)
    sustain(api, team, case)
    before = written(case)

    response = api(team.agent)("post", f"/{case.pk}/review/submit")

    assert response.status_code == 409
    assert written(case) == before


def test_returned_once_then_approved_keeps_two_rounds_and_closes_the_case(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    sustain(api, team, case)
    agent, supervisor = api(team.agent), api(team.supervisor)

    submitted = agent("post", f"/{case.pk}/review/submit")
    assert submitted.status_code == 200
    assert (submitted.json()["round"], submitted.json()["outcome"]) == (1, "")
    returned = supervisor(
        "post",
        f"/{case.pk}/review/decide",
        {
            "answers": answers(**{"subject-interviewed": (False, "Interview the subject.")}),
            "approve": False,
            "comments": "Interview the subject, then resubmit.",
        },
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["outcome"] == "returned"
    case.refresh_from_db()
    assert case.status == S.REPORT_DRAFTING
    assert agent("post", f"/{case.pk}/reports").status_code in (200, 201)  # the draft report
    assert agent("post", f"/{case.pk}/review/submit").status_code == 200
    approved = supervisor("post", f"/{case.pk}/review/decide", {"answers": answers(), "approve": True})
    assert approved.status_code == 200, approved.content

    case.refresh_from_db()
    assert case.status == S.CLOSED
    rounds = supervisor("get", f"/{case.pk}/reviews").json()
    assert [(r["round"], r["outcome"]) for r in rounds] == [(1, "returned"), (2, "approved")]
    unmet = [a for a in rounds[0]["answers"] if not a["met"]]
    assert [(a["item"], a["comment"]) for a in unmet] == [("subject-interviewed", "Interview the subject.")]
    reports = supervisor("get", f"/{case.pk}/reports").json()
    assert sorted((r["version"], r["draft"]) for r in reports) == [(1, True), (2, False)]


def test_the_lead_agent_cannot_decide_the_review_403(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    sustain(api, team, case)
    api(team.agent)("post", f"/{case.pk}/review/submit")
    Case.objects.filter(pk=case.pk).update(lead_agent=team.second_supervisor)  # a supervisor leading it
    before = written(case)

    by_lead = api(team.second_supervisor)(
        "post", f"/{case.pk}/review/decide", {"answers": answers(), "approve": True}
    )
    by_agent = api(team.agent)("post", f"/{case.pk}/review/decide", {"answers": answers(), "approve": True})

    assert by_lead.status_code == 403
    assert "lead agent" in by_lead.json()["detail"]
    assert by_agent.status_code in {403, 404}
    assert written(case) == before


def test_deciding_a_case_not_in_review_is_409(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    sustain(api, team, case)
    before = written(case)

    response = api(team.supervisor)(
        "post", f"/{case.pk}/review/decide", {"answers": answers(), "approve": True}
    )

    assert response.status_code == 409
    assert written(case) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"answers": {}, "approve": True}, "answers"),
        ({"answers": {"no-such-item": {"met": True}}, "approve": True}, "answers"),
        ({"approve": False, "comments": ""}, "comments"),
    ],
)
def test_bad_review_input_is_422_and_nothing_is_written(
    api: Callable[[User], Api], make_case: MakeCase, team: Team, payload: dict[str, Any], field: str
) -> None:
    case = worked_case(make_case, team)
    sustain(api, team, case)
    api(team.agent)("post", f"/{case.pk}/review/submit")
    if "answers" not in payload:
        payload = {**payload, "answers": answers()}
    before = written(case)

    response = api(team.supervisor)("post", f"/{case.pk}/review/decide", payload)

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert written(case) == before


def test_a_malformed_decision_is_422(api: Callable[[User], Api], make_case: MakeCase, team: Team) -> None:
    case = worked_case(make_case, team)

    response = api(team.supervisor)(
        "post", f"/{case.pk}/review/decide", {"answers": "all good", "approve": "maybe"}
    )

    assert response.status_code == 422


# Reports


def test_the_report_is_generated_on_first_download_and_each_download_is_audited(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    sustain(api, team, case)
    call = api(team.agent)

    pdf = call("get", f"/{case.pk}/report?format=pdf")
    docx_response = call("get", f"/{case.pk}/report?format=docx")

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages
    )
    assert case.number in text
    assert "DRAFT" in text
    assert docx_response.status_code == 200
    assert docx_response["Content-Disposition"].endswith('-ROI-v1-draft.docx"')
    assert ReportVersion.objects.filter(case=case).count() == 1
    downloads = AuditEvent.objects.filter(action="download", object_type="investigations.reportversion")
    assert sorted(event.detail["format"] for event in downloads) == ["docx", "pdf"]


def test_generating_through_the_api_makes_new_versions(
    api: Callable[[User], Api], make_case: MakeCase, team: Team
) -> None:
    case = worked_case(make_case, team)
    call = api(team.agent)

    first = call("post", f"/{case.pk}/reports")
    second = call("post", f"/{case.pk}/reports")

    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert len(first.json()["pdf"]["sha256"]) == 64
    older = call("get", f"/{case.pk}/report?format=pdf&version=1")
    assert older.status_code == 200
    assert older["Content-Disposition"].endswith('-ROI-v1-draft.pdf"')


@pytest.mark.parametrize(("query", "status"), [("format=exe", 422), ("format=pdf&version=9", 404)])
def test_a_bad_report_request_is_refused(
    api: Callable[[User], Api], make_case: MakeCase, team: Team, query: str, status: int
) -> None:
    case = worked_case(make_case, team)
    api(team.agent)("post", f"/{case.pk}/reports")

    response = api(team.agent)("get", f"/{case.pk}/report?{query}")

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="download").exists()
