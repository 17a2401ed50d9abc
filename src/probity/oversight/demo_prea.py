"""PREA's part of `probity seed-demo`: a track for every PREA allegation, at every step.

Intake's demo writes its year of allegations in bulk, without the recording hook, so none of
its PREA allegations has a track: each gets one here, opened when it was received and worked
as far as its age allows, consistent with the PREA clocks intake's demo left (reporting
confirmed and the accused removed when those clocks were met; both still open on the newest
reports). Older tracks have monitoring checks, outcomes, the detainee told, and are closed;
some victims were segregated (one past the 5-day limit and still held, so an overdue clock
shows); monitoring on unfounded allegations ended early.

So that the public annual report has a finished year to compare with the one before, PREA
allegations of the two calendar years before intake's year are added as imported history
(closed, through intake's own bulk writer), each with a closed track.

Written in bulk like intake's demo: the rows the services would have left (tracks, their
clocks, monitoring checks) and one audit event for each. Deterministic for the plan's seed and
date; no clock is read except to date the rows written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType

from probity.core import audit, demo
from probity.core.deadlines import agency_time_zone, due_at
from probity.core.models import AuditAction, Deadline, DeadlineRule, OrgUnitKind, User
from probity.intake.imports.writer import AllegationRecord, PersonRecord, creation_events, write_allegations
from probity.intake.models import Allegation, AllegationCategory, AllegationStatus, Channel, PersonRole
from probity.oversight.models import FacilityType, MonitoringCheck, PreaOutcome, PreaTrack
from probity.oversight.services.prea import (
    MONITORING_RULE,
    NOTIFICATION_RULE,
    REMOVAL_RULE,
    SEGREGATION_RULE,
    UNFOUNDED_EARLY_END,
)

DEMO_ACTOR = "seed-demo"
HISTORY_PER_YEAR = 30  # imported PREA allegations a year at scale 1 (at least MIN_HISTORY in all)
MIN_HISTORY = 24
FACILITY_MIX = ((FacilityType.HOLDING, 60), (FacilityType.DETENTION, 30), (FacilityType.OTHER, 10))
OUTCOME_MIX = (
    (PreaOutcome.SUBSTANTIATED, 20),
    (PreaOutcome.UNSUBSTANTIATED, 45),
    (PreaOutcome.UNFOUNDED, 35),
)
DETENTION_FACILITIES = (
    "Southwest Regional Processing Center",
    "Desert View Detention Facility",
    "Rio Grande Service Processing Center",
    "Coastal Bend Detention Center",
)
OTHER_PLACES = ("Hospital escort", "Transport vehicle", "Courthouse holding area")
NOTIFICATION_NOTE = (
    "Told in person by the facility's PREA compliance manager, with an interpreter, and given "
    "the written notice; the detainee signed the acknowledgement."
)
CHECK_NOTE = (
    "Spoke with the detainee and reviewed housing, discipline and work assignments: no sign of retaliation."
)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _weighted(rng: random.Random, mix: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


@dataclass
class _Planned:
    """One track and what happened on it, before it is written."""

    allegation: Allegation
    track: PreaTrack
    checks: list[dt.date] = field(default_factory=list)
    monitoring_cancelled: bool = False


class _Planner:
    def __init__(self, loaded: demo.LoadedDemo, manager: User) -> None:
        self.loaded = loaded
        self.manager = manager
        self.rng = random.Random(f"prea-{loaded.plan.seed}")  # noqa: S311  (synthetic, reproducible on purpose)
        self.zone = agency_time_zone()
        # Every planned time is before the demo's day begins, whenever on that day it is loaded.
        self.cutoff = dt.datetime.combine(loaded.plan.today, dt.time.min, tzinfo=self.zone)

    def before_cutoff(self, moment: dt.datetime | None) -> dt.datetime | None:
        return moment if moment is not None and moment < self.cutoff else None

    def facility(self, allegation: Allegation) -> tuple[str, str]:
        kind = _weighted(self.rng, FACILITY_MIX)
        office = allegation.office
        if kind == FacilityType.HOLDING:
            return kind, f"Hold rooms, {office.name}" if office is not None else "Hold rooms"
        if kind == FacilityType.DETENTION:
            return kind, self.rng.choice(DETENTION_FACILITIES)
        return kind, self.rng.choice(OTHER_PLACES)

    def plan(self, allegation: Allegation, clocks: dict[str, Deadline], *, history: bool) -> _Planned:
        rng, received = self.rng, allegation.received_at
        kind, name = self.facility(allegation)
        track = PreaTrack(allegation=allegation, facility_type=kind, facility_name=name, opened_at=received)
        planned = _Planned(allegation, track)
        # Reporting and removal as intake's demo met (or left) their clocks; history had none.
        notification, removal = clocks.get(NOTIFICATION_RULE), clocks.get(REMOVAL_RULE)
        if history:
            track.reporting_confirmed_at, track.accused_removed_at = received + 2 * HOUR, received + 5 * HOUR
        else:
            track.reporting_confirmed_at = notification.met_at if notification else None
            track.accused_removed_at = removal.met_at if removal else None
        if track.reporting_confirmed_at is not None:
            track.reporting_confirmed_by = self.manager
        else:
            return planned  # the newest reports: nothing done yet
        age = self.cutoff - received
        if age >= 2 * DAY and rng.random() < 0.25:
            track.segregation_started_at = received + 12 * HOUR
            held = DAY * (6 if rng.random() < 0.15 else rng.randint(2, 4))
            track.segregation_ended_at = self.before_cutoff(track.segregation_started_at + held)
        if age >= 2 * DAY:
            self.monitor_and_decide(planned, age, history=history)
        return planned

    def monitor_and_decide(self, planned: _Planned, age: dt.timedelta, *, history: bool) -> None:
        """Monitoring from the day after, the outcome (older allegations), the detainee told,
        and the track closed when everything is done."""
        rng, track = self.rng, planned.track
        received = planned.allegation.received_at
        start = received + DAY
        track.monitoring_started_at = start
        if history or (age >= 45 * DAY and rng.random() < 0.85):
            latest = min(age, 150 * DAY) - DAY
            decided = received + dt.timedelta(
                days=rng.randint(30, max(30, latest.days)), hours=rng.randint(9, 16)
            )
            if decided < self.cutoff:
                track.outcome, track.outcome_at = _weighted(rng, OUTCOME_MIX), decided
        minimum_end = start + 90 * DAY
        if track.outcome == PreaOutcome.UNFOUNDED and track.outcome_at and track.outcome_at < minimum_end:
            track.monitoring_ended_at = track.outcome_at + DAY
            planned.monitoring_cancelled = True
        elif track.outcome or history:
            track.monitoring_ended_at = self.before_cutoff(minimum_end + 2 * DAY)
        # else it goes on while the investigation does (past 90 days: "minimum reached")
        last_check = track.monitoring_ended_at or self.cutoff
        planned.checks = [
            (start + DAY * days).astimezone(self.zone).date()
            for days in (30, 60, 90)
            if start + DAY * days < last_check
        ]
        if track.outcome_at is not None and (history or rng.random() < 0.9):
            track.detainee_notified_at = self.before_cutoff(track.outcome_at + DAY * rng.randint(2, 5))
            if track.detainee_notified_at is not None:
                track.notification_note = NOTIFICATION_NOTE
        steps = [
            track.reporting_confirmed_at,
            track.accused_removed_at,
            track.monitoring_ended_at,
            track.segregation_ended_at if track.segregation_started_at else track.outcome_at,
            track.outcome_at,
            track.detainee_notified_at,
        ]
        if all(step is not None for step in steps):
            track.closed_at = self.before_cutoff(max(s for s in steps if s is not None) + DAY)

    def overdue_segregation(self, plans: Sequence[_Planned]) -> _Planned | None:
        """The newest open track old enough to have held its victim past the limit: segregated
        7 days before the demo's day and still held."""
        start = self.cutoff - 7 * DAY
        for planned in sorted(plans, key=lambda p: p.allegation.received_at, reverse=True):
            track = planned.track
            if track.closed_at is None and track.reporting_confirmed_at and track.opened_at <= start - DAY:
                track.segregation_started_at, track.segregation_ended_at = start, None
                return planned
        return None


