"""PREA tracks (6 CFR part 115): a sexual-abuse allegation's steps and their clocks.

A PREA-flagged allegation gets its track the moment it is stored (intake's `on_recorded` hook,
registered by `connect_prea.connect()`); `open_track` also opens one for an allegation flagged
later. Then the program manager (the PREA coordinator) or a supervisor whose scope covers it
works the steps, each with the time it happened (default now):

- immediate reporting confirmed: meets intake's `prea-intake-notification` clock;
- the accused employee removed from contact with detainees: meets `prea-contact-removal`;
- retaliation monitoring, for at least the `prea-retaliation-monitoring` rule's duration
  (90 days): starting it starts that clock, checks are recorded while it runs, and ending it
  meets the clock; it ends earlier only when the allegation is found unfounded (115.67(f)),
  which cancels the clock;
- any administrative segregation of the victim, against the `prea-segregation-limit` rule
  (5 days): starting it starts the clock, ending it meets it (late if past the limit);
- the outcome (substantiated / unsubstantiated / unfounded), then the detainee's notification
  of it, documented (a note, and a file if there is one);
- closing, refused until every required step is done (`missing_steps`).

Each service, in one transaction: 404 unless the actor may see the track (through its
allegation: office, compartment, recusal), PermissionDenied unless they may act on it,
ValidationError with messages per field (nothing written), then the write, the audit event and
the clock. The steps' times may not be in the future nor before the allegation was received.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit, files
from probity.core.deadlines import agency_time_zone
from probity.core.deadlines import due_at as compute_due_at
from probity.core.files import FileIntegrityError
from probity.core.models import (
    AuditAction,
    AuditOutcome,
    Deadline,
    DeadlineRule,
    OrgUnitKind,
    Role,
    StoredFile,
)
from probity.core.services.deadlines import cancel_deadline, meet_deadline, start_deadline
from probity.core.services.files import store_file
from probity.intake.models import Allegation, Channel, PersonRole
from probity.intake.services.prea import start_prea_clocks
from probity.oversight.models import FacilityType, MonitoringCheck, PreaOutcome, PreaTrack

logger = logging.getLogger(__name__)

NOTIFICATION_RULE = "prea-intake-notification"  # started by intake, on the allegation
REMOVAL_RULE = "prea-contact-removal"  # started by intake, on the allegation
MONITORING_RULE = "prea-retaliation-monitoring"  # started here, on the track
SEGREGATION_RULE = "prea-segregation-limit"  # started here, on the track

ACTING_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})
HOLDING_KINDS = frozenset({OrgUnitKind.PORT_OF_ENTRY, OrgUnitKind.STATION})
MAX_NOTE = 5_000
MAX_FACILITY_NAME = 300
FUTURE_SLACK = dt.timedelta(minutes=5)  # a clock a few minutes fast is not "in the future"
UNFOUNDED_EARLY_END = "The allegation was found unfounded: retaliation monitoring may end (6 CFR 115.67)."

Problems = dict[str, list[str]]


class Step(models.TextChoices):
    """The steps of a track, as the track page lists them (values are URL slugs)."""

    FACILITY = "facility", "Facility"
    CONFIRM_REPORTING = "confirm-reporting", "Immediate reporting confirmed"
    ACCUSED_REMOVED = "accused-removed", "Accused removed from contact with detainees"
    START_MONITORING = "start-monitoring", "Retaliation monitoring started"
    MONITORING_CHECK = "monitoring-check", "Retaliation monitoring check"
    END_MONITORING = "end-monitoring", "Retaliation monitoring ended"
    START_SEGREGATION = "start-segregation", "Administrative segregation started"
    END_SEGREGATION = "end-segregation", "Administrative segregation ended"
    OUTCOME = "outcome", "Outcome"
    DETAINEE_NOTIFIED = "detainee-notified", "Detainee notified of the outcome"
    CLOSE = "close", "Track closed"


# Who may act


def may_act(user: Any, track: PreaTrack) -> bool:
    """Whether `user` (who may see the track) may work its steps: the PREA coordinator (program
    manager) or a supervisor; someone who only sees it through an assignment may not."""
    return bool(user is not None and getattr(user, "is_active", False) and user.has_role(*ACTING_ROLES))


def require_prea_worker(actor: Any, track: PreaTrack) -> None:
    """404 unless the actor may see the track; PermissionDenied unless they may act on it."""
    if actor is None or track.pk is None or not access.can_view(actor, track):
        raise Http404("No such PREA track")
    if not may_act(actor, track):
        raise PermissionDenied("Only the PREA coordinator (a program manager) or a supervisor may do this.")


def available_steps(user: Any, track: PreaTrack) -> frozenset[str]:
    """The steps `user` may take on the track now (the page shows their forms)."""
    if not may_act(user, track) or track.closed_at is not None:
        return frozenset()
    steps = {Step.FACILITY}
    if track.reporting_confirmed_at is None:
        steps.add(Step.CONFIRM_REPORTING)
    if track.accused_removed_at is None:
        steps.add(Step.ACCUSED_REMOVED)
    if track.monitoring_started_at is None:
        steps.add(Step.START_MONITORING)
    elif track.monitoring_ended_at is None:
        steps |= {Step.MONITORING_CHECK, Step.END_MONITORING}
    if track.segregation_started_at is None:
        steps.add(Step.START_SEGREGATION)
    elif track.segregation_ended_at is None:
        steps.add(Step.END_SEGREGATION)
    if not track.outcome:
        steps.add(Step.OUTCOME)
    elif track.detainee_notified_at is None:
        steps.add(Step.DETAINEE_NOTIFIED)
    if not missing_steps(track):
        steps.add(Step.CLOSE)
    return frozenset(steps)


def missing_steps(track: PreaTrack) -> list[str]:
    """What must still be done before the track can close, in words."""
    missing = []
    if track.reporting_confirmed_at is None:
        missing.append("confirm that the allegation was reported immediately")
    if track.accused_removed_at is None:
        missing.append("record the accused employee's removal from contact with detainees")
    if track.monitoring_started_at is None and track.outcome != PreaOutcome.UNFOUNDED:
        missing.append("monitor for retaliation (at least 90 days, unless the allegation is unfounded)")
    elif track.monitoring_started_at is not None and track.monitoring_ended_at is None:
        missing.append("end the retaliation monitoring")
    if track.segregation_started_at is not None and track.segregation_ended_at is None:
        missing.append("end the administrative segregation")
    if not track.outcome:
        missing.append("record the outcome")
    if track.detainee_notified_at is None:
        missing.append("document that the detainee was told the outcome")
    return missing


# Small shared pieces


def _raise_if(errors: Problems) -> None:
    if errors:
        raise ValidationError(errors)


def _problem(errors: Problems, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(agency_time_zone()).strftime("%-d %b %Y, %H:%M")


def _moment(
    value: dt.datetime | None,
    name: str,
    track: PreaTrack,
    errors: Problems,
    *,
    after: dt.datetime | None = None,
    after_what: str = "",
) -> dt.datetime:
    """When a step happened: given (aware, not in the future, not before the allegation was
    received nor before `after`), or now."""
    now = timezone.now()
    if value is None:
        value = now
    elif timezone.is_naive(value):
        _problem(errors, name, "The time must include a time zone.")
        return now
    elif value > now + FUTURE_SLACK:
        _problem(errors, name, "This cannot be in the future.")
    received = track.allegation.received_at
    if value < received:
        _problem(errors, name, f"This cannot be before the allegation was received ({_local(received)}).")
    elif after is not None and value < after:
        _problem(errors, name, f"This cannot be before {after_what} ({_local(after)}).")
    return value


def _text(value: str | None, name: str, errors: Problems, *, limit: int, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        _problem(errors, name, required)
    if len(value) > limit:
        _problem(errors, name, f"This must be {limit:,} characters or fewer.")
    return value


def _lock(track: PreaTrack) -> PreaTrack:
    return (
        PreaTrack.objects.select_for_update(of=("self",))
        .select_related("allegation", "allegation__office")
        .get(pk=track.pk)
    )


def _sync(track: PreaTrack, current: PreaTrack) -> PreaTrack:
    """Bring the caller's instance up to date with the locked copy that was saved."""
    for field in PreaTrack._meta.concrete_fields:
        setattr(track, field.attname, getattr(current, field.attname))
    return track


