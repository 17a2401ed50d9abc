"""Prosecution referrals: presenting a subject to a prosecutor, the decision and the disposition.

Each function, in one transaction: checks that the actor may see the case (else 404) and is its
lead agent or a supervisor over it (else `PermissionDenied`), validates everything at once
(`ValidationError` with messages per field; `IllegalTransition` when the referral's or the
case's state does not allow the step), writes, appends the case history and the audit events.

The case follows its referrals. Referring moves an investigating case to "referred for
prosecution". A declination, once no other referral of the case is still open, sends a case that
waits on the prosecutor (referred, or held in abeyance) back to investigating, and turns a
criminal case into an administrative one: the work goes on as administrative misconduct. Joint
cases stay joint. Any criminal charge on record marks the subject employee for Giglio.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.audit import EventSpec
from probity.core.deadlines import agency_time_zone
from probity.core.models import AuditAction, Role
from probity.core.workflow import IllegalTransition
from probity.investigations.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseStatus,
    CaseType,
    Disposition,
    GiglioMark,
    GiglioReason,
    PartyRole,
    ProsecutionDecision,
    ProsecutionReferral,
    ProsecutorKind,
)
from probity.investigations.services.cases import transition
from probity.investigations.workflow import CASE_FLOW

S = CaseStatus
PROSECUTABLE_TYPES = frozenset({CaseType.CRIMINAL, CaseType.JOINT})
# A subject may be presented while the case is worked or already waits on another prosecutor.
REFERRABLE_STATES = frozenset({S.INVESTIGATING, S.PROSECUTION, S.ABEYANCE})
WAITING_STATES = frozenset({S.PROSECUTION, S.ABEYANCE})
CONVICTIONS = frozenset({Disposition.PLEA, Disposition.CONVICTION})
MAX_OFFICE = 200
MAX_TEXT = 10_000

Problems = dict[str, list[str]]


def agency_today() -> dt.date:
    return timezone.now().astimezone(agency_time_zone()).date()


def require_lead_or_supervisor(actor: Any, case: Case, *, doing: str) -> None:
    """404 if the actor may not see the case; `PermissionDenied` unless lead agent or supervisor."""
    if actor is None or case.pk is None or not access.can_view(actor, case):
        raise Http404("No such case")
    if case.lead_agent_id == actor.pk or actor.has_role(Role.SUPERVISOR):
        return
    raise PermissionDenied(f"Only the case's lead agent or a supervisor may {doing}.")


def check_date(
    problems: Problems, name: str, value: Any, *, not_before: dt.date | None = None, after_what: str = ""
) -> None:
    """A calendar date, not in the future (agency time), not before `not_before`."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        problems.setdefault(name, []).append("Enter a date (YYYY-MM-DD).")
        return
    if value > agency_today():
        problems.setdefault(name, []).append("The date cannot be in the future.")
    elif not_before is not None and value < not_before:
        problems.setdefault(name, []).append(
            f"The date cannot be before {after_what} ({not_before.isoformat()})."
        )


def check_text(
    problems: Problems, name: str, value: Any, *, required: str = "", limit: int = MAX_TEXT
) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        problems.setdefault(name, []).append(required)
    elif len(text) > limit:
        problems.setdefault(name, []).append(f"At most {limit} characters.")
    return text


def raise_problems(problems: Problems) -> None:
    if problems:
        raise ValidationError(problems)


def case_event(case: Case, *, kind: str, now: dt.datetime, actor: Any, **values: str) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, at=now, by=actor, **values)


