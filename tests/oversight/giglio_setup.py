"""Helpers for the Giglio tests: the sources of impeachment information made through the
investigations services (sustained findings, criminal charges, open cases), judicial findings and
requests through the Giglio services, and compartments for restricted cases."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from pypdf import PdfReader

from probity.core import files
from probity.core.models import (
    AuditEvent,
    Compartment,
    CompartmentGrant,
    Deadline,
    Employee,
    StoredFile,
    User,
)
from probity.investigations.models import Case, CaseStatus, FindingOutcome, ProsecutionReferral
from probity.investigations.services import prosecution
from probity.oversight.models import CompiledItem, GiglioRequest, JudicialFinding
from probity.oversight.services import giglio
from tests.investigations.conftest import MakeCase, Team
from tests.investigations.findings_setup import worked_case
from tests.investigations.outcomes_setup import CRIMINAL, START, TODAY, find, staffed_case, subject_of

__all__ = ["START", "TODAY"]

USAO = "U.S. Attorney's Office, District of Arizona"
AUSA = "AUSA Maria Delgado"
PROSECUTION = "United States v. Alvarez-Ortiz, 4:27-cr-01123"
NEEDED_BY = TODAY + dt.timedelta(days=20)
SECRET_TITLE = "Undercover operation at the Mariposa crossing"
SECRET_SYNOPSIS = "Informant CS-114 reports payments through the cousin's tire shop."


def receive(official: User, employee: Employee | None, **overrides: Any) -> GiglioRequest:
    values: dict[str, Any] = {
        "actor": official,
        "prosecutor_office": USAO,
        "requesting_official": AUSA,
        "prosecutor_case": PROSECUTION,
        "employee": employee,
        "needed_by": NEEDED_BY,
    }
    values.update(overrides)
    return giglio.receive_request(**values)


def sustained(
    make_case: MakeCase, team: Team, employee: Employee, category: str = "false-statements", **extra: Any
) -> Case:
    """A case in report drafting whose one allegation against `employee` is sustained (a mark)."""
    case = worked_case(make_case, team, subjects=(employee,), categories=(category,), **extra)
    find(case, FindingOutcome.SUSTAINED, actor=team.agent)
    return case


def charged(make_case: MakeCase, team: Team, employee: Employee) -> ProsecutionReferral:
    """A criminal case whose subject was charged and pleaded guilty (a criminal-charge mark)."""
    case = staffed_case(make_case, team, outcome=CRIMINAL, categories=("smuggling",), subjects=(employee,))
    referral = prosecution.refer_for_prosecution(
        actor=team.agent,
        case=case,
        subject=subject_of(case, employee),
        prosecutor_kind="us_attorney",
        prosecutor_office=USAO,
        presented_on=TODAY,
    )
    prosecution.record_prosecution_decision(
        actor=team.agent,
        referral=referral,
        decision="accepted",
        decided_on=TODAY,
        charges="18 U.S.C. 545, smuggling goods into the United States",
    )
    prosecution.record_disposition(
        actor=team.agent,
        referral=referral,
        disposition="plea",
        disposition_on=TODAY,
        sentence="Two years probation",
    )
    referral.refresh_from_db()
    return referral


def pending(make_case: MakeCase, team: Team, employee: Employee, **extra: Any) -> Case:
    """An open case with `employee` as subject, holding a title and synopsis nobody outside may read."""
    case = make_case(subjects=(employee,), categories=("excessive-force",), **extra)
    Case.objects.filter(pk=case.pk).update(title=SECRET_TITLE, synopsis=SECRET_SYNOPSIS)
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED
    return case


def judicial(official: User, employee: Employee, **overrides: Any) -> JudicialFinding:
    values: dict[str, Any] = {
        "actor": official,
        "employee": employee,
        "court": "U.S. District Court, District of Arizona",
        "case_reference": "4:25-cr-00871, order on motion to suppress",
        "found_on": TODAY - dt.timedelta(days=90),
        "finding": "The officer's testimony about the consent to search was not credible.",
    }
    values.update(overrides)
    return giglio.record_judicial_finding(**values)


def restrict(case: Case, code: str = "senior-officials") -> Compartment:
    compartment, _ = Compartment.objects.get_or_create(code=code, defaults={"name": "Senior officials"})
    Case.objects.filter(pk=case.pk).update(compartment=compartment)
    return compartment


def grant(user: User, compartment: Compartment) -> None:
    CompartmentGrant.objects.create(compartment=compartment, user=user, granted_at=timezone.now())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """Text with every run of whitespace made one space (a PDF wraps lines anywhere)."""
    return " ".join(text.split())


def letter_text(request: GiglioRequest) -> str:
    request.refresh_from_db()
    assert request.letter is not None
    with files.open_verified(request.letter) as handle:
        return flat(pdf_text(handle.read()))


def written() -> dict[str, Any]:
    """What a refused Giglio step must leave as it was (reads are audited: not counted)."""
    return {
        "requests": list(
            GiglioRequest.objects.order_by("pk").values_list(
                "pk", "status", "compiled_at", "approved_by", "released_at", "letter"
            )
        ),
        "items": list(CompiledItem.objects.order_by("pk").values_list("pk", "kind", "include")),
        "judicial": JudicialFinding.objects.count(),
        "deadlines": list(Deadline.objects.order_by("pk").values_list("pk", "met_at", "cancelled_at")),
        "files": StoredFile.objects.count(),
        "audit": AuditEvent.objects.exclude(action__in=["view", "search", "download", "login"])
        .exclude(object_type="core.apitoken")
        .count(),
    }