def _require_open(track: PreaTrack) -> None:
    if track.closed_at is not None:
        raise ValidationError(
            f"This PREA track was closed on {_local(track.closed_at)}; nothing more is recorded."
        )


def _open_clock(record: models.Model, rule: str) -> Deadline | None:
    return (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            rule__code=rule,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .select_related("rule")
        .order_by("-started_at", "-pk")
        .first()
    )


def _meet(actor: Any, record: models.Model, rule: str, at: dt.datetime) -> dict[str, Any]:
    """Meet the record's open clock of `rule`, if it has one; say what happened for the audit."""
    clock = _open_clock(record, rule)
    if clock is None:
        return {}
    meet_deadline(actor=actor, deadline=clock, met_at=at)
    return {"clock": rule, "late": at > clock.due_at}


def _start(actor: Any, track: PreaTrack, rule: str, title: str, at: dt.datetime) -> dict[str, Any]:
    """Start the track's clock of `rule`, unless an administrator switched the rule off."""
    if not DeadlineRule.objects.filter(code=rule, active=True).exists():
        return {"clock": rule, "started": False, "reason": "rule switched off"}
    allegation = track.allegation
    clock = start_deadline(
        actor=actor,
        rule=rule,
        record=track,
        title=f"{title} ({allegation.number})",
        office=allegation.office,
        started_at=at,
    )
    return {"clock": rule, "due_at": clock.due_at.isoformat()}


