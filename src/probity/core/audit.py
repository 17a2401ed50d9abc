"""Appending to and verifying the hash-chained audit trail.

Every append locks the single chain-head row (SELECT … FOR UPDATE on PostgreSQL; SQLite's
immediate transactions serialise writers), reads the last hash, and writes the new event and
head in one transaction, so concurrent writers can never fork the chain.

The chain-head lock is held until the writer's transaction ends, so a busy service that makes
several events in one transaction gathers them as `EventSpec`s and appends them with one
`record_many` at the end: one lock, held for the shortest time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from probity.core import context
from probity.core.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class EventSpec:
    """What happened, before it gets its place in the chain."""

    action: str
    actor: Any = None  # a User, or None for the system
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    outcome: str = AuditOutcome.SUCCESS
    actor_username: str = ""


def _plain(value: Any) -> Any:
    """JSON-safe values that survive a round trip through either database unchanged."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def compute_hash(
    *,
    seq: int,
    occurred_at: dt.datetime,
    actor_id: int | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    detail: Any,
    client_ip: str | None,
    outcome: str,
    prev_hash: str,
) -> str:
    payload = {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_username": actor_username,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "detail": detail,
        "client_ip": client_ip,
        "outcome": outcome,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return compute_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_username=event.actor_username,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        changes=event.changes,
        detail=event.detail,
        client_ip=event.client_ip,
        outcome=event.outcome,
        prev_hash=event.prev_hash,
    )


def label_of(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def _unsaved_event(spec: EventSpec, now: dt.datetime, client_ip: str | None) -> AuditEvent:
    actor = spec.actor
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    username = spec.actor_username or (actor.get_username() if actor_id else "")
    obj = spec.obj
    return AuditEvent(
        occurred_at=now,
        actor_id=actor_id,
        actor_username=username[:150],
        action=spec.action,
        object_type=spec.object_type or (label_of(obj) if obj is not None else ""),
        object_id=spec.object_id or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(spec.object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=_plain(spec.changes),
        detail=_plain(spec.detail),
        client_ip=client_ip,
        outcome=spec.outcome,
    )


def record_many(specs: Iterable[EventSpec]) -> list[AuditEvent]:
    """Append events in order, in one transaction, under the chain lock.

    Inside a caller's transaction this adds no savepoint (two round trips saved on the busiest
    paths): a failed append fails the caller's whole transaction, as it must, since the work
    it audits cannot be kept without its events.
    """
    ctx = context.current()
    now = timezone.now()
    events = [_unsaved_event(spec, now, ctx.client_ip) for spec in specs]
    if not events:
        return []
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        seq, prev = head.seq, head.hash
        for event in events:
            seq += 1
            event.seq = seq
            event.prev_hash = prev
            event.hash = hash_of(event)
            prev = event.hash
        AuditEvent.objects.bulk_create(events, batch_size=500)
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev)
    return events


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_username: str = "",
) -> AuditEvent:
    spec = EventSpec(
        action=action,
        actor=actor,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes or {},
        detail=detail or {},
        outcome=outcome,
        actor_username=actor_username,
    )
    return record_many([spec])[0]


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {name: [old, new]}."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""


def _events_in_order(upto: int | None, chunk: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    events = AuditEvent.objects.all() if upto is None else AuditEvent.objects.filter(seq__lte=upto)
    while True:
        batch = list(events.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def _problem_with(event: AuditEvent, expected_seq: int, prev: str) -> str:
    if event.seq != expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {event.seq}: events were removed"
    if event.prev_hash != prev:
        return "does not link to the event before it: events were removed or reordered"
    if hash_of(event) != event.hash:
        return "its content does not match its hash: the event was altered"
    return ""


def verify(progress: Any = None) -> VerifyResult:
    """Walk the whole chain; report the first event that was altered, removed or moved."""
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    # Only the events the head vouches for: those appended while we walk are checked next time
    # (walking them now would read as "the head is behind", a false alarm on a live system).
    total = head_seq if head else AuditEvent.objects.count()
    prev = GENESIS_HASH
    checked = 0
    for expected_seq, event in enumerate(_events_in_order(upto=head_seq if head else None), start=1):
        problem = _problem_with(event, expected_seq, prev)
        if problem:
            return VerifyResult(False, checked, head_seq, head_hash, event.seq, event.pk, problem)
        prev = event.hash
        checked += 1
        if progress is not None and checked % 1000 == 0:
            progress(checked, total)
    if head is None and checked:
        reason = f"the chain head is missing but {checked} events exist"
        return VerifyResult(False, checked, 0, GENESIS_HASH, None, None, reason)
    if checked != head_seq or prev != head_hash:
        return VerifyResult(
            False,
            checked,
            head_seq,
            head_hash,
            checked + 1,
            None,
            f"the chain head records {head_seq} events but {checked} remain: the newest were removed",
        )
    if progress is not None:
        progress(checked, total)
    return VerifyResult(True, checked, head_seq, head_hash)


__all__ = ["AuditAction", "AuditOutcome", "EventSpec", "diff", "record", "record_many", "verify"]
