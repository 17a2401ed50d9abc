"""Reads of PREA tracks, always through the access policy: the list, one track, and the state of
each track's four clocks (two started by intake on the allegation, two by the track itself).

A clock is "due soon" in the last quarter of its time: the last 6 hours of a 24-hour clock,
the last 30 hours of the 5-day segregation limit, the last 22 days of 90-day monitoring.
Retaliation monitoring is a minimum, not a limit: past its due time it has "run its minimum"
(the coordinator decides whether to end it), never "overdue".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, Deadline
from probity.intake.models import Allegation
from probity.oversight.models import MonitoringCheck, PreaTrack
from probity.oversight.services.prea import (
    MONITORING_RULE,
    NOTIFICATION_RULE,
    REMOVAL_RULE,
    SEGREGATION_RULE,
)

SOON_SHARE = 4  # due soon in the last 1/SOON_SHARE of a clock's time


@dataclass(frozen=True)
class ClockSpec:
    rule: str
    label: str
    on_allegation: bool  # intake's clocks run on the allegation, the others on the track
    minimum: bool = False  # a period that must last at least this long, not a limit


CLOCKS = (
    ClockSpec(NOTIFICATION_RULE, "Immediate reporting", on_allegation=True),
    ClockSpec(REMOVAL_RULE, "Accused removed from contact", on_allegation=True),
    ClockSpec(SEGREGATION_RULE, "Segregation limit", on_allegation=False),
    ClockSpec(MONITORING_RULE, "Retaliation monitoring", on_allegation=False, minimum=True),
)
ATTENTION = frozenset({"overdue", "due_soon", "minimum_reached"})
STATE_LABELS = {
    "not_started": "Not started",
    "running": "Running",
    "due_soon": "Due soon",
    "overdue": "Overdue",
    "minimum_reached": "Minimum reached",
    "met": "Met",
    "met_late": "Met late",
    "cancelled": "Cancelled",
}


@dataclass(frozen=True)
class ClockState:
    spec: ClockSpec
    deadline: Deadline | None
    state: str

    @property
    def label(self) -> str:
        if self.spec.minimum and self.state == "met":
            return "Ended after the minimum"
        return STATE_LABELS[self.state]

    @property
    def needs_attention(self) -> bool:
        return self.state in ATTENTION


def clock_state(deadline: Deadline | None, *, minimum: bool, now: dt.datetime) -> str:
    if deadline is None:
        return "not_started"
    if deadline.cancelled_at is not None:
        return "cancelled"
    if deadline.met_at is not None:
        return "met_late" if not minimum and deadline.met_at > deadline.due_at else "met"
    if now >= deadline.due_at:
        return "minimum_reached" if minimum else "overdue"
    if now >= deadline.due_at - (deadline.due_at - deadline.started_at) / SOON_SHARE:
        return "due_soon"
    return "running"


def clocks_for(tracks: Sequence[PreaTrack], now: dt.datetime | None = None) -> dict[int, list[ClockState]]:
    """Each track's four clocks in `CLOCKS` order (two queries whatever the number of tracks)."""
    now = now or timezone.now()
    latest: dict[tuple[str, int, str], Deadline] = {}
    wanted = [
        (ContentType.objects.get_for_model(Allegation), [t.allegation_id for t in tracks], "a"),
        (ContentType.objects.get_for_model(PreaTrack), [t.pk for t in tracks], "t"),
    ]
    rules = {spec.rule for spec in CLOCKS}
    for content_type, ids, kind in wanted:
        if not ids:
            continue
        rows = (
            Deadline.objects.filter(content_type=content_type, object_id__in=ids, rule__code__in=rules)
            .select_related("rule")
            .order_by("started_at", "pk")
        )
        for deadline in rows:  # the latest of a rule on a record wins
            latest[(kind, deadline.object_id, deadline.rule.code)] = deadline
    result = {}
    for track in tracks:
        states = []
        for spec in CLOCKS:
            key = ("a", track.allegation_id, spec.rule) if spec.on_allegation else ("t", track.pk, spec.rule)
            found = latest.get(key)
            states.append(ClockState(spec, found, clock_state(found, minimum=spec.minimum, now=now)))
        result[track.pk] = states
    return result


def tracks_for(user: Any) -> QuerySet[PreaTrack]:
    return access.visible(
        user,
        PreaTrack.objects.select_related("allegation", "allegation__office").order_by("-opened_at", "-pk"),
    )


def get_track_for(user: Any, track_id: int) -> PreaTrack:
    """One track the user may see, or 404."""
    return access.get_for(
        user,
        PreaTrack.objects.select_related(
            "allegation", "allegation__office", "reporting_confirmed_by", "notification_file"
        ),
        pk=track_id,
    )


def checks_of(track: PreaTrack) -> list[MonitoringCheck]:
    return list(
        MonitoringCheck.objects.filter(track=track).select_related("recorded_by").order_by("checked_on", "pk")
    )


@dataclass(frozen=True)
class TrackRow:
    track: PreaTrack
    clocks: list[ClockState]

    @property
    def needs_attention(self) -> bool:
        return any(clock.needs_attention for clock in self.clocks)


def rows_for(tracks: Sequence[PreaTrack], now: dt.datetime | None = None) -> list[TrackRow]:
    clocks = clocks_for(tracks, now)
    return [TrackRow(track, clocks[track.pk]) for track in tracks]


def needing_attention(user: Any, now: dt.datetime | None = None) -> list[TrackRow]:
    """The user's open tracks with a clock overdue, due soon, or past its minimum."""
    rows = rows_for(list(tracks_for(user).filter(closed_at__isnull=True)), now)
    rows = [row for row in rows if row.needs_attention]
    return sorted(rows, key=_urgency)


def _urgency(row: TrackRow) -> tuple[int, dt.datetime]:
    pending = [c.deadline.due_at for c in row.clocks if c.needs_attention and c.deadline is not None]
    overdue = any(c.state == "overdue" for c in row.clocks)
    return (0 if overdue else 1, min(pending) if pending else row.track.opened_at)


def record_view(user: Any, track: PreaTrack, *, channel: str) -> None:
    audit.record(
        AuditAction.VIEW,
        actor=user,
        obj=track,
        detail={"channel": channel, "allegation": track.allegation.number},
    )


def record_search(user: Any, *, show: str, results: int, channel: str) -> None:
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(PreaTrack),
        detail={"channel": channel, "show": show, "results": results},
    )
