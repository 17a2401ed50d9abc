"""Case services: the team, state moves, conversion, transfer, direct opening, parties, allegations.

Each service, in one transaction: checks that the actor may see the case (else 404) and may act
on it (`require_case_worker` / `require_supervisor`: PermissionDenied with a plain message),
validates (`ValidationError` with messages per field; nothing written), writes, appends the
`CaseEvent` the case page shows, records the audit events, and starts or meets the case-age clock.

Agents work only on the cases they lead or are on the team of; supervisors on every case they
may see. Team members see their case through a core `RecordAssignment`, ended on release; the
lead sees it as `Case.lead_agent` (and has a `CaseMember` row of role lead, for the history).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import (
    AuditAction,
    CompartmentGrant,
    Deadline,
    Employee,
    OrgUnit,
    RecordAssignment,
    Role,
    User,
)
from probity.core.services.deadlines import meet_deadline, start_deadline
from probity.core.workflow import IllegalTransition
from probity.intake.models import AllegationCategory, Channel, PersonRole
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from probity.intake.services.triage import record_direct_opening
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseOrigin,
    CaseParty,
    CaseStatus,
    CaseType,
    MemberRole,
    PartyRole,
    PartyRoleChange,
)
from probity.investigations.services.opening import (
    CASE_AGE_RULE,
    TYPE_OF_OUTCOME,
    open_case,
    opr_field_offices,
)
from probity.investigations.workflow import CASE_FLOW, NEEDS_REASON

S = CaseStatus
MAX_TEXT = 10_000
MAX_SYNOPSIS = 50_000
MAX_TITLE = 200
MAX_NAME = 200
MAX_CONTACT = 1_000
MAX_SUBJECTS = 100
MASKED = "<sensitive>"
TEAM_ASSIGNMENT = "case team"  # RecordAssignment.role of the rows this module makes and ends
EVENT_VALUE_LENGTH = 40  # CaseEvent.from_value / to_value

# Moves of the sufficiency review (services/review.py): submitting checks that every allegation
# has a finding and opens a review round; approving and returning answer the checklist. They
# call `transition` themselves; `move_case` refuses them so that nobody goes around the review.
REVIEW_MOVES = frozenset(
    {
        (S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW),
        (S.SUFFICIENCY_REVIEW, S.REPORT_DRAFTING),
        (S.SUFFICIENCY_REVIEW, S.CLOSED),
    }
)
OUTCOME_OF_TYPE = {case_type: outcome for outcome, case_type in TYPE_OF_OUTCOME.items()}

Problems = dict[str, list[str]]


# Who may act


def _require_visible(actor: Any, case: Case | None) -> None:
    if actor is None or case is None or case.pk is None or not access.can_view(actor, case):
        raise Http404("No such case")


def works_on(user: Any, case: Case) -> bool:
    """Whether `user` (who may see the case) works on it: a supervisor, its lead, or its team."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if user.has_role(Role.SUPERVISOR):
        return True
    if not user.has_role(Role.AGENT):
        return False
    # Read from the database, not the caller's instance, which may predate a reassignment.
    return (
        Case.objects.filter(pk=case.pk)
        .filter(Q(lead_agent_id=user.pk) | Q(members__user_id=user.pk, members__ended_at__isnull=True))
        .exists()
    )


def require_case_worker(actor: Any, case: Case) -> None:
    """404 unless the actor may see the case; PermissionDenied unless they work on it."""
    _require_visible(actor, case)
    if not works_on(actor, case):
        raise PermissionDenied(
            "Only the case's lead agent, its team members and supervisors may work on this case."
        )


def require_supervisor(actor: Any, case: Case) -> None:
    """404 unless the actor may see the case; PermissionDenied unless they are a supervisor."""
    _require_visible(actor, case)
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied("Only a supervisor may do this on a case.")


def movable_targets(user: Any, case: Case) -> list[str]:
    """The statuses `user` may move the case to with `move_case` (the review's moves aside)."""
    if not works_on(user, case):
        return []
    return [
        target
        for target in CASE_FLOW.targets_for(user, case.status)
        if (case.status, target) not in REVIEW_MOVES
    ]


# Small shared pieces


def _label(status: str) -> str:
    return CASE_FLOW.labels.get(status, status)


