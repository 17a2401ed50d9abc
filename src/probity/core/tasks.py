"""Background tasks (django.tasks) and the progress rows that their pages poll.

A page learns about a task through its TaskProgress row, keyed by a progress id that the
enqueuing service creates before the task exists, so the page works at once whichever backend
runs the task (the immediate backend in tests, the database worker in production).
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.tasks import TaskContext, task
from django.utils import timezone

from probity.core import audit
from probity.core.models import AuditAction, AuditChainHead, AuditOutcome, Role, TaskProgress, User

VERIFY_AUDIT_CHAIN = "Verify the audit chain"
MESSAGE_LENGTH = 500


def start_progress(*, name: str, requested_by: User | None) -> TaskProgress:
    """The progress row a page can show before any worker has picked the task up."""
    now = timezone.now()
    return TaskProgress.objects.create(
        task_id=uuid.uuid4().hex,
        name=name,
        requested_by=requested_by,
        message="Waiting for a worker to start the task",
        created_at=now,
        updated_at=now,
    )


def report_progress(task_id: str, done: int, total: int, message: str = "") -> None:
    """Record how far a task has got; creates the row if the task was enqueued without one."""
    now = timezone.now()
    values = {
        "done": max(done, 0),
        "total": max(total, 0),
        "message": message[:MESSAGE_LENGTH],
        "updated_at": now,
    }
    TaskProgress.objects.update_or_create(
        task_id=task_id,
        defaults=values,
        create_defaults={**values, "name": "Background task", "created_at": now},
    )


def finish_progress(task_id: str, *, result: dict[str, Any], message: str, failed: bool = False) -> None:
    now = timezone.now()
    TaskProgress.objects.filter(task_id=task_id).update(
        result=result, message=message[:MESSAGE_LENGTH], failed=failed, finished_at=now, updated_at=now
    )


def progress_for(user: Any, task_id: str) -> TaskProgress:
    """A task's progress for the user who asked for it; anyone else gets a 404."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such task")
    found = TaskProgress.objects.filter(task_id=task_id, requested_by_id=user.pk).first()
    if found is None:
        raise Http404("No such task")
    return found


# The audit chain check


def verification_summary(result: audit.VerifyResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "checked": result.checked,
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
        "first_bad_seq": result.first_bad_seq,
        "first_bad_id": result.first_bad_id,
        "reason": result.reason,
    }


def verification_message(result: audit.VerifyResult) -> str:
    if result.ok:
        return f"OK: {result.checked} events, head #{result.head_seq} {result.head_hash}"
    if result.first_bad_seq is None:
        return f"TAMPERED: chain head: {result.reason}"
    event_id = result.first_bad_id if result.first_bad_id is not None else "missing"
    return f"TAMPERED: event #{result.first_bad_seq} (id {event_id}): {result.reason}"


def record_verification(result: audit.VerifyResult, *, actor: Any, channel: str) -> None:
    """The `verify` event, appended only after the walk so that it never alters what was checked."""
    audit.record(
        AuditAction.VERIFY,
        actor=actor,
        object_type="core.auditevent",
        object_repr="audit chain",
        detail={**verification_summary(result), "channel": channel},
        outcome=AuditOutcome.SUCCESS if result.ok else AuditOutcome.FAILURE,
    )


@task(takes_context=True)
def verify_audit_chain(
    context: TaskContext[Any, Any], progress_id: str | None = None, requested_by_id: int | None = None
) -> dict[str, Any]:
    """Walk the audit chain, reporting progress, and record the outcome as a `verify` event."""
    task_id = progress_id or context.task_result.id
    actor = User.objects.filter(pk=requested_by_id).first() if requested_by_id is not None else None
    head_seq = AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    report_progress(task_id, 0, head_seq, "Checking the audit chain")

    def progress(done: int, total: int) -> None:
        report_progress(task_id, done, total, f"Checked {done:,} of {total:,} events")

    try:
        result = audit.verify(progress=progress)
    except Exception as exc:
        finish_progress(
            task_id,
            result={"error": type(exc).__name__},
            message="The check could not finish. Try again; if it fails again, tell your administrator.",
            failed=True,
        )
        raise
    summary = verification_summary(result)
    # The page gets the answer even if the trail then refuses the `verify` event (a removed
    # chain head makes every append fail); the task still fails loudly for the operator.
    finish_progress(task_id, result=summary, message=verification_message(result))
    record_verification(result, actor=actor, channel="task")
    return summary


def start_audit_verification(*, actor: User) -> TaskProgress:
    """Queue a check of the audit chain for an auditor; the task starts once this commits."""
    if not actor.is_active or not actor.has_role(Role.AUDITOR):
        raise PermissionDenied("Only auditors may verify the audit chain")
    with transaction.atomic():
        progress = start_progress(name=VERIFY_AUDIT_CHAIN, requested_by=actor)
        transaction.on_commit(
            partial(verify_audit_chain.enqueue, progress_id=progress.task_id, requested_by_id=actor.pk)
        )
    return progress
