"""Deaths in custody: recording a death (its clocks start at once), meeting its clocks, the review
with its report PDF, and the Death in Custody Reporting Act (DCRA) export.

`record_death` numbers the death DIC-YYYY-NNNNNN, opens the critical incident of kind death in
custody that the use-of-force program reviews, and starts one clock per seeded rule from the
moment OPR learned of the death (`reported_at`): notification (12 hours), public release (2
business days), and the 30- and 90-day reports (sources differ, so both are kept). A rule an
administrator has switched off starts no clock. `confirm_notification`, `record_public_release`
and `record_report` each meet their clock (late is recorded as late, never refused).

The review: a program manager assigns a reviewer (a program manager or supervisor, who then sees
the death through the access policy), the reviewer writes the standards in force at the facility,
the facts, compliance and findings, and completes it; completing stores the review report (PDF,
WeasyPrint fetching nothing) and freezes the review.

Each service, in one transaction: 404 unless the actor sees the death, PermissionDenied with a
plain message unless they may act, ValidationError (messages per field, nothing written) for bad
input, IllegalTransition for a step the review's state refuses; then it writes and audits.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit, files
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import (
    AuditAction,
    AuditOutcome,
    Deadline,
    DeadlineRule,
    OrgUnit,
    Role,
    User,
)
from probity.core.models.org import OFFICE_KINDS
from probity.core.numbering import next_number
from probity.core.services.deadlines import meet_deadline, start_deadline
from probity.core.services.files import store_file
from probity.core.workflow import IllegalTransition
from probity.oversight.models import (
    CriticalIncident,
    CustodyAgency,
    DeathInCustody,
    DeathReview,
    DeathReviewStatus,
    IncidentKind,
)

NUMBER_PREFIX = "DIC"
NOTICE_RULE = "death-in-custody-notice"
RELEASE_RULE = "death-in-custody-public-release"
REPORT_30_RULE = "death-in-custody-report-30"
REPORT_90_RULE = "death-in-custody-report-90"
REVIEWER_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})
MAX_TEXT = 50_000
MAX_AGE = 120
EARLIEST_DEATH = dt.date(1990, 1, 1)
ADD_PERMISSION = "oversight.add_deathincustody"
CHANGE_PERMISSION = "oversight.change_deathincustody"
PDF = "application/pdf"

Problems = dict[str, list[str]]


@dataclass(frozen=True)
class ClockStep:
    """One clock of a death: the rule that times it and the step that meets it."""

    key: str
    rule: str
    title: str  # the deadline's title; {number} is the death's
    label: str  # the step, as the death page names it
    done: str  # what meeting it is called


STEPS: tuple[ClockStep, ...] = (
    ClockStep(
        "notification",
        NOTICE_RULE,
        "Notify leadership and oversight of death {number}",
        "Notification",
        "Notification confirmed",
    ),
    ClockStep(
        "public-release",
        RELEASE_RULE,
        "Public release on death {number}",
        "Public release",
        "Public release made",
    ),
    ClockStep(
        "report-30", REPORT_30_RULE, "30-day report on death {number}", "30-day report", "Report issued"
    ),
    ClockStep(
        "report-90", REPORT_90_RULE, "90-day report on death {number}", "90-day report", "Report issued"
    ),
)
STEP_BY_KEY = {step.key: step for step in STEPS}
CLOCK_RULES = tuple(step.rule for step in STEPS)
REPORT_STEPS = {30: "report-30", 90: "report-90"}


# Who may act


def _require_visible(actor: Any, death: DeathInCustody | None) -> None:
    if actor is None or death is None or death.pk is None or not access.can_view(actor, death):
        raise Http404("No such death record")


def may_record(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(ADD_PERMISSION)


def may_manage(user: Any) -> bool:
    """Whether `user` runs the deaths program: meets the clocks and assigns reviewers."""
    return bool(getattr(user, "is_active", False)) and user.has_perm(CHANGE_PERMISSION)


def require_manager(actor: Any, death: DeathInCustody) -> None:
    """404 unless the actor sees the death; PermissionDenied unless they run the program."""
    _require_visible(actor, death)
    if not may_manage(actor):
        raise PermissionDenied("Only a program manager may do this on a death in custody.")


def may_review(user: Any, review: DeathReview | None) -> bool:
    """The assigned reviewer, or a program manager."""
    if review is None or not getattr(user, "is_active", False):
        return False
    return review.reviewer_id == user.pk or may_manage(user)


# Small shared pieces


def _text(value: Any, name: str, errors: Problems, *, limit: int, required: str = "") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append("This must be text.")
        return ""
    text: str = value.strip()
    if required and not text:
        errors.setdefault(name, []).append(required)
    if len(text) > limit:
        errors.setdefault(name, []).append(f"This must be {limit:,} characters or fewer.")
    return text


def _limit(name: str) -> int:
    return int(DeathInCustody._meta.get_field(name).max_length or MAX_TEXT)  # type: ignore[union-attr]


def _raise_if(errors: Problems) -> None:
    if errors:
        raise ValidationError(errors)


def local_start(day: dt.date, time: dt.time | None = None) -> dt.datetime:
    """The moment `day` (at `time`, else midnight) begins on the agency's clock."""
    return dt.datetime.combine(day, time or dt.time.min, tzinfo=agency_time_zone())


