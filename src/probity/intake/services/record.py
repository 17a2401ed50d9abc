"""Recording an allegation from any channel: the one way an allegation comes into being."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction, DeadlineRule, Employee, OrgUnit, Role
from probity.core.numbering import next_numbers
from probity.core.services.deadlines import start_deadline
from probity.intake import hooks
from probity.intake.models import (
    Allegation,
    AllegationCategory,
    AllegationPerson,
    ArrestCategory,
    Channel,
    DatePrecision,
    PersonRole,
    SelfReportKind,
)
from probity.intake.services.prea import start_prea_clocks

NUMBER_PREFIX = "JIC"
TRIAGE_RULE = "intake-triage-target"
RECORDING_ROLES = frozenset({Role.INTAKE, Role.SUPERVISOR})
MAX_NARRATIVE = 50_000
MAX_PEOPLE = 100


@dataclass(frozen=True)
class PersonInput:
    role: str
    employee_id: int | None = None
    name: str = ""
    badge_number: str = ""
    description: str = ""
    anonymous: bool = False
    contact: str = ""
    contact_preference: str = ""
    source_reference: str = ""


@dataclass(frozen=True)
class AllegationInput:
    channel: str
    summary: str
    narrative: str = ""
    received_at: dt.datetime | None = None
    category_codes: Sequence[str] = ()
    incident_date: dt.date | None = None
    incident_date_precision: str = DatePrecision.DAY
    incident_end_date: dt.date | None = None
    incident_place: str = ""
    office_id: int | None = None
    prea: bool | None = None  # None: follow the categories
    use_of_force: bool | None = None
    self_report_kind: str = ""
    arrest_category_code: str = ""
    people: Sequence[PersonInput] = field(default_factory=tuple)
    source_reference: str | None = None
    language: str = ""


def agency_year(moment: dt.datetime) -> int:
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return moment.astimezone(ZoneInfo(settings.PROBITY_AGENCY_TIME_ZONE)).year


Problems = dict[str, list[str]]


def _problem(errors: Problems, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _check_fields(data: AllegationInput, now: dt.datetime, errors: Problems) -> None:
    if data.channel not in Channel.values:
        _problem(errors, "channel", f"Unknown channel {data.channel!r}.")
    if not data.summary.strip():
        _problem(errors, "summary", "Give a short summary of the allegation.")
    elif len(data.summary) > 200:
        _problem(errors, "summary", "The summary must be 200 characters or fewer.")
    if len(data.narrative) > MAX_NARRATIVE:
        _problem(errors, "narrative", f"The narrative must be {MAX_NARRATIVE:,} characters or fewer.")
    if data.received_at is not None:
        if timezone.is_naive(data.received_at):
            _problem(errors, "received_at", "The time received must include a time zone.")
        elif data.received_at > now + dt.timedelta(minutes=5):
            _problem(errors, "received_at", "The time received cannot be in the future.")
    if data.incident_date and data.incident_date > now.date() + dt.timedelta(days=1):
        _problem(errors, "incident_date", "The incident date cannot be in the future.")
    if data.incident_date and data.incident_end_date and data.incident_end_date < data.incident_date:
        _problem(errors, "incident_end_date", "The incident cannot end before it starts.")
    if data.incident_date_precision not in DatePrecision.values:
        _problem(errors, "incident_date_precision", "Unknown date precision.")
    if data.self_report_kind and data.self_report_kind not in SelfReportKind.values:
        _problem(errors, "self_report_kind", f"Unknown self-report kind {data.self_report_kind!r}.")
    if data.self_report_kind and data.channel != Channel.SELF_REPORT:
        _problem(errors, "self_report_kind", "Only an employee self-report has a self-report kind.")
    _check_lengths(data, errors)


def _check_lengths(data: AllegationInput, errors: Problems) -> None:
    # PostgreSQL refuses an over-long value with a server error; say so plainly instead.
    for name, value, limit in (
        ("incident_place", data.incident_place.strip(), 300),
        ("source_reference", data.source_reference or "", 100),
        ("language", data.language, 8),
    ):
        if len(value) > limit:
            _problem(errors, name, f"This must be {limit} characters or fewer.")


def _check_people(data: AllegationInput, errors: Problems, found: Collection[int] | None = None) -> None:
    if len(data.people) > MAX_PEOPLE:
        _problem(errors, "people", f"At most {MAX_PEOPLE} people per allegation.")
    if found is None:
        employee_ids = {p.employee_id for p in data.people if p.employee_id is not None}
        found = (
            set(Employee.objects.filter(pk__in=employee_ids).values_list("pk", flat=True))
            if employee_ids
            else set()
        )
    for index, person in enumerate(data.people, start=1):
        if person.role not in PersonRole.values:
            _problem(errors, "people", f"Person {index}: unknown role {person.role!r}.")
        if person.employee_id is not None and person.employee_id not in found:
            _problem(errors, "people", f"Person {index}: no such employee in the directory.")
        described = person.name.strip() or person.description.strip() or person.badge_number.strip()
        if person.role == PersonRole.SUBJECT and not (person.employee_id or described):
            _problem(
                errors,
                "people",
                f"Person {index}: name the employee, or describe them or give a badge number.",
            )
        for label, value, limit in (
            ("the name", person.name, 200),
            ("the badge number", person.badge_number, 40),
            ("the contact preference", person.contact_preference, 20),
            ("the source reference", person.source_reference, 100),
        ):
            if len(value.strip()) > limit:
                _problem(errors, "people", f"Person {index}: {label} must be {limit} characters or fewer.")


def input_problems(
    data: AllegationInput, now: dt.datetime, *, known_employee_ids: Collection[int]
) -> Problems:
    """The rules on one allegation's own fields and people, without a query.

    For bulk writers (imports, the demo) that resolve categories, offices, employees and
    source references once for many allegations instead of once per allegation.
    """
    errors: Problems = {}
    _check_fields(data, now, errors)
    _check_people(data, errors, known_employee_ids)
    return errors


def derived_flags(data: AllegationInput, categories: Sequence[AllegationCategory]) -> tuple[bool, bool]:
    """PREA and use of force: as given, or else as any of the categories says."""
    prea = data.prea if data.prea is not None else any(c.prea for c in categories)
    use_of_force = (
        data.use_of_force if data.use_of_force is not None else any(c.use_of_force for c in categories)
    )
    return prea, use_of_force


def _validate(data: AllegationInput, now: dt.datetime) -> dict[str, Any]:
    """Check everything at once; return the resolved references or raise every problem together."""
    errors: Problems = {}
    _check_fields(data, now, errors)
    _check_people(data, errors)

    codes = set(data.category_codes)
    categories = list(AllegationCategory.objects.filter(code__in=codes, active=True)) if codes else []
    missing = codes - {c.code for c in categories}
    if missing:
        _problem(errors, "categories", f"Unknown or retired categories: {', '.join(sorted(missing))}.")
    arrest_category = None
    if data.arrest_category_code:
        arrest_category = ArrestCategory.objects.filter(code=data.arrest_category_code, active=True).first()
        if arrest_category is None:
            _problem(errors, "arrest_category", f"Unknown arrest category {data.arrest_category_code!r}.")
    office = None
    if data.office_id is not None:
        office = OrgUnit.objects.filter(pk=data.office_id).first()
        if office is None:
            _problem(errors, "office", "Unknown office.")
    if data.source_reference and Allegation.objects.filter(source_reference=data.source_reference).exists():
        _problem(
            errors, "source_reference", f"An allegation from {data.source_reference!r} is already recorded."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "received_at": data.received_at or now,
        "categories": categories,
        "arrest_category": arrest_category,
        "office": office,
    }


def record_allegation(
    *, actor: Any, data: AllegationInput, events: list[audit.EventSpec] | None = None
) -> Allegation:
    """Record one allegation with its people and categories, number it, start its clocks, audit it.

    `actor` None means the system (the public portal, another module, an import).

    With `events`, the allegation's audit events (its creation, its triage clock) are added to
    that list instead of appended here: the caller appends them (`audit.record_many`) with its
    own before its transaction ends, so that the whole submission takes the audit chain's lock
    once (the public portal does, for bursts of complaints).
    """
    if actor is not None and not actor.has_role(*RECORDING_ROLES):
        raise PermissionDenied("Only intake specialists and supervisors record allegations.")
    if events is not None and not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("Gathered audit events need the caller's transaction.")
    now = timezone.now()
    resolved = _validate(data, now)
    categories: list[AllegationCategory] = resolved["categories"]
    prea, use_of_force = derived_flags(data, categories)
    # An imported historical record is not new work, so it gets no clocks (they would all be
    # overdue). The rule is read before the number is taken: the number's lock is held until
    # the commit, so concurrent recordings wait on everything done after taking it.
    triage_rule = _triage_rule() if data.channel != Channel.IMPORT else None
    gathered: list[audit.EventSpec] = []
    # With `events` the caller's transaction is the unit of work (its events cannot be appended
    # without ours), so no savepoint: a failure here fails the caller's transaction, and the
    # caller's busiest path saves two round trips while it holds the number's lock.
    with transaction.atomic(savepoint=events is None):
        number = next_numbers(NUMBER_PREFIX, agency_year(resolved["received_at"]))[0]
        allegation = Allegation.objects.create(
            number=number,
            channel=data.channel,
            received_at=resolved["received_at"],
            summary=data.summary.strip(),
            narrative=data.narrative,
            incident_date=data.incident_date,
            incident_date_precision=data.incident_date_precision,
            incident_end_date=data.incident_end_date,
            incident_place=data.incident_place.strip(),
            office=resolved["office"],
            prea=prea,
            use_of_force=use_of_force,
            self_report_kind=data.self_report_kind,
            arrest_category=resolved["arrest_category"],
            source_reference=data.source_reference or None,
            language=data.language,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        if categories:  # a new allegation has none to compare with, so skip set()'s query
            allegation.categories.add(*categories)
        AllegationPerson.objects.bulk_create(
            [
                AllegationPerson(
                    allegation=allegation,
                    role=p.role,
                    employee_id=p.employee_id,
                    name=p.name.strip(),
                    badge_number=p.badge_number.strip(),
                    description=p.description.strip(),
                    anonymous=p.anonymous,
                    contact=p.contact.strip(),
                    contact_preference=p.contact_preference.strip(),
                    source_reference=p.source_reference.strip(),
                )
                for p in data.people
            ]
        )
        gathered.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                actor=actor,
                obj=allegation,
                changes={
                    "number": [None, number],
                    "channel": [None, data.channel],
                    "categories": [None, sorted(c.code for c in categories)],
                    "people": [None, len(data.people)],
                    "prea": [None, prea],
                    "use_of_force": [None, use_of_force],
                },
            )
        )
        # Inside the recording transaction: an allegation never exists without its clocks.
        if allegation.channel != Channel.IMPORT:
            if triage_rule is not None:
                start_deadline(
                    actor=actor,
                    rule=triage_rule,
                    record=allegation,
                    title=f"Triage and route {allegation.number}",
                    office=allegation.office,
                    started_at=allegation.received_at,
                    events=gathered,
                )
            if allegation.prea:
                # The PREA clocks audit themselves; the allegation's events go before theirs.
                audit.record_many(gathered)
                gathered = []
                start_prea_clocks(allegation, actor=actor)
        transaction.on_commit(lambda: _announce(allegation))
        if events is None:
            audit.record_many(gathered)
        else:
            events.extend(gathered)  # last, so that only work that succeeded adds to the list
    return allegation


def _triage_rule() -> DeadlineRule | None:
    # A rule an administrator switched off runs no clock; it must never stop a report being taken.
    return DeadlineRule.objects.filter(code=TRIAGE_RULE, active=True).first()


def _announce(allegation: Allegation) -> None:
    for handler in list(hooks.on_recorded):
        handler(allegation)
