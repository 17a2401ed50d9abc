"""Critical incident services: reporting, the review (reviewer, facts, links) and its state moves.

Each service, in one transaction: checks that the actor may see the incident (else 404) and may
act on it (PermissionDenied with a plain message), validates everything at once
(`ValidationError` with messages per field; nothing written), writes, and records the audit
event. An illegal move is an `IllegalTransition` naming the moves that are possible.

Program managers run the review: they report incidents, assign the reviewer, move the incident
and send it to the board. The assigned reviewer documents the facts. Supervisors report the
incidents of their office scope and link the allegations and cases they may see. `actor` None
means the system (imports, the demo).

An incident goes to the review board only when it meets the board's criteria (serious injury,
death, or a firearm discharge outside training), its facts are documented, and no prosecution
is undecided on a linked case: a criminal or joint case still open without a prosecutor's
decline, a referral the prosecutor has not decided, or an accepted one without a disposition.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.deadlines import agency_time_zone
from probity.core.models import (
    AuditAction,
    Compartment,
    CompartmentGrant,
    Employee,
    OrgUnit,
    Role,
    User,
)
from probity.core.numbering import next_number
from probity.core.workflow import IllegalTransition
from probity.intake.models import Allegation
from probity.investigations.models import Case, CaseStatus, CaseType, ProsecutionDecision
from probity.oversight.models import (
    CriticalIncident,
    ForceUsed,
    IncidentEmployee,
    IncidentKind,
    IncidentStatus,
    IncidentSubject,
)
from probity.oversight.workflow_incidents import INCIDENT_FLOW, MOVES_ELSEWHERE, REVIEW_STATES

S = IncidentStatus
NUMBER_PREFIX = "CIR"
REPORTING_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})
REVIEWER_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR, Role.AGENT})
USE_OF_FORCE = frozenset(
    {
        IncidentKind.LESS_LETHAL,
        IncidentKind.FIREARM,
        IncidentKind.VEHICLE,
        IncidentKind.CANINE,
        IncidentKind.PHYSICAL,
    }
)
PROSECUTABLE = frozenset({CaseType.CRIMINAL, CaseType.JOINT})
MAX_SUMMARY = 300
MAX_PLACE = 300
MAX_TEXT = 10_000
MAX_NARRATIVE = 50_000
MAX_PEOPLE = 100
MAX_FORCE = 200
MAX_LINKS = 50
MASKED = "<sensitive>"
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
CLOCK_SKEW = dt.timedelta(minutes=5)

Problems = dict[str, list[str]]


@dataclass(frozen=True)
class EmployeeInput:
    """An employee involved: from the directory, or as a source system names them."""

    employee: Employee | None = None
    source_id: str = ""
    description: str = ""
    actions: str = ""
    injured: bool = False


@dataclass(frozen=True)
class SubjectInput:
    """A person force was used on, or who was hurt or died."""

    description: str = ""
    source_id: str = ""
    age: int | None = None
    sex: str = ""
    race: str = ""
    injured: bool = False
    injuries: str = ""
    armed: bool | None = None
    weapon: str = ""


@dataclass(frozen=True)
class ForceInput:
    """One action, weapon or device: used by an involved directory employee, or by the subject."""

    action: str
    detail: str = ""
    by_employee: Employee | None = None
    by_subject: bool = False


# Who may act


def is_program_manager(user: Any) -> bool:
    return (
        user is not None and bool(getattr(user, "is_active", False)) and user.has_role(Role.PROGRAM_MANAGER)
    )


def is_reviewer(user: Any, incident: CriticalIncident) -> bool:
    return user is not None and incident.reviewer_id is not None and incident.reviewer_id == user.pk


def may_link(user: Any, incident: CriticalIncident) -> bool:
    """Program managers, the reviewer, and supervisors (who see the incident) link records."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return is_reviewer(user, incident) or user.has_role(Role.PROGRAM_MANAGER, Role.SUPERVISOR)


def _require_visible(actor: Any, incident: CriticalIncident | None) -> None:
    if actor is None:
        return  # the system
    if incident is None or incident.pk is None or not access.can_view(actor, incident):
        raise Http404("No such incident")