def _changed(
    actor: Any, track: PreaTrack, step: Step, changes: dict[str, list[Any]], detail: dict[str, Any]
) -> None:
    audit.record(
        AuditAction.TRANSITION,
        actor=actor,
        obj=track,
        changes=changes,
        detail={"step": step.value, "allegation": track.allegation.number, **detail},
    )


def _do_step(actor: Any, track: PreaTrack) -> PreaTrack:
    """The locked, open track the actor may act on (inside the caller's transaction)."""
    require_prea_worker(actor, track)
    current = _lock(track)
    _require_open(current)
    return current


# Opening


def facility_for(allegation: Allegation) -> tuple[str, str]:
    """A first guess at the facility from the allegation's office: a port of entry's or a
    station's hold rooms are a CBP holding facility; anything else is for the coordinator to say."""
    office = allegation.office
    if office is not None and office.kind in HOLDING_KINDS:
        return FacilityType.HOLDING, office.name
    return FacilityType.OTHER, ""


def open_track(
    *, actor: Any, allegation: Allegation, facility_type: str = "", facility_name: str = ""
) -> PreaTrack:
    """Open the allegation's PREA track, or return the one it has (idempotent).

    `actor` None is the system (intake's recording hook). A person must be the PREA
    coordinator or a supervisor whose scope covers the allegation (404 otherwise, as for a
    track they may not see). Intake's PREA clocks are started if they are missing (an
    allegation flagged after it was recorded); an imported historical record gets none.
    """
    errors: Problems = {}
    if actor is not None and not actor.has_role(*ACTING_ROLES):
        raise PermissionDenied(
            "Only the PREA coordinator (a program manager) or a supervisor may open a track."
        )
    if facility_type and facility_type not in FacilityType.values:
        _problem(errors, "facility_type", f"Unknown facility type {facility_type!r}.")
    name = _text(facility_name, "facility_name", errors, limit=MAX_FACILITY_NAME)
    with transaction.atomic():
        locked = (
            Allegation.objects.select_for_update(of=("self",)).select_related("office").get(pk=allegation.pk)
        )
        existing = PreaTrack.objects.filter(allegation=locked).first()
        if existing is not None:
            if actor is not None and not access.can_view(actor, existing):
                raise Http404("No such allegation")
            return existing
        if not locked.prea:
            _problem(errors, "allegation", f"{locked.number} is not flagged as a PREA allegation.")
        _raise_if(errors)
        guessed_type, guessed_name = facility_for(locked)
        track = PreaTrack.objects.create(
            allegation=locked,
            facility_type=facility_type or guessed_type,
            facility_name=name or guessed_name,
            opened_at=timezone.now(),
        )
        # Seen through the allegation: someone who could not see the track may not open it
        # (the transaction is undone, so nothing is left behind).
        if actor is not None and not access.can_view(actor, track):
            raise Http404("No such allegation")
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=track,
            changes={
                "allegation": [None, locked.number],
                "facility_type": [None, track.facility_type],
                "facility_name": [None, track.facility_name],
                "opened_at": [None, track.opened_at],
            },
            detail={"source": "recorded" if actor is None else "opened by hand"},
        )
        if locked.channel != Channel.IMPORT:
            start_prea_clocks(locked, actor=actor)
    return track


