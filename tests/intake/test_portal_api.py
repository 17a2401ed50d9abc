"""The public API: POST /api/v1/public/complaints files a complaint under the portal's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from probity.core import audit
from probity.core.models import AuditEvent, Deadline, FileAttachment, NumberSequence, StoredFile
from probity.intake.models import (
    Allegation,
    Channel,
    DatePrecision,
    PersonRole,
    PortalRateCounter,
    PublicSubmission,
)
from probity.intake.services import portal
from tests.conftest import Org
from tests.intake.test_portal import EXE, files_on_disk, png_bytes, upload

URL = "/api/v1/public/complaints"
WITH_FILES = "/api/v1/public/complaints/with-files"

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


def post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


COMPLAINT: dict[str, Any] = {
    "narrative": "The officer at booth 4 took my phone and did not return it.",
    "concern": "property",
    "incident_date": "2025-06-17",
    "incident_date_precision": "month",
    "place": "San Ysidro, pedestrian crossing",
    "people": [{"role": "subject", "badge_number": "A-5512", "description": "Short, grey hair"}],
    "complainant": {"name": "Ana Pérez", "phone": "+1 555 0100", "contact_preference": "phone"},
    "language": "en",
}


def test_a_complaint_posted_as_json_is_stored_and_answered_with_working_codes(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)  # no CSRF token, no session: none is needed

    response = post(client, {**COMPLAINT, "office_code": org.nogales_port.code})

    assert response.status_code == 201, response.content
    answer = response.json()
    assert set(answer) == {"tracking_code", "passphrase", "status_url"}
    assert answer["status_url"] == "http://testserver/report/status"
    allegation = Allegation.objects.get()
    assert allegation.channel == Channel.WEB
    assert allegation.office == org.nogales_port
    assert allegation.incident_date is not None and allegation.incident_date.isoformat() == "2025-06-01"
    assert allegation.incident_date_precision == DatePrecision.MONTH
    assert allegation.summary == "Complaint from the public API; concern: Property taken, lost or damaged"
    complainant = allegation.people.get(role=PersonRole.COMPLAINANT)
    assert (complainant.name, complainant.contact) == ("Ana Pérez", "Phone: +1 555 0100")
    assert allegation.people.get(role=PersonRole.SUBJECT).badge_number == "A-5512"
    submission = PublicSubmission.objects.get()
    assert submission.via_api and submission.tracking_code == answer["tracking_code"]
    found = portal.find_submission(tracking_code=answer["tracking_code"], passphrase=answer["passphrase"])
    assert found == submission


def test_a_complaint_without_a_complainant_is_anonymous() -> None:
    response = post(Client(), {"narrative": "Me insultaron en la revisión.", "language": "es"})

    assert response.status_code == 201
    allegation = Allegation.objects.get()
    assert allegation.language == "es"
    complainant = allegation.people.get(role=PersonRole.COMPLAINANT)
    assert complainant.anonymous and complainant.name == ""


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"narrative": "   "}, "narrative", "Tell us what happened."),
        ({"narrative": "x" * (portal.NARRATIVE_MAX + 1)}, "narrative", "characters or fewer"),
        ({"office_code": "NOWHERE"}, "office_code", "Choose an office or port from the list."),
        ({"incident_date": "2999-01-01"}, "incident_date", "The date cannot be in the future."),
        ({"concern": "aliens"}, "concern", "Choose one of the listed kinds of problem."),
        ({"people": [{"role": "subject"}]}, "people.1", "Give a name, a badge number or a description."),
        (
            {"complainant": {"email": "not-an-address", "contact_preference": "email"}},
            "email",
            "Enter an email address like name@example.com.",
        ),
    ],
)
def test_an_unacceptable_complaint_gets_422_with_the_reason_and_nothing_is_written(
    org: Org, change: dict[str, Any], field: str, message: str
) -> None:
    response = post(Client(), {**COMPLAINT, **change})

    assert response.status_code == 422
    answer = response.json()
    assert message in " ".join(answer["fields"][field])
    assert answer["detail"].startswith("The complaint was not accepted:")
    assert not Allegation.objects.exists() and not PublicSubmission.objects.exists()


def test_errors_follow_the_language_of_the_complaint() -> None:
    response = post(Client(), {"narrative": "", "language": "es"})

    assert response.status_code == 422
    assert response.json()["fields"]["narrative"] == ["Cuéntenos qué pasó."]


def test_a_malformed_body_gets_422_not_a_server_error() -> None:
    response = Client().post(URL, "{not json", content_type="application/json")

    assert response.status_code in {400, 422}
    assert "detail" in response.json()
    assert not Allegation.objects.exists()


def test_too_many_complaints_from_one_address_get_429_with_a_detail(settings: Any) -> None:
    settings.PROBITY_PORTAL_SUBMISSIONS_PER_HOUR = 2
    client = Client()
    assert [post(client, COMPLAINT).status_code for _ in range(2)] == [201, 201]

    refused = post(client, COMPLAINT)

    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many complaints from this address in the last hour.")
    assert int(refused["Retry-After"]) > 0
    assert Allegation.objects.count() == 2


def test_the_limit_is_per_address(settings: Any) -> None:
    settings.PROBITY_PORTAL_SUBMISSIONS_PER_HOUR = 1
    assert post(Client(REMOTE_ADDR="203.0.113.7"), COMPLAINT).status_code == 201

    assert post(Client(REMOTE_ADDR="203.0.113.7"), COMPLAINT).status_code == 429
    assert post(Client(REMOTE_ADDR="198.51.100.9"), COMPLAINT).status_code == 201


def test_files_sent_with_a_complaint_are_checked_on_their_content_and_attached(media: Path) -> None:
    response = Client().post(
        WITH_FILES,
        {
            "complaint": json.dumps(COMPLAINT),
            "files": [upload("scan.pdf", png_bytes()), upload("a.png", png_bytes(b"a"))],
        },
    )

    assert response.status_code == 201, response.content
    names = sorted(FileAttachment.objects.values_list("filename", flat=True))
    assert names == ["a.png", "scan.pdf"]
    assert set(StoredFile.objects.values_list("content_type", flat=True)) == {"image/png"}


def test_a_program_sent_as_a_photo_refuses_the_whole_complaint_and_writes_nothing(media: Path) -> None:
    response = Client().post(
        WITH_FILES,
        {
            "complaint": json.dumps(COMPLAINT),
            "files": [upload("ok.png", png_bytes()), upload("photo.jpg", EXE)],
        },
    )

    assert response.status_code == 422
    assert "“photo.jpg” is not a kind of file we accept" in response.json()["fields"]["files"][0]
    assert not Allegation.objects.exists() and not StoredFile.objects.exists()
    assert files_on_disk(media) == []


def test_more_than_ten_files_are_refused(media: Path) -> None:
    eleven = [upload(f"{n}.png", png_bytes(str(n).encode())) for n in range(11)]

    response = Client().post(WITH_FILES, {"complaint": json.dumps(COMPLAINT), "files": eleven})

    assert response.status_code == 422
    assert response.json()["fields"]["files"] == ["At most 10 files per complaint."]
    assert files_on_disk(media) == [] and not Allegation.objects.exists()


def test_a_malformed_complaint_field_with_files_gets_422() -> None:
    response = Client().post(WITH_FILES, {"complaint": '{"people": 3}'})

    assert response.status_code == 422
    assert "narrative" in response.json()["detail"]


def test_the_openapi_schema_documents_the_public_endpoints_without_authentication() -> None:
    schema = Client().get("/api/v1/openapi.json").json()

    for path in (URL, WITH_FILES):
        operation = schema["paths"][path]["post"]
        assert operation.get("security", []) == []
        assert {"201", "422", "429"} <= set(operation["responses"])
    assert "multipart/form-data" in schema["paths"][WITH_FILES]["post"]["requestBody"]["content"]


def test_rate_counters_are_shared_in_the_database_without_keeping_the_address(settings: Any) -> None:
    settings.PROBITY_PORTAL_SUBMISSIONS_PER_HOUR = 5
    for _ in range(3):
        post(Client(REMOTE_ADDR="203.0.113.7"), COMPLAINT)

    counter = PortalRateCounter.objects.get()
    assert counter.hits == 3 and counter.scope == "submit"
    assert "203.0.113.7" not in counter.client_key and len(counter.client_key) == 64


def test_a_complaint_and_all_it_stored_are_audited_together_in_order(media: Path) -> None:
    response = Client().post(
        WITH_FILES, {"complaint": json.dumps(COMPLAINT), "files": [upload("a.png", png_bytes(b"a"))]}
    )

    assert response.status_code == 201, response.content
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.object_type for e in events] == [
        "intake.allegation",
        "core.deadline",
        "core.storedfile",
        "core.fileattachment",
        "intake.publicsubmission",
    ]
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + 5))
    assert len({e.occurred_at for e in events}) == 1  # one append, under one lock of the chain
    assert audit.verify().ok


def test_a_complaint_whose_audit_append_fails_leaves_no_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(specs: Any) -> Any:
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(audit, "record_many", failing)
    complaint = portal.PublicComplaint(narrative="They shouted at me at the booth.")

    with pytest.raises(RuntimeError):
        portal.submit_public_complaint(complaint=complaint, via_api=True)

    assert not Allegation.objects.exists() and not PublicSubmission.objects.exists()
    assert not Deadline.objects.exists() and not AuditEvent.objects.exists()
    assert not NumberSequence.objects.filter(last__gt=0).exists()  # the number went back


def test_a_complaint_is_stored_in_a_fixed_small_number_of_queries(django_assert_num_queries: Any) -> None:
    post(Client(), COMPLAINT)  # the first complaint of the year creates the year's number sequence

    # The rate counter (1), the triage rule (1), the number (2, in a savepoint), the allegation,
    # its people, its clock and the receipt (4), the audit append (3), the transaction (2).
    with django_assert_num_queries(15):
        response = post(Client(), COMPLAINT)

    assert response.status_code == 201
