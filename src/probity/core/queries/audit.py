"""Reads of the audit trail, for auditors only, each search and view itself audited.

The screen and the API share these functions, so both apply the same rule (auditors only,
everyone else a 404) and both leave the same trace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from probity.core import audit
from probity.core.models import AuditAction, AuditEvent, Role

PAGE_SIZE = 50
# The list never shows changes/detail, which can be large; the detail page loads them.
LIST_DEFERRED = ("changes", "detail", "prev_hash", "hash", "client_ip")


@dataclass(frozen=True)
class AuditFilters:
    """What an auditor searches by. Dates are days in the agency's own time zone."""

    person: str = ""
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    outcome: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    after_seq: int | None = None

    def as_detail(self) -> dict[str, Any]:
        """The criteria actually used, for the `search` event."""
        return {key: value for key, value in asdict(self).items() if value not in ("", None)}


def is_auditor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_role(Role.AUDITOR))


def require_auditor(user: Any) -> None:
    # 404, not 403: the audit screens do not exist for anyone else.
    if not is_auditor(user):
        raise Http404("No such page")


def _agency_day_start(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.PROBITY_AGENCY_TIME_ZONE))
    return local.astimezone(dt.UTC)


def filtered(filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters.person:
        events = events.filter(actor_username__iexact=filters.person)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type.lower())
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.date_from:
        events = events.filter(occurred_at__gte=_agency_day_start(filters.date_from))
    if filters.date_to:
        events = events.filter(occurred_at__lt=_agency_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.after_seq is not None:
        events = events.filter(seq__gt=filters.after_seq)
    return events


def search_events(user: Any, filters: AuditFilters, *, channel: str) -> QuerySet[AuditEvent]:
    """Events matching `filters` (unordered, for the caller to page); records the search."""
    require_auditor(user)
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type="core.auditevent",
        object_repr="audit trail",
        detail={"filters": filters.as_detail(), "channel": channel},
    )
    return filtered(filters)


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    newer_than: int | None  # pass as `after` to see the page of newer events
    older_than: int | None  # pass as `before` to see the page of older events


def page_of(
    events: QuerySet[AuditEvent],
    *,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> EventPage:
    """One page, newest first, by keyset on `seq`: no COUNT over the whole trail, and stable
    while new events arrive (offsets would shift by one with every search recorded)."""
    events = events.defer(*LIST_DEFERRED)
    if after is not None:
        rows = list(events.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return EventPage(rows, rows[0].seq if more_newer else None, rows[-1].seq if rows else None)
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events.order_by("-seq")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    newer = rows[0].seq if before is not None and rows else None
    return EventPage(rows, newer, rows[-1].seq if more_older else None)


def get_event_for(user: Any, seq: int) -> AuditEvent:
    """One event for an auditor, recording that it was viewed; 404 for anyone else."""
    require_auditor(user)
    event = AuditEvent.objects.filter(seq=seq).first()
    if event is None:
        raise Http404("No such audit event")
    audit.record(AuditAction.VIEW, actor=user, obj=event, object_repr=f"audit event #{event.seq}")
    return event


def hash_matches(event: AuditEvent) -> bool:
    return audit.hash_of(event) == event.hash
