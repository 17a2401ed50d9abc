"""Core API endpoints: who am I, the audit trail (auditors only) and background task progress.

No `from __future__ import annotations` here: ninja reads these annotations at import time,
and the pagination wrapper's globals would not resolve them as strings.

Thin by rule: each endpoint parses typed input, calls the same query or service as the screens,
and shapes the answer. `router` is mounted at the API root; it composes the sub-routers below so
that other apps can mount theirs beside it (`api.add_router("/employees", …)`).
"""

import datetime as dt
from typing import Any, Self

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import model_validator

from probity.core import tasks as core_tasks
from probity.core.models import AuditAction, AuditOutcome, TaskProgress
from probity.core.queries import audit as audit_queries

router = Router()
audit_router = Router(tags=["audit"])
tasks_router = Router(tags=["tasks"])

MAX_PAGE = 500


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    office_scope: str | None


@router.get("/me", response=MeOut, summary="The signed-in user and their roles", tags=["me"])
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    return MeOut(
        username=user.username,
        full_name=user.get_full_name(),
        roles=sorted(user.roles),
        office_scope=user.office_scope.name if user.office_scope_id else None,
    )


# Audit trail


class AuditEventOut(Schema):
    seq: int
    occurred_at: dt.datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    outcome: str
    changes: dict[str, Any]
    detail: dict[str, Any]
    client_ip: str | None
    prev_hash: str
    hash: str


class AuditEventQuery(Schema):
    person: str = Field("", max_length=150, description="Actor user name (any case)")
    object_type: str = Field("", max_length=100, description="Model label, e.g. core.employee")
    object_id: str = Field("", max_length=64)
    action: AuditAction | None = None
    outcome: AuditOutcome | None = None
    from_date: dt.date | None = Field(None, description="First day, in the agency's time zone")
    to_date: dt.date | None = Field(None, description="Last day, in the agency's time zone")
    after_seq: int | None = Field(None, ge=0, description="Only events after this sequence number")

    @model_validator(mode="after")
    def dates_in_order(self) -> Self:
        if self.from_date and self.to_date and self.from_date > self.to_date:
            raise ValueError("from_date must not be after to_date")
        return self

    def filters(self) -> audit_queries.AuditFilters:
        return audit_queries.AuditFilters(
            person=self.person.strip(),
            object_type=self.object_type.strip(),
            object_id=self.object_id.strip(),
            action=self.action.value if self.action else "",
            outcome=self.outcome.value if self.outcome else "",
            date_from=self.from_date,
            date_to=self.to_date,
            after_seq=self.after_seq,
        )


class AuditPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0)


@audit_router.get(
    "/events",
    response=list[AuditEventOut],
    summary="Search the audit trail (auditors only)",
    description=(
        "Oldest first, so that offsets stay stable while new events (including the `search` "
        "event each call records) are appended. Use `after_seq` to fetch only new events."
    ),
)
@paginate(AuditPagination)
def audit_events(request: HttpRequest, query: Query[AuditEventQuery]) -> Any:
    events = audit_queries.search_events(request.auth, query.filters(), channel="api")  # type: ignore[attr-defined]
    return events.order_by("seq")


class TaskOut(Schema):
    task_id: str
    name: str
    done: int
    total: int
    percent: int
    message: str
    finished: bool
    failed: bool
    result: dict[str, Any]
    progress_url: str


def _task_out(progress: TaskProgress) -> TaskOut:
    return TaskOut(
        task_id=progress.task_id,
        name=progress.name,
        done=progress.done,
        total=progress.total,
        percent=progress.percent,
        message=progress.message,
        finished=progress.finished_at is not None,
        failed=progress.failed,
        result=progress.result,
        progress_url=reverse("task-progress", args=[progress.task_id]),
    )


@audit_router.post(
    "/verify",
    response={202: TaskOut},
    summary="Start a check of the audit chain (auditors only)",
)
def verify_audit_chain(request: HttpRequest) -> Status[TaskOut]:
    user = request.auth  # type: ignore[attr-defined]
    audit_queries.require_auditor(user)
    progress = core_tasks.start_audit_verification(actor=user)
    progress.refresh_from_db()
    return Status(202, _task_out(progress))


# Background tasks


@tasks_router.get("/{task_id}", response=TaskOut, summary="Progress of a task you started")
def task_progress(request: HttpRequest, task_id: str) -> TaskOut:
    return _task_out(core_tasks.progress_for(request.auth, task_id))  # type: ignore[attr-defined]


router.add_router("/audit", audit_router)
router.add_router("/tasks", tasks_router)