def on_allegation_recorded(allegation: Allegation) -> None:
    """Intake's `on_recorded` hook (after the recording commits): a PREA allegation gets its
    track at once. It must never break recording, so a failure is logged; the coordinator can
    still open the track by hand."""
    if not allegation.prea:
        return
    try:
        open_track(actor=None, allegation=allegation)
    except Exception:
        logger.exception("Could not open the PREA track of allegation %s", allegation.pk)


# The steps


def update_facility(*, actor: Any, track: PreaTrack, facility_type: str, facility_name: str) -> PreaTrack:
    """Say where it happened: the facility type (which the annual report counts by) and name."""
    errors: Problems = {}
    if facility_type not in FacilityType.values:
        _problem(errors, "facility_type", "Choose the type of facility.")
    name = _text(facility_name, "facility_name", errors, limit=MAX_FACILITY_NAME)
    with transaction.atomic():
        current = _do_step(actor, track)
        _raise_if(errors)
        changes = audit.diff(
            {"facility_type": current.facility_type, "facility_name": current.facility_name},
            {"facility_type": facility_type, "facility_name": name},
        )
        if changes:
            current.facility_type, current.facility_name = facility_type, name
            current.save(update_fields=["facility_type", "facility_name"])
            audit.record(AuditAction.UPDATE, actor=actor, obj=current, changes=changes)
    return _sync(track, current)


def confirm_reporting(*, actor: Any, track: PreaTrack, at: dt.datetime | None = None) -> PreaTrack:
    """Staff reported it at once (115.61): meets intake's notification clock."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        if current.reporting_confirmed_at is not None:
            raise ValidationError(
                f"Reporting was already confirmed on {_local(current.reporting_confirmed_at)}."
            )
        when = _moment(at, "at", current, errors)
        _raise_if(errors)
        current.reporting_confirmed_at, current.reporting_confirmed_by = when, actor
        current.save(update_fields=["reporting_confirmed_at", "reporting_confirmed_by"])
        clock = _meet(actor, current.allegation, NOTIFICATION_RULE, when)
        _changed(
            actor,
            current,
            Step.CONFIRM_REPORTING,
            {"reporting_confirmed_at": [None, when], "reporting_confirmed_by": [None, actor.get_username()]},
            clock,
        )
    return _sync(track, current)


def record_accused_removed(*, actor: Any, track: PreaTrack, at: dt.datetime | None = None) -> PreaTrack:
    """The accused employee was removed from contact with detainees pending the outcome."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        if current.accused_removed_at is not None:
            raise ValidationError(
                f"The removal was already recorded on {_local(current.accused_removed_at)}."
            )
        when = _moment(at, "at", current, errors)
        _raise_if(errors)
        current.accused_removed_at = when
        current.save(update_fields=["accused_removed_at"])
        clock = _meet(actor, current.allegation, REMOVAL_RULE, when)
        _changed(actor, current, Step.ACCUSED_REMOVED, {"accused_removed_at": [None, when]}, clock)
    return _sync(track, current)