def require_program_manager(actor: Any, incident: CriticalIncident, *, doing: str) -> None:
    """404 unless the actor may see the incident; PermissionDenied unless a program manager."""
    _require_visible(actor, incident)
    if actor is not None and not is_program_manager(actor):
        raise PermissionDenied(f"Only a program manager may {doing}.")


def _lock(incident: CriticalIncident) -> CriticalIncident:
    return CriticalIncident.objects.select_for_update(of=("self",)).get(pk=incident.pk)


def _sync(incident: CriticalIncident, current: CriticalIncident) -> CriticalIncident:
    """Bring the caller's instance up to date with the locked copy that was saved."""
    for field in CriticalIncident._meta.concrete_fields:
        setattr(incident, field.attname, getattr(current, field.attname))
    return incident


def _label(status: str) -> str:
    return INCIDENT_FLOW.labels.get(status, status)


# Small shared checks


def _text(value: Any, name: str, errors: Problems, *, required: str = "", limit: int = MAX_TEXT) -> str:
    text = (value if isinstance(value, str) else "").strip()
    if required and not text:
        errors.setdefault(name, []).append(required)
    if len(text) > limit:
        errors.setdefault(name, []).append(f"This must be {limit:,} characters or fewer.")
    return text


def _moment(
    value: Any, name: str, errors: Problems, now: dt.datetime, *, required: str = ""
) -> dt.datetime | None:
    if value is None:
        if required:
            errors.setdefault(name, []).append(required)
        return None
    if not isinstance(value, dt.datetime):
        errors.setdefault(name, []).append("Give a date and time.")
        return None
    if timezone.is_naive(value):
        errors.setdefault(name, []).append("The time must include a time zone.")
        return None
    if value > now + CLOCK_SKEW:
        errors.setdefault(name, []).append("This cannot be in the future.")
    elif value < EARLIEST:
        errors.setdefault(name, []).append("This is too long ago; check the year.")
    return value


def _raise_if(errors: Problems) -> None:
    if errors:
        raise ValidationError(errors)


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def agency_year(moment: dt.datetime) -> int:
    return moment.astimezone(agency_time_zone()).year


def _has_grant(user: Any, compartment_id: int) -> bool:
    return CompartmentGrant.objects.filter(
        compartment_id=compartment_id, user_id=user.pk, revoked_at__isnull=True
    ).exists()


# Prosecution: the gate before the board


def prosecution_holds(incident: CriticalIncident) -> list[str]:
    """Why the board must still wait on a prosecutor, one line per linked case (empty: it need not).

    Read by the services without the actor's sight of the cases: the incident's page says that
    a prosecution is undecided, never what the case holds.
    """
    if incident.pk is None:
        return []
    holds = []
    cases = Case.objects.filter(incidents=incident).prefetch_related("prosecutions").order_by("number")
    for case in cases:
        referrals = list(case.prosecutions.all())
        if any(r.decision == ProsecutionDecision.PENDING for r in referrals):
            holds.append(f"A prosecutor has not yet decided on the referral in case {case.number}.")
        elif any(r.decision == ProsecutionDecision.ACCEPTED and not r.disposition for r in referrals):
            holds.append(f"The prosecution accepted in case {case.number} has not ended yet.")
        elif case.case_type in PROSECUTABLE and case.status != CaseStatus.CLOSED and not referrals:
            holds.append(
                f"Case {case.number} is a {case.get_case_type_display().lower()} investigation with no "
                "prosecution decision yet."
            )
    return holds


def board_problems(incident: CriticalIncident) -> list[str]:
    """Why the incident may not go to the review board now (empty: it may)."""
    problems = []
    if not incident.meets_board_criteria:
        problems.append(
            "The incident does not meet the board's criteria (serious injury, death, or a firearm "
            "discharge outside training); close it without board review instead."
        )
    if not incident.facts.strip():
        problems.append("The reviewer documents the facts before the incident goes to the board.")
    problems += prosecution_holds(incident)
    return problems


# Reporting


