"""In real Chromium: an anonymous complaint in Spanish reaches the Joint Intake Center and is worked.

A member of the public files in Spanish with a photo, keeps the receipt and checks it; then the
intake specialist finds the complaint in the queue, links it to an earlier report of the same
incident, triages it, refers it to OIG, records OIG's answer and routes it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from probity.intake.models import Allegation, AllegationStatus, Channel, PersonRole
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from tests.conftest import PASSWORD, Org, Personas
from tests.core.test_files import png_bytes

pytestmark = pytest.mark.e2e

NARRATIVE = (
    "El oficial con placa 4471 me empujó contra la pared en la garita peatonal de Nogales y "
    "tiró mis documentos al suelo cuando le pregunté por qué revisaba mi bolso."
)


def file_complaint_in_spanish(page: Any, base: str, org: Org, incident: dt.date, photo: Path) -> None:
    page.goto(f"{base}/report/")
    page.get_by_role("button", name="Español").click()
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("link", name="Empezar su denuncia").click()
    page.get_by_label("¿Qué pasó?").fill(NARRATIVE)
    page.get_by_role("button", name="Guardar y continuar").first.click()
    page.get_by_label("Día").fill(str(incident.day))
    page.get_by_label("Mes").select_option(str(incident.month))
    page.get_by_label("Año").fill(str(incident.year))
    page.get_by_label("¿Dónde pasó? (opcional)").fill("Garita peatonal de Nogales")
    page.get_by_label(re.compile("Oficina, puerto")).select_option(value=str(org.nogales_port.pk))
    page.get_by_role("button", name="Guardar y continuar").first.click()
    page.get_by_label(re.compile("Número de placa|placa", re.IGNORECASE)).first.fill("4471")
    page.get_by_role("button", name="Guardar y continuar").first.click()
    page.get_by_text("No, quiero permanecer en el anonimato").click()  # USWDS styles the label
    page.get_by_role("button", name="Guardar y continuar").first.click()
    assert page.get_by_text("Elija los archivos que quiere adjuntar (opcional)").is_visible()
    page.get_by_label("Elija los archivos que quiere adjuntar (opcional)").set_input_files(str(photo))
    page.get_by_role("button", name="Adjuntar los archivos elegidos").click()
    page.get_by_role("button", name="Guardar y continuar").first.click()
    assert page.get_by_text("foto.png").first.is_visible()
    page.get_by_role("button", name="Enviar mi denuncia").first.click()


def keep_and_check_receipt(page: Any, base: str) -> Allegation:
    receipt = page.locator("main").inner_text()
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    assert code is not None, receipt
    passphrase = page.locator("#passphrase").inner_text().strip()
    complaint = Allegation.objects.get(public_submission__tracking_code=code.group(0))
    assert complaint.channel == Channel.WEB
    assert complaint.language == "es"

    page.goto(f"{base}/report/status")
    page.get_by_label("Código de seguimiento").fill(code.group(0))
    page.get_by_label("Clave secreta").fill(passphrase)
    page.get_by_role("button", name="Consultar el estado").click()
    assert page.get_by_text("Recibida").first.is_visible()
    assert complaint.number not in page.content()
    return complaint


def work_the_complaint_as_intake(page: Any, base: str, complaint: Allegation, earlier: Allegation) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name").fill("intake")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/intake/?channel=web")
    page.get_by_role("link", name=complaint.number).click()
    assert page.get_by_text("foto.png").is_visible()

    with page.expect_response(lambda response: response.url.endswith("/link")):
        page.get_by_role("button", name=f"Link {earlier.number} as the same incident").click()
    complaint.refresh_from_db()
    earlier.refresh_from_db()
    assert complaint.group_id is not None and complaint.group_id == earlier.group_id

    page.goto(f"{base}/intake/allegations/{complaint.pk}/")
    page.get_by_label("Seriousness").select_option("serious_administrative")
    page.get_by_role("button", name="Record seriousness").click()
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_text("Declined by OIG", exact=True).click()
    page.get_by_label("OIG reference").fill("OIG-26-0457")
    page.get_by_role("button", name="Record the answer").click()
    page.get_by_label("Route to").select_option("investigation_administrative")
    page.get_by_label("Rationale").fill("OIG declined; force allegation with a described officer at a port.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the routing decision").click()

    for allegation in (complaint, earlier):  # linked allegations move together
        allegation.refresh_from_db()
        assert allegation.status == AllegationStatus.ROUTED
        assert allegation.routing_outcome == "investigation_administrative"
    assert page.get_by_text("Routed").first.is_visible()


def test_spanish_anonymous_complaint_is_received_linked_referred_and_routed(  # noqa: PLR0917
    browser_page: Any,
    live_server: Any,
    personas: Personas,
    org: Org,
    tmp_path: Path,
    transactional_db: None,
    reference_data: None,
) -> None:
    incident = timezone.localdate() - dt.timedelta(days=3)
    earlier = record_allegation(
        actor=personas.intake,
        data=AllegationInput(
            channel=Channel.PHONE,
            summary="Traveler pushed by officer at Nogales pedestrian crossing",
            narrative=NARRATIVE,
            incident_date=incident,
            incident_place="Nogales pedestrian crossing",
            office_id=org.nogales_port.pk,
            people=[PersonInput(role=PersonRole.SUBJECT, badge_number="4471", description="CBP officer")],
        ),
    )
    photo = tmp_path / "foto.png"
    photo.write_bytes(png_bytes())

    file_complaint_in_spanish(browser_page, live_server.url, org, incident, photo)
    complaint = keep_and_check_receipt(browser_page, live_server.url)
    work_the_complaint_as_intake(browser_page, live_server.url, complaint, earlier)