def _resume(case: Case, *, actor: Any, reason: str, now: dt.datetime) -> list[EventSpec]:
    """Send a case waiting on the prosecutor back to investigating after a declination.

    Through the case services' `transition` when the actor may make the move; otherwise (a lead
    agent records the declination of a case a supervisor put in abeyance) as the consequence of
    the prosecutor's answer that it is: the move must exist, the role is not asked.
    """
    if CASE_FLOW.can(actor, case.status, S.INVESTIGATING):
        transition(
            actor=actor, case=case, target=S.INVESTIGATING, reason=reason, detail={"declination": True}
        )
        return []
    source = case.status
    CASE_FLOW.check(None, source, S.INVESTIGATING)
    case.status = S.INVESTIGATING
    case.updated_at = now
    case.save(update_fields=["status", "updated_at"])
    case_event(
        case,
        kind="transition",
        from_value=source,
        to_value=S.INVESTIGATING,
        reason=reason,
        now=now,
        actor=actor,
    )
    return [
        EventSpec(
            AuditAction.TRANSITION,
            actor=actor,
            obj=case,
            changes={"status": [source, S.INVESTIGATING]},
            detail={"reason": reason, "declination": True},
        )
    ]


def _locked_case(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _locked_referral(referral: ProsecutionReferral) -> ProsecutionReferral:
    return (
        ProsecutionReferral.objects.select_for_update(of=("self",))
        .select_related("subject__employee")
        .get(pk=referral.pk)
    )


def _subject_label(party: CaseParty) -> str:
    if party.employee_id is not None:
        return party.employee.full_name  # type: ignore[union-attr]
    return party.name or party.description[:60] or "an unidentified subject"


def refer_for_prosecution(
    *,
    actor: Any,
    case: Case,
    subject: CaseParty,
    prosecutor_kind: str,
    prosecutor_office: str,
    presented_on: dt.date,
) -> ProsecutionReferral:
    """Record that a subject was presented to a prosecutor; an investigating case waits on them."""
    require_lead_or_supervisor(actor, case, doing="refer a case for prosecution")
    with transaction.atomic():
        locked = _locked_case(case)
        if locked.case_type not in PROSECUTABLE_TYPES:
            raise ValidationError(
                {
                    "case_type": [
                        "Only criminal or joint cases are referred for prosecution; convert the case first."
                    ]
                }
            )
        if locked.status not in REFERRABLE_STATES:
            raise IllegalTransition(
                f"A case is referred for prosecution while it is investigated; this one is "
                f"{CASE_FLOW.labels.get(locked.status, locked.status)}.",
                code="illegal_transition",
            )
        problems: Problems = {}
        if (
            not isinstance(subject, CaseParty)
            or subject.case_id != locked.pk
            or subject.role != PartyRole.SUBJECT
        ):
            problems["subject"] = ["Choose a subject of this case."]
        if prosecutor_kind not in ProsecutorKind.values:
            problems["prosecutor_kind"] = [f"Choose one of: {', '.join(ProsecutorKind.labels)}."]
        office = check_text(
            problems,
            "prosecutor_office",
            prosecutor_office,
            required="Name the prosecutor's office (e.g. U.S. Attorney, District of Arizona).",
            limit=MAX_OFFICE,
        )
        opened_on = locked.opened_at.astimezone(agency_time_zone()).date()
        check_date(
            problems, "presented_on", presented_on, not_before=opened_on, after_what="the case was opened"
        )
        if "subject" not in problems:
            pending = ProsecutionReferral.objects.filter(
                case=locked, subject=subject, decision=ProsecutionDecision.PENDING
            ).first()
            if pending is not None:
                problems["subject"] = [
                    f"This subject's referral to {pending.prosecutor_office} awaits a decision; "
                    "record it before presenting the subject again."
                ]
        raise_problems(problems)
        now = timezone.now()
        referral = ProsecutionReferral.objects.create(
            case=locked,
            subject=subject,
            prosecutor_kind=prosecutor_kind,
            prosecutor_office=office,
            presented_on=presented_on,
            created_at=now,
            created_by=actor,
        )
        specs = [
            EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=referral,
                changes={
                    "decision": [None, referral.decision],
                    "prosecutor_kind": [None, prosecutor_kind],
                    "prosecutor_office": [None, office],
                    "presented_on": [None, presented_on.isoformat()],
                },
                detail={"case": locked.number, "subject_party": subject.pk},
            )
        ]
        reason = f"{_subject_label(subject)} presented to {office} on {presented_on.isoformat()}"
        audit.record_many(specs)
        if locked.status == S.INVESTIGATING:
            transition(
                actor=actor,
                case=locked,
                target=S.PROSECUTION,
                reason=reason,
                detail={"referral": referral.pk},
            )
        else:
            case_event(
                locked, kind="note", reason=f"Referred for prosecution: {reason}", now=now, actor=actor
            )
    case.status = locked.status
    return referral