def _moment(value: Any, name: str, errors: Problems, *, now: dt.datetime) -> dt.datetime:
    """An aware time not in the future (defaults to now)."""
    if value is None:
        return now
    if not isinstance(value, dt.datetime):
        errors.setdefault(name, []).append("Give a date and time.")
        return now
    if timezone.is_naive(value):
        errors.setdefault(name, []).append("The time must include a time zone.")
        return now
    if value > now:
        errors.setdefault(name, []).append("This time is in the future.")
    return value


def _lock(death: DeathInCustody) -> DeathInCustody:
    return DeathInCustody.objects.select_for_update(of=("self",)).get(pk=death.pk)


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


# Recording a death


def death_problems(
    *,
    name: Any,
    sex: Any,
    race: Any,
    ethnicity: Any,
    age: Any,
    country: Any,
    date_of_death: Any,
    time_of_death: Any,
    place_of_death: Any,
    facility_name: Any,
    facility_location: Any,
    facility_type: Any,
    agency: Any,
    circumstances: Any,
    cause: Any,
    today: dt.date,
    require_circumstances: bool = True,
) -> tuple[dict[str, Any], Problems]:
    """The cleaned fields of a death and the problems with them (shared with the import)."""
    errors: Problems = {}
    values: dict[str, Any] = {
        "name": _text(
            name, "name", errors, limit=_limit("name"), required='Give the name ("Unknown" if not known).'
        ),
        "sex": _text(sex, "sex", errors, limit=_limit("sex")),
        "race": _text(race, "race", errors, limit=_limit("race")),
        "ethnicity": _text(ethnicity, "ethnicity", errors, limit=_limit("ethnicity")),
        "country": _text(country, "country", errors, limit=_limit("country")),
        "place_of_death": _text(place_of_death, "place_of_death", errors, limit=_limit("place_of_death")),
        "facility_name": _text(facility_name, "facility_name", errors, limit=_limit("facility_name")),
        "facility_location": _text(
            facility_location, "facility_location", errors, limit=_limit("facility_location")
        ),
        "facility_type": _text(facility_type, "facility_type", errors, limit=_limit("facility_type")),
        "circumstances": _text(
            circumstances,
            "circumstances",
            errors,
            limit=MAX_TEXT,
            required="Describe the circumstances of the death." if require_circumstances else "",
        ),
        "cause": _text(cause, "cause", errors, limit=MAX_TEXT),
    }
    if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE):
        errors["age"] = [f"Give the age in whole years, from 0 to {MAX_AGE}, or leave it empty."]
        age = None
    values["age"] = age
    if agency not in CustodyAgency.values:
        errors["agency"] = [f"Choose the agency that held the person: {' or '.join(CustodyAgency.values)}."]
    values["agency"] = agency
    if not isinstance(date_of_death, dt.date) or isinstance(date_of_death, dt.datetime):
        errors["date_of_death"] = ["Give the date of death."]
        date_of_death = None
    elif date_of_death > today:
        errors["date_of_death"] = ["The date of death is in the future."]
    elif date_of_death < EARLIEST_DEATH:
        errors["date_of_death"] = ["The date of death is too long ago; check the year."]
    values["date_of_death"] = date_of_death
    if time_of_death is not None and not isinstance(time_of_death, dt.time):
        errors["time_of_death"] = ["Give the time of death as hours and minutes, or leave it empty."]
        time_of_death = None
    values["time_of_death"] = time_of_death
    return values, errors