def _history(loaded: demo.LoadedDemo, planner: _Planner) -> list[Allegation]:
    """PREA allegations of the two calendar years before intake's demo year, as imported history."""
    plan, rng = loaded.plan, planner.rng
    category = AllegationCategory.objects.filter(code="sexual-abuse").first()
    units = loaded.units
    front_line = [
        (employee, employee.assignments[-1].unit)
        for employee in plan.employees
        if employee.law_enforcement
        and employee.assignments
        and employee.assignments[-1].unit in units
        and units[employee.assignments[-1].unit].kind in (OrgUnitKind.PORT_OF_ENTRY, OrgUnitKind.STATION)
    ]
    if category is None or not front_line:
        return []
    first = dt.datetime(plan.today.year - 2, 1, 1, 8, tzinfo=planner.zone)
    last = planner.cutoff - 366 * DAY  # intake's demo covers the year before the demo's day
    days = (last - first).days
    count = max(MIN_HISTORY, round(HISTORY_PER_YEAR * plan.scale * days / 365))
    records = []
    for index in range(count):
        received = first + dt.timedelta(
            days=rng.randrange(days), hours=rng.randint(0, 12), minutes=rng.randint(0, 59)
        )
        employee, unit = rng.choice(front_line)
        place = units[unit].name
        records.append(
            AllegationRecord(
                fields={
                    "channel": Channel.IMPORT,
                    "received_at": received,
                    "status": AllegationStatus.CLOSED,
                    "summary": f"Detainee reports sexual abuse at {place}",
                    "office_id": units[unit].pk,
                    "incident_place": place,
                    "prea": True,
                    "closed_at": received + 200 * DAY,
                    "source_reference": f"{DEMO_ACTOR}-prea-{plan.seed}-{index:04d}",
                },
                category_ids=[category.pk],
                category_codes=[category.code],
                people=[PersonRecord(role=PersonRole.SUBJECT, employee_id=loaded.employees[employee.number])],
            )
        )
    records.sort(key=lambda record: record.received_at)
    allegations = write_allegations(records, actor=None)
    audit.record_many(
        creation_events(
            allegations,
            records,
            actor=None,
            actor_username=DEMO_ACTOR,
            detail={"source": DEMO_ACTOR, "note": "PREA history from before Probity"},
        )
    )
    return allegations


