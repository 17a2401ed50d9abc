"""Services that start and stop clocks: every `Deadline` row is made and closed here.

Deadlines are started and stopped by the domain services that did the work (sending a
referral, answering it), inside their own transaction and after their own permission check;
these functions validate the clock itself and audit it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from probity.core import audit
from probity.core.deadlines import due_at as compute_due_at
from probity.core.models import AuditAction, Deadline, DeadlineRule, OrgUnit, User


def _aware(value: dt.datetime | None, name: str) -> dt.datetime:
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        raise ValidationError(f"The {name} time must include a time zone.")
    return value


def _rule(code: str) -> DeadlineRule:
    rule = DeadlineRule.objects.filter(code=code).first()
    if rule is None:
        raise ValidationError(f"There is no deadline rule with the code {code!r}.")
    return _active(rule)


def _active(rule: DeadlineRule) -> DeadlineRule:
    if not rule.active:
        raise ValidationError(
            f"The deadline rule {rule.code!r} is switched off; an administrator can switch it on."
        )
    return rule


def start_deadline(
    *,
    actor: Any,
    rule: str | DeadlineRule,
    record: models.Model,
    title: str,
    owner: User | None = None,
    office: OrgUnit | None = None,
    started_at: dt.datetime | None = None,
    events: list[audit.EventSpec] | None = None,
    due_at: dt.datetime | None = None,
) -> Deadline:
    """Start the clock named `rule` on `record`, due as the rule's current duration says.

    `due_at` sets another due time when a decision fixes one (a board giving a recommendation
    its date); the rule's duration is then only the default. It cannot be before the start.

    `rule` is a rule's code, or the rule row itself when the caller has just read it (saving
    a query). With `events`, the audit event is added to that list instead of appended now:
    the caller appends it (`audit.record_many`) before its own transaction ends, together with
    its other events, taking the chain lock once.
    """
    title = title.strip()
    if not title:
        raise ValidationError("A deadline needs a title.")
    if len(title) > Deadline._meta.get_field("title").max_length:  # type: ignore[operator]
        raise ValidationError("A deadline title may be at most 200 characters.")
    if record.pk is None:
        raise ValidationError("A deadline must be started on a saved record.")
    if events is not None and not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("Gathered audit events need the caller's transaction.")
    started = _aware(started_at, "start")
    found = _rule(rule) if isinstance(rule, str) else _active(rule)
    due = compute_due_at(found, started) if due_at is None else _aware(due_at, "due")
    if due < started:
        raise ValidationError("A deadline cannot be due before it starts.")
    # Everything that can refuse is checked above, so inside a caller's transaction this needs
    # no savepoint (two round trips fewer): a failing insert fails the caller's work with it.
    with transaction.atomic(savepoint=False):
        deadline = Deadline.objects.create(
            rule=found,
            title=title,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            started_at=started,
            due_at=due,
            owner=owner,
            office=office,
        )
        spec = audit.EventSpec(
            action=AuditAction.CREATE,
            actor=actor,
            obj=deadline,
            changes={
                "rule": [None, found.code],
                "record": [None, f"{audit.label_of(record)}:{record.pk}"],
                "title": [None, title],
                "started_at": [None, started],
                "due_at": [None, deadline.due_at],
                "owner": [None, owner.get_username() if owner else None],
                "office": [None, office.code if office else None],
            },
            detail={"amount": found.amount, "unit": found.unit},
        )
        if events is None:
            audit.record_many([spec])
        else:
            events.append(spec)
    return deadline


def _locked_open(deadline: Deadline) -> Deadline:
    current = Deadline.objects.select_for_update().select_related("rule").get(pk=deadline.pk)
    if current.met_at is not None:
        raise ValidationError(f"This deadline was already met on {current.met_at:%Y-%m-%d %H:%M} UTC.")
    if current.cancelled_at is not None:
        raise ValidationError(f"This deadline was cancelled on {current.cancelled_at:%Y-%m-%d %H:%M} UTC.")
    return current


def meet_deadline(*, actor: Any, deadline: Deadline, met_at: dt.datetime | None = None) -> Deadline:
    """Stop the clock because the work was done; a late answer is recorded as late, not refused."""
    met = _aware(met_at, "met")
    with transaction.atomic():
        current = _locked_open(deadline)
        if met < current.started_at:
            raise ValidationError("A deadline cannot be met before it started.")
        current.met_at = met
        current.save(update_fields=["met_at"])
        audit.record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=current,
            changes={"met_at": [None, met]},
            detail={"rule": current.rule.code, "late": met > current.due_at},
        )
    deadline.met_at = current.met_at
    return current


def cancel_deadline(*, actor: Any, deadline: Deadline, reason: str) -> Deadline:
    """Stop the clock because it no longer applies (e.g. the allegation was withdrawn)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why the deadline is cancelled.")
    with transaction.atomic():
        current = _locked_open(deadline)
        current.cancelled_at = timezone.now()
        current.save(update_fields=["cancelled_at"])
        audit.record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=current,
            changes={"cancelled_at": [None, current.cancelled_at]},
            detail={"rule": current.rule.code, "reason": reason},
        )
    deadline.cancelled_at = current.cancelled_at
    return current