def _check_office(actor: Any, office: Any, errors: Problems) -> OrgUnit | None:
    if not isinstance(office, OrgUnit) or office.pk is None:
        errors["office"] = ["Choose the office where it happened."]
        return None
    found: OrgUnit | None = OrgUnit.objects.filter(pk=office.pk, active=True).first()
    if found is None:
        errors["office"] = ["Choose an active office."]
        return None
    scope = getattr(actor, "office_scope", None)
    if (
        actor is not None
        and not actor.has_role(Role.PROGRAM_MANAGER)
        and scope is not None
        and not found.path.startswith(scope.path)
    ):
        errors["office"] = [f"{found.name} is outside your office scope."]
    return found


def _check_employees(actor: Any, employees: Sequence[EmployeeInput], kind: str, errors: Problems) -> None:
    if len(employees) > MAX_PEOPLE:
        errors.setdefault("employees", []).append(f"At most {MAX_PEOPLE} employees per incident.")
        return
    if kind in USE_OF_FORCE and not employees:
        errors.setdefault("employees", []).append("Name the employees who used force.")
    seen: set[int] = set()
    ids = {e.employee.pk for e in employees if isinstance(e.employee, Employee) and e.employee.pk is not None}
    known = set(Employee.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for index, person in enumerate(employees, start=1):
        where = f"Employee {index}"
        if person.employee is not None:
            pk = getattr(person.employee, "pk", None)
            if pk not in known:
                errors.setdefault("employees", []).append(
                    f"{where}: there is no such employee in the directory."
                )
                continue
            if pk in seen:
                errors.setdefault("employees", []).append(f"{where}: {person.employee} is named twice.")
            seen.add(pk)
            if actor is not None and actor.employee_id == pk:
                errors.setdefault("employees", []).append(
                    f"{where}: you were involved, so someone else reports this incident."
                )
        elif not (person.description.strip() or person.source_id.strip()):
            errors.setdefault("employees", []).append(
                f"{where}: choose the employee from the directory, or describe them."
            )
        for label, value, limit in (
            ("the source id", person.source_id, 60),
            ("the description", person.description, 300),
            ("the actions", person.actions, MAX_TEXT),
        ):
            if len(value.strip()) > limit:
                errors.setdefault("employees", []).append(
                    f"{where}: {label} must be {limit:,} characters or fewer."
                )


def _check_subjects(subjects: Sequence[SubjectInput], errors: Problems) -> None:
    if len(subjects) > MAX_PEOPLE:
        errors.setdefault("subjects", []).append(f"At most {MAX_PEOPLE} subjects per incident.")
        return
    for index, person in enumerate(subjects, start=1):
        where = f"Subject {index}"
        if not (person.description.strip() or person.source_id.strip()):
            errors.setdefault("subjects", []).append(f"{where}: describe the person.")
        if person.age is not None and not 0 <= person.age <= 120:
            errors.setdefault("subjects", []).append(f"{where}: the age must be between 0 and 120.")
        if person.injuries.strip() and not person.injured:
            errors.setdefault("subjects", []).append(
                f"{where}: injuries are described, so mark them injured."
            )
        for label, value, limit in (
            ("the source id", person.source_id, 60),
            ("the description", person.description, 300),
            ("the sex", person.sex, 20),
            ("the race", person.race, 60),
            ("the weapon", person.weapon, 200),
            ("the injuries", person.injuries, MAX_TEXT),
        ):
            if len(value.strip()) > limit:
                errors.setdefault("subjects", []).append(
                    f"{where}: {label} must be {limit:,} characters or fewer."
                )


def _check_force(force: Sequence[ForceInput], employees: Sequence[EmployeeInput], errors: Problems) -> None:
    if len(force) > MAX_FORCE:
        errors.setdefault("force", []).append(f"At most {MAX_FORCE} uses of force per incident.")
        return
    involved = {getattr(e.employee, "pk", None) for e in employees if e.employee is not None}
    for index, used in enumerate(force, start=1):
        where = f"Force {index}"
        action = used.action.strip() if isinstance(used.action, str) else ""
        if not action:
            errors.setdefault("force", []).append(
                f"{where}: say what was used (e.g. TASER, OC spray, firearm)."
            )
        elif len(action) > 120:
            errors.setdefault("force", []).append(f"{where}: the action must be 120 characters or fewer.")
        if len(used.detail.strip()) > 300:
            errors.setdefault("force", []).append(f"{where}: the detail must be 300 characters or fewer.")
        if used.by_subject and used.by_employee is not None:
            errors.setdefault("force", []).append(
                f"{where}: used by an employee or by the subject, not both."
            )
        elif used.by_employee is not None and getattr(used.by_employee, "pk", None) not in involved:
            errors.setdefault("force", []).append(
                f"{where}: {used.by_employee} is not among the employees involved; add them first."
            )


def _check_links(
    actor: Any, allegations: Sequence[Allegation], cases: Sequence[Case], errors: Problems
) -> tuple[list[Allegation], list[Case]]:
    found_allegations = _visible_records(actor, Allegation, allegations, "allegations", errors)
    found_cases = _visible_records(actor, Case, cases, "cases", errors)
    return found_allegations, found_cases


def _visible_records[M: (Allegation, Case)](
    actor: Any, model: type[M], records: Sequence[M], name: str, errors: Problems
) -> list[M]:
    ids = list(dict.fromkeys(getattr(record, "pk", None) for record in records))
    if len(ids) > MAX_LINKS:
        errors[name] = [f"At most {MAX_LINKS} linked {name}."]
        return []
    rows = model._default_manager.filter(pk__in=[pk for pk in ids if pk is not None])
    if actor is not None:
        rows = access.visible(actor, rows)
    found = {row.pk: row for row in rows}
    if len(found) < len(ids):
        # The same message whether a record is missing or hidden: existence must not leak.
        errors[name] = [f"Some {name} do not exist or you may not see them."]
    return [found[pk] for pk in ids if pk in found]


def report_incident(
    *,
    actor: Any,
    kind: str,
    occurred_at: dt.datetime,
    place: str,
    office: OrgUnit,
    summary: str,
    narrative: str,
    employees: Sequence[EmployeeInput],
    subjects: Sequence[SubjectInput],
    force: Sequence[ForceInput],
    training_discharge: bool,
    serious_injury: bool,
    death: bool,
    responders: str,
    notified_at: dt.datetime | None,
    on_scene_at: dt.datetime | None,
    allegations: Sequence[Allegation] = (),
    cases: Sequence[Case] = (),
    compartment: Compartment | None = None,
) -> CriticalIncident:
    """Record a critical incident with its people, force used and links, numbered CIR-YYYY-NNNNNN
    (the year it happened, agency time). It starts reported, waiting for a reviewer."""
    if actor is not None and not actor.has_role(*REPORTING_ROLES):
        raise PermissionDenied("Only program managers and supervisors report critical incidents.")
    now = timezone.now()
    errors: Problems = {}
    if kind not in IncidentKind.values:
        errors["kind"] = [f"Choose the kind of incident: one of {', '.join(IncidentKind.values)}."]
    occurred = _moment(occurred_at, "occurred_at", errors, now, required="Say when it happened.")
    place = _text(place, "place", errors, limit=MAX_PLACE)
    summary = _text(summary, "summary", errors, required="Give a short summary.", limit=MAX_SUMMARY)
    narrative = _text(narrative, "narrative", errors, limit=MAX_NARRATIVE)
    responders = _text(responders, "responders", errors)
    notified = _moment(notified_at, "notified_at", errors, now)
    on_scene = _moment(on_scene_at, "on_scene_at", errors, now)
    if occurred is not None and notified is not None and "notified_at" not in errors and notified < occurred:
        errors["notified_at"] = ["The office cannot be notified before the incident happened."]
    if occurred is not None and on_scene is not None and "on_scene_at" not in errors and on_scene < occurred:
        errors["on_scene_at"] = ["Responders cannot arrive before the incident happened."]
    if training_discharge and kind != IncidentKind.FIREARM:
        errors["training_discharge"] = ["Only a firearm discharge can be a training discharge."]
    target = _check_office(actor, office, errors)
    employees, subjects, force = list(employees), list(subjects), list(force)
    _check_employees(actor, employees, kind, errors)
    _check_subjects(subjects, errors)
    _check_force(force, employees, errors)
    linked_allegations, linked_cases = _check_links(actor, allegations, cases, errors)
    if compartment is not None:
        if not isinstance(compartment, Compartment) or compartment.pk is None:
            errors["compartment"] = ["Choose an existing compartment."]
        elif actor is not None and not _has_grant(actor, compartment.pk):
            errors["compartment"] = ["You have no grant to this compartment."]
    _raise_if(errors)
    assert occurred is not None  # noqa: S101  (checked above: required)
    with transaction.atomic():
        number = next_number(NUMBER_PREFIX, agency_year(occurred))
        incident = CriticalIncident.objects.create(
            number=number,
            kind=kind,
            occurred_at=occurred,
            place=place,
            office=target,
            summary=summary,
            narrative=narrative,
            training_discharge=bool(training_discharge),
            serious_injury=bool(serious_injury),
            death=bool(death),
            responders=responders,
            notified_at=notified,
            on_scene_at=on_scene,
            compartment=compartment,
            created_at=now,
            created_by=actor,
            updated_at=now,
        )
        involved = {}
        for person in employees:
            row = IncidentEmployee.objects.create(
                incident=incident,
                employee=person.employee,
                source_id=person.source_id.strip(),
                description=person.description.strip(),
                actions=person.actions.strip(),
                injured=bool(person.injured),
            )
            if person.employee is not None:
                involved[person.employee.pk] = row
        IncidentSubject.objects.bulk_create(
            [
                IncidentSubject(
                    incident=incident,
                    source_id=person.source_id.strip(),
                    description=person.description.strip(),
                    age=person.age,
                    sex=person.sex.strip(),
                    race=person.race.strip(),
                    injured=bool(person.injured),
                    injuries=person.injuries.strip(),
                    armed=person.armed,
                    weapon=person.weapon.strip(),
                )
                for person in subjects
            ]
        )
        ForceUsed.objects.bulk_create(
            [
                ForceUsed(
                    incident=incident,
                    by_employee=involved.get(used.by_employee.pk) if used.by_employee is not None else None,
                    by_subject=bool(used.by_subject),
                    action=used.action.strip(),
                    detail=used.detail.strip(),
                )
                for used in force
            ]
        )
        if linked_allegations:
            incident.allegations.add(*linked_allegations)
        if linked_cases:
            incident.cases.add(*linked_cases)
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=incident,
            changes={
                "number": [None, number],
                "kind": [None, kind],
                "status": [None, incident.status],
                "occurred_at": [None, occurred],
                "office": [None, target.code if target else None],
                "summary": [None, summary],
                "narrative": [None, MASKED if narrative else ""],
                "training_discharge": [None, bool(training_discharge)],
                "serious_injury": [None, bool(serious_injury)],
                "death": [None, bool(death)],
                "employees": [
                    None,
                    [
                        e.employee.employee_number if e.employee else e.description or e.source_id
                        for e in employees
                    ],
                ],
                "subjects": [None, len(subjects)],
                "force": [None, [used.action.strip() for used in force]],
                "allegations": [None, [a.number for a in linked_allegations]],
                "cases": [None, [c.number for c in linked_cases]],
                "compartment": [None, compartment.code if compartment else None],
            },
            detail={"meets_board_criteria": incident.meets_board_criteria},
        )
    return incident


