"""The review report of a death in custody, as PDF (WeasyPrint): the death, its clocks, the review.

Built from one `ReviewReport` read from the rows, rendered from
`oversight/deaths/report/review.html`. WeasyPrint fetches nothing: its URL fetcher accepts only
`data:` URLs, and the fonts are the locally installed DejaVu families.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from probity.core.deadlines import agency_time_zone
from probity.core.models import User
from probity.oversight.models import DeathInCustody, DeathReview

if TYPE_CHECKING:
    from probity.oversight.services.deaths import Clock

CLASSIFICATION = "LAW ENFORCEMENT SENSITIVE"


@dataclass(frozen=True)
class ClockLine:
    step: str
    started: str
    due: str
    met: str
    state: str


@dataclass(frozen=True)
class ReviewReport:
    number: str
    name: str
    agency: str
    generated: str
    completed: str
    reviewer: str
    death: tuple[tuple[str, str], ...]
    circumstances: str
    cause: str
    clocks: tuple[ClockLine, ...]
    standards: str
    facts: str
    compliance: str
    findings: str


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(agency_time_zone()).strftime("%Y-%m-%d %H:%M %Z")


def collect(
    death: DeathInCustody, review: DeathReview, clocks: Sequence[Clock], *, now: dt.datetime
) -> ReviewReport:
    """Everything the report says."""
    from probity.oversight.services.deaths import STATE_LABELS

    office = death.office.name if death.office_id and death.office else ""
    facts: list[tuple[str, str]] = [
        ("Record number", death.number),
        ("Name", death.name),
        ("Sex", death.sex or "Not recorded"),
        ("Race", death.race or "Not recorded"),
        ("Ethnicity", death.ethnicity or "Not recorded"),
        ("Age", "Not recorded" if death.age is None else str(death.age)),
        ("Country of citizenship", death.country or "Not recorded"),
        ("Date of death", death.date_of_death.isoformat()),
        ("Time of death", death.time_of_death.strftime("%H:%M") if death.time_of_death else "Not recorded"),
        ("Place of death", death.place_of_death or "Not recorded"),
        (
            "Facility",
            ", ".join(p for p in (death.facility_name, death.facility_location) if p) or "Not recorded",
        ),
        ("Facility type", death.facility_type or "Not recorded"),
        ("Agency", death.get_agency_display()),
        ("Office", office or "Not recorded"),
        ("OPR learned of the death", _when(death.reported_at)),
    ]
    lines = tuple(
        ClockLine(
            step=clock.label,
            started=_when(clock.deadline.started_at) if clock.deadline else "",
            due=_when(clock.deadline.due_at) if clock.deadline else "",
            met=_when(clock.deadline.met_at) if clock.deadline else "",
            state=STATE_LABELS[clock.state],
        )
        for clock in clocks
    )
    return ReviewReport(
        number=death.number,
        name=death.name,
        agency=death.get_agency_display(),
        generated=_when(now),
        completed=_when(review.completed_at),
        reviewer=_name(review.reviewer),
        death=tuple(facts),
        circumstances=death.circumstances,
        cause=death.cause,
        clocks=lines,
        standards=review.standards,
        facts=review.facts,
        compliance=review.compliance,
        findings=review.findings,
    )


def _data_only_fetcher() -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # Only data: URLs; anything else (http, file, ftp) is refused, so a report never reaches out.
    return URLFetcher(allowed_protocols=("data",))


def render_pdf(content: ReviewReport) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "oversight/deaths/report/review.html", {"report": content, "classification": CLASSIFICATION}
    )
    pdf: bytes = HTML(string=html, url_fetcher=_data_only_fetcher()).write_pdf()
    return pdf