def _office(office: Any, errors: Problems) -> OrgUnit | None:
    found = (
        OrgUnit.objects.filter(pk=office.pk, kind__in=OFFICE_KINDS, active=True).first()
        if isinstance(office, OrgUnit) and office.pk is not None
        else None
    )
    if found is None:
        errors["office"] = [
            "Choose the port, station or office whose custody it was (for a detention facility, "
            "the OPR office that covers it)."
        ]
    return found


def record_death(
    *,
    actor: Any,
    name: str,
    sex: str,
    race: str,
    ethnicity: str,
    age: int | None,
    country: str,
    date_of_death: dt.date,
    time_of_death: dt.time | None,
    place_of_death: str,
    facility_name: str,
    facility_location: str,
    facility_type: str,
    office: OrgUnit,
    agency: str,
    circumstances: str,
    cause: str = "",
    reported_at: dt.datetime | None = None,
) -> DeathInCustody:
    """Record a death in custody: its number, its critical incident, and its clocks from `reported_at`."""
    if not may_record(actor):
        raise PermissionDenied("Only a program manager may record a death in custody.")
    now = timezone.now()
    today = timezone.localdate(now, timezone=agency_time_zone())
    values, errors = death_problems(
        name=name,
        sex=sex,
        race=race,
        ethnicity=ethnicity,
        age=age,
        country=country,
        date_of_death=date_of_death,
        time_of_death=time_of_death,
        place_of_death=place_of_death,
        facility_name=facility_name,
        facility_location=facility_location,
        facility_type=facility_type,
        agency=agency,
        circumstances=circumstances,
        cause=cause,
        today=today,
    )
    unit = _office(office, errors)
    reported = _moment(reported_at, "reported_at", errors, now=now)
    died = values["date_of_death"]
    if died is not None and "date_of_death" not in errors:
        moment = local_start(died, values["time_of_death"])
        if moment > now:
            errors.setdefault("time_of_death", []).append("The time of death is in the future.")
        elif "reported_at" not in errors and reported < moment:
            errors.setdefault("reported_at", []).append(
                "OPR cannot have learned of the death before it happened."
            )
    _raise_if(errors)
    with transaction.atomic():
        year = reported.astimezone(agency_time_zone()).year
        death = DeathInCustody.objects.create(
            number=next_number(NUMBER_PREFIX, year),
            office=unit,
            reported_at=reported,
            created_at=now,
            created_by=actor,
            **values,
        )
        incident = _open_incident(actor, death)
        death.incident = incident
        death.save(update_fields=["incident"])
        events: list[audit.EventSpec] = [
            audit.EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=death,
                changes={
                    "number": [None, death.number],
                    **{key: [None, value] for key, value in values.items() if value not in ("", None)},
                    "office": [None, unit.code if unit else None],
                    "reported_at": [None, reported],
                    "incident": [None, incident.number],
                },
            )
        ]
        _start_clocks(actor, death, events)
        audit.record_many(events)
    return death