def _open_referrals(case: Case, *, besides: ProsecutionReferral) -> bool:
    """Whether another referral of the case still waits on a prosecutor (decision or disposition)."""
    still_open = Q(decision=ProsecutionDecision.PENDING) | Q(
        decision=ProsecutionDecision.ACCEPTED, disposition=""
    )
    return ProsecutionReferral.objects.filter(still_open, case=case).exclude(pk=besides.pk).exists()


def _mark_giglio(referral: ProsecutionReferral, *, actor: Any, now: dt.datetime) -> list[EventSpec]:
    """A criminal charge is potential impeachment information: once per referral, employees only."""
    employee_id = referral.subject.employee_id
    if (
        employee_id is None
        or not referral.charges
        or GiglioMark.objects.filter(prosecution=referral).exists()
    ):
        return []
    mark = GiglioMark.objects.create(
        employee_id=employee_id,
        reason=GiglioReason.CRIMINAL_CHARGE,
        case_id=referral.case_id,
        prosecution=referral,
        marked_at=now,
    )
    return [
        EventSpec(
            AuditAction.CREATE,
            actor=actor,
            obj=mark,
            changes={"reason": [None, mark.reason]},
            detail={"employee": employee_id, "prosecution": referral.pk},
        )
    ]


def record_prosecution_decision(
    *, actor: Any, referral: ProsecutionReferral, decision: str, decided_on: dt.date, charges: str = ""
) -> ProsecutionReferral:
    """The prosecutor's answer. A declination returns the case to administrative work."""
    case = referral.case
    require_lead_or_supervisor(actor, case, doing="record a prosecutor's decision")
    with transaction.atomic():
        locked_case = _locked_case(case)
        current = _locked_referral(referral)
        if current.decision != ProsecutionDecision.PENDING:
            raise IllegalTransition(
                f"The prosecutor's decision on this referral is already recorded: "
                f"{current.get_decision_display().lower()} on {current.decided_on}.",
                code="illegal_transition",
            )
        problems: Problems = {}
        if decision not in (ProsecutionDecision.ACCEPTED, ProsecutionDecision.DECLINED):
            problems["decision"] = ["Choose accepted or declined."]
        check_date(
            problems, "decided_on", decided_on, not_before=current.presented_on, after_what="it was presented"
        )
        text = check_text(problems, "charges", charges)
        if text and decision == ProsecutionDecision.DECLINED:
            problems["charges"] = ["A declined referral brings no charges; leave the charges empty."]
        raise_problems(problems)
        now = timezone.now()
        current.decision = decision
        current.decided_on = decided_on
        current.charges = text
        current.save(update_fields=["decision", "decided_on", "charges"])
        specs = [
            EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=current,
                changes={
                    "decision": [ProsecutionDecision.PENDING, decision],
                    "decided_on": [None, decided_on.isoformat()],
                    **({"charges": ["", text]} if text else {}),
                },
                detail={"case": locked_case.number},
            )
        ]
        specs += _mark_giglio(current, actor=actor, now=now)
        label = f"{current.prosecutor_office} {current.get_decision_display().lower()} the referral of " + (
            f"{_subject_label(current.subject)} on {decided_on.isoformat()}"
        )
        if decision == ProsecutionDecision.DECLINED and not _open_referrals(locked_case, besides=current):
            specs += _resume_administrative_work(locked_case, actor=actor, reason=label, now=now)
        else:
            case_event(locked_case, kind="note", reason=label, now=now, actor=actor)
        audit.record_many(specs)
    case.status, case.case_type = locked_case.status, locked_case.case_type
    referral.decision, referral.decided_on, referral.charges = (
        current.decision,
        current.decided_on,
        current.charges,
    )
    return current


