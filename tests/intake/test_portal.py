"""The public complaint portal: six steps in Spanish or English, the receipt, the status page,
files checked on their content, and abuse resistance that never loses what a person typed."""

from __future__ import annotations

import math
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from probity.core.models import AuditEvent, AuditOutcome, FileAttachment, StoredFile
from probity.intake.models import (
    Allegation,
    AllegationStatus,
    Channel,
    DatePrecision,
    PersonRole,
    PublicFollowUp,
    PublicSubmission,
)
from probity.intake.portal import catalog
from probity.intake.services import portal
from tests.conftest import Org, Personas

# A Windows program's opening: the MZ stub pointing at a PE header.
EXE = (
    b"MZ\x90\x00\x03" + b"\x00" * 55 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00L\x01" + b"\x00" * 400
)
CODE = re.compile(r'id="tracking-code">\s*([A-Z0-9-]+)\s*<')
PASSPHRASE = re.compile(r'id="passphrase">\s*([A-Z0-9-]+)\s*<')

pytestmark = pytest.mark.django_db


def png_bytes(text: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + text)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_on_disk(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def spanish() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    return client


def step(slug: str) -> str:
    return f"/report/new/{slug}"


def text_of(response: Any) -> str:
    return str(response.content.decode())


def fill_to_review(
    client: Client, *, narrative: str = "Un agente me empujó en la fila.", **extra: Any
) -> None:
    """Walk the first five steps with ordinary answers (each may be overridden)."""
    answers = {
        "what": {"narrative": narrative, "concern": "force"},
        "when": {"day": "", "month": "3", "year": "2025", "place": "Garita de Nogales", "office": ""},
        "who": {
            "people-count": "1",
            "person-0-role": "subject",
            "person-0-name": "",
            "person-0-badge_number": "4471",
            "person-0-description": "Agente alto con gafas",
        },
        "you": {"identity": "anonymous", "contact_preference": "none"},
    }
    for slug, data in answers.items():
        response = client.post(step(slug), {**data, **extra.get(slug, {}), "action": "next"})
        assert response.status_code == 302, (slug, text_of(response)[:2000])
    files = extra.get("files", [])
    response = client.post(step("files"), {"attachments": files, "action": "next"})
    assert response.status_code == 302, text_of(response)[:2000]


def send(client: Client, **data: str) -> Any:
    return client.post(step("review"), {"leave_empty": "", **data, "action": "next"}, follow=True)


def same_page(page: str, typed_code: str) -> str:
    """The page without what legitimately differs: the code typed in, and the masked CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(typed_code, "CODE")


def receipt_codes(response: Any) -> tuple[str, str]:
    page = text_of(response)
    code, passphrase = CODE.search(page), PASSPHRASE.search(page)
    assert code and passphrase, page[:3000]
    return code.group(1), passphrase.group(1)


# The whole flow ------------------------------------------------------------------------------


def test_a_complaint_filed_in_spanish_is_stored_once_with_channel_web_and_its_attachment(
    media: Path, spanish: Client, org: Org
) -> None:
    start = spanish.get("/report/")
    assert "Denunciar la mala conducta de un empleado" in text_of(start)
    first = spanish.get(step("what"))
    assert "¿Qué pasó?" in text_of(first) and "Paso" in text_of(first)

    image = png_bytes(b"foto")
    fill_to_review(
        spanish, files=[upload("foto.png", image, "image/png")], when={"office": str(org.nogales_port.pk)}
    )
    review = spanish.get(step("review"))
    assert "Revisar y enviar" in text_of(review)
    assert "foto.png" in text_of(review) and "Nogales Port of Entry" in text_of(review)
    assert "marzo de 2025" in text_of(review)

    receipt = send(spanish)

    assert receipt.status_code == 200
    assert "Recibimos su denuncia" in text_of(receipt)
    code, passphrase = receipt_codes(receipt)
    allegation = Allegation.objects.get()
    assert allegation.channel == Channel.WEB
    assert allegation.language == "es"
    assert allegation.narrative == "Un agente me empujó en la fila."
    assert allegation.incident_date is not None and allegation.incident_date.isoformat() == "2025-03-01"
    assert allegation.incident_date_precision == DatePrecision.MONTH
    assert allegation.incident_place == "Garita de Nogales"
    assert allegation.office == org.nogales_port
    assert (
        allegation.summary == "Complaint from the public web portal; concern: Use of force or physical abuse"
    )
    subject = allegation.people.get(role=PersonRole.SUBJECT)
    assert (subject.badge_number, subject.description) == ("4471", "Agente alto con gafas")
    complainant = allegation.people.get(role=PersonRole.COMPLAINANT)
    assert complainant.anonymous and complainant.name == "" and complainant.contact == ""
    attachment = FileAttachment.objects.get(object_id=allegation.pk)
    assert attachment.filename == "foto.png"
    assert attachment.file.content_type == "image/png"
    submission = PublicSubmission.objects.get()
    assert submission.allegation == allegation and submission.tracking_code == code
    assert submission.passphrase_hash == portal.hash_passphrase(passphrase)
    assert submission.passphrase_hash.startswith("sha256$") and passphrase not in submission.passphrase_hash
    assert not submission.via_api
    assert allegation.number not in text_of(receipt)


def test_the_receipt_is_shown_once_and_the_draft_is_gone_after_sending(media: Path, spanish: Client) -> None:
    fill_to_review(spanish)
    receipt = send(spanish)
    _code, passphrase = receipt_codes(receipt)

    again = spanish.get("/report/receipt", follow=True)  # still there until the person moves on
    assert passphrase in text_of(again)
    spanish.get("/report/")
    gone = spanish.get("/report/receipt", follow=True)
    assert passphrase not in text_of(gone)
    resent = spanish.post(step("review"), {"action": "next"}, follow=True)
    assert Allegation.objects.count() == 1
    assert "No hay ninguna denuncia en curso" in text_of(resent)


def test_a_named_complainant_is_stored_with_their_contact_details(media: Path, spanish: Client) -> None:
    you = {
        "identity": "named",
        "name": "María López",
        "email": "maria@example.com",
        "phone": "",
        "contact_preference": "email",
    }
    fill_to_review(spanish, you=you)
    send(spanish)

    complainant = Allegation.objects.get().people.get(role=PersonRole.COMPLAINANT)
    assert not complainant.anonymous
    assert complainant.name == "María López"
    assert complainant.contact == "Email: maria@example.com"
    assert complainant.contact_preference == "email"


def test_back_keeps_what_was_typed_on_both_steps(spanish: Client) -> None:
    spanish.post(step("what"), {"narrative": "Primera versión de los hechos", "action": "next"})
    response = spanish.post(step("when"), {"place": "Puente internacional", "year": "20x", "action": "back"})

    assert response.status_code == 302 and response["Location"] == step("what")
    assert "Primera versión de los hechos" in text_of(spanish.get(step("what")))
    assert 'value="Puente internacional"' in text_of(spanish.get(step("when")))


def test_add_another_person_re_renders_the_step_with_one_more_row_keeping_the_first(spanish: Client) -> None:
    response = spanish.post(
        step("who"),
        {
            "people-count": "1",
            "person-0-role": "subject",
            "person-0-name": "Agente Ruiz",
            "action": "add",
        },
    )

    assert response.status_code == 200
    page = text_of(response)
    assert 'value="Agente Ruiz"' in page
    assert 'name="person-1-name"' in page and 'name="person-2-name"' not in page
    assert 'name="people-count" value="2"' in page


def test_the_office_list_offers_only_ports_stations_and_field_offices(spanish: Client, org: Org) -> None:
    page = text_of(spanish.get(step("when")))

    assert "Nogales Port of Entry" in page and "OPR Tucson" in page
    assert "Office of Professional Responsibility</option>" not in page
    assert "U.S. Customs and Border Protection" not in page


def test_a_date_in_the_future_is_refused_with_the_answers_kept(spanish: Client) -> None:
    response = spanish.post(
        step("when"), {"day": "1", "month": "1", "year": "2999", "place": "Aduana", "action": "next"}
    )

    assert response.status_code == 200
    assert "La fecha no puede ser futura." in text_of(response)
    assert 'value="Aduana"' in text_of(response) and 'value="2999"' in text_of(response)


# Receipts and the status page ----------------------------------------------------------------


def test_the_receipt_codes_open_the_status_page_which_shows_only_a_coarse_status(
    media: Path, spanish: Client
) -> None:
    fill_to_review(spanish, narrative="Texto privado de la denuncia")
    code, passphrase = receipt_codes(send(spanish))
    allegation = Allegation.objects.get()
    Allegation.objects.filter(pk=allegation.pk).update(status=AllegationStatus.OIG_PENDING)

    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    typed = {"tracking_code": code.lower().replace("-", " "), "passphrase": passphrase.lower()}
    response = visitor.post("/report/status", typed, follow=True)

    page = text_of(response)
    assert response.redirect_chain[-1][0] == "/report/status/report"
    assert "En revisión" in page and code in page
    for secret in (allegation.number, "Texto privado", "4471", "OIG", "triage"):
        assert secret not in page


def test_a_follow_up_with_a_file_is_added_to_the_complaint(media: Path, spanish: Client) -> None:
    fill_to_review(spanish)
    code, passphrase = receipt_codes(send(spanish))
    spanish.post("/report/status", {"tracking_code": code, "passphrase": passphrase})

    response = spanish.post(
        "/report/status/report",
        {"text": "Recordé la matrícula del vehículo.", "attachments": [upload("nota.pdf", png_bytes(b"x"))]},
        follow=True,
    )

    assert "Hemos recibido lo que añadió" in text_of(response)
    follow_up = PublicFollowUp.objects.get()
    assert follow_up.text == "Recordé la matrícula del vehículo."
    attachment = FileAttachment.objects.get()
    assert attachment.object_id == Allegation.objects.get().pk
    assert attachment.description == portal.FOLLOW_UP_FILE_NOTE


def count_hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record each hash check the status page makes, as (kind of check, kind of hash checked)."""
    checks: list[tuple[str, str]] = []
    for name in ("_sha256_matches", "_argon2_matches"):
        real = getattr(portal, name)

        def counting(passphrase: str, encoded: str, real: Any = real, name: str = name) -> bool:
            checks.append((name, encoded.split("$", maxsplit=1)[0]))
            return bool(real(passphrase, encoded))

        monkeypatch.setattr(portal, name, counting)
    return checks


def test_a_wrong_passphrase_gets_the_same_answer_and_the_same_work_as_an_unknown_code(
    media: Path, spanish: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_to_review(spanish)
    code, _passphrase = receipt_codes(send(spanish))
    unknown = "ZZZZ-ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ-ZZZZ" else "YYYY-YYYY-YYYY"
    checks = count_hash_checks(monkeypatch)

    wrong = Client().post("/report/status", {"tracking_code": code, "passphrase": "WRONG-WRONG-WRONG"})
    missing = Client().post("/report/status", {"tracking_code": unknown, "passphrase": "WRONG-WRONG-WRONG"})

    assert wrong.status_code == missing.status_code == 200
    assert same_page(text_of(wrong), code) == same_page(text_of(missing), unknown)
    assert "We could not open a report with this tracking code and passphrase" in text_of(wrong)
    # The same checks each time (one SHA-256, one Argon2 on a decoy): same path, same timing.
    assert checks == [("_sha256_matches", "sha256"), ("_argon2_matches", "argon2")] * 2
    denied = AuditEvent.objects.filter(object_type="intake.publicsubmission", outcome=AuditOutcome.DENIED)
    assert denied.count() == 2
    assert "portal_status_submission" not in Client().session


def test_a_receipt_stored_with_an_argon2_hash_still_opens_with_the_same_work(
    media: Path, spanish: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_to_review(spanish)
    code, passphrase = receipt_codes(send(spanish))
    hasher = portal.LegacyPassphraseHasher()
    legacy = hasher.encode(portal.normalise_code(passphrase), hasher.salt())
    PublicSubmission.objects.filter(tracking_code=code).update(passphrase_hash=legacy)
    checks = count_hash_checks(monkeypatch)

    wrong = portal.find_submission(tracking_code=code, passphrase="WRONG-WRONG-WRONG")
    opened = portal.find_submission(tracking_code=code.lower(), passphrase=passphrase.replace("-", " "))

    assert wrong is None
    assert opened is not None and opened.tracking_code == code
    # A decoy SHA-256 and the row's own Argon2: the work of any other check.
    assert checks == [("_sha256_matches", "sha256"), ("_argon2_matches", "argon2")] * 2


def test_the_passphrase_carries_more_than_ninety_random_bits() -> None:
    alphabet = set(portal.CODE_ALPHABET)
    bits = portal.PASSPHRASE_LENGTH * math.log2(len(alphabet))
    passphrases = {portal.hash_passphrase(portal._random_code(portal.PASSPHRASE_LENGTH)) for _ in range(200)}

    assert len(alphabet) == len(portal.CODE_ALPHABET) and bits > 90
    assert len(passphrases) == 200


def test_status_attempts_are_rate_limited_per_address(settings: Any) -> None:
    settings.PROBITY_PORTAL_STATUS_CHECKS_PER_HOUR = 2
    client = Client()
    for _ in range(2):
        assert client.post("/report/status", {"tracking_code": "AAAA", "passphrase": "B"}).status_code == 200

    blocked = client.post("/report/status", {"tracking_code": "AAAA-BBBB", "passphrase": "B"})

    assert blocked.status_code == 429
    assert "Too many attempts have been made from your connection" in text_of(blocked)
    assert 'value="AAAA-BBBB"' in text_of(blocked)
    assert int(blocked["Retry-After"]) > 0


# Files ---------------------------------------------------------------------------------------


def test_a_png_named_pdf_is_accepted_as_an_image(media: Path, spanish: Client) -> None:
    response = spanish.post(
        step("files"), {"attachments": [upload("informe.pdf", png_bytes())], "action": "upload"}
    )

    assert response.status_code == 200
    assert "informe.pdf" in text_of(response)
    staged = spanish.session["portal_draft"]["files"]
    assert [(f["filename"], f["content_type"]) for f in staged] == [("informe.pdf", "image/png")]


def test_a_windows_program_named_jpg_is_refused_and_nothing_is_written(media: Path, spanish: Client) -> None:
    events = AuditEvent.objects.count()
    response = spanish.post(
        step("files"), {"attachments": [upload("foto.jpg", EXE, "image/jpeg")], "action": "next"}
    )

    assert response.status_code == 400
    assert "«foto.jpg» no es un tipo de archivo que aceptemos" in text_of(response)
    assert files_on_disk(media) == []
    assert not StoredFile.objects.exists() and not FileAttachment.objects.exists()
    assert spanish.session["portal_draft"]["files"] == []
    assert AuditEvent.objects.count() == events


def test_more_than_ten_files_are_refused_and_none_is_kept(media: Path, spanish: Client) -> None:
    eleven = [upload(f"foto-{n}.png", png_bytes(str(n).encode())) for n in range(11)]
    response = spanish.post(step("files"), {"attachments": eleven, "action": "next"})

    assert response.status_code == 400
    assert "Puede adjuntar como máximo 10 archivos" in text_of(response)
    assert files_on_disk(media) == []
    assert spanish.session["portal_draft"]["files"] == []


def test_a_file_over_the_size_limit_is_refused_in_plain_words(
    media: Path, spanish: Client, settings: Any
) -> None:
    settings.PROBITY_UPLOAD_MAX_BYTES = 100
    response = spanish.post(step("files"), {"attachments": [upload("grande.png", png_bytes(b"x" * 500))]})

    assert response.status_code == 400
    assert "«grande.png» supera el límite de 100" in text_of(response)
    assert files_on_disk(media) == []


# Abuse resistance ----------------------------------------------------------------------------


def test_an_oversized_narrative_is_refused_with_the_typed_text_kept(spanish: Client) -> None:
    typed = "Empieza aquí. " + "a" * portal.NARRATIVE_MAX

    response = spanish.post(step("what"), {"narrative": typed, "action": "next"})

    assert response.status_code == 200
    assert "Debe tener como máximo 50,000 caracteres" in text_of(response)
    assert typed in text_of(response)
    assert not Allegation.objects.exists()


def test_a_script_in_the_narrative_is_shown_escaped_on_the_review_page(media: Path, spanish: Client) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    fill_to_review(spanish, narrative=attack)

    page = text_of(spanish.get(step("review")))

    assert attack not in page
    assert escape(attack) in page


def test_a_filled_honeypot_answers_like_a_receipt_but_stores_nothing_and_is_audited(
    media: Path, spanish: Client
) -> None:
    fill_to_review(spanish)

    response = send(spanish, leave_empty="http://spam.example")

    assert response.status_code == 200
    assert "Recibimos su denuncia" in text_of(response)
    code, passphrase = receipt_codes(response)
    assert not Allegation.objects.exists() and not PublicSubmission.objects.exists()
    refusal = AuditEvent.objects.get(object_type="intake.publicsubmission", outcome=AuditOutcome.DENIED)
    assert refusal.detail == {"reason": "honeypot field filled", "via_api": False}
    assert portal.find_submission(tracking_code=code, passphrase=passphrase) is None


def test_the_honeypot_is_hidden_from_sight_and_from_the_tab_order(media: Path, spanish: Client) -> None:
    fill_to_review(spanish)
    page = text_of(spanish.get(step("review")))

    field = re.search(
        r'<div class="usa-sr-only" aria-hidden="true">\s*'
        r'<label for="id_leave_empty">([^<]+)</label>\s*<input[^>]+>',
        page,
    )
    assert field is not None
    assert field.group(1) == "Deje este campo en blanco"
    assert 'tabindex="-1"' in field.group(0) and 'autocomplete="off"' in field.group(0)


def test_too_many_submissions_from_one_address_get_429_and_keep_the_answers(
    media: Path, spanish: Client, settings: Any
) -> None:
    settings.PROBITY_PORTAL_SUBMISSIONS_PER_HOUR = 1
    fill_to_review(spanish)
    send(spanish)
    fill_to_review(spanish, narrative="Segunda denuncia, que debe esperar")

    blocked = spanish.post(step("review"), {"leave_empty": "", "action": "next"})

    assert blocked.status_code == 429
    assert "Se han enviado demasiadas denuncias desde su conexión" in text_of(blocked)
    assert "Segunda denuncia, que debe esperar" in text_of(blocked)
    assert Allegation.objects.count() == 1
    assert spanish.session["portal_draft"]["what"]["narrative"] == "Segunda denuncia, que debe esperar"


def test_the_portal_checks_csrf(spanish: Client) -> None:
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(step("what"), {"narrative": "Sin token", "action": "next"})

    assert response.status_code == 403
    assert "portal_draft" not in strict.session


# Pages ---------------------------------------------------------------------------------------


def test_the_language_switch_remembers_spanish_in_a_cookie() -> None:
    client = Client()
    assert "Report misconduct by an employee" in text_of(client.get("/report/"))

    response = client.post("/report/language", {"language": "es", "next": "/report/status"})

    assert response.status_code == 302 and response["Location"] == "/report/status"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Consultar una denuncia enviada" in text_of(client.get("/report/status"))
    assert 'lang="en">English</button>' in text_of(client.get("/report/"))


@pytest.mark.parametrize(
    "url", ["/report/", *(step(s) for s in ("what", "when", "who", "you", "files")), "/report/status"]
)
def test_portal_pages_show_no_staff_navigation_and_load_no_third_party_script(
    url: str, personas: Personas
) -> None:
    client = Client()
    client.force_login(personas.intake)

    page = text_of(client.get(url))

    assert "Sign out" not in page and "Dashboard" not in page and "usa-nav" not in page
    assert 'name="language"' in page
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts and all(src.startswith("/static/") for src in scripts)
    assert re.search(r"<script(?![^>]*src=)", page) is None  # no inline script (CSP)


def test_the_spanish_catalogue_is_complete_and_its_compiled_file_is_up_to_date() -> None:
    assert catalog.untranslated() == []
    assert catalog.is_up_to_date(), "run: python -m probity.intake.portal.catalog compile"


def test_the_file_input_is_named_by_its_own_label_not_by_the_upload_widgets_instructions(
    spanish: Client,
) -> None:
    for slug, data in (
        ("what", {"narrative": "Un agente me empujó.", "concern": "force"}),
        ("when", {"day": "", "month": "3", "year": "2025", "place": "", "office": ""}),
        ("who", {"people-count": "1", "person-0-role": "subject", "person-0-description": "Alto"}),
        ("you", {"identity": "anonymous", "contact_preference": "none"}),
    ):
        spanish.post(step(slug), {**data, "action": "next"})

    page = text_of(spanish.get(step("files")))

    file_input = re.search(r"<input[^>]*type=\"file\"[^>]*>", page)
    assert file_input is not None, page[:2000]
    assert 'aria-labelledby="id_attachments_label"' in file_input.group(0)
    label = re.search(r'<label[^>]*id="id_attachments_label"[^>]*>([^<]*)</label>', page)
    assert label is not None and "Elija los archivos" in label.group(1)