def start_monitoring(*, actor: Any, track: PreaTrack, at: dt.datetime | None = None) -> PreaTrack:
    """Retaliation monitoring begins (115.67): its minimum-period clock starts."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        if current.monitoring_started_at is not None:
            raise ValidationError(f"Monitoring already started on {_local(current.monitoring_started_at)}.")
        when = _moment(at, "at", current, errors)
        _raise_if(errors)
        current.monitoring_started_at = when
        current.save(update_fields=["monitoring_started_at"])
        clock = _start(actor, current, MONITORING_RULE, "PREA: retaliation monitoring", when)
        _changed(actor, current, Step.START_MONITORING, {"monitoring_started_at": [None, when]}, clock)
    return _sync(track, current)


def record_monitoring_check(
    *, actor: Any, track: PreaTrack, checked_on: dt.date, retaliation_found: bool = False, note: str = ""
) -> MonitoringCheck:
    """One contact while monitoring runs; retaliation found must say what was found and done."""
    errors: Problems = {}
    text = _text(
        note,
        "note",
        errors,
        limit=MAX_NOTE,
        required="Say what was found and what was done about it." if retaliation_found else "",
    )
    with transaction.atomic():
        current = _do_step(actor, track)
        started, ended = current.monitoring_started_at, current.monitoring_ended_at
        if started is None or ended is not None:
            raise ValidationError("Checks are recorded while retaliation monitoring runs.")
        zone = agency_time_zone()
        if not isinstance(checked_on, dt.date) or isinstance(checked_on, dt.datetime):
            _problem(errors, "checked_on", "Give the date of the check.")
        elif checked_on > timezone.now().astimezone(zone).date():
            _problem(errors, "checked_on", "This cannot be in the future.")
        elif checked_on < started.astimezone(zone).date():
            _problem(errors, "checked_on", f"This cannot be before monitoring started ({_local(started)}).")
        _raise_if(errors)
        check = MonitoringCheck.objects.create(
            track=current,
            checked_on=checked_on,
            retaliation_found=retaliation_found,
            note=text,
            recorded_by=actor,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=check,
            changes={
                "track": [None, current.pk],
                "checked_on": [None, checked_on],
                "retaliation_found": [None, retaliation_found],
            },
            detail={"step": Step.MONITORING_CHECK.value, "allegation": current.allegation.number},
        )
    return check


def monitoring_may_end_at(track: PreaTrack) -> dt.datetime | None:
    """When retaliation monitoring has lasted its minimum: the clock's due time, or the rule's
    duration from the start if no clock runs (the rule was switched off); None if not started."""
    started = track.monitoring_started_at
    if started is None:
        return None
    clock = (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(PreaTrack),
            object_id=track.pk,
            rule__code=MONITORING_RULE,
            cancelled_at__isnull=True,
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    if clock is not None:
        return clock.due_at
    rule = DeadlineRule.objects.filter(code=MONITORING_RULE).first()
    return compute_due_at(rule, started) if rule is not None else None


def end_monitoring(*, actor: Any, track: PreaTrack, at: dt.datetime | None = None) -> PreaTrack:
    """Monitoring ends: not before its minimum period, unless the allegation is unfounded."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        started = current.monitoring_started_at
        if started is None:
            raise ValidationError("Retaliation monitoring has not started.")
        if current.monitoring_ended_at is not None:
            raise ValidationError(f"Monitoring already ended on {_local(current.monitoring_ended_at)}.")
        when = _moment(at, "at", current, errors, after=started, after_what="monitoring started")
        earliest = monitoring_may_end_at(current)
        early = earliest is not None and when < earliest
        if earliest is not None and early and current.outcome != PreaOutcome.UNFOUNDED and not errors:
            days = (earliest - started).days
            _problem(
                errors,
                "at",
                f"Retaliation monitoring lasts at least {days} days (6 CFR 115.67): it started "
                f"{_local(started)} and may end from {_local(earliest)}. It ends earlier only "
                "when the allegation is found unfounded (record that outcome first).",
            )
        _raise_if(errors)
        current.monitoring_ended_at = when
        current.save(update_fields=["monitoring_ended_at"])
        clock = _open_clock(current, MONITORING_RULE)
        detail: dict[str, Any] = {}
        if clock is not None and early:
            cancel_deadline(actor=actor, deadline=clock, reason=UNFOUNDED_EARLY_END)
            detail = {"clock": MONITORING_RULE, "cancelled": UNFOUNDED_EARLY_END}
        elif clock is not None:
            meet_deadline(actor=actor, deadline=clock, met_at=when)
            detail = {"clock": MONITORING_RULE, "met": True}
        _changed(actor, current, Step.END_MONITORING, {"monitoring_ended_at": [None, when]}, detail)
    return _sync(track, current)