def _lock(case: Case) -> Case:
    # Lock the case row only: the office is read, never written, by these services.
    return Case.objects.select_for_update(of=("self",)).select_related("office").get(pk=case.pk)


def _sync(case: Case, current: Case) -> Case:
    """Bring the caller's instance up to date with the locked copy that was saved."""
    for field in Case._meta.concrete_fields:
        setattr(case, field.attname, getattr(current, field.attname))
    return case


def _require_open(case: Case) -> None:
    if case.status == S.CLOSED:
        raise IllegalTransition(
            f"Case {case.number} is closed; a supervisor reopens it first.", code="case_closed"
        )


def _text(value: str, name: str, errors: Problems, *, required: str = "", limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(required)
    if len(value) > limit:
        errors.setdefault(name, []).append(f"This must be {limit:,} characters or fewer.")
    return value


def _raise_if(errors: Problems) -> None:
    if errors:
        raise ValidationError(errors)


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _event_value(value: str | None) -> str:
    return (value or "")[:EVENT_VALUE_LENGTH]


def _case_type() -> ContentType:
    return ContentType.objects.get_for_model(Case)


def _open_case_age_clocks(case: Case) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type=_case_type(),
            object_id=case.pk,
            rule__code=CASE_AGE_RULE,
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
    )


def _field_office(office: Any, errors: Problems) -> OrgUnit | None:
    target = {unit.pk: unit for unit in opr_field_offices()}.get(getattr(office, "pk", None))
    if target is None:
        errors["office"] = ["Choose an active OPR field office."]
    return target


def _assignee_problems(agent: User, case: Case) -> list[str]:
    """Why `agent` may not work on `case`, if anything."""
    name = agent.get_username()
    if not agent.is_active or not agent.has_role(Role.AGENT):
        return [f"{name} is not an active special agent."]
    problems = []
    scope = agent.office_scope
    if scope is not None and not case.office.path.startswith(scope.path):
        problems.append(f"{name} works in {scope.name}, which does not cover {case.office.name}.")
    if agent.employee_id is not None and case.parties.filter(employee_id=agent.employee_id).exists():
        problems.append(f"{name} is named in this case and must not work on it.")
    if (
        case.compartment_id is not None
        and not CompartmentGrant.objects.filter(
            compartment_id=case.compartment_id, user_id=agent.pk, revoked_at__isnull=True
        ).exists()
    ):
        problems.append(f"{name} has no grant to this restricted case's compartment.")
    return problems


def _check_assignee(agent: Any, case: Case) -> User:
    if not isinstance(agent, User) or agent.pk is None:
        raise ValidationError({"agent": ["Choose an agent."]})
    problems = _assignee_problems(agent, case)
    if problems:
        raise ValidationError({"agent": problems})
    return agent


def _end_team_assignments(actor: Any, user_id: int, case: Case, now: Any) -> list[audit.EventSpec]:
    rows = list(
        RecordAssignment.objects.select_for_update().filter(
            content_type=_case_type(),
            object_id=case.pk,
            user_id=user_id,
            role=TEAM_ASSIGNMENT,
            ended_at__isnull=True,
        )
    )
    specs = []
    for row in rows:
        row.ended_at = now
        row.save(update_fields=["ended_at"])
        specs.append(
            audit.EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=row,
                changes={"ended_at": [None, now]},
                detail={"case": case.number},
            )
        )
    return specs


def _end_memberships(
    actor: Any, case: Case, members: Iterable[CaseMember], now: Any, reason: str
) -> list[audit.EventSpec]:
    """End memberships (and the team's sight of the case), with a history entry each."""
    specs: list[audit.EventSpec] = []
    for member in members:
        member.ended_at = now
        member.save(update_fields=["ended_at"])
        CaseEvent.objects.create(
            case=case,
            kind="assignment",
            from_value=_event_value(member.user.get_username()),
            to_value="",
            reason=f"{reason} ({member.get_role_display().lower()})",
            at=now,
            by=actor,
        )
        specs.append(
            audit.EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=member,
                changes={"ended_at": [None, now]},
                detail={"case": case.number, "user": member.user.get_username(), "role": member.role},
            )
        )
        specs += _end_team_assignments(actor, member.user_id, case, now)
    return specs


# State moves


