"""Helpers for the work, evidence and work-API tests: a staffed case, file contents of known
types, and uploads (which may lie about their type in their name)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import wave
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from probity.core.models import AuditEvent, FileAttachment, StoredFile
from probity.investigations.models import (
    Activity,
    Case,
    CustodyTransfer,
    DisposalRequest,
    EvidenceItem,
    EvidenceKind,
    Interview,
    PlanStep,
)
from probity.investigations.services import cases, evidence
from tests.investigations.conftest import MakeCase, Team

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TEXT = b"Q: Where were you on the night of the seizure?\nA: At the port.\n"


# A Windows program's opening: the MZ stub pointing at a PE header.
EXE = (
    b"MZ\x90\x00\x03" + b"\x00" * 55 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 400
)


def png_bytes(extra: bytes = b"") -> bytes:
    """A one-pixel PNG; `extra` goes in a text chunk, so each variant has its own hash."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + extra)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x01" * 4000)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def staffed_case(make_case: MakeCase, team: Team, **kwargs: Any) -> Case:
    """A Tucson case led by `team.agent`, with `team.second_agent` on the team."""
    case = make_case(**kwargs)
    cases.assign_lead(actor=team.supervisor, case=case, agent=team.agent)
    cases.add_team_member(actor=team.supervisor, case=case, agent=team.second_agent)
    case.refresh_from_db()
    return case


def an_hour_ago() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)


def digital_item(
    case: Case, actor: Any, content: bytes = PDF, name: str = "seizure-report.pdf"
) -> EvidenceItem:
    return evidence.add_evidence(
        actor=actor,
        case=case,
        description="Seizure report as filed",
        kind=EvidenceKind.DIGITAL,
        source="Nogales port records office",
        collected_at=timezone.now() - dt.timedelta(days=2),
        storage_location="Tucson evidence server",
        upload=upload(name, content),
    )


def physical_item(case: Case, actor: Any) -> EvidenceItem:
    return evidence.add_evidence(
        actor=actor,
        case=case,
        description="Seized bag with a broken seal",
        kind=EvidenceKind.PHYSICAL,
        source="Nogales port seizure room",
        collected_at=timezone.now() - dt.timedelta(days=2),
        storage_location="Tucson evidence room, locker 4",
        condition="Sealed in bag 1187",
    )


def work_rows() -> tuple[int, ...]:
    """Everything a refused work request must leave as it was."""
    return (
        PlanStep.objects.count(),
        PlanStep.objects.filter(done_at__isnull=False).count(),
        Activity.objects.count(),
        Interview.objects.count(),
        FileAttachment.objects.count(),
        StoredFile.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "download", "verify", "login"])
        .exclude(object_type="core.apitoken")
        .count(),
    )


def evidence_rows() -> tuple[Any, ...]:
    """Everything a refused evidence request must leave as it was."""
    return (
        EvidenceItem.objects.count(),
        tuple(EvidenceItem.objects.order_by("pk").values_list("status", "custodian")),
        CustodyTransfer.objects.count(),
        DisposalRequest.objects.count(),
        DisposalRequest.objects.filter(decided_at__isnull=False).count(),
        StoredFile.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "download", "verify", "login"])
        .exclude(object_type="core.apitoken")
        .count(),
    )
