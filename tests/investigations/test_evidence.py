"""Evidence: numbering, the append-only chain of custody (model and database), transfers,
release and destruction approved by another supervisor, hash checks that catch tampering, the
custody report, the screens, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from probity.core.deadlines import agency_time_zone
from probity.core.models import AuditEvent
from probity.investigations.models import (
    Case,
    CaseEvent,
    CustodyIsAppendOnly,
    CustodyTransfer,
    DisposalKind,
    DisposalRequest,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
)
from probity.investigations.services import evidence
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.work_setup import (
    EXE,
    PDF,
    an_hour_ago,
    digital_item,
    evidence_rows,
    physical_item,
    png_bytes,
    staffed_case,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def case(make_case: MakeCase, team: Team, media: Path) -> Case:
    return staffed_case(make_case, team)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def transfer(item: EvidenceItem, actor: Any, to: str, **overrides: Any) -> CustodyTransfer:
    values: dict[str, Any] = {
        "actor": actor,
        "item": item,
        "to_custodian": to,
        "purpose": "Forensic examination",
        "condition": "Sealed, seal intact",
        "transferred_at": an_hour_ago(),
    }
    values.update(overrides)
    return evidence.transfer_custody(**values)


def local(moment: dt.datetime) -> str:
    """A moment as a person types it in a `datetime-local` field: agency time."""
    return moment.astimezone(agency_time_zone()).strftime("%Y-%m-%dT%H:%M")


def chain(item: EvidenceItem) -> list[tuple[int, str, str]]:
    return list(item.custody.order_by("sequence").values_list("sequence", "from_custodian", "to_custodian"))


# Collecting ----------------------------------------------------------------------------------


def test_items_are_numbered_per_case_and_start_their_chain_in_storage(
    case: Case, make_case: MakeCase, team: Team
) -> None:
    first = physical_item(case, team.agent)
    second = digital_item(case, team.second_agent)
    other = physical_item(staffed_case(make_case, team, summary="Another matter"), team.agent)

    assert (first.number, second.number, other.number) == ("E-001", "E-002", "E-001")
    assert chain(first) == [(1, "Agent Persona", "Tucson evidence room, locker 4")]
    assert first.custodian == "Tucson evidence room, locker 4"
    assert first.custody.get().condition == "Sealed in bag 1187"
    assert second.custody.get().condition == "As collected"
    assert first.status == EvidenceStatus.IN_CUSTODY
    assert AuditEvent.objects.filter(object_type="investigations.evidenceitem", action="create").count() == 3
    assert (
        AuditEvent.objects.filter(object_type="investigations.custodytransfer", action="create").count() == 3
    )


def test_a_digital_item_keeps_the_sha256_of_its_file(case: Case, team: Team, media: Path) -> None:
    item = digital_item(case, team.agent, content=PDF)

    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    assert item.file is not None and item.file.sha256 == item.sha256
    assert (media / item.file.storage_name).read_bytes() == PDF


def test_a_digital_item_needs_its_file_and_a_physical_one_has_none(case: Case, team: Team) -> None:
    before = evidence_rows()
    common: dict[str, Any] = {
        "actor": team.agent,
        "case": case,
        "description": "Phone",
        "source": "Subject's desk",
        "collected_at": an_hour_ago(),
        "storage_location": "Locker 9",
    }

    with pytest.raises(ValidationError) as no_file:
        evidence.add_evidence(**common, kind=EvidenceKind.DIGITAL)
    with pytest.raises(ValidationError) as with_file:
        evidence.add_evidence(**common, kind=EvidenceKind.PHYSICAL, upload=upload("phone.png", png_bytes()))

    assert "digital item" in no_file.value.message_dict["upload"][0]
    assert "physical item" in with_file.value.message_dict["upload"][0]
    assert evidence_rows() == before


def test_an_evidence_file_that_lies_about_its_type_is_refused_and_nothing_is_written(
    case: Case, team: Team, media: Path
) -> None:
    before = evidence_rows()

    with pytest.raises(ValidationError) as refused:
        digital_item(case, team.agent, content=EXE, name="bank-records.pdf")

    assert "Windows program" in refused.value.message_dict["upload"][0]
    assert evidence_rows() == before
    assert not [path for path in media.rglob("*") if path.is_file()]


def test_bad_evidence_input_is_refused_with_every_problem_at_once(case: Case, team: Team) -> None:
    before = evidence_rows()

    with pytest.raises(ValidationError) as refused:
        evidence.add_evidence(
            actor=team.agent,
            case=case,
            description="",
            kind="rumour",
            source="x" * 301,
            collected_at=timezone.now() + dt.timedelta(days=1),
            storage_location="",
        )

    assert set(refused.value.message_dict) == {
        "description",
        "kind",
        "source",
        "collected_at",
        "storage_location",
    }
    assert evidence_rows() == before


# The chain of custody --------------------------------------------------------------------------


def test_two_transfers_append_links_in_sequence_from_the_current_custodian(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)

    first = transfer(item, team.agent, "CBP forensic lab, Tucson", transferred_at=an_hour_ago())
    second = transfer(
        item,
        team.second_agent,
        "Tucson evidence room, locker 4",
        purpose="Returned after examination",
        transferred_at=timezone.now() - dt.timedelta(minutes=5),
    )

    assert (first.sequence, second.sequence) == (2, 3)
    assert chain(item) == [
        (1, "Agent Persona", "Tucson evidence room, locker 4"),
        (2, "Tucson evidence room, locker 4", "CBP forensic lab, Tucson"),
        (3, "CBP forensic lab, Tucson", "Tucson evidence room, locker 4"),
    ]
    item.refresh_from_db()
    assert item.custodian == "Tucson evidence room, locker 4"
    assert second.recorded_by == team.second_agent


def test_a_link_of_the_chain_cannot_be_edited_or_deleted_through_the_model(case: Case, team: Team) -> None:
    link = physical_item(case, team.agent).custody.get()

    link.to_custodian = "Somewhere else"
    with pytest.raises(CustodyIsAppendOnly):
        link.save()
    with pytest.raises(CustodyIsAppendOnly):
        link.delete()

    assert CustodyTransfer.objects.get(pk=link.pk).to_custodian == "Tucson evidence room, locker 4"


def test_the_database_refuses_to_update_a_link_of_the_chain(case: Case, team: Team) -> None:
    link = physical_item(case, team.agent).custody.get()

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE investigations_custodytransfer SET to_custodian = %s WHERE id = %s",
            ["Elsewhere", link.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        CustodyTransfer.objects.filter(pk=link.pk).update(condition="Broken")

    assert CustodyTransfer.objects.filter(pk=link.pk).values_list("to_custodian", "condition").get() == (
        "Tucson evidence room, locker 4",
        "Sealed in bag 1187",
    )


def test_deleting_a_link_of_the_chain_is_refused(case: Case, team: Team) -> None:
    link = physical_item(case, team.agent).custody.get()

    with pytest.raises(CustodyIsAppendOnly):
        CustodyTransfer.objects.filter(pk=link.pk).delete()
    with pytest.raises(CustodyIsAppendOnly):
        link.delete()
    if connection.vendor == "postgresql":  # SQLite's trigger refuses UPDATE only (the test flush deletes)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM investigations_custodytransfer WHERE id = %s", [link.pk])

    assert CustodyTransfer.objects.filter(pk=link.pk).exists()


def test_a_transfer_in_the_future_or_before_the_last_link_is_refused(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    transfer(item, team.agent, "Lab", transferred_at=an_hour_ago())
    before = evidence_rows()

    with pytest.raises(ValidationError, match="future"):
        transfer(item, team.agent, "Court", transferred_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="before the last link"):
        transfer(item, team.agent, "Court", transferred_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="already holds"):
        transfer(item, team.agent, "lab")
    with pytest.raises(ValidationError) as blank:
        transfer(item, team.agent, " ", purpose="", condition="x" * 301)

    assert set(blank.value.message_dict) == {"to_custodian", "purpose", "condition"}
    assert evidence_rows() == before


def test_someone_who_cannot_see_the_case_cannot_transfer_and_nothing_is_written(
    case: Case, team: Team
) -> None:
    item = physical_item(case, team.agent)
    before = evidence_rows()

    for who in (team.el_paso_agent, team.outsider, team.recused_agent):
        with pytest.raises(Http404):
            transfer(item, who, "My desk")

    assert evidence_rows() == before


# Release and destruction --------------------------------------------------------------------


def test_destruction_is_approved_by_another_supervisor_and_closes_the_chain(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    request = evidence.request_disposal(
        actor=team.supervisor,
        item=item,
        kind=DisposalKind.DESTRUCTION,
        reason="Case closed; no appeal pending",
    )
    item.refresh_from_db()
    assert item.status == EvidenceStatus.DISPOSAL_PENDING
    before = evidence_rows()

    with pytest.raises(PermissionDenied, match="another supervisor"):
        evidence.decide_disposal(actor=team.supervisor, request=request, approved=True)
    with pytest.raises(PermissionDenied, match="Only a supervisor"):
        evidence.decide_disposal(actor=team.agent, request=request, approved=True)
    assert evidence_rows() == before

    evidence.decide_disposal(actor=team.second_supervisor, request=request, approved=True, note="Witnessed")

    item.refresh_from_db()
    request.refresh_from_db()
    assert item.status == EvidenceStatus.DESTROYED
    assert (request.approved, request.decided_by) == (True, team.second_supervisor)
    last = item.custody.order_by("-sequence").first()
    assert last is not None
    assert (last.sequence, last.from_custodian, last.to_custodian) == (
        2,
        "Tucson evidence room, locker 4",
        "Destroyed",
    )
    assert CaseEvent.objects.filter(case=case, kind="note", reason__contains="E-001 destroyed").exists()
    with pytest.raises(ValidationError, match="chain of custody is closed"):
        transfer(item, team.agent, "Lab")


def test_a_release_names_who_receives_the_item(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    before = evidence_rows()
    with pytest.raises(ValidationError) as refused:
        evidence.request_disposal(
            actor=team.agent, item=item, kind=DisposalKind.RELEASE, reason="Owner's property"
        )
    assert "released_to" in refused.value.message_dict
    assert evidence_rows() == before

    request = evidence.request_disposal(
        actor=team.agent,
        item=item,
        kind=DisposalKind.RELEASE,
        reason="Owner's property",
        released_to="R. Owner",
    )
    evidence.decide_disposal(actor=team.supervisor, request=request, approved=True)

    item.refresh_from_db()
    assert (item.status, item.custodian) == (EvidenceStatus.RELEASED, "R. Owner")


def test_a_refusal_needs_a_reason_and_keeps_the_item_in_custody(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    request = evidence.request_disposal(
        actor=team.agent, item=item, kind=DisposalKind.DESTRUCTION, reason="No longer needed"
    )
    before = evidence_rows()
    with pytest.raises(ValidationError) as refused:
        evidence.decide_disposal(actor=team.supervisor, request=request, approved=False)
    assert "note" in refused.value.message_dict
    assert evidence_rows() == before

    evidence.decide_disposal(actor=team.supervisor, request=request, approved=False, note="Appeal still open")

    item.refresh_from_db()
    assert item.status == EvidenceStatus.IN_CUSTODY
    assert item.custody.count() == 1
    with pytest.raises(ValidationError, match="already been decided"):
        evidence.decide_disposal(actor=team.second_supervisor, request=request, approved=True)


def test_one_request_at_a_time(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    evidence.request_disposal(actor=team.agent, item=item, kind=DisposalKind.DESTRUCTION, reason="Done")
    before = evidence_rows()

    with pytest.raises(ValidationError, match="already awaits"):
        evidence.request_disposal(
            actor=team.second_agent, item=item, kind=DisposalKind.DESTRUCTION, reason="Done"
        )

    assert evidence_rows() == before
    assert DisposalRequest.objects.count() == 1


# Hash checks ---------------------------------------------------------------------------------


def test_an_intact_file_verifies_and_the_check_is_audited(case: Case, team: Team) -> None:
    item = digital_item(case, team.agent)

    assert evidence.verify_evidence(actor=team.supervisor, item=item) is True

    event = AuditEvent.objects.get(action="verify")
    assert (event.outcome, event.object_type, event.detail["sha256"]) == (
        "success",
        "investigations.evidenceitem",
        item.sha256,
    )


def test_an_altered_file_fails_verification_records_a_failure_and_is_not_downloaded(
    case: Case, team: Team, media: Path
) -> None:
    item = digital_item(case, team.agent)
    assert item.file is not None
    (media / item.file.storage_name).write_bytes(PDF.replace(b"Catalog", b"Catalug"))

    assert evidence.verify_evidence(actor=team.agent, item=item) is False
    response = client_for(team.agent).get(f"/investigations/cases/{case.pk}/evidence/{item.pk}/file")

    failed = AuditEvent.objects.get(action="verify")
    assert failed.outcome == "failure"
    assert "does not match" in failed.detail["reason"]
    assert response.status_code == 409
    assert b"Catalug" not in response.content
    assert AuditEvent.objects.get(action="download").outcome == "failure"


def test_the_verify_button_announces_tampering_on_the_case_page(case: Case, team: Team, media: Path) -> None:
    item = digital_item(case, team.agent)
    assert item.file is not None
    (media / item.file.storage_name).unlink()

    response = client_for(team.agent).post(
        f"/investigations/cases/{case.pk}/evidence/{item.pk}/verify", follow=True
    )

    assert response.status_code == 200
    assert "Possible tampering" in response.content.decode()
    assert AuditEvent.objects.get(action="verify").outcome == "failure"


def test_an_item_without_a_file_has_nothing_to_verify(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)

    with pytest.raises(ValidationError, match="no stored file"):
        evidence.verify_evidence(actor=team.agent, item=item)
    with pytest.raises(Http404):
        evidence.verify_evidence(actor=team.el_paso_agent, item=item)


# The custody report ------------------------------------------------------------------------


def test_the_custody_report_is_a_pdf_of_the_chain_and_its_download_is_audited(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    transfer(item, team.agent, "CBP forensic lab, Tucson")
    digital = digital_item(case, team.agent)

    pdf = evidence.custody_report(actor=team.supervisor, case=case)

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert pdf.startswith(b"%PDF")
    for words in ("E-001", "E-002", "CBP forensic lab, Tucson", "Sealed in bag 1187", digital.sha256[:16]):
        assert words in text
    event = AuditEvent.objects.get(action="download")
    assert event.detail["report"] == "custody"
    assert event.detail["items"] == ["E-001", "E-002"]
    assert event.detail["sha256"] == hashlib.sha256(pdf).hexdigest()


def test_the_custody_report_fetches_nothing_from_the_network_or_the_disk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib
    import urllib.request

    url_fetcher = importlib.import_module("weasyprint.urls").URLFetcher
    opened: list[str] = []

    def record(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(getattr(request, "full_url", str(request)))
        raise OSError("no network in tests")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", record)

    pdf = evidence.render_pdf(
        '<link rel="stylesheet" href="file:///etc/passwd"><img src="http://example.invalid/x.png">'
        '<img src="https://example.invalid/y.png"><p>Chain</p>'
    )

    assert pdf.startswith(b"%PDF")
    assert opened == []
    # The control: WeasyPrint's default fetcher would have gone out.
    with pytest.raises(OSError, match="no network"):
        url_fetcher()("http://example.invalid/x.png")
    assert opened == ["http://example.invalid/x.png"]


def test_the_custody_report_of_a_hidden_case_is_not_found(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)

    with pytest.raises(Http404):
        evidence.custody_report(actor=team.el_paso_agent, item=item)

    assert not AuditEvent.objects.filter(action="download").exists()


# Screens -------------------------------------------------------------------------------------


def test_evidence_is_added_transferred_and_shown_through_the_pages(case: Case, team: Team) -> None:
    client = client_for(team.agent)
    collected = local(timezone.now() - dt.timedelta(days=1))
    added = client.post(
        f"/investigations/cases/{case.pk}/evidence/add",
        {
            "description": "Lane 3 video",
            "kind": EvidenceKind.DIGITAL,
            "source": "Port video system",
            "collected_at": collected,
            "storage_location": "Evidence server",
            "condition": "",
            "upload": upload("lane3.png", png_bytes(b"frame")),
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    item = EvidenceItem.objects.get(case=case)

    for to in ("Forensic lab", "Evidence server"):
        moved = client.post(
            f"/investigations/cases/{case.pk}/evidence/{item.pk}/transfer",
            {
                "to_custodian": to,
                "purpose": "Frame analysis",
                "condition": "Hash checked",
                "transferred_at": local(timezone.now() - dt.timedelta(minutes=30)),
            },
        )
        assert moved.status_code == 302, moved.content.decode()[:2000]

    page = client.get(f"/investigations/cases/{case.pk}/")
    body = page.content.decode()
    assert [link[0] for link in chain(item)] == [1, 2, 3]
    assert "Forensic lab" in body
    assert item.sha256 in body
    assert "transferred to Evidence server (link 3 of its chain)" in body
    download = client.get(f"/investigations/cases/{case.pk}/evidence/{item.pk}/file")
    assert b"".join(download.streaming_content) == png_bytes(b"frame")  # type: ignore[attr-defined]
    report = client.get(f"/investigations/cases/{case.pk}/evidence/{item.pk}/custody-report")
    assert report.status_code == 200
    assert report["Content-Type"] == "application/pdf"
    assert report.content.startswith(b"%PDF")


def test_a_refused_transfer_shows_the_form_again_with_the_message_and_the_typed_values(
    case: Case, team: Team
) -> None:
    item = physical_item(case, team.agent)
    before = evidence_rows()

    response = client_for(team.agent).post(
        f"/investigations/cases/{case.pk}/evidence/{item.pk}/transfer",
        {
            "to_custodian": "US Attorney's office",
            "purpose": "Grand jury",
            "condition": "Sealed",
            "transferred_at": local(timezone.now() + dt.timedelta(days=2)),
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "cannot be in the future" in body
    assert "US Attorney&#x27;s office" in body
    assert evidence_rows() == before


def test_disposal_is_requested_and_decided_through_the_pages(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    asked = client_for(team.agent).post(
        f"/investigations/cases/{case.pk}/evidence/{item.pk}/disposal",
        {"kind": DisposalKind.DESTRUCTION, "reason": "Adjudicated", "released_to": ""},
    )
    assert asked.status_code == 302
    request = DisposalRequest.objects.get()
    decide_url = f"/investigations/cases/{case.pk}/disposals/{request.pk}/decide"
    assert decide_url in client_for(team.supervisor).get(f"/investigations/cases/{case.pk}/").content.decode()

    agent_try = client_for(team.agent).post(decide_url, {"decision": "approve", "note": ""})
    decided = client_for(team.supervisor).post(
        decide_url, {"decision": "approve", "note": "Witnessed by two"}
    )

    assert agent_try.status_code == 403
    assert decided.status_code == 302
    item.refresh_from_db()
    assert item.status == EvidenceStatus.DESTROYED


def test_the_requesting_supervisor_is_refused_on_the_decision_page(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    request = evidence.request_disposal(
        actor=team.supervisor, item=item, kind=DisposalKind.DESTRUCTION, reason="Adjudicated"
    )
    before = evidence_rows()

    response = client_for(team.supervisor).post(
        f"/investigations/cases/{case.pk}/disposals/{request.pk}/decide", {"decision": "approve", "note": ""}
    )

    assert response.status_code == 403
    assert "another supervisor" in response.content.decode()
    assert evidence_rows() == before


def test_bad_evidence_input_on_the_pages_answers_400_not_500(case: Case, team: Team) -> None:
    item = physical_item(case, team.agent)
    client = client_for(team.agent)
    before = evidence_rows()
    base = f"/investigations/cases/{case.pk}/evidence"

    responses = [
        client.post(f"{base}/add", {"kind": "ghost", "collected_at": "tomorrow-ish", "description": "\x00"}),
        client.post(
            f"{base}/add",
            {
                "kind": "digital",
                "description": "d",
                "source": "s",
                "storage_location": "l",
                "collected_at": "2026-01-01T10:00",
                "upload": upload("a.pdf", EXE),
            },
        ),
        client.post(
            f"{base}/{item.pk}/transfer", {"to_custodian": "x" * 500, "transferred_at": "2026-13-45T99:99"}
        ),
        client.post(f"{base}/{item.pk}/disposal", {"kind": "vaporise", "reason": ""}),
    ]

    assert [response.status_code for response in responses] == [400, 400, 400, 400]
    assert "Windows program" in responses[1].content.decode()
    assert evidence_rows() == before


def _evidence_paths(case: Case, team: Team) -> list[tuple[str, str]]:
    item = digital_item(case, team.agent)
    request = evidence.request_disposal(
        actor=team.agent, item=item, kind=DisposalKind.DESTRUCTION, reason="x"
    )
    base = f"/investigations/cases/{case.pk}"
    return [
        ("get", f"{base}/evidence/add"),
        ("post", f"{base}/evidence/add"),
        ("get", f"{base}/evidence/{item.pk}/file"),
        ("post", f"{base}/evidence/{item.pk}/verify"),
        ("get", f"{base}/evidence/{item.pk}/transfer"),
        ("post", f"{base}/evidence/{item.pk}/transfer"),
        ("get", f"{base}/evidence/{item.pk}/disposal"),
        ("post", f"{base}/evidence/{item.pk}/disposal"),
        ("get", f"{base}/evidence/{item.pk}/custody-report"),
        ("get", f"{base}/evidence/custody-report"),
        ("get", f"{base}/disposals/{request.pk}/decide"),
        ("post", f"{base}/disposals/{request.pk}/decide"),
    ]


@pytest.mark.parametrize("who", ["el_paso_agent", "outsider", "second_supervisor_elsewhere"])
def test_every_evidence_page_of_a_hidden_case_is_not_found_and_writes_nothing(
    case: Case, team: Team, who: str, org: Any
) -> None:
    paths = _evidence_paths(case, team)
    if who == "second_supervisor_elsewhere":
        from probity.core.services.users import create_user
        from tests.conftest import PASSWORD

        user = create_user(
            actor=None, username="sup_elp", password=PASSWORD, roles=["supervisor"], office_scope=org.el_paso
        )
    else:
        user = getattr(team, who)
    client = client_for(user)
    before = evidence_rows()

    for method, path in paths:
        data = {"decision": "approve", "to_custodian": "x", "kind": "destruction", "reason": "x"}
        response = getattr(client, method)(path, data if method == "post" else None)
        assert response.status_code == 404, path
        assert not response.content.startswith(b"%PDF")

    assert evidence_rows() == before
    assert not AuditEvent.objects.filter(action__in=["download", "verify"], outcome="success").exists()


def test_an_item_of_another_case_is_not_found_under_this_case(
    case: Case, make_case: MakeCase, team: Team
) -> None:
    other = staffed_case(make_case, team, summary="Another matter")
    item = physical_item(other, team.agent)
    before = evidence_rows()

    response = client_for(team.agent).post(
        f"/investigations/cases/{case.pk}/evidence/{item.pk}/transfer",
        {"to_custodian": "Lab", "purpose": "p", "condition": "c", "transferred_at": "2026-01-01T10:00"},
    )

    assert response.status_code == 404
    assert evidence_rows() == before