def transition(
    *,
    actor: Any,
    case: Case,
    target: str,
    reason: str = "",
    detail: Mapping[str, Any] | None = None,
) -> Case:
    """Move a case along CASE_FLOW: the one place a case's status changes.

    For services that own a move's own rules (the sufficiency review, prosecution) as well as
    `move_case`: call it inside your transaction after your own checks. It checks sight, the
    workflow and its roles, that the actor works on the case and a reason where one is needed;
    then writes the status, the case history, the audit event (`detail` added to it) and the
    clock: closing meets the case-age deadline, reopening starts a fresh one.
    """
    return _move(actor, case, target, reason, detail, refused=frozenset())


_transition = transition  # the name the team briefing gives it


def _move(
    actor: Any,
    case: Case,
    target: str,
    reason: str,
    detail: Mapping[str, Any] | None,
    *,
    refused: frozenset[tuple[str, str]],
) -> Case:
    with transaction.atomic():
        _require_visible(actor, case)
        current = _lock(case)
        source = current.status
        CASE_FLOW.check(actor, source, target)
        if (source, target) in refused:
            raise IllegalTransition(
                f"Moving a case from {_label(source)} to {_label(target)} is a step of the sufficiency "
                "review: submit the report for review, and the reviewer approves or returns it.",
                code="review_step",
            )
        if not works_on(actor, current):
            raise PermissionDenied(
                "Only the case's lead agent, its team members and supervisors may work on this case."
            )
        errors: Problems = {}
        needed = "Give the reason for this move." if (source, target) in NEEDS_REASON else ""
        reason = _text(reason, "reason", errors, required=needed)
        _raise_if(errors)
        now = timezone.now()
        changes: dict[str, list[Any]] = {"status": [source, target]}
        current.status = target
        current.updated_at = now
        if target == S.CLOSED:
            changes["closed_at"] = [current.closed_at, now]
            current.closed_at = now
        elif source == S.CLOSED:
            changes["closed_at"] = [current.closed_at, None]
            current.closed_at = None
        current.save(update_fields=["status", "updated_at", "closed_at"])
        CaseEvent.objects.create(
            case=current,
            kind="transition",
            from_value=source,
            to_value=target,
            reason=reason,
            at=now,
            by=actor,
        )
        event_detail = dict(detail or {})
        if reason:
            event_detail["reason"] = reason
        audit.record(AuditAction.TRANSITION, actor=actor, obj=current, changes=changes, detail=event_detail)
        if target == S.CLOSED:
            for deadline in _open_case_age_clocks(current):
                meet_deadline(actor=actor, deadline=deadline, met_at=now)
        if target == S.REOPENED:
            start_deadline(
                actor=actor,
                rule=CASE_AGE_RULE,
                record=current,
                title=f"Close reopened case {current.number}",
                office=current.office,
                started_at=now,
            )
    return _sync(case, current)


def move_case(*, actor: Any, case: Case, target: str, reason: str = "") -> Case:
    """Make one CASE_FLOW move (the sufficiency review's own moves aside); a reason where needed."""
    _require_visible(actor, case)
    if target not in CaseStatus.values:
        raise ValidationError(
            {"target": [f"Unknown status {str(target)[:40]!r}; one of: {', '.join(CaseStatus.values)}."]}
        )
    return _move(actor, case, target, reason, None, refused=REVIEW_MOVES)


def reopen_case(*, actor: Any, case: Case, reason: str) -> Case:
    """A supervisor reopens a closed case with the reason; a fresh case-age clock starts."""
    return _move(actor, case, S.REOPENED, reason, None, refused=REVIEW_MOVES)


def convert_case(*, actor: Any, case: Case, case_type: str, reason: str) -> Case:
    """A supervisor changes the case's type (criminal, administrative, joint) with the reason."""
    with transaction.atomic():
        require_supervisor(actor, case)
        current = _lock(case)
        _require_open(current)
        errors: Problems = {}
        if case_type not in CaseType.values:
            errors["case_type"] = [f"Choose the case type: one of {', '.join(CaseType.values)}."]
        elif case_type == current.case_type:
            errors["case_type"] = [f"The case is already {CaseType(case_type).label.lower()}."]
        reason = _text(reason, "reason", errors, required="Say why the case type changes.")
        _raise_if(errors)
        now = timezone.now()
        old = current.case_type
        current.case_type = case_type
        current.updated_at = now
        current.save(update_fields=["case_type", "updated_at"])
        CaseEvent.objects.create(
            case=current,
            kind="conversion",
            from_value=old,
            to_value=case_type,
            reason=reason,
            at=now,
            by=actor,
        )
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=current,
            changes={"case_type": [old, case_type]},
            detail={"reason": reason},
        )
    return _sync(case, current)


