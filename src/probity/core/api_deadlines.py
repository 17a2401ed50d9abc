"""API for deadlines: my open deadlines and my office's overdue ones, as the two pages show them.

No `from __future__ import annotations` here: ninja reads these annotations at import time.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from probity.core.api_people import Paging, UnitRef, not_found_as_json, page_of
from probity.core.models import Deadline
from probity.core.queries.deadlines import my_open_deadlines, overdue_in_office
from probity.core.views.deadlines import OFFICE_WATCHERS

router = Router(tags=["deadlines"])


class DeadlineOut(Schema):
    id: int
    title: str
    rule: str = Field(description="Code of the rule that set the clock")
    rule_name: str
    record_type: str = Field(description="Model label of the record the clock runs on, e.g. core.orgunit")
    record_id: int
    started_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    office: UnitRef | None
    owner: str | None = Field(description="User name of the owner, if any")


class DeadlinePage(Schema):
    items: list[DeadlineOut]
    count: int


def _deadline_out(deadline: Deadline, now: dt.datetime) -> DeadlineOut:
    office = deadline.office
    # get_for_id reads Django's content-type cache, so this costs no query per row.
    record_type = ContentType.objects.get_for_id(deadline.content_type_id)
    return DeadlineOut(
        id=deadline.pk,
        title=deadline.title,
        rule=deadline.rule.code,
        rule_name=deadline.rule.name,
        record_type=f"{record_type.app_label}.{record_type.model}",
        record_id=deadline.object_id,
        started_at=deadline.started_at,
        due_at=deadline.due_at,
        overdue=deadline.due_at < now,
        office=UnitRef(id=office.pk, code=office.code, name=office.name) if office is not None else None,
        owner=deadline.owner.username if deadline.owner is not None else None,
    )


@router.get(
    "/mine",
    response=DeadlinePage,
    summary="My open deadlines, soonest first",
    description="Only deadlines on records you may see, as on the My deadlines page.",
)
def mine(request: HttpRequest, paging: Query[Paging]) -> DeadlinePage:
    deadlines = my_open_deadlines(request.auth).select_related("owner")  # type: ignore[attr-defined]
    count, rows = page_of(deadlines, paging)
    now = timezone.now()
    return DeadlinePage(items=[_deadline_out(row, now) for row in rows], count=count)


@router.get(
    "/office",
    response=DeadlinePage,
    summary="Overdue deadlines in my office scope, most overdue first",
    description="For supervisors, program managers and administrators; anyone else gets a 404.",
)
def office(request: HttpRequest, paging: Query[Paging]) -> DeadlinePage:
    user = request.auth  # type: ignore[attr-defined]
    with not_found_as_json():
        if not user.has_role(*OFFICE_WATCHERS):
            raise Http404("No such page")
    count, rows = page_of(overdue_in_office(user), paging)
    now = timezone.now()
    return DeadlinePage(items=[_deadline_out(row, now) for row in rows], count=count)
