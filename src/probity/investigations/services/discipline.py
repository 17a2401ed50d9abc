"""Discipline, recorded with labor and employee relations: from the referral to management to the
final outcome, with the 12 Douglas factors and the agency's own record of penalties (factor 6).

The lead agent or a supervisor refers sustained allegations against one employee to management
(`refer_to_management`). Labor relations then records each step of the two-step process in
DISCIPLINE_FLOW: a proposing official proposes a penalty from the table of offenses and
penalties, the employee replies, a different deciding official decides after weighing every
Douglas factor, the employee may appeal, and the outcome becomes final.

Each function, in one transaction: 404 if the actor may not see the case or action, a plain
`PermissionDenied` for the wrong role, `IllegalTransition` for a step the action's state does
not allow, `ValidationError` with messages per field (nothing written), then writes and audits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.deadlines import agency_time_zone
from probity.core.models import AuditAction, Employee, Role
from probity.core.workflow import Transition, Workflow
from probity.investigations.models import (
    AppealForum,
    Case,
    CaseAllegation,
    DisciplineAction,
    DisciplineStatus,
    DouglasAssessment,
    DouglasFactor,
    FactorWeight,
    FindingOutcome,
    Offense,
    Penalty,
)
from probity.investigations.services.prosecution import (
    Problems,
    agency_today,
    case_event,
    check_date,
    check_text,
    raise_problems,
    require_lead_or_supervisor,
)

D = DisciplineStatus
LABOR_RELATIONS = frozenset({Role.LABOR_RELATIONS})

DISCIPLINE_FLOW = Workflow(
    "discipline action",
    {
        (D.REFERRED, D.PROPOSED): Transition(roles=LABOR_RELATIONS, label="Propose an action"),
        (D.PROPOSED, D.REPLIED): Transition(roles=LABOR_RELATIONS, label="Record the reply"),
        # The employee may let the reply period pass: the decision need not wait for a reply.
        (D.PROPOSED, D.DECIDED): Transition(roles=LABOR_RELATIONS, label="Decide"),
        (D.REPLIED, D.DECIDED): Transition(roles=LABOR_RELATIONS, label="Decide"),
        (D.DECIDED, D.APPEALED): Transition(roles=LABOR_RELATIONS, label="Record an appeal"),
        (D.DECIDED, D.FINAL): Transition(roles=LABOR_RELATIONS, label="Make final"),
        (D.APPEALED, D.FINAL): Transition(roles=LABOR_RELATIONS, label="Record the outcome and make final"),
    },
    labels={status.value: status.label[:1].lower() + status.label[1:] for status in DisciplineStatus},
)

# Penalties that count as "previously decided" for Douglas factor 6.
DECIDED_STATES = (D.DECIDED, D.APPEALED, D.FINAL)
RECENT_EXAMPLES = 5
FACTORS = tuple(DouglasFactor)


# Reference: the table's range and the agency's record


@dataclass(frozen=True)
class TableRange:
    """The table's guide range for this employee's offense: first offense, or second and later."""

    offense: Offense
    second: bool
    low: Penalty
    high: Penalty

    @property
    def occurrence(self) -> str:
        return "second or later offense" if self.second else "first offense"

    def contains(self, penalty: Penalty) -> bool:
        return self.low.severity <= penalty.severity <= self.high.severity

    @property
    def label(self) -> str:
        span = self.low.name if self.low.pk == self.high.pk else f"{self.low.name} to {self.high.name}"
        return f"{span} ({self.occurrence})"


def _same_offense(offense: Offense, prefix: str = "") -> Q:
    """Actions for the same offense category (the offense itself when it has no category)."""
    if offense.category_id is not None:
        return Q(**{f"{prefix}offense__category_id": offense.category_id})
    return Q(**{f"{prefix}offense_id": offense.pk})


def table_range(
    *, offense: Offense, employee: Employee, exclude_action: DisciplineAction | None = None
) -> TableRange:
    """The range that applies: the second-offense range once the employee has a final action for
    an offense of the same category whose penalty stood (a reversed action does not count)."""
    prior = DisciplineAction.objects.filter(
        _same_offense(offense), employee=employee, status=D.FINAL, final_penalty__isnull=False
    )
    if exclude_action is not None:
        prior = prior.exclude(pk=exclude_action.pk)
    second = prior.exists()
    ranged = Offense.objects.select_related("first_min", "first_max", "second_min", "second_max").get(
        pk=offense.pk
    )
    if second:
        return TableRange(ranged, True, ranged.second_min, ranged.second_max)
    return TableRange(ranged, False, ranged.first_min, ranged.first_max)


@dataclass(frozen=True)
class PenaltyCount:
    code: str
    name: str
    severity: int
    count: int


@dataclass(frozen=True)
class ConsistencyExample:
    decided_on: dt.date | None
    penalty: str
    final_penalty: str
    status: str
    case_id: int
    case_number: str  # empty when the viewer may not see the case: the figures only


@dataclass(frozen=True)
class ConsistencyFigures:
    """Douglas factor 6 from the data: penalties decided across the agency for the same offense
    category (decided, under appeal or final), most severe last."""

    offense: Offense
    total: int
    counts: tuple[PenaltyCount, ...]
    minimum: PenaltyCount | None
    maximum: PenaltyCount | None
    median_severity: float | None
    median_label: str
    examples: tuple[ConsistencyExample, ...]


def _median(counts: Sequence[PenaltyCount], total: int) -> tuple[float | None, str]:
    """The median of the severities, walking the per-penalty counts (never the rows)."""
    if total == 0:
        return None, ""
    wanted = [(total + 1) // 2, total // 2 + 1] if total % 2 == 0 else [(total + 1) // 2]
    found: list[PenaltyCount] = []
    seen = 0
    for entry in counts:
        seen += entry.count
        while wanted and wanted[0] <= seen:
            found.append(entry)
            wanted.pop(0)
    low, high = found[0], found[-1]
    if low.code == high.code:
        return float(low.severity), low.name
    return (low.severity + high.severity) / 2, f"between {low.name} and {high.name}"


def consistency_figures(
    *, offense: Offense, exclude_action: DisciplineAction | None = None, viewer: Any = None
) -> ConsistencyFigures:
    """Penalties previously decided agency-wide for the offense's category: one aggregate query
    for the figures, one for the recent examples (and one to see which of their cases `viewer`
    may see; without a viewer no case number is shown). Figures never name an employee."""
    decided = DisciplineAction.objects.filter(
        _same_offense(offense), status__in=DECIDED_STATES, decided_penalty__isnull=False
    )
    if exclude_action is not None:
        decided = decided.exclude(pk=exclude_action.pk)
    rows = (
        decided.values("decided_penalty__code", "decided_penalty__name", "decided_penalty__severity")
        .annotate(count=Count("pk"))
        .order_by("decided_penalty__severity", "decided_penalty__code")
    )
    counts = tuple(
        PenaltyCount(
            code=row["decided_penalty__code"],
            name=row["decided_penalty__name"],
            severity=row["decided_penalty__severity"],
            count=row["count"],
        )
        for row in rows
    )
    total = sum(entry.count for entry in counts)
    median, median_label = _median(counts, total)
    recent = list(
        decided.select_related("decided_penalty", "final_penalty", "case")
        .only(
            "pk",
            "status",
            "decided_on",
            "case__number",
            "decided_penalty__name",
            "final_penalty__name",
        )
        .order_by("-decided_on", "-pk")[:RECENT_EXAMPLES]
    )
    shown: set[int] = set()
    if viewer is not None and recent:
        cases = Case.objects.filter(pk__in={action.case_id for action in recent})
        shown = set(access.visible(viewer, cases).values_list("pk", flat=True))
    examples = tuple(
        ConsistencyExample(
            decided_on=action.decided_on,
            penalty=action.decided_penalty.name if action.decided_penalty else "",
            final_penalty=action.final_penalty.name if action.final_penalty else "",
            status=action.get_status_display(),
            case_id=action.case_id,
            case_number=action.case.number if action.case_id in shown else "",
        )
        for action in recent
    )
    return ConsistencyFigures(
        offense=offense,
        total=total,
        counts=counts,
        minimum=counts[0] if counts else None,
        maximum=counts[-1] if counts else None,
        median_severity=median,
        median_label=median_label,
        examples=examples,
    )


def hide_case_numbers(figures: ConsistencyFigures) -> ConsistencyFigures:
    return replace(figures, examples=tuple(replace(e, case_number="") for e in figures.examples))


# Referral to management


def _current_office(employee: Employee) -> Any:
    assignment = employee.assignment_as_of(agency_today())
    return assignment.org_unit if assignment is not None else None


def refer_to_management(
    *, actor: Any, case: Case, employee: Employee, allegations: Iterable[CaseAllegation]
) -> DisciplineAction:
    """Refer sustained allegations against one employee to management for discipline."""
    require_lead_or_supervisor(actor, case, doing="refer discipline to management")
    ids = {allegation.pk for allegation in allegations}
    with transaction.atomic():
        problems: Problems = {}
        chosen = list(
            CaseAllegation.objects.filter(pk__in=ids, case_id=case.pk).select_related(
                "subject__employee", "category", "finding"
            )
        )
        if not ids:
            problems["allegations"] = ["Choose at least one sustained allegation."]
        elif len(chosen) < len(ids):
            problems["allegations"] = ["Choose allegations of this case."]
        for allegation in chosen:
            finding = getattr(allegation, "finding", None)
            name = allegation.category.name
            if allegation.subject.employee_id != getattr(employee, "pk", None):
                problems.setdefault("allegations", []).append(
                    f"The allegation of {name} is not against this employee."
                )
            elif finding is None or finding.outcome != FindingOutcome.SUSTAINED:
                problems.setdefault("allegations", []).append(
                    f"The allegation of {name} is not sustained; only sustained allegations go to management."
                )
        office = _current_office(employee) if isinstance(employee, Employee) else None
        if office is None:
            problems.setdefault("employee", []).append(
                "The directory has no current office for this employee; update the directory first."
            )
        if not problems:
            already = (
                CaseAllegation.objects.filter(pk__in=ids, discipline_actions__employee=employee)
                .select_related("category")
                .distinct()
            )
            for allegation in already:
                problems.setdefault("allegations", []).append(
                    f"The allegation of {allegation.category.name} is already referred to management."
                )
        raise_problems(problems)
        now = timezone.now()
        action = DisciplineAction.objects.create(
            case_id=case.pk,
            employee=employee,
            status=D.REFERRED,
            office=office,
            referred_at=now,
            referred_by=actor,
            updated_at=now,
        )
        action.allegations.set(chosen)
        case_event(
            case,
            kind="note",
            reason=f"Referred to management for discipline: {employee.full_name} "
            f"({', '.join(sorted(a.category.name for a in chosen))})",
            now=now,
            actor=actor,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=action,
            changes={"status": [None, D.REFERRED], "office": [None, office.code]},
            detail={"case": case.number, "employee": employee.pk, "allegations": sorted(ids)},
        )
    return action


# Labor relations' steps


def _begin(actor: Any, action: DisciplineAction, target: str) -> DisciplineAction:
    """Check sight, role and state; return the action locked for the step."""
    if actor is None or action.pk is None or not access.can_view(actor, action):
        raise Http404("No such discipline action")
    current = (
        DisciplineAction.objects.select_for_update(of=("self",))
        .select_related("offense", "decided_penalty")
        .get(pk=action.pk)
    )
    try:
        DISCIPLINE_FLOW.check(actor, current.status, target)
    except PermissionDenied:
        raise PermissionDenied(
            "Labor and employee relations record the steps of a discipline action."
        ) from None
    return current


def _save(
    actor: Any,
    current: DisciplineAction,
    values: Mapping[str, Any],
    *,
    detail: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Set `values` and the new status; return the changes for the audit event."""
    changes: dict[str, list[Any]] = {}
    for name, value in values.items():
        old = getattr(current, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
        setattr(current, name, value)
    current.updated_at = timezone.now()
    current.save(update_fields=[*values, "updated_at"])
    audit.record(
        AuditAction.TRANSITION if "status" in changes else AuditAction.UPDATE,
        actor=actor,
        obj=current,
        changes=changes,
        detail=dict(detail or {}),
    )
    return list(changes)


def _plain(value: Any) -> Any:
    if isinstance(value, Penalty | Offense):
        return value.code
    if isinstance(value, Employee):
        return value.employee_number
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sync(action: DisciplineAction, current: DisciplineAction) -> DisciplineAction:
    """Bring the caller's instance up to date with what was written."""
    for field in DisciplineAction._meta.concrete_fields:
        setattr(action, field.attname, getattr(current, field.attname))
    return current


def _check_employee(problems: Problems, name: str, value: Any, action: DisciplineAction, role: str) -> None:
    if not isinstance(value, Employee):
        problems.setdefault(name, []).append(f"Choose the {role} from the directory.")
    elif value.pk == action.employee_id:
        problems.setdefault(name, []).append(f"The employee disciplined cannot be the {role}.")


def _referred_on(action: DisciplineAction) -> dt.date:
    return action.referred_at.astimezone(agency_time_zone()).date()


def propose_action(
    *,
    actor: Any,
    action: DisciplineAction,
    offense: Offense,
    proposing_official: Employee,
    proposed_penalty: Penalty,
    proposed_on: dt.date,
) -> DisciplineAction:
    """The proposing official's proposal: an offense from the table and a penalty."""
    with transaction.atomic():
        current = _begin(actor, action, D.PROPOSED)
        problems: Problems = {}
        if not isinstance(offense, Offense) or not offense.active:
            problems["offense"] = ["Choose an offense from the table of offenses and penalties."]
        _check_employee(problems, "proposing_official", proposing_official, current, "proposing official")
        if not isinstance(proposed_penalty, Penalty):
            problems["proposed_penalty"] = ["Choose a penalty from the agency's scale."]
        check_date(
            problems, "proposed_on", proposed_on, not_before=_referred_on(current), after_what="the referral"
        )
        raise_problems(problems)
        _save(
            actor,
            current,
            {
                "status": D.PROPOSED,
                "offense": offense,
                "proposing_official": proposing_official,
                "proposed_penalty": proposed_penalty,
                "proposed_on": proposed_on,
            },
        )
    return _sync(action, current)


def record_reply(
    *, actor: Any, action: DisciplineAction, reply: str, replied_on: dt.date
) -> DisciplineAction:
    """The employee's oral or written reply to the proposal."""
    with transaction.atomic():
        current = _begin(actor, action, D.REPLIED)
        problems: Problems = {}
        text = check_text(problems, "reply", reply, required="Summarise the employee's reply.")
        check_date(
            problems, "replied_on", replied_on, not_before=current.proposed_on, after_what="the proposal"
        )
        raise_problems(problems)
        _save(actor, current, {"status": D.REPLIED, "reply": text, "replied_on": replied_on})
    return _sync(action, current)


def _check_douglas(problems: Problems, douglas: Any) -> list[tuple[int, str, str]]:
    """All 12 factors, each weighed and explained; messages name the factor."""
    if not isinstance(douglas, Mapping):
        problems["douglas"] = ["Weigh and explain each of the 12 Douglas factors."]
        return []
    rows: list[tuple[int, str, str]] = []
    messages: list[str] = []
    unknown = [key for key in douglas if key not in DouglasFactor.values]
    if unknown:
        messages.append(
            f"There are 12 Douglas factors, numbered 1 to 12; not {', '.join(map(str, unknown))}."
        )
    for factor in FACTORS:
        entry = douglas.get(factor.value)
        weight, explanation = entry if isinstance(entry, tuple | list) and len(entry) == 2 else ("", "")
        explanation = explanation.strip() if isinstance(explanation, str) else ""
        if weight not in FactorWeight.values:
            messages.append(
                f"Factor {factor.value} ({factor.label}): mark it aggravating, mitigating or neutral."
            )
        if not explanation:
            messages.append(f"Factor {factor.value} ({factor.label}): explain how it was weighed.")
        elif len(explanation) > 5000:
            messages.append(f"Factor {factor.value} ({factor.label}): at most 5000 characters.")
        rows.append((factor.value, weight, explanation))
    if messages:
        problems["douglas"] = messages
    return rows


def departure_warning(penalty: Penalty, table: TableRange) -> str:
    direction = "above" if penalty.severity > table.high.severity else "below"
    return (
        f"{penalty.name} is {direction} the table's range for {table.offense.name}: {table.label}. "
        "Say in the rationale why this penalty departs from the table, and confirm that you have."
    )


def decide_action(
    *,
    actor: Any,
    action: DisciplineAction,
    deciding_official: Employee,
    decided_penalty: Penalty,
    decided_on: dt.date,
    rationale: str,
    douglas: Mapping[int, tuple[str, str]],
    departure_explained: bool = False,
) -> DisciplineAction:
    """The deciding official's decision, after weighing the 12 Douglas factors.

    A penalty outside the table's range for the offense (first or second offense) is refused
    with a warning unless `departure_explained` confirms the rationale says why.
    """
    with transaction.atomic():
        current = _begin(actor, action, D.DECIDED)
        problems: Problems = {}
        _check_employee(problems, "deciding_official", deciding_official, current, "deciding official")
        if "deciding_official" not in problems and deciding_official.pk == current.proposing_official_id:
            problems["deciding_official"] = [
                "The deciding official must be someone other than the proposing official."
            ]
        penalty_ok = isinstance(decided_penalty, Penalty)
        if not penalty_ok:
            problems["decided_penalty"] = ["Choose a penalty from the agency's scale."]
        latest = max(filter(None, [current.proposed_on, current.replied_on]), default=None)
        check_date(problems, "decided_on", decided_on, not_before=latest, after_what="the proposal and reply")
        text = check_text(problems, "rationale", rationale, required="Give the reasons for the decision.")
        rows = _check_douglas(problems, douglas)
        outside = False
        if penalty_ok and current.offense is not None:
            table = table_range(offense=current.offense, employee=current.employee, exclude_action=current)
            outside = not table.contains(decided_penalty)
            if outside and not departure_explained:
                problems.setdefault("decided_penalty", []).append(departure_warning(decided_penalty, table))
        raise_problems(problems)
        DouglasAssessment.objects.bulk_create(
            DouglasAssessment(action=current, factor=factor, weight=weight, explanation=explanation)
            for factor, weight, explanation in rows
        )
        _save(
            actor,
            current,
            {
                "status": D.DECIDED,
                "deciding_official": deciding_official,
                "decided_penalty": decided_penalty,
                "decided_on": decided_on,
                "decision_rationale": text,
            },
            detail={
                "outside_table_range": outside,
                "douglas": {str(factor): weight for factor, weight, _ in rows},
            },
        )
    return _sync(action, current)


def record_appeal(*, actor: Any, action: DisciplineAction, forum: str, filed_on: dt.date) -> DisciplineAction:
    """An appeal, arbitration, grievance or EEO complaint against the decision."""
    with transaction.atomic():
        current = _begin(actor, action, D.APPEALED)
        problems: Problems = {}
        if forum not in AppealForum.values:
            problems["forum"] = [f"Choose one of: {', '.join(AppealForum.labels)}."]
        check_date(problems, "filed_on", filed_on, not_before=current.decided_on, after_what="the decision")
        raise_problems(problems)
        _save(actor, current, {"status": D.APPEALED, "appeal_forum": forum, "appeal_filed_on": filed_on})
    return _sync(action, current)


def finalize_action(
    *,
    actor: Any,
    action: DisciplineAction,
    final_on: dt.date,
    final_penalty: Penalty | None = None,
    appeal_outcome: str = "",
    reversed_on_appeal: bool = False,
) -> DisciplineAction:
    """The outcome that stands. Without an appeal it is the decided penalty; after one, the
    forum's outcome: the penalty that stands (the decided one or less, never more), or none when
    `reversed_on_appeal`."""
    with transaction.atomic():
        current = _begin(actor, action, D.FINAL)
        problems: Problems = {}
        decided = current.decided_penalty
        appealed = current.status == D.APPEALED
        if final_penalty is not None and not isinstance(final_penalty, Penalty):
            problems["final_penalty"] = ["Choose a penalty from the agency's scale."]
        elif appealed:
            text = check_text(
                problems, "appeal_outcome", appeal_outcome, required="Record the outcome of the appeal."
            )
            if reversed_on_appeal and final_penalty is not None:
                problems["final_penalty"] = ["A reversed action leaves no penalty; leave the penalty empty."]
            elif not reversed_on_appeal and final_penalty is None:
                problems["final_penalty"] = [
                    "Choose the penalty that stands after the appeal, or record that the appeal reversed "
                    "the action."
                ]
            elif (
                final_penalty is not None
                and decided is not None
                and final_penalty.severity > decided.severity
            ):
                problems["final_penalty"] = [
                    f"An appeal may reduce the penalty, not increase it beyond the decision ({decided.name})."
                ]
        else:
            text = ""
            if reversed_on_appeal:
                problems["reversed_on_appeal"] = ["No appeal is recorded; record the appeal first."]
            if isinstance(appeal_outcome, str) and appeal_outcome.strip():
                problems["appeal_outcome"] = ["No appeal is recorded; record the appeal first."]
            if final_penalty is not None and final_penalty.pk != current.decided_penalty_id:
                problems["final_penalty"] = [
                    "Without an appeal the decided penalty stands; record an appeal to change it."
                ]
            final_penalty = decided
        latest = current.appeal_filed_on if appealed else current.decided_on
        check_date(problems, "final_on", final_on, not_before=latest, after_what="the decision or appeal")
        raise_problems(problems)
        _save(
            actor,
            current,
            {"status": D.FINAL, "final_penalty": final_penalty, "final_on": final_on, "appeal_outcome": text}
            if appealed
            else {"status": D.FINAL, "final_penalty": final_penalty, "final_on": final_on},
        )
    return _sync(action, current)