def record_segregation(*, actor: Any, track: PreaTrack, start: dt.datetime | None = None) -> PreaTrack:
    """The victim was placed in administrative segregation: the 5-day limit's clock starts."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        if current.segregation_started_at is not None:
            raise ValidationError(
                f"A segregation starting {_local(current.segregation_started_at)} is already recorded."
            )
        when = _moment(start, "start", current, errors)
        _raise_if(errors)
        current.segregation_started_at = when
        current.save(update_fields=["segregation_started_at"])
        clock = _start(actor, current, SEGREGATION_RULE, "PREA: administrative segregation limit", when)
        _changed(actor, current, Step.START_SEGREGATION, {"segregation_started_at": [None, when]}, clock)
    return _sync(track, current)


def end_segregation(*, actor: Any, track: PreaTrack, at: dt.datetime | None = None) -> PreaTrack:
    """The segregation ended: meets the limit's clock (recorded as late past the limit)."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        started = current.segregation_started_at
        if started is None or current.segregation_ended_at is not None:
            raise ValidationError("There is no administrative segregation running to end.")
        when = _moment(at, "at", current, errors, after=started, after_what="the segregation started")
        _raise_if(errors)
        current.segregation_ended_at = when
        current.save(update_fields=["segregation_ended_at"])
        clock = _meet(actor, current, SEGREGATION_RULE, when)
        _changed(actor, current, Step.END_SEGREGATION, {"segregation_ended_at": [None, when]}, clock)
    return _sync(track, current)


def record_outcome(*, actor: Any, track: PreaTrack, outcome: str, at: dt.datetime | None = None) -> PreaTrack:
    """The investigation's outcome: substantiated, unsubstantiated or unfounded."""
    errors: Problems = {}
    if outcome not in PreaOutcome.values:
        _problem(errors, "outcome", "Choose substantiated, unsubstantiated or unfounded.")
    with transaction.atomic():
        current = _do_step(actor, track)
        if current.outcome:
            raise ValidationError(
                f"The outcome ({current.get_outcome_display().lower()}) is already recorded."
            )
        when = _moment(at, "at", current, errors)
        _raise_if(errors)
        current.outcome, current.outcome_at = outcome, when
        current.save(update_fields=["outcome", "outcome_at"])
        _changed(actor, current, Step.OUTCOME, {"outcome": ["", outcome], "outcome_at": [None, when]}, {})
    return _sync(track, current)


