"""Triage, OIG referral, routing, closure and assignment: the intake workflow's services.

Each function, in one transaction: checks that the actor may see the allegation (else 404),
that the workflow allows the move for their role (`IllegalTransition` / `PermissionDenied`),
validates (`ValidationError` with a message per field), writes, records a `transition` event
per allegation with `changes` {"status": [old, new], ...}, and starts or meets the clocks.

Linked allegations (one `group`, one incident) that stand at the same step as the one acted
on move with it, each audited; those at another step are left where they are. The OIG
first-refusal rule is checked for the incident as a whole: one declined or returned answer
on any of the allegations moving together clears it.

Routing handlers (`hooks.routing_handlers[outcome]`) are called inside the routing transaction
as `handler(actor=actor, allegation=allegation)`, once per allegation routed; if one raises,
nothing is routed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, Deadline, Role, User
from probity.core.services.deadlines import meet_deadline, start_deadline
from probity.core.workflow import IllegalTransition
from probity.intake import hooks
from probity.intake.models import (
    Allegation,
    AllegationStatus,
    OigAnswer,
    OigReferral,
    RoutingOutcome,
    Seriousness,
)
from probity.intake.services.record import TRIAGE_RULE
from probity.intake.workflow import (
    ALLEGATION_FLOW,
    CLOSURE_OUTCOMES,
    DIRECT_OPENING_FLOW,
    DIRECT_OPENING_OUTCOMES,
    INTAKE_STAFF,
    OIG_FIRST_REFUSAL,
    target_of_routing,
)

S = AllegationStatus
OIG_RULE = "oig-referral-answer"
MAX_TEXT = 10_000
MAX_OIG_REFERENCE = 60
ASSIGNABLE_ROLE = Role.INTAKE

Problems = dict[str, list[str]]


@dataclass
class _Step:
    """One move under way: the allegation acted on and everything moving with it, locked."""

    current: Allegation
    members: list[Allegation]
    source: str
    target: str


def _require_visible(actor: Any, allegation: Allegation) -> None:
    if actor is None or allegation.pk is None or not access.can_view(actor, allegation):
        raise Http404("No such allegation")


def _label(status: str) -> str:
    return ALLEGATION_FLOW.labels.get(status, status)


def _begin(actor: Any, allegation: Allegation, source: str, target: str) -> _Step:
    """Lock the allegation and its linked ones at the same step; check access and the workflow."""
    _require_visible(actor, allegation)
    current = Allegation.objects.select_for_update().get(pk=allegation.pk)
    if current.status != source:
        # Two steps may share a move (triage and an OIG decline both end in triaged), so each
        # service also insists on its own starting state.
        step = ALLEGATION_FLOW.transitions[(source, target)].label
        raise IllegalTransition(
            f"{step} is possible only for an allegation that is {_label(source)}; "
            f"this one is {_label(current.status)}.",
            code="illegal_transition",
        )
    ALLEGATION_FLOW.check(actor, source, target)
    members = [current]
    if current.group_id is not None:
        others = list(
            Allegation.objects.select_for_update()
            .filter(group_id=current.group_id, status=current.status)
            .exclude(pk=current.pk)
            .order_by("pk")
        )
        if others:
            seen = access.visible(actor, Allegation.objects.filter(pk__in=[o.pk for o in others])).count()
            if seen < len(others):
                # Moving a record the actor may not see would act on it behind the policy's back.
                raise PermissionDenied(
                    "This allegation is linked to another that you may not see, so they cannot move "
                    "together; ask a supervisor to make this step."
                )
            members += others
    return _Step(current=current, members=members, source=current.status, target=target)


def _plain(value: Any) -> Any:
    if isinstance(value, User):
        return value.get_username()
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def _apply(member: Allegation, values: Mapping[str, Any], now: Any) -> dict[str, list[Any]]:
    """Set and save `values` on one allegation; return what changed as {field: [old, new]}."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(member, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
        setattr(member, name, value)
    member.updated_at = now
    member.save(update_fields=[*values, "updated_at"])
    return changes