def transfer_case(*, actor: Any, case: Case, office: OrgUnit, reason: str) -> Case:
    """A supervisor hands the case to another OPR field office; its number is kept.

    The receiving office assigns its own agents: the team is released (and loses sight of the
    case, unless their role and scope show it to them), and the open case-age clock moves with
    the case so that the new office's dashboards show it.
    """
    with transaction.atomic():
        require_supervisor(actor, case)
        current = _lock(case)
        _require_open(current)
        errors: Problems = {}
        target = _field_office(office, errors)
        if target is not None and target.pk == current.office_id:
            errors["office"] = [f"The case is already at {target.name}."]
        reason = _text(reason, "reason", errors, required="Say why the case is transferred.")
        if target is None or errors:
            raise ValidationError(errors)
        now = timezone.now()
        old_office = current.office
        members = list(
            CaseMember.objects.select_for_update(of=("self",))
            .filter(case=current, ended_at__isnull=True)
            .select_related("user")
            .order_by("pk")
        )
        specs = _end_memberships(actor, current, members, now, f"Released: transferred to {target.name}")
        changes: dict[str, list[Any]] = {"office": [old_office.code, target.code]}
        if current.lead_agent_id is not None:
            changes["lead_agent"] = [_username(current.lead_agent), None]
        if current.supervisor_id is not None:
            changes["supervisor"] = [_username(current.supervisor), None]
        current.office = target
        current.lead_agent = None
        current.supervisor = None
        current.updated_at = now
        current.save(update_fields=["office", "lead_agent", "supervisor", "updated_at"])
        for deadline in Deadline.objects.select_for_update().filter(
            content_type=_case_type(), object_id=current.pk, met_at__isnull=True, cancelled_at__isnull=True
        ):
            specs.append(
                audit.EventSpec(
                    AuditAction.UPDATE,
                    actor=actor,
                    obj=deadline,
                    changes={"office": [deadline.office.code if deadline.office else None, target.code]},
                    detail={"case": current.number, "reason": "case transferred"},
                )
            )
            deadline.office = target
            deadline.save(update_fields=["office"])
        CaseEvent.objects.create(
            case=current,
            kind="transfer",
            from_value=_event_value(old_office.code),
            to_value=_event_value(target.code),
            reason=reason,
            at=now,
            by=actor,
        )
        specs.insert(
            0,
            audit.EventSpec(
                AuditAction.UPDATE, actor=actor, obj=current, changes=changes, detail={"reason": reason}
            ),
        )
        audit.record_many(specs)
    return _sync(case, current)


# The team


def assign_lead(*, actor: Any, case: Case, agent: User) -> CaseMember:
    """A supervisor makes `agent` the lead agent (the previous lead, if any, is released)."""
    with transaction.atomic():
        require_supervisor(actor, case)
        current = _lock(case)
        _require_open(current)
        agent = _check_assignee(agent, current)
        if current.lead_agent_id == agent.pk:
            raise ValidationError({"agent": [f"{agent.get_username()} already leads this case."]})
        now = timezone.now()
        ending = list(
            CaseMember.objects.select_for_update(of=("self",))
            .filter(case=current, ended_at__isnull=True)
            .filter(Q(role=MemberRole.LEAD) | Q(user_id=agent.pk))
            .select_related("user")
            .order_by("pk")
        )
        specs = _end_memberships(actor, current, ending, now, "Released")
        member = CaseMember.objects.create(
            case=current, user=agent, role=MemberRole.LEAD, assigned_at=now, assigned_by=actor
        )
        old_lead = _username(current.lead_agent)
        changes: dict[str, list[Any]] = {"lead_agent": [old_lead, agent.get_username()]}
        current.lead_agent = agent
        if current.supervisor_id is None:
            # The supervisor who first staffs the case answers for it.
            current.supervisor = actor
            changes["supervisor"] = [None, actor.get_username()]
        current.updated_at = now
        current.save(update_fields=["lead_agent", "supervisor", "updated_at"])
        CaseEvent.objects.create(
            case=current,
            kind="assignment",
            from_value=_event_value(old_lead),
            to_value=_event_value(agent.get_username()),
            reason="Assigned as lead agent",
            at=now,
            by=actor,
        )
        specs.append(audit.EventSpec(AuditAction.UPDATE, actor=actor, obj=current, changes=changes))
        specs.append(
            audit.EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=member,
                changes={"user": [None, agent.get_username()], "role": [None, MemberRole.LEAD.value]},
                detail={"case": current.number},
            )
        )
        audit.record_many(specs)
    _sync(case, current)
    return member