# The review


def reviewer_problems(reviewer: Any, incident: CriticalIncident) -> list[str]:
    """Why `reviewer` may not review `incident`, if anything."""
    if not isinstance(reviewer, User) or reviewer.pk is None:
        return ["Choose the reviewer."]
    name = reviewer.get_username()
    if not reviewer.is_active or not reviewer.has_role(*REVIEWER_ROLES):
        return [f"{name} is not an active program manager, supervisor or special agent."]
    problems = []
    if (
        reviewer.employee_id is not None
        and incident.employees.filter(employee_id=reviewer.employee_id).exists()
    ):
        problems.append(f"{name} was involved in this incident and must not review it.")
    if incident.compartment_id is not None and not _has_grant(reviewer, incident.compartment_id):
        problems.append(f"{name} has no grant to this restricted incident's compartment.")
    return problems


def assign_reviewer(*, actor: Any, incident: CriticalIncident, reviewer: User) -> CriticalIncident:
    """A program manager assigns (or replaces) the reviewer; the first assignment starts the review."""
    require_program_manager(actor, incident, doing="assign the reviewer")
    with transaction.atomic():
        current = _lock(incident)
        source = current.status
        if source == S.REPORTED:
            INCIDENT_FLOW.check(actor, source, S.UNDER_REVIEW)
        elif source not in REVIEW_STATES:
            raise IllegalTransition(
                f"A reviewer is assigned while the incident is reported or under review; {current.number} "
                f"is {_label(source)}.",
                code="illegal_transition",
            )
        problems = reviewer_problems(reviewer, current)
        if not problems and current.reviewer_id == reviewer.pk:
            problems = [f"{reviewer.get_username()} already reviews this incident."]
        if problems:
            raise ValidationError({"reviewer": problems})
        old = current.reviewer
        changes: dict[str, list[Any]] = {"reviewer": [_username(old), reviewer.get_username()]}
        current.reviewer = reviewer
        if source == S.REPORTED:
            current.status = S.UNDER_REVIEW
            changes["status"] = [source, S.UNDER_REVIEW]
        current.updated_at = timezone.now()
        current.save(update_fields=["reviewer", "status", "updated_at"])
        audit.record(
            AuditAction.TRANSITION if "status" in changes else AuditAction.UPDATE,
            actor=actor,
            obj=current,
            changes=changes,
        )
    return _sync(incident, current)