def _finish(
    actor: Any,
    step: _Step,
    values: Mapping[str, Any],
    *,
    detail: Mapping[str, Any] | None = None,
    extra: Mapping[int, Mapping[str, list[Any]]] | None = None,
) -> None:
    """Move every member to the target with `values`, one audit event each."""
    now = timezone.now()
    specs = []
    for member in step.members:
        changes = {"status": [step.source, step.target]}
        changes.update(_apply(member, {"status": step.target, **values}, now))
        changes.update((extra or {}).get(member.pk, {}))
        member_detail = dict(detail or {})
        if member.pk != step.current.pk:
            member_detail["moved_with"] = step.current.number
        specs.append(
            audit.EventSpec(
                AuditAction.TRANSITION, actor=actor, obj=member, changes=changes, detail=member_detail
            )
        )
    audit.record_many(specs)


def _open_clocks(member: Allegation, rule: str) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(Allegation),
            object_id=member.pk,
            rule__code=rule,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
    )


def _meet_triage_clock(actor: Any, members: Iterable[Allegation]) -> None:
    for member in members:
        for deadline in _open_clocks(member, TRIAGE_RULE):
            meet_deadline(actor=actor, deadline=deadline)


def _text(value: str, name: str, errors: Problems, *, required: str = "", limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(required)
    if len(value) > limit:
        errors.setdefault(name, []).append(f"This must be {limit:,} characters or fewer.")
    return value


def _raise_if(errors: Problems) -> None:
    if errors:
        raise ValidationError(errors)


def _finished(allegation: Allegation, step: _Step) -> Allegation:
    """Bring the caller's instance up to date with the locked copy that was saved."""
    for field in Allegation._meta.concrete_fields:
        setattr(allegation, field.attname, getattr(step.current, field.attname))
    return allegation


# The services


def triage(*, actor: Any, allegation: Allegation, seriousness: str, note: str = "") -> Allegation:
    """Code the seriousness of a received allegation: received → triaged."""
    with transaction.atomic():
        step = _begin(actor, allegation, S.RECEIVED, S.TRIAGED)
        errors: Problems = {}
        if seriousness not in Seriousness.values:
            choices = ", ".join(Seriousness.values)
            errors["seriousness"] = [f"Choose the seriousness: one of {choices}."]
        note = _text(note, "note", errors)
        _raise_if(errors)
        _finish(actor, step, {"seriousness": seriousness}, detail={"note": note} if note else None)
    return _finished(allegation, step)


def refer_to_oig(*, actor: Any, allegation: Allegation, note: str = "") -> OigReferral:
    """Send a triaged allegation to DHS OIG under its right of first refusal and start OIG's clock."""
    with transaction.atomic():
        step = _begin(actor, allegation, S.TRIAGED, S.OIG_PENDING)
        errors: Problems = {}
        note = _text(note, "note", errors)
        _raise_if(errors)
        now = timezone.now()
        referrals: dict[int, OigReferral] = {}
        for member in step.members:
            referral = OigReferral.objects.create(allegation=member, sent_at=now, sent_by=actor, note=note)
            referral.deadline = start_deadline(
                actor=actor,
                rule=OIG_RULE,
                record=member,
                title=f"OIG answer on {member.number}",
                owner=member.assigned_to if member.assigned_to_id else actor,
                office=member.office,
                started_at=now,
            )
            referral.save(update_fields=["deadline"])
            referrals[member.pk] = referral
        _finish(
            actor,
            step,
            {},
            detail={"note": note} if note else None,
            extra={pk: {"oig_referral": [None, referral.pk]} for pk, referral in referrals.items()},
        )
    _finished(allegation, step)
    return referrals[step.current.pk]


def record_oig_answer(
    *, actor: Any, allegation: Allegation, answer: str, oig_reference: str = "", note: str = ""
) -> OigReferral:
    """Record OIG's answer: accepted → oig_accepted; declined or returned → back to triaged."""
    answers = (OigAnswer.ACCEPTED, OigAnswer.DECLINED, OigAnswer.RETURNED)
    target = S.OIG_ACCEPTED if answer not in (OigAnswer.DECLINED, OigAnswer.RETURNED) else S.TRIAGED
    with transaction.atomic():
        step = _begin(actor, allegation, S.OIG_PENDING, target)
        errors: Problems = {}
        if answer not in answers:
            errors["answer"] = [f"Choose OIG's answer: one of {', '.join(answers)}."]
        oig_reference = _text(oig_reference, "oig_reference", errors, limit=MAX_OIG_REFERENCE)
        note = _text(note, "note", errors)
        pending = {
            referral.allegation_id: referral
            for referral in OigReferral.objects.select_for_update().filter(
                allegation__in=step.members, answer=OigAnswer.PENDING
            )
        }
        if step.current.pk not in pending:
            errors.setdefault("answer", []).append("There is no referral awaiting OIG's answer.")
        _raise_if(errors)
        now = timezone.now()
        extra = {}
        for member in step.members:
            referral = pending.get(member.pk)
            if referral is None:
                continue
            referral.answer = answer
            referral.answered_at = now
            referral.answered_by = actor
            referral.oig_reference = oig_reference
            if note:
                referral.note = f"{referral.note}\n\nAnswer: {note}".strip()
            referral.save(update_fields=["answer", "answered_at", "answered_by", "oig_reference", "note"])
            if (
                referral.deadline_id is not None
                and referral.deadline is not None
                and referral.deadline.is_open
            ):
                meet_deadline(actor=actor, deadline=referral.deadline, met_at=now)
            extra[member.pk] = {"oig_answer": [OigAnswer.PENDING.value, answer]}
        if answer == OigAnswer.ACCEPTED:
            # OIG takes the incident: intake's decision is made.
            _meet_triage_clock(actor, step.members)
        detail = {key: value for key, value in (("oig_reference", oig_reference), ("note", note)) if value}
        _finish(actor, step, {}, detail=detail, extra=extra)
    _finished(allegation, step)
    return pending[step.current.pk]


def _check_first_refusal(step: _Step) -> None:
    if not any(member.seriousness in OIG_FIRST_REFUSAL for member in step.members):
        return
    answered = OigReferral.objects.filter(
        allegation__in=step.members, answer__in=[OigAnswer.DECLINED, OigAnswer.RETURNED]
    ).exists()
    if not answered:
        raise IllegalTransition(
            "A criminal or serious administrative allegation must first be referred to the DHS OIG, "
            "and can be routed only once OIG has declined or returned it.",
            code="oig_first_refusal",
        )


def route(*, actor: Any, allegation: Allegation, outcome: str, rationale: str) -> Allegation:
    """Decide where a triaged allegation goes, with the reasons.

    Information only and closed with no action become a closure request that another
    supervisor approves; every other outcome routes the allegation.
    """
    valid = outcome in RoutingOutcome.values
    with transaction.atomic():
        step = _begin(actor, allegation, S.TRIAGED, target_of_routing(outcome) if valid else S.ROUTED)
        errors: Problems = {}
        if not valid:
            errors["outcome"] = [f"Choose a routing outcome: one of {', '.join(RoutingOutcome.values)}."]
        rationale = _text(rationale, "rationale", errors, required="Give the reasons for this decision.")
        _raise_if(errors)
        _check_first_refusal(step)
        now = timezone.now()
        values: dict[str, Any] = {
            "routing_outcome": outcome,
            "routing_rationale": rationale,
            "routed_at": now,
            "routed_by": actor,
        }
        if outcome in CLOSURE_OUTCOMES:
            values["closure_requested_by"] = actor
        _finish(actor, step, values)
        if step.target == S.ROUTED:
            for member in step.members:
                for handler in list(hooks.routing_handlers.get(outcome, [])):
                    handler(actor=actor, allegation=member)
            _meet_triage_clock(actor, step.members)
    return _finished(allegation, step)


def record_direct_opening(*, actor: Any, allegation: Allegation, outcome: str, rationale: str) -> Allegation:
    """Mark a received allegation as routed to the case a supervisor opens directly: received → routed.

    The caller (investigations' `open_case_directly`) opens the case itself in the same
    transaction, so the routing handlers are not called. Only this allegation moves: it was
    recorded for the opening, and linked allegations keep their own course.
    """
    with transaction.atomic():
        _require_visible(actor, allegation)
        current = Allegation.objects.select_for_update().get(pk=allegation.pk)
        if current.status != S.RECEIVED:
            raise IllegalTransition(
                "Only an allegation that is received can be opened directly as a case; "
                f"this one is {_label(current.status)}.",
                code="illegal_transition",
            )
        DIRECT_OPENING_FLOW.check(actor, S.RECEIVED, S.ROUTED)
        errors: Problems = {}
        if outcome not in DIRECT_OPENING_OUTCOMES:
            choices = ", ".join(sorted(DIRECT_OPENING_OUTCOMES))
            errors["outcome"] = [f"A case opened directly is one of: {choices}."]
        rationale = _text(rationale, "rationale", errors, required="Give the reason for opening the case.")
        _raise_if(errors)
        step = _Step(current=current, members=[current], source=S.RECEIVED, target=S.ROUTED)
        values: dict[str, Any] = {
            "routing_outcome": outcome,
            "routing_rationale": rationale,
            "routed_at": timezone.now(),
            "routed_by": actor,
        }
        _finish(actor, step, values, detail={"direct_opening": True})
        _meet_triage_clock(actor, step.members)
    return _finished(allegation, step)


def approve_closure(*, actor: Any, allegation: Allegation, note: str = "") -> Allegation:
    """A supervisor other than the one who asked closes the allegation: closure_pending → closed."""
    with transaction.atomic():
        step = _begin(actor, allegation, S.CLOSURE_PENDING, S.CLOSED)
        if any(member.closure_requested_by_id == actor.pk for member in step.members):
            raise PermissionDenied("You asked for this closure; another supervisor must approve it.")
        errors: Problems = {}
        note = _text(note, "note", errors)
        _raise_if(errors)
        now = timezone.now()
        _finish(
            actor,
            step,
            {"closure_approved_by": actor, "closed_at": now},
            detail={"note": note} if note else None,
        )
        _meet_triage_clock(actor, step.members)
    return _finished(allegation, step)


def reject_closure(*, actor: Any, allegation: Allegation, reason: str) -> Allegation:
    """Send a closure request back to triage with the reason: closure_pending → triaged.

    The requester may withdraw their own request this way: only approval needs a second person.
    """
    with transaction.atomic():
        step = _begin(actor, allegation, S.CLOSURE_PENDING, S.TRIAGED)
        errors: Problems = {}
        reason = _text(reason, "reason", errors, required="Say why the closure is refused.")
        _raise_if(errors)
        _finish(
            actor,
            step,
            {
                "routing_outcome": "",
                "routing_rationale": "",
                "routed_at": None,
                "routed_by": None,
                "closure_requested_by": None,
            },
            detail={"reason": reason},
        )
    return _finished(allegation, step)


def assign(*, actor: Any, allegations: Iterable[Allegation], assignee: User | None) -> int:
    """Assign allegations to an intake specialist (None: unassign). Returns how many changed."""
    pks = sorted({allegation.pk for allegation in allegations})
    if actor is None:
        raise Http404("No such allegation")
    if not pks:
        raise ValidationError({"allegations": ["Choose at least one allegation."]})
    with transaction.atomic():
        rows = list(
            access.visible(actor, Allegation.objects.filter(pk__in=pks))
            # Lock the allegations only: the joined user row is nullable (an outer join).
            .select_for_update(of=("self",))
            .select_related("assigned_to")
            .order_by("pk")
        )
        if len(rows) < len(pks):
            raise Http404("No such allegation")
        if not actor.has_role(*INTAKE_STAFF):
            raise PermissionDenied("Only intake specialists and supervisors assign allegations.")
        if assignee is not None:
            _check_assignee(assignee, rows)
        now = timezone.now()
        changed = [row for row in rows if row.assigned_to_id != (assignee.pk if assignee else None)]
        Allegation.objects.filter(pk__in=[row.pk for row in changed]).update(
            assigned_to=assignee, updated_at=now
        )
        audit.record_many(
            audit.EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=row,
                changes={
                    "assigned_to": [
                        row.assigned_to.get_username() if row.assigned_to else None,
                        assignee.get_username() if assignee else None,
                    ]
                },
                detail={"bulk": len(rows)},
            )
            for row in changed
        )
    return len(changed)


def _check_assignee(assignee: User, rows: list[Allegation]) -> None:
    if not assignee.is_active or not assignee.has_role(ASSIGNABLE_ROLE):
        raise ValidationError(
            {"assignee": [f"{assignee.get_username()} is not an active intake specialist."]}
        )
    seen = set(
        access.visible(assignee, Allegation.objects.filter(pk__in=[row.pk for row in rows])).values_list(
            "pk", flat=True
        )
    )
    blocked = [row.number for row in rows if row.pk not in seen]
    if blocked:
        raise ValidationError(
            {
                "assignee": [
                    f"{assignee.get_username()} may not see {', '.join(blocked)}, so cannot be assigned "
                    "to it; choose someone else."
                ]
            }
        )