def _clocks_by_allegation(allegations: Sequence[Allegation]) -> dict[int, dict[str, Deadline]]:
    found: dict[int, dict[str, Deadline]] = {}
    rows = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Allegation),
        object_id__in=[a.pk for a in allegations],
        rule__code__in=(NOTIFICATION_RULE, REMOVAL_RULE),
    ).select_related("rule")
    for deadline in rows:
        found.setdefault(deadline.object_id, {})[deadline.rule.code] = deadline
    return found


def _track_clocks(plans: Sequence[_Planned], rules: dict[str, DeadlineRule]) -> list[Deadline]:
    track_type = ContentType.objects.get_for_model(PreaTrack)
    clocks = []
    for planned in plans:
        track, number = planned.track, planned.allegation.number
        office_id = planned.allegation.office_id
        spans = (
            (
                MONITORING_RULE,
                "PREA: retaliation monitoring",
                track.monitoring_started_at,
                track.monitoring_ended_at,
            ),
            (
                SEGREGATION_RULE,
                "PREA: administrative segregation limit",
                track.segregation_started_at,
                track.segregation_ended_at,
            ),
        )
        for code, title, started, ended in spans:
            rule = rules.get(code)
            if rule is None or started is None:
                continue
            cancelled = code == MONITORING_RULE and planned.monitoring_cancelled
            clocks.append(
                Deadline(
                    rule=rule,
                    title=f"{title} ({number})",
                    content_type=track_type,
                    object_id=track.pk,
                    started_at=started,
                    due_at=due_at(rule, started),
                    met_at=None if cancelled else ended,
                    cancelled_at=ended if cancelled else None,
                    office_id=office_id,
                )
            )
    return clocks