def document_facts(*, actor: Any, incident: CriticalIncident, facts: str) -> CriticalIncident:
    """The reviewer (or a program manager) writes down the facts the review established."""
    _require_visible(actor, incident)
    if actor is not None and not (is_reviewer(actor, incident) or is_program_manager(actor)):
        raise PermissionDenied("Only the incident's reviewer or a program manager documents the facts.")
    with transaction.atomic():
        current = _lock(incident)
        if actor is not None and not (is_reviewer(actor, current) or is_program_manager(actor)):
            raise PermissionDenied("Only the incident's reviewer or a program manager documents the facts.")
        if current.status not in REVIEW_STATES:
            raise IllegalTransition(
                f"Facts are documented while the incident is under review; {current.number} is "
                f"{_label(current.status)}.",
                code="illegal_transition",
            )
        errors: Problems = {}
        text = _text(facts, "facts", errors, required="Write down the facts.", limit=MAX_NARRATIVE)
        _raise_if(errors)
        if text == current.facts:
            return _sync(incident, current)
        changes = {"facts": [MASKED if current.facts else "", MASKED]}
        current.facts = text
        current.updated_at = timezone.now()
        current.save(update_fields=["facts", "updated_at"])
        audit.record(
            AuditAction.UPDATE, actor=actor, obj=current, changes=changes, detail={"length": len(text)}
        )
    return _sync(incident, current)