def add_team_member(*, actor: Any, case: Case, agent: User) -> CaseMember:
    """A supervisor puts `agent` on the case team; the assignment gives them sight of the case."""
    with transaction.atomic():
        require_supervisor(actor, case)
        current = _lock(case)
        _require_open(current)
        agent = _check_assignee(agent, current)
        if current.lead_agent_id == agent.pk:
            raise ValidationError({"agent": [f"{agent.get_username()} already leads this case."]})
        if CaseMember.objects.filter(case=current, user=agent, ended_at__isnull=True).exists():
            raise ValidationError({"agent": [f"{agent.get_username()} is already on the team."]})
        now = timezone.now()
        member = CaseMember.objects.create(
            case=current, user=agent, role=MemberRole.TEAM, assigned_at=now, assigned_by=actor
        )
        specs = [
            audit.EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=member,
                changes={"user": [None, agent.get_username()], "role": [None, MemberRole.TEAM.value]},
                detail={"case": current.number},
            )
        ]
        open_assignment = RecordAssignment.objects.filter(
            content_type=_case_type(), object_id=current.pk, user=agent, ended_at__isnull=True
        ).exists()
        if not open_assignment:  # one open assignment per user and record (a database constraint)
            assignment = RecordAssignment.objects.create(
                user=agent,
                content_type=_case_type(),
                object_id=current.pk,
                role=TEAM_ASSIGNMENT,
                assigned_by=actor,
                assigned_at=now,
            )
            specs.append(
                audit.EventSpec(
                    AuditAction.CREATE,
                    actor=actor,
                    obj=assignment,
                    changes={"user": [None, agent.get_username()], "record": [None, f"case:{current.pk}"]},
                    detail={"case": current.number},
                )
            )
        CaseEvent.objects.create(
            case=current,
            kind="assignment",
            to_value=_event_value(agent.get_username()),
            reason="Added to the team",
            at=now,
            by=actor,
        )
        current.updated_at = now
        current.save(update_fields=["updated_at"])
        audit.record_many(specs)
    _sync(case, current)
    return member


def release_member(*, actor: Any, case: Case, member: CaseMember) -> CaseMember:
    """A supervisor releases a team member or the lead agent from the case."""
    with transaction.atomic():
        require_supervisor(actor, case)
        current = _lock(case)
        locked = (
            CaseMember.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=member.pk or 0, case=current)
            .first()
        )
        if locked is None:
            raise ValidationError({"member": ["This person is not a member of this case."]})
        if locked.ended_at is not None:
            raise ValidationError({"member": [f"{locked.user.get_username()} was already released."]})
        now = timezone.now()
        specs = _end_memberships(actor, current, [locked], now, "Released")
        if locked.role == MemberRole.LEAD and current.lead_agent_id == locked.user_id:
            specs.append(
                audit.EventSpec(
                    AuditAction.UPDATE,
                    actor=actor,
                    obj=current,
                    changes={"lead_agent": [locked.user.get_username(), None]},
                )
            )
            current.lead_agent = None
        current.updated_at = now
        current.save(update_fields=["lead_agent", "updated_at"])
        audit.record_many(specs)
    _sync(case, current)
    member.ended_at = locked.ended_at
    return locked


# Opening directly