def _resume_administrative_work(case: Case, *, actor: Any, reason: str, now: dt.datetime) -> list[EventSpec]:
    specs: list[EventSpec] = []
    if case.status in WAITING_STATES:
        specs += _resume(case, actor=actor, reason=reason, now=now)
    if case.case_type == CaseType.CRIMINAL:
        case.case_type = CaseType.ADMINISTRATIVE
        case.updated_at = now
        case.save(update_fields=["case_type", "updated_at"])
        why = f"Criminal prosecution declined ({reason}); the case continues as administrative."
        case_event(
            case,
            kind="conversion",
            from_value=CaseType.CRIMINAL,
            to_value=CaseType.ADMINISTRATIVE,
            reason=why,
            now=now,
            actor=actor,
        )
        specs.append(
            EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=case,
                changes={"case_type": [CaseType.CRIMINAL, CaseType.ADMINISTRATIVE]},
                detail={"reason": why},
            )
        )
    return specs


def record_disposition(
    *,
    actor: Any,
    referral: ProsecutionReferral,
    disposition: str,
    disposition_on: dt.date,
    sentence: str = "",
    charges: str = "",
) -> ProsecutionReferral:
    """How an accepted prosecution ended. `charges`, when given, replaces those on record."""
    case = referral.case
    require_lead_or_supervisor(actor, case, doing="record a disposition")
    with transaction.atomic():
        locked_case = _locked_case(case)
        current = _locked_referral(referral)
        if current.decision != ProsecutionDecision.ACCEPTED:
            raise IllegalTransition(
                "A disposition is recorded for a prosecution the prosecutor accepted; this referral is "
                f"{current.get_decision_display().lower()}.",
                code="illegal_transition",
            )
        if current.disposition:
            raise IllegalTransition(
                f"The disposition is already recorded: {current.get_disposition_display().lower()} "
                f"on {current.disposition_on}.",
                code="illegal_transition",
            )
        problems: Problems = {}
        if disposition not in Disposition.values:
            problems["disposition"] = [f"Choose one of: {', '.join(Disposition.labels)}."]
        check_date(
            problems,
            "disposition_on",
            disposition_on,
            not_before=current.decided_on,
            after_what="the prosecutor accepted it",
        )
        new_charges = check_text(problems, "charges", charges)
        if not new_charges and not current.charges:
            problems.setdefault("charges", []).append("Record the charges the disposition concerns.")
        text = check_text(problems, "sentence", sentence)
        if text and disposition in Disposition.values and disposition not in CONVICTIONS:
            problems["sentence"] = ["A sentence follows only a guilty plea or a conviction."]
        raise_problems(problems)
        now = timezone.now()
        changes: dict[str, list[Any]] = {
            "disposition": ["", disposition],
            "disposition_on": [None, disposition_on.isoformat()],
        }
        if text:
            changes["sentence"] = ["", text]
        if new_charges and new_charges != current.charges:
            changes["charges"] = [current.charges, new_charges]
            current.charges = new_charges
        current.disposition = disposition
        current.disposition_on = disposition_on
        current.sentence = text
        current.save(update_fields=["disposition", "disposition_on", "sentence", "charges"])
        specs = [
            EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=current,
                changes=changes,
                detail={"case": locked_case.number},
            )
        ]
        specs += _mark_giglio(current, actor=actor, now=now)
        case_event(
            locked_case,
            kind="note",
            reason=f"Prosecution of {_subject_label(current.subject)} ended: "
            f"{current.get_disposition_display().lower()} on {disposition_on.isoformat()}",
            now=now,
            actor=actor,
        )
        audit.record_many(specs)
    for name in ("disposition", "disposition_on", "sentence", "charges"):
        setattr(referral, name, getattr(current, name))
    return current