def _open_incident(actor: Any, death: DeathInCustody) -> CriticalIncident:
    """The critical incident the use-of-force program reviews the death as (a board matter),
    reported through the incidents service with the deceased as its subject."""
    from probity.oversight.services.incidents import SubjectInput, report_incident

    where = death.place_of_death or ", ".join(p for p in (death.facility_name, death.facility_location) if p)
    summary = f"Death in custody of {death.name}" + (
        f" at {death.facility_name}" if death.facility_name else ""
    )
    return report_incident(
        actor=actor,
        kind=IncidentKind.DEATH,
        occurred_at=local_start(death.date_of_death, death.time_of_death),
        place=where[:300],
        office=death.office,  # type: ignore[arg-type]  # record_death requires it
        summary=summary[:300],
        narrative=death.circumstances,
        employees=(),
        subjects=(
            SubjectInput(
                description=f"{death.name} (died; {death.number})"[:300],
                age=death.age,
                sex=death.sex,
                race=death.race,
            ),
        ),
        force=(),
        training_discharge=False,
        serious_injury=False,
        death=True,
        responders="",
        notified_at=None,
        on_scene_at=None,
    )


def _start_clocks(actor: Any, death: DeathInCustody, events: list[audit.EventSpec]) -> list[Deadline]:
    rules = {rule.code: rule for rule in DeadlineRule.objects.filter(code__in=CLOCK_RULES, active=True)}
    started = []
    for step in STEPS:
        rule = rules.get(step.rule)
        if rule is None:
            continue  # switched off (or removed) by an administrator: the agency does not keep it
        started.append(
            start_deadline(
                actor=actor,
                rule=rule,
                record=death,
                title=step.title.format(number=death.number),
                office=death.office,
                started_at=death.reported_at,
                events=events,
            )
        )
    return started


# The clocks


@dataclass(frozen=True)
class Clock:
    """One clock of a death as the page and the API show it."""

    step: ClockStep
    deadline: Deadline | None
    state: str  # open, overdue, met, met_late, cancelled, none

    @property
    def label(self) -> str:
        return self.step.label

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def rule_name(self) -> str:
        return self.deadline.rule.name if self.deadline is not None else ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def is_open(self) -> bool:
        return self.state in {"open", "overdue"}


STATE_LABELS = {
    "open": "Open",
    "overdue": "Overdue",
    "met": "Met",
    "met_late": "Met late",
    "cancelled": "Cancelled",
    "none": "No clock",
}


def clock_state(deadline: Deadline | None, now: dt.datetime) -> str:
    if deadline is None:
        return "none"
    if deadline.cancelled_at is not None:
        return "cancelled"
    if deadline.met_at is not None:
        return "met_late" if deadline.met_at > deadline.due_at else "met"
    return "overdue" if deadline.due_at < now else "open"


def death_deadlines(death: DeathInCustody) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type__app_label="oversight",
            content_type__model="deathincustody",
            object_id=death.pk,
            rule__code__in=CLOCK_RULES,
        )
        .select_related("rule")
        .order_by("started_at", "pk")
    )


def clocks_of(death: DeathInCustody, deadlines: Sequence[Deadline] | None = None) -> list[Clock]:
    """The four clocks in their order; for each rule the newest deadline (there is one)."""
    now = timezone.now()
    rows = death_deadlines(death) if deadlines is None else deadlines
    by_rule: dict[str, Deadline] = {}
    for deadline in rows:
        by_rule[deadline.rule.code] = deadline
    return [Clock(step, by_rule.get(step.rule), clock_state(by_rule.get(step.rule), now)) for step in STEPS]


def _meet(*, actor: Any, death: DeathInCustody, key: str, at: dt.datetime | None, note: str) -> Deadline:
    require_manager(actor, death)
    step = STEP_BY_KEY[key]
    now = timezone.now()
    errors: Problems = {}
    met = _moment(at, "at", errors, now=now)
    note = _text(note, "note", errors, limit=2_000)
    _raise_if(errors)
    with transaction.atomic():
        current = _lock(death)
        deadline = (
            Deadline.objects.select_for_update(of=("self",))
            .filter(
                content_type__app_label="oversight",
                content_type__model="deathincustody",
                object_id=current.pk,
                rule__code=step.rule,
            )
            .select_related("rule")
            .order_by("-started_at", "-pk")
            .first()
        )
        if deadline is None:
            raise ValidationError(
                {
                    "step": [
                        f"{current.number} has no {step.label.lower()} clock (an imported historic record, "
                        "or the rule was switched off when it was recorded)."
                    ]
                }
            )
        if deadline.met_at is not None:
            local = deadline.met_at.astimezone(agency_time_zone())
            raise ValidationError({"step": [f"{step.done} already, on {local:%Y-%m-%d %H:%M %Z}."]})
        if deadline.cancelled_at is not None:
            raise ValidationError({"step": [f"The {step.label.lower()} clock was cancelled."]})
        if met < deadline.started_at:
            raise ValidationError(
                {"at": ["This is before OPR learned of the death, when the clock started."]}
            )
        meet_deadline(actor=actor, deadline=deadline, met_at=met)
        audit.record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=current,
            changes={key: [None, met]},
            detail={
                "step": key,
                "rule": step.rule,
                "late": met > deadline.due_at,
                **({"note": note} if note else {}),
            },
        )
    return deadline