def _link(actor: Any, incident: CriticalIncident, record: Allegation | Case, name: str) -> CriticalIncident:
    _require_visible(actor, incident)
    if actor is not None and not may_link(actor, incident):
        raise PermissionDenied(
            "Only program managers, supervisors and the reviewer link records to an incident."
        )
    model = type(record)
    found: Any = None
    if isinstance(record, Allegation | Case) and record.pk is not None:
        rows = model._default_manager.filter(pk=record.pk)
        found = (access.visible(actor, rows) if actor is not None else rows).first()
    if found is None:
        label = "allegation" if name == "allegations" else "case"
        raise ValidationError({name: [f"There is no such {label}, or you may not see it."]})
    with transaction.atomic():
        current = _lock(incident)
        if current.status == S.CLOSED:
            raise IllegalTransition(
                f"{current.number} is closed; nothing more is linked to it.", code="closed"
            )
        related = current.allegations if name == "allegations" else current.cases
        if related.filter(pk=found.pk).exists():
            raise ValidationError({name: [f"{found.number} is already linked to {current.number}."]})
        related.add(found)
        current.updated_at = timezone.now()
        current.save(update_fields=["updated_at"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=current,
            changes={name: [None, found.number]},
            detail={"linked": name},
        )
    return _sync(incident, current)


def link_allegation(*, actor: Any, incident: CriticalIncident, allegation: Allegation) -> CriticalIncident:
    """Link an intake allegation about the incident (the actor must be able to see it)."""
    return _link(actor, incident, allegation, "allegations")


def link_case(*, actor: Any, incident: CriticalIncident, case: Case) -> CriticalIncident:
    """Link an investigation of the incident (the actor must be able to see it); a criminal or
    joint case holds the board until its prosecution is declined or ended."""
    return _link(actor, incident, case, "cases")


# State moves


def _move(
    actor: Any, incident: CriticalIncident, target: str, *, reason: str = "", doing: str
) -> CriticalIncident:
    require_program_manager(actor, incident, doing=doing)
    with transaction.atomic():
        current = _lock(incident)
        source = current.status
        INCIDENT_FLOW.check(actor, source, target)
        errors: Problems = {}
        reason = _text(reason, "reason", errors)
        _raise_if(errors)
        problems = _guard(current, source, target)
        if problems:
            raise IllegalTransition(" ".join(problems), code="not_ready")
        current.status = target
        current.updated_at = timezone.now()
        current.save(update_fields=["status", "updated_at"])
        detail: dict[str, Any] = {"reason": reason} if reason else {}
        audit.record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=current,
            changes={"status": [source, target]},
            detail=detail,
        )
    return _sync(incident, current)


