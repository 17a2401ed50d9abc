"""The content-addressed file store: type from content, size limit, dedup, verified downloads."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from probity.core.models import AuditEvent, FileAttachment, StoredFile
from probity.core.services.files import attach_file, store_file
from tests.conftest import Org, Personas
from tests.policyapp.models import Dossier


def png_bytes(extra: bytes = b"") -> bytes:
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


# A Windows program's opening: the MZ stub pointing at a PE header.
EXE = (
    b"MZ\x90\x00\x03" + b"\x00" * 55 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 400
)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def media(tmp_path: Path, settings: object) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root  # type: ignore[attr-defined]
    return root


@pytest.fixture
def dossier(org: Org) -> Dossier:
    return Dossier.objects.create(title="Tucson dossier", office=org.tucson)


def files_on_disk(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def attach(personas: Personas, record: Dossier, name: str, content: bytes) -> FileAttachment:
    return attach_file(actor=personas.agent, record=record, upload=upload(name, content), filename=name)


def body_of(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


# Storing -----------------------------------------------------------------------------------


def test_a_png_named_pdf_is_stored_as_a_png(media: Path, personas: Personas, dossier: Dossier) -> None:
    content = png_bytes()
    attachment = attach(personas, dossier, "scan.pdf", content)

    stored = attachment.file
    sha = hashlib.sha256(content).hexdigest()
    assert stored.content_type == "image/png"
    assert stored.sha256 == sha
    assert stored.size == len(content)
    assert stored.storage_name == f"{sha[:2]}/{sha[2:4]}/{sha}"
    assert (media / sha[:2] / sha[2:4] / sha).read_bytes() == content
    assert attachment.filename == "scan.pdf"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
        (b"name,office\nalice,tucson\nbob,el paso\n", "text/csv"),
        (b"Interview notes. The witness had nothing to add.\n", "text/plain"),
        (docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_types_are_detected_from_their_content(
    media: Path, personas: Personas, content: bytes, expected: str
) -> None:
    stored = store_file(
        actor=personas.agent, upload=upload("upload.bin", content, "application/octet-stream")
    )
    assert stored.content_type == expected


def test_a_windows_program_renamed_pdf_is_refused_and_nothing_is_written(
    media: Path, personas: Personas, dossier: Dossier
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        attach(personas, dossier, "statement.pdf", EXE)

    message = refused.value.messages[0]
    assert message.startswith(
        "This file is a Windows program, which is not accepted. Accepted: PDF, images (JPEG"
    )
    assert "Word document (DOCX)" in message
    assert not StoredFile.objects.exists()
    assert not FileAttachment.objects.exists()
    assert files_on_disk(media) == []
    assert AuditEvent.objects.count() == events


def test_an_unknown_type_is_refused_with_its_type_named(media: Path, personas: Personas) -> None:
    # libmagic reads these bytes as some image format no one uploads (which one varies by version).
    with pytest.raises(
        ValidationError, match=r"This file's type \([a-z0-9./+-]+\) is not accepted\. Accepted: PDF"
    ):
        store_file(actor=personas.agent, upload=upload("blob.pdf", bytes(range(256)) * 40))
    assert not StoredFile.objects.exists()


def test_a_zip_archive_is_refused_in_plain_words(media: Path, personas: Personas) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(ValidationError, match="This file is a ZIP archive, which is not accepted"):
        store_file(actor=personas.agent, upload=upload("notes.pdf", buffer.getvalue()))
    assert not StoredFile.objects.exists()


def test_an_empty_file_is_refused(media: Path, personas: Personas) -> None:
    with pytest.raises(ValidationError, match="empty"):
        store_file(actor=personas.agent, upload=upload("empty.pdf", b""))
    assert not StoredFile.objects.exists()


def test_an_oversized_file_is_refused_and_nothing_is_written(
    media: Path, personas: Personas, dossier: Dossier, settings: object
) -> None:
    settings.PROBITY_UPLOAD_MAX_BYTES = 1000  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="larger than the 1000"):
        attach(personas, dossier, "big.txt", b"a line of text\n" * 100)
    assert not StoredFile.objects.exists()
    assert not FileAttachment.objects.exists()
    assert files_on_disk(media) == []


class EndlessUpload:
    """An upload that never ends and does not declare its size: only a streaming check stops it."""

    name = "endless.txt"

    def __init__(self) -> None:
        self.chunks_read = 0

    def chunks(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        while True:
            self.chunks_read += 1
            yield b"x" * chunk_size


def test_the_size_limit_is_applied_while_streaming(media: Path, personas: Personas, settings: object) -> None:
    settings.PROBITY_UPLOAD_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    endless = EndlessUpload()
    with pytest.raises(ValidationError, match="larger than"):
        store_file(actor=personas.agent, upload=endless)
    assert endless.chunks_read == 17  # 16 chunks of 64 KB fill the limit; the 17th passes it
    assert files_on_disk(media) == []


def test_the_same_content_is_stored_once(media: Path, personas: Personas, org: Org, dossier: Dossier) -> None:
    other = Dossier.objects.create(title="Nogales dossier", office=org.nogales_port)
    content = png_bytes(b"same")
    first = attach(personas, dossier, "photo.png", content)
    second = attach(personas, other, "copy of photo.png", content)

    assert first.file_id == second.file_id
    assert StoredFile.objects.count() == 1
    assert FileAttachment.objects.count() == 2
    assert len(files_on_disk(media)) == 1
    stored_events = AuditEvent.objects.filter(object_type="core.storedfile", action="create")
    assert stored_events.count() == 1
    attached = AuditEvent.objects.filter(object_type="core.fileattachment", action="create").order_by("seq")
    assert [event.changes["filename"][1] for event in attached] == ["photo.png", "copy of photo.png"]


def test_storing_the_same_content_again_repairs_a_damaged_blob(media: Path, personas: Personas) -> None:
    content = png_bytes(b"evidence")
    stored = store_file(actor=personas.agent, upload=upload("a.png", content))
    blob = media / stored.storage_name
    blob.write_bytes(b"tampered")

    again = store_file(actor=personas.agent, upload=upload("b.png", content))
    assert again.pk == stored.pk
    assert blob.read_bytes() == content
    assert len(files_on_disk(media)) == 1


def test_a_file_name_keeps_no_folders(media: Path, personas: Personas, dossier: Dossier) -> None:
    attachment = attach_file(
        actor=personas.agent,
        record=dossier,
        upload=upload("x", png_bytes()),
        filename="..\\..\\evil/../photo.png",
    )
    assert attachment.filename == "photo.png"


def test_attaching_to_a_record_the_user_cannot_see_is_not_found_and_writes_nothing(
    media: Path, personas: Personas, org: Org
) -> None:
    el_paso = Dossier.objects.create(title="El Paso dossier", office=org.el_paso)
    events = AuditEvent.objects.count()
    with pytest.raises(Http404):
        attach(personas, el_paso, "photo.png", png_bytes())
    assert not StoredFile.objects.exists()
    assert not FileAttachment.objects.exists()
    assert files_on_disk(media) == []
    assert AuditEvent.objects.count() == events


# Downloading -------------------------------------------------------------------------------


def test_download_verifies_the_hash_and_sends_the_file_as_an_attachment(
    media: Path, client: Client, personas: Personas, dossier: Dossier
) -> None:
    content = png_bytes(b"download me")
    attachment = attach(personas, dossier, "scene photo.pdf", content)
    client.force_login(personas.agent)

    response = client.get(f"/files/{attachment.pk}/download")

    assert response.status_code == 200
    assert body_of(response) == content
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="scene photo.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(content))
    event = AuditEvent.objects.filter(action="download").get()
    assert event.outcome == "success"
    assert event.actor_id == personas.agent.pk
    assert event.object_type == "core.fileattachment"
    assert event.object_id == str(attachment.pk)
    assert event.detail["sha256"] == attachment.file.sha256


def test_a_tampered_file_is_not_sent_and_the_failure_is_audited(
    media: Path, client: Client, personas: Personas, dossier: Dossier
) -> None:
    content = png_bytes(b"original")
    attachment = attach(personas, dossier, "photo.png", content)
    (media / attachment.file.storage_name).write_bytes(png_bytes(b"altered"))
    client.force_login(personas.agent)

    response = client.get(f"/files/{attachment.pk}/download")

    assert response.status_code == 409
    assert b"failed its integrity check" in response.content
    assert b"altered" not in response.content
    event = AuditEvent.objects.filter(action="download").get()
    assert event.outcome == "failure"
    assert "does not match" in event.detail["reason"]


def test_a_missing_file_is_an_integrity_failure_not_a_server_error(
    media: Path, client: Client, personas: Personas, dossier: Dossier
) -> None:
    attachment = attach(personas, dossier, "photo.png", png_bytes())
    (media / attachment.file.storage_name).unlink()
    client.force_login(personas.agent)

    response = client.get(f"/files/{attachment.pk}/download")

    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="download").get().outcome == "failure"


def test_a_user_who_cannot_see_the_record_gets_404_and_no_file(
    media: Path, client: Client, personas: Personas, dossier: Dossier
) -> None:
    content = png_bytes(b"private")
    attachment = attach(personas, dossier, "photo.png", content)
    client.force_login(personas.outsider)

    response = client.get(f"/files/{attachment.pk}/download")

    assert response.status_code == 404
    assert b"private" not in response.content
    assert b"photo.png" not in response.content
    assert not AuditEvent.objects.filter(action="download", outcome="success").exists()
    denied = AuditEvent.objects.filter(action="download").get()
    assert denied.outcome == "denied"
    assert denied.actor_id == personas.outsider.pk


def test_a_recused_agent_cannot_download_from_a_record_that_names_them(
    media: Path, client: Client, personas: Personas, dossier: Dossier
) -> None:
    from tests.policyapp.models import DossierPerson

    DossierPerson.objects.create(dossier=dossier, employee=personas.recused_employee, relation="subject")
    attachment = attach(personas, dossier, "photo.png", png_bytes())
    client.force_login(personas.recused_agent)

    assert client.get(f"/files/{attachment.pk}/download").status_code == 404
    assert not AuditEvent.objects.filter(action="download", outcome="success").exists()


def test_an_unknown_attachment_is_not_found(media: Path, client: Client, personas: Personas) -> None:
    client.force_login(personas.agent)
    assert client.get("/files/999999/download").status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_signed_out_visitors_are_sent_to_sign_in(
    media: Path, client: Client, personas: Personas, dossier: Dossier
) -> None:
    attachment = attach(personas, dossier, "photo.png", png_bytes())
    response = client.get(f"/files/{attachment.pk}/download")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action="download").exists()