def confirm_notification(
    *, actor: Any, death: DeathInCustody, at: dt.datetime | None = None, note: str = ""
) -> Deadline:
    """Leadership and oversight were notified (at `at`, default now): meets the 12-hour clock."""
    return _meet(actor=actor, death=death, key="notification", at=at, note=note)


def record_public_release(
    *, actor: Any, death: DeathInCustody, at: dt.datetime | None = None, note: str = ""
) -> Deadline:
    """The public release was made: meets the public-release clock."""
    return _meet(actor=actor, death=death, key="public-release", at=at, note=note)


def record_report(
    *, actor: Any, death: DeathInCustody, which: int, at: dt.datetime | None = None, note: str = ""
) -> Deadline:
    """The 30-day or 90-day report was issued (`which` = 30 or 90): meets that clock."""
    if isinstance(which, bool) or which not in REPORT_STEPS:
        raise ValidationError({"which": ["Choose the report: 30 or 90 (days)."]})
    return _meet(actor=actor, death=death, key=REPORT_STEPS[which], at=at, note=note)


def meet_step(
    *, actor: Any, death: DeathInCustody, step: str, at: dt.datetime | None = None, note: str = ""
) -> Deadline:
    """Meet the clock named by its step key (notification, public-release, report-30, report-90)."""
    if step not in STEP_BY_KEY:
        raise ValidationError({"step": [f"Unknown step; one of: {', '.join(STEP_BY_KEY)}."]})
    return _meet(actor=actor, death=death, key=step, at=at, note=note)


# The review


def eligible_reviewers() -> Any:
    """Active users who may review a death: program managers and supervisors."""
    return (
        User.objects.filter(is_active=True, groups__name__in=sorted(REVIEWER_ROLES))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _review_of(death: DeathInCustody, *, lock: bool = False) -> DeathReview | None:
    rows = DeathReview.objects.filter(death_id=death.pk)
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.select_related("reviewer").first()


def _require_open(review: DeathReview, death: DeathInCustody) -> None:
    if review.status == DeathReviewStatus.COMPLETED:
        when = review.completed_at.astimezone(agency_time_zone()) if review.completed_at else None
        raise IllegalTransition(
            f"The review of {death.number} was completed"
            + (f" on {when:%Y-%m-%d}" if when else "")
            + "; it can no longer change.",
            code="review_completed",
        )


def assign_reviewer(*, actor: Any, death: DeathInCustody, reviewer: Any) -> DeathReview:
    """A program manager assigns (or changes) the reviewer; the review opens if it was not yet."""
    require_manager(actor, death)
    if not isinstance(reviewer, User) or reviewer.pk is None:
        raise ValidationError({"reviewer": ["Choose a reviewer."]})
    if not reviewer.is_active or not reviewer.has_role(*REVIEWER_ROLES):
        raise ValidationError(
            {"reviewer": [f"{reviewer.get_username()} is not an active program manager or supervisor."]}
        )
    with transaction.atomic():
        current = _lock(death)
        review = _review_of(current, lock=True)
        if review is None:
            review = DeathReview.objects.create(death=current, reviewer=reviewer)
            audit.record(
                AuditAction.CREATE,
                actor=actor,
                obj=review,
                changes={"reviewer": [None, reviewer.get_username()], "status": [None, review.status]},
                detail={"death": current.number},
            )
            return review
        _require_open(review, current)
        if review.reviewer_id == reviewer.pk:
            raise ValidationError({"reviewer": [f"{reviewer.get_username()} is already the reviewer."]})
        old = _username(review.reviewer)
        review.reviewer = reviewer
        review.save(update_fields=["reviewer"])
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=review,
            changes={"reviewer": [old, reviewer.get_username()]},
            detail={"death": current.number},
        )
    return review