def open_case_directly(
    *,
    actor: Any,
    office: OrgUnit,
    case_type: str,
    title: str,
    reason: str,
    subjects: Sequence[Employee],
    category_codes: Sequence[str],
) -> Case:
    """A supervisor opens a case without a routed allegation, with the recorded reason.

    Intake sees it: the reason is recorded as a supervisor-referral allegation (the reason its
    narrative), routed at once to the matching investigation with the reason as its rationale,
    and the case is opened on it.
    """
    if actor is None or not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied("Only a supervisor opens a case directly.")
    errors: Problems = {}
    if case_type not in CaseType.values:
        errors["case_type"] = [f"Choose the case type: one of {', '.join(CaseType.values)}."]
    title = _text(title, "title", errors, required="Give the case a title.", limit=MAX_TITLE)
    reason = _text(reason, "reason", errors, required="Say why the case is opened directly.")
    target = _field_office(office, errors)
    scope = actor.office_scope
    if target is not None and scope is not None and not target.path.startswith(scope.path):
        errors["office"] = [f"{target.name} is outside your office scope."]
    people = list({employee.pk: employee for employee in subjects if employee.pk is not None}.values())
    if not people:
        errors["subjects"] = ["Name at least one subject from the employee directory."]
    elif len(people) > MAX_SUBJECTS:
        errors["subjects"] = [f"At most {MAX_SUBJECTS} subjects."]
    elif actor.employee_id is not None and actor.employee_id in {e.pk for e in people}:
        errors["subjects"] = ["You are named as a subject, so you cannot open this case."]
    codes = list(dict.fromkeys(code.strip() for code in category_codes if code.strip()))
    known = set(AllegationCategory.objects.filter(code__in=codes, active=True).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        shown = ", ".join(code[:40] for code in unknown[:10])
        errors["categories"] = [f"Unknown or retired categories: {shown}."]
    if target is None or errors:
        raise ValidationError(errors)
    with transaction.atomic():
        allegation = record_allegation(
            actor=actor,
            data=AllegationInput(
                channel=Channel.SUPERVISOR,
                summary=title,
                narrative=reason,
                category_codes=tuple(codes),
                office_id=target.pk,
                people=tuple(PersonInput(role=PersonRole.SUBJECT, employee_id=e.pk) for e in people),
            ),
        )
        record_direct_opening(
            actor=actor, allegation=allegation, outcome=OUTCOME_OF_TYPE[CaseType(case_type)], rationale=reason
        )
        return open_case(
            actor=actor,
            allegations=[allegation],
            case_type=case_type,
            office=target,
            title=title,
            origin=CaseOrigin.DIRECT,
            opening_reason=reason,
        )


# Parties, allegations and the case's own text


def add_party(
    *,
    actor: Any,
    case: Case,
    role: str,
    employee: Employee | None = None,
    name: str = "",
    description: str = "",
    contact: str = "",
) -> CaseParty:
    """Add a subject, witness or complainant: a directory employee, or someone named or described."""
    with transaction.atomic():
        require_case_worker(actor, case)
        current = _lock(case)
        _require_open(current)
        errors: Problems = {}
        if role not in PartyRole.values:
            errors["role"] = [f"Choose the role: one of {', '.join(PartyRole.values)}."]
        name = _text(name, "name", errors, limit=MAX_NAME)
        description = _text(description, "description", errors)
        contact = _text(contact, "contact", errors, limit=MAX_CONTACT)
        if employee is None and not name and not description:
            errors.setdefault("employee", []).append(
                "Choose the employee from the directory, or give a name or a description."
            )
        if employee is not None:
            errors.update(_employee_problems(actor, current, employee))
        _raise_if(errors)
        now = timezone.now()
        party = CaseParty.objects.create(
            case=current,
            role=role,
            employee=employee,
            name=name,
            description=description,
            contact=contact,
            added_at=now,
        )
        PartyRoleChange.objects.create(
            party=party, to_role=role, reason="Added to the case", at=now, by=actor
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=party,
            changes={
                "role": [None, role],
                "employee": [None, employee.employee_number if employee is not None else None],
                "name": [None, name],
                "contact": [None, MASKED if contact else ""],
            },
            detail={"case": current.number},
        )
    return party


def _employee_problems(actor: Any, case: Case, employee: Employee) -> Problems:
    if employee.pk is None or not Employee.objects.filter(pk=employee.pk).exists():
        return {"employee": ["There is no such employee in the directory."]}
    existing = case.parties.filter(employee_id=employee.pk).first()
    if existing is not None:
        return {
            "employee": [
                f"{employee} is already in the case as {existing.get_role_display().lower()}; "
                "change their role instead."
            ]
        }
    if actor.employee_id == employee.pk:
        return {"employee": ["You cannot name yourself in a case you work on."]}
    on_team = CaseMember.objects.filter(
        case=case, user__employee_id=employee.pk, ended_at__isnull=True
    ).exists() or (case.lead_agent is not None and case.lead_agent.employee_id == employee.pk)
    if on_team:
        return {
            "employee": [f"{employee} works on this case; a supervisor releases them before they are named."]
        }
    return {}


def change_party_role(*, actor: Any, party: CaseParty, role: str, reason: str) -> CaseParty:
    """Change a party's role (a witness who becomes a subject…), kept in the role history."""
    case = Case.objects.filter(pk=party.case_id or 0).first()
    if case is None:
        raise Http404("No such party")
    with transaction.atomic():
        require_case_worker(actor, case)
        current = _lock(case)
        _require_open(current)
        locked = CaseParty.objects.select_for_update(of=("self",)).select_related("employee").get(pk=party.pk)
        errors: Problems = {}
        if role not in PartyRole.values:
            errors["role"] = [f"Choose the role: one of {', '.join(PartyRole.values)}."]
        elif role == locked.role:
            errors["role"] = [f"{locked} is already {locked.get_role_display().lower()}."]
        elif locked.role == PartyRole.SUBJECT and locked.case_allegations.exists():
            errors["role"] = [
                f"{locked} has allegations against them in this case, so stays a subject; "
                "a finding of not involved clears them."
            ]
        reason = _text(reason, "reason", errors, required="Say why the role changes.")
        _raise_if(errors)
        now = timezone.now()
        old = locked.role
        locked.role = role
        locked.save(update_fields=["role"])
        PartyRoleChange.objects.create(
            party=locked, from_role=old, to_role=role, reason=reason, at=now, by=actor
        )
        audit.record(
            AuditAction.UPDATE,
            actor=actor,
            obj=locked,
            changes={"role": [old, role]},
            detail={"case": current.number, "reason": reason},
        )
    party.role = locked.role
    return locked


def add_case_allegation(
    *, actor: Any, case: Case, subject: CaseParty, category: AllegationCategory, description: str = ""
) -> CaseAllegation:
    """Extend the case with an allegation against one of its subjects in one category."""
    with transaction.atomic():
        require_case_worker(actor, case)
        current = _lock(case)
        _require_open(current)
        if current.status == S.SUFFICIENCY_REVIEW:
            raise IllegalTransition(
                "The case is in sufficiency review; allegations are added once the reviewer returns it.",
                code="in_review",
            )
        errors: Problems = {}
        if getattr(subject, "case_id", None) != current.pk:
            errors["subject"] = ["Choose a subject of this case."]
        elif subject.role != PartyRole.SUBJECT:
            errors["subject"] = [
                f"{subject} is a {subject.get_role_display().lower()}; make them a subject first."
            ]
        if category is None or category.pk is None or not category.active:
            errors["category"] = ["Choose an active allegation category."]
        elif (
            "subject" not in errors
            and CaseAllegation.objects.filter(case=current, subject=subject, category=category).exists()
        ):
            errors["category"] = [f"{subject} is already alleged to have committed {category.name.lower()}."]
        description = _text(description, "description", errors)
        _raise_if(errors)
        now = timezone.now()
        allegation = CaseAllegation.objects.create(
            case=current, subject=subject, category=category, description=description, added_at=now
        )
        current.updated_at = now
        current.save(update_fields=["updated_at"])
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=allegation,
            changes={"subject": [None, subject.pk], "category": [None, category.code]},
            detail={"case": current.number},
        )
    return allegation


def update_case(*, actor: Any, case: Case, title: str, synopsis: str) -> Case:
    """Change the case's title and synopsis (the synopsis is masked in the audit trail)."""
    with transaction.atomic():
        require_case_worker(actor, case)
        current = _lock(case)
        _require_open(current)
        errors: Problems = {}
        title = _text(title, "title", errors, required="Give the case a title.", limit=MAX_TITLE)
        synopsis = _text(synopsis, "synopsis", errors, limit=MAX_SYNOPSIS)
        _raise_if(errors)
        changes: dict[str, list[Any]] = {}
        if title != current.title:
            changes["title"] = [current.title, title]
        if synopsis != current.synopsis:
            changes["synopsis"] = [MASKED if current.synopsis else "", MASKED if synopsis else ""]
        if changes:
            current.title = title
            current.synopsis = synopsis
            current.updated_at = timezone.now()
            current.save(update_fields=["title", "synopsis", "updated_at"])
            audit.record(AuditAction.UPDATE, actor=actor, obj=current, changes=changes)
    return _sync(case, current)