def record_detainee_notified(
    *, actor: Any, track: PreaTrack, notified_at: dt.datetime | None, note: str, file: Any = None
) -> PreaTrack:
    """The detainee was told the outcome (115.73), documented by a note and, if any, a file
    (a signed acknowledgement, a copy of the letter)."""
    errors: Problems = {}
    text = _text(note, "note", errors, limit=MAX_NOTE, required="Say how and by whom the detainee was told.")
    require_prea_worker(actor, track)
    if notified_at is None:
        _problem(errors, "notified_at", "Give the time the detainee was told.")
    # Checked before the file is stored, so that a refusal stores nothing; checked again,
    # locked, below.
    _notification_problems(
        PreaTrack.objects.select_related("allegation").get(pk=track.pk), notified_at, errors
    )
    _raise_if(errors)
    stored = store_file(actor=actor, upload=file) if file else None
    with transaction.atomic():
        current = _do_step(actor, track)
        _notification_problems(current, notified_at, errors)
        _raise_if(errors)
        if notified_at is None:  # refused above; this tells the type checker
            raise ValidationError({"notified_at": ["Give the time the detainee was told."]})
        current.detainee_notified_at, current.notification_note = notified_at, text
        current.notification_file = stored
        current.save(update_fields=["detainee_notified_at", "notification_note", "notification_file"])
        _changed(
            actor,
            current,
            Step.DETAINEE_NOTIFIED,
            {
                "detainee_notified_at": [None, notified_at],
                "notification_note": ["", text],
                "notification_file": [None, stored.sha256 if stored else None],
            },
            {},
        )
    return _sync(track, current)


def _notification_problems(track: PreaTrack, notified_at: dt.datetime | None, errors: Problems) -> None:
    _require_open(track)
    if not track.outcome or track.outcome_at is None:
        raise ValidationError("Record the outcome before the detainee's notification of it.")
    if track.detainee_notified_at is not None:
        raise ValidationError(
            f"The notification was already documented ({_local(track.detainee_notified_at)})."
        )
    if notified_at is not None and "notified_at" not in errors:
        _moment(notified_at, "notified_at", track, errors, after=track.outcome_at, after_what="the outcome")


def close_track(*, actor: Any, track: PreaTrack, at: dt.datetime | None = None) -> PreaTrack:
    """Close the track once every required step is done (the refusal lists what is missing)."""
    errors: Problems = {}
    with transaction.atomic():
        current = _do_step(actor, track)
        missing = missing_steps(current)
        if missing:
            raise ValidationError(f"The track cannot close yet: {'; '.join(missing)}.")
        done = [
            moment
            for moment in (
                current.reporting_confirmed_at,
                current.accused_removed_at,
                current.monitoring_ended_at,
                current.segregation_ended_at,
                current.outcome_at,
                current.detainee_notified_at,
            )
            if moment is not None
        ]
        when = _moment(at, "at", current, errors, after=max(done), after_what="the last step")
        _raise_if(errors)
        current.closed_at = when
        current.save(update_fields=["closed_at"])
        _changed(actor, current, Step.CLOSE, {"closed_at": [None, when]}, {"outcome": current.outcome})
    return _sync(track, current)


# The notification file


def open_notification_file(*, actor: Any, track_id: int) -> tuple[StoredFile, str, IO[bytes]]:
    """The notification's file for someone who may see the track (404 otherwise), verified
    against its SHA-256; every attempt is audited."""
    track = (
        access.visible(actor, PreaTrack.objects.select_related("allegation", "notification_file"))
        .filter(pk=track_id)
        .first()
    )
    if track is None or track.notification_file is None:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            object_type=audit.label_of(PreaTrack),
            object_id=str(track_id),
            detail={"file": "notification"},
            outcome=AuditOutcome.DENIED,
        )
        raise Http404("No such file")
    stored = track.notification_file
    detail = {"file": "notification", "allegation": track.allegation.number, "sha256": stored.sha256}
    try:
        content = files.open_verified(stored)
    except FileIntegrityError as error:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=track,
            detail={**detail, "reason": error.reason},
            outcome=AuditOutcome.FAILURE,
        )
        raise
    audit.record(AuditAction.DOWNLOAD, actor=actor, obj=track, detail=detail)
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        stored.content_type, ""
    )
    return stored, f"{track.allegation.number}-prea-notification{extension}", content


# Who the track is about (for the track page): the allegation's subjects.


def accused_names(track: PreaTrack) -> list[str]:
    names = []
    for person in track.allegation.people.filter(role=PersonRole.SUBJECT).select_related("employee"):
        if person.employee is not None:
            names.append(f"{person.employee.full_name} ({person.employee.employee_number})")
        else:
            names.append(person.name or person.badge_number or person.description or "unidentified")
    return names