def _require_reviewer(actor: Any, death: DeathInCustody, review: DeathReview | None) -> DeathReview:
    if review is None:
        raise IllegalTransition(
            f"{death.number} has no reviewer yet; a program manager assigns one first.", code="no_reviewer"
        )
    if not may_review(actor, review):
        raise PermissionDenied("Only the assigned reviewer or a program manager may work on this review.")
    return review


def update_review(
    *, actor: Any, death: DeathInCustody, standards: str, facts: str, compliance: str, findings: str
) -> DeathReview:
    """The reviewer writes (or revises) the standards in force, the facts, compliance and findings."""
    _require_visible(actor, death)
    errors: Problems = {}
    limit = int(DeathReview._meta.get_field("standards").max_length or 100)
    values = {
        "standards": _text(standards, "standards", errors, limit=limit),
        "facts": _text(facts, "facts", errors, limit=MAX_TEXT),
        "compliance": _text(compliance, "compliance", errors, limit=MAX_TEXT),
        "findings": _text(findings, "findings", errors, limit=MAX_TEXT),
    }
    with transaction.atomic():
        current = _lock(death)
        review = _require_reviewer(actor, current, _review_of(current, lock=True))
        _require_open(review, current)
        _raise_if(errors)
        changes = {
            name: [getattr(review, name), value]
            for name, value in values.items()
            if getattr(review, name) != value
        }
        if not changes:
            return review
        for name, (_, value) in changes.items():
            setattr(review, name, value)
        review.save(update_fields=list(changes))
        audit.record(
            AuditAction.UPDATE, actor=actor, obj=review, changes=changes, detail={"death": current.number}
        )
    return review


def complete_review(*, actor: Any, death: DeathInCustody) -> DeathReview:
    """Complete the review: every part written; the review report PDF is generated and kept."""
    from probity.oversight.services import death_report

    _require_visible(actor, death)
    with transaction.atomic():
        current = _lock(death)
        review = _require_reviewer(actor, current, _review_of(current, lock=True))
        _require_open(review, current)
        missing = {
            name: [f"Write the {label} before completing the review."]
            for name, label in (
                ("standards", "detention standards in force"),
                ("facts", "facts"),
                ("compliance", "compliance with the standards"),
                ("findings", "findings"),
            )
            if not getattr(review, name).strip()
        }
        _raise_if(missing)
        now = timezone.now()
        review.status = DeathReviewStatus.COMPLETED
        review.completed_at = now
        content = death_report.collect(current, review, clocks_of(current), now=now)
        pdf = death_report.render_pdf(content)
        stored = store_file(actor=actor, upload=ContentFile(pdf, name=f"{current.number}-review.pdf"))
        review.report = stored
        review.save(update_fields=["status", "completed_at", "report"])
        audit.record(
            AuditAction.TRANSITION,
            actor=actor,
            obj=review,
            changes={
                "status": [DeathReviewStatus.OPEN, DeathReviewStatus.COMPLETED],
                "completed_at": [None, now],
                "report": [None, stored.sha256],
            },
            detail={"death": current.number},
        )
    return review


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    content: IO[bytes]