def _guard(incident: CriticalIncident, source: str, target: str) -> list[str]:
    """What the incident itself must satisfy for the move (the workflow allows it)."""
    if target == S.AWAITING_PROSECUTION and not prosecution_holds(incident):
        return ["No linked case waits on a prosecutor: link the criminal case first."]
    if target == S.BOARD_PENDING:
        return board_problems(incident)
    if target == S.CLOSED and source == S.UNDER_REVIEW:
        problems = []
        if incident.meets_board_criteria:
            problems.append(
                f"{incident.number} meets the review board's criteria, so it goes to the board "
                "before it closes."
            )
        if not incident.facts.strip():
            problems.append("The reviewer documents the facts before the incident closes.")
        return problems
    return []


def await_prosecution(*, actor: Any, incident: CriticalIncident, reason: str = "") -> CriticalIncident:
    """Hold the review while a prosecutor decides on a linked criminal case."""
    return _move(actor, incident, S.AWAITING_PROSECUTION, reason=reason, doing="hold the review")


def resume_review(*, actor: Any, incident: CriticalIncident, reason: str = "") -> CriticalIncident:
    """Take the review up again (the prosecutor decided, or the hold was a mistake)."""
    return _move(actor, incident, S.UNDER_REVIEW, reason=reason, doing="resume the review")


def send_to_board(*, actor: Any, incident: CriticalIncident) -> CriticalIncident:
    """Send a reviewed incident that meets the board's criteria to the review board; refused while
    a prosecution is undecided on a linked case."""
    return _move(actor, incident, S.BOARD_PENDING, doing="send an incident to the review board")


def close_incident(*, actor: Any, incident: CriticalIncident, reason: str = "") -> CriticalIncident:
    """Close a reviewed incident the board need not see, or one the board has determined."""
    return _move(actor, incident, S.CLOSED, reason=reason, doing="close an incident")


def move_incident(
    *, actor: Any, incident: CriticalIncident, target: str, reason: str = ""
) -> CriticalIncident:
    """One entry for the plain moves (the API's transitions): each goes to its own service."""
    if target not in S.values:
        raise ValidationError({"target": [f"Choose the status to move to: one of {', '.join(S.values)}."]})
    _require_visible(actor, incident)
    if (incident.status, target) in MOVES_ELSEWHERE:
        step = "assign a reviewer" if target == S.UNDER_REVIEW else "record the board's determination"
        raise IllegalTransition(
            f"Moving {incident.number} from {_label(incident.status)} to {_label(target)} is done when you "
            f"{step}.",
            code="own_step",
        )
    if target == S.AWAITING_PROSECUTION:
        return await_prosecution(actor=actor, incident=incident, reason=reason)
    if target == S.UNDER_REVIEW:
        return resume_review(actor=actor, incident=incident, reason=reason)
    if target == S.BOARD_PENDING:
        return send_to_board(actor=actor, incident=incident)
    if target == S.CLOSED:
        return close_incident(actor=actor, incident=incident, reason=reason)
    return _move(actor, incident, target, reason=reason, doing="move an incident")


def movable_targets(user: Any, incident: CriticalIncident) -> list[str]:
    """The statuses `user` may offer to move the incident to (the service decides finally)."""
    return [
        target
        for target in INCIDENT_FLOW.targets_for(user, incident.status)
        if (incident.status, target) not in MOVES_ELSEWHERE
    ]