def _events(
    plans: Sequence[_Planned], clocks: Sequence[Deadline], checks: Sequence[MonitoringCheck]
) -> list[Any]:
    detail = {"source": DEMO_ACTOR}
    events = []
    for planned in plans:
        track = planned.track
        changes = {
            name: [None, getattr(track, name)]
            for name in (
                "facility_type",
                "facility_name",
                "opened_at",
                "reporting_confirmed_at",
                "accused_removed_at",
                "monitoring_started_at",
                "monitoring_ended_at",
                "segregation_started_at",
                "segregation_ended_at",
                "outcome",
                "outcome_at",
                "detainee_notified_at",
                "closed_at",
            )
            if getattr(track, name) not in (None, "")
        }
        changes["allegation"] = [None, planned.allegation.number]
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                obj=track,
                changes=changes,
                detail=detail,
                actor_username=DEMO_ACTOR,
            )
        )
    for clock in clocks:
        events.append(
            audit.EventSpec(
                action=AuditAction.CREATE,
                obj=clock,
                changes={
                    "rule": [None, clock.rule.code],
                    "record": [None, f"{audit.label_of(PreaTrack)}:{clock.object_id}"],
                    "title": [None, clock.title],
                    "started_at": [None, clock.started_at],
                    "due_at": [None, clock.due_at],
                    "met_at": [None, clock.met_at],
                    "cancelled_at": [None, clock.cancelled_at],
                },
                detail={**detail, "reason": UNFOUNDED_EARLY_END} if clock.cancelled_at else detail,
                actor_username=DEMO_ACTOR,
            )
        )
    events.extend(
        audit.EventSpec(
            action=AuditAction.CREATE,
            obj=check,
            changes={"track": [None, check.track_id], "checked_on": [None, check.checked_on]},
            detail=detail,
            actor_username=DEMO_ACTOR,
        )
        for check in checks
    )
    return events


def load_prea(loaded: demo.LoadedDemo) -> str:
    """Write the tracks (inside seed-demo's transaction); return the line it prints."""
    manager = loaded.logins.get("program_manager")
    if manager is None:
        return "PREA: no tracks (the program_manager login is missing)"
    planner = _Planner(loaded, manager)
    history = _history(loaded, planner)
    history_ids = {allegation.pk for allegation in history}
    allegations = list(
        Allegation.objects.filter(prea=True, prea_track__isnull=True)
        .select_related("office")
        .order_by("received_at", "pk")
    )
    clocks = _clocks_by_allegation(allegations)
    plans = [
        planner.plan(allegation, clocks.get(allegation.pk, {}), history=allegation.pk in history_ids)
        for allegation in allegations
    ]
    overdue = planner.overdue_segregation(plans)
    PreaTrack.objects.bulk_create([planned.track for planned in plans])
    rules = {
        rule.code: rule for rule in DeadlineRule.objects.filter(code__in=(MONITORING_RULE, SEGREGATION_RULE))
    }
    deadlines = Deadline.objects.bulk_create(_track_clocks(plans, rules))
    checks = MonitoringCheck.objects.bulk_create(
        [
            MonitoringCheck(track=planned.track, checked_on=day, note=CHECK_NOTE, recorded_by=manager)
            for planned in plans
            for day in planned.checks
        ]
    )
    audit.record_many(_events(plans, deadlines, checks))
    closed = sum(1 for planned in plans if planned.track.closed_at is not None)
    return (
        f"PREA: {len(plans)} tracks ({len(plans) - closed} open, {closed} closed, "
        f"{'one' if overdue else 'none'} with a segregation past its 5-day limit), "
        f"{len(history)} PREA allegations of earlier years imported as history"
    )