def open_review_report(*, actor: Any, death: DeathInCustody) -> ReportFile:
    """The completed review's report, verified against its hash; every attempt is audited."""
    review = DeathReview.objects.filter(death_id=death.pk).select_related("report").first()
    target: Any = review if review is not None else death
    if actor is None or death.pk is None or not access.can_view(actor, death):
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=target,
            detail={"death": death.number, "part": "review report"},
            outcome=AuditOutcome.DENIED,
        )
        raise Http404("No such death record")
    if review is None or review.report is None:
        raise Http404("The review has no report yet: it is written when the review is completed.")
    detail = {"death": death.number, "part": "review report", "sha256": review.report.sha256}
    try:
        content = files.open_verified(review.report)
    except FileIntegrityError as error:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=review,
            detail={**detail, "reason": error.reason},
            outcome=AuditOutcome.FAILURE,
        )
        raise
    audit.record(AuditAction.DOWNLOAD, actor=actor, obj=review, detail=detail)
    return ReportFile(filename=f"{death.number}-review.pdf", content_type=PDF, content=content)


# The DCRA export

DCRA_COLUMNS = (
    "record_number",
    "name",
    "sex",
    "race",
    "ethnicity",
    "age",
    "date_of_death",
    "time_of_death",
    "location_of_death",
    "agency",
    "facility_name",
    "facility_location",
    "facility_type",
    "circumstances",
    "cause_of_death",
    "country_of_citizenship",
)
FIRST_DCRA_YEAR = 1900
# A spreadsheet would run a cell that starts so as a formula: such cells get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def dcra_row(death: DeathInCustody) -> dict[str, str]:
    """One death in the DCRA's terms. Where the place of death is not recorded (the ICE files
    give only the facility), the location of death is the facility's location."""
    return {
        "record_number": death.number,
        "name": death.name,
        "sex": death.sex,
        "race": death.race,
        "ethnicity": death.ethnicity,
        "age": "" if death.age is None else str(death.age),
        "date_of_death": death.date_of_death.isoformat(),
        "time_of_death": death.time_of_death.strftime("%H:%M") if death.time_of_death else "",
        "location_of_death": death.place_of_death or death.facility_location,
        "agency": death.agency,
        "facility_name": death.facility_name,
        "facility_location": death.facility_location,
        "facility_type": death.facility_type,
        "circumstances": death.circumstances,
        "cause_of_death": death.cause,
        "country_of_citizenship": death.country,
    }


def dcra_problems(year: Any, agency: Any) -> Problems:
    errors: Problems = {}
    last = timezone.localdate(timezone=agency_time_zone()).year
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_DCRA_YEAR <= year <= last:
        errors["year"] = [f"Choose a year from {FIRST_DCRA_YEAR} to {last}."]
    if agency not in (None, "", *CustodyAgency.values):
        errors["agency"] = [f"Choose the agency: {' or '.join(CustodyAgency.values)}, or both."]
    return errors


def dcra_csv(
    *, actor: Any, year: int, agency: str | None = None, actor_username: str = ""
) -> tuple[bytes, int]:
    """The CSV and its row count, audited as an export. For callers that checked permission;
    `actor=None` is the operator at the command line (`actor_username`), who sees every record."""
    _raise_if(dcra_problems(year, agency))
    rows = DeathInCustody.objects.filter(date_of_death__year=year)
    if actor is not None:
        rows = access.visible(actor, rows)
    if agency:
        rows = rows.filter(agency=agency)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(DCRA_COLUMNS)
    count = 0
    for death in rows.order_by("date_of_death", "time_of_death", "number").iterator(chunk_size=500):
        row = dcra_row(death)
        writer.writerow([_cell(row[column]) for column in DCRA_COLUMNS])
        count += 1
    data = out.getvalue().encode("utf-8")
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        actor_username=actor_username,
        object_type=audit.label_of(DeathInCustody),
        object_repr=f"DCRA {year}" + (f" {agency}" if agency else ""),
        detail={
            "export": "dcra",
            "year": year,
            "agency": agency or "all",
            "rows": count,
            "format": "csv",
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return data, count


def dcra_export(*, actor: Any, year: int, agency: str | None = None) -> bytes:
    """The year's deaths (by calendar year of death; one agency or both) as DCRA CSV; audited."""
    if not may_manage(actor):
        raise PermissionDenied("Only a program manager may export the DCRA report.")
    data, _ = dcra_csv(actor=actor, year=year, agency=agency)
    return data
