"""`/api/v1/cases`: the outcomes endpoints: prosecution referrals and discipline, through the same
services and access policy as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Errors are JSON with a `detail`: 404 for a case or action that does not exist or may not be seen,
403 for a step the user's role does not allow, 409 for a step the record's state does not allow,
422 for bad input (with `fields`: the messages per field). A refused request writes nothing.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from probity.core import access, audit
from probity.core.models import AuditAction, Employee, Role, User
from probity.core.workflow import IllegalTransition
from probity.investigations import queries_outcomes
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseParty,
    DisciplineAction,
    Offense,
    Penalty,
    ProsecutionReferral,
)
from probity.investigations.services import discipline, prosecution
from probity.investigations.services.discipline import ConsistencyFigures, PenaltyCount

router = Router(tags=["outcomes"])

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


# Shapes


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    fields: dict[str, list[str]] = Field(description="Messages per input field; `__all__` for the whole")


class EmployeeRef(Schema):
    id: int
    employee_number: str
    full_name: str


class ReferralOut(Schema):
    id: int
    case_id: int
    subject_party_id: int
    subject: str = Field(description="The subject's directory name, else as described in the case")
    subject_employee: EmployeeRef | None
    prosecutor_kind: str
    prosecutor_office: str
    presented_on: dt.date
    decision: str = Field(description="pending, accepted or declined")
    decided_on: dt.date | None
    charges: str
    disposition: str = Field(description="plea, conviction, acquittal, dismissal, or empty")
    disposition_on: dt.date | None
    sentence: str
    created_at: dt.datetime
    created_by: str


class CaseRef(Schema):
    id: int
    number: str
    status: str
    case_type: str


class ReferralAnswerOut(Schema):
    referral: ReferralOut
    case: CaseRef = Field(description="The case as it now stands (a declination may move it)")


class ReferralIn(Schema):
    subject_party_id: int = Field(description="A subject party of this case")
    prosecutor_kind: str = Field(description="us_attorney, state or local")
    prosecutor_office: str
    presented_on: dt.date


class DecisionIn(Schema):
    decision: str = Field(description="accepted or declined")
    decided_on: dt.date
    charges: str = Field("", description="When accepted: the charges brought")


class DispositionIn(Schema):
    disposition: str = Field(description="plea, conviction, acquittal or dismissal")
    disposition_on: dt.date
    sentence: str = ""
    charges: str = Field("", description="Replaces the charges on record when given")


class PenaltyRef(Schema):
    code: str
    name: str
    severity: int


class AllegationRef(Schema):
    id: int
    category: str
    finding: str | None


class FactorOut(Schema):
    factor: int
    name: str
    weight: str
    explanation: str


class DisciplineSummaryOut(Schema):
    id: int
    case_id: int
    case_number: str
    employee: EmployeeRef
    office: str = Field(description="Code of the employee's office when referred")
    status: str
    referred_at: dt.datetime
    offense: str | None = Field(description="Offense code from the table")
    proposed_penalty: PenaltyRef | None
    decided_penalty: PenaltyRef | None
    final_penalty: PenaltyRef | None


class DisciplineOut(DisciplineSummaryOut):
    allegations: list[AllegationRef]
    referred_by: str
    proposing_official: EmployeeRef | None
    proposed_on: dt.date | None
    reply: str
    replied_on: dt.date | None
    deciding_official: EmployeeRef | None
    decided_on: dt.date | None
    decision_rationale: str
    douglas: list[FactorOut]
    appeal_forum: str
    appeal_filed_on: dt.date | None
    appeal_outcome: str
    final_on: dt.date | None
    next_statuses: list[str] = Field(description="Statuses you may move this action to")


class DisciplinePage(Schema):
    items: list[DisciplineSummaryOut]
    count: int


class QueueQuery(Schema):
    status: str = Field("open", description="open (not final), all, or a status")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


class ReferToManagementIn(Schema):
    employee_id: int
    allegation_ids: list[int] = Field(description="Sustained case allegations against that employee")


class ProposeIn(Schema):
    offense: str = Field(description="Offense code from the table of offenses and penalties")
    proposing_official_id: int = Field(description="Employee id")
    proposed_penalty: str = Field(description="Penalty code")
    proposed_on: dt.date


class ReplyIn(Schema):
    reply: str
    replied_on: dt.date


class FactorIn(Schema):
    factor: int = Field(description="1 to 12")
    weight: str = Field(description="aggravating, mitigating or neutral")
    explanation: str


class DecideIn(Schema):
    deciding_official_id: int = Field(description="Employee id; not the proposing official")
    decided_penalty: str = Field(description="Penalty code")
    decided_on: dt.date
    rationale: str
    douglas: list[FactorIn] = Field(description="All 12 Douglas factors")
    departure_explained: bool = Field(
        False, description="Confirms the rationale says why a penalty outside the table's range was chosen"
    )


class AppealIn(Schema):
    forum: str = Field(description="mspb, arbitration, grievance or eeo")
    filed_on: dt.date


class FinalizeIn(Schema):
    final_on: dt.date
    final_penalty: str | None = Field(None, description="After an appeal: the penalty code that stands")
    appeal_outcome: str = ""
    reversed_on_appeal: bool = False


class PenaltyCountOut(Schema):
    code: str
    name: str
    severity: int
    count: int


class ExampleOut(Schema):
    decided_on: dt.date | None
    penalty: str
    final_penalty: str
    status: str
    case_number: str | None = Field(description="Null when you may not see the case")


class ConsistencyOut(Schema):
    offense: str
    total: int
    counts: list[PenaltyCountOut]
    minimum: PenaltyCountOut | None
    maximum: PenaltyCountOut | None
    median_severity: float | None
    median: str
    examples: list[ExampleOut]


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Turning service answers into HTTP answers


def _fields(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: list(messages) for name, messages in error.message_dict.items()}
    return {"__all__": list(error.messages)}


def _answer[T](work: Callable[[], T]) -> T | Status[Any]:
    try:
        return work()
    except Http404 as error:
        return Status(404, ErrorOut(detail=str(error) or "Not found"))
    except IllegalTransition as error:
        return Status(409, ErrorOut(detail=" ".join(error.messages)))
    except PermissionDenied as error:
        return Status(403, ErrorOut(detail=str(error) or "You may not do this."))
    except ValidationError as error:
        fields = _fields(error)
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in fields.items()
        )
        return Status(422, InvalidOut(detail=f"Invalid input: {problems}", fields=fields))


def _employee(employee: Employee | None) -> EmployeeRef | None:
    if employee is None:
        return None
    return EmployeeRef(id=employee.pk, employee_number=employee.employee_number, full_name=employee.full_name)


def _penalty(penalty: Penalty | None) -> PenaltyRef | None:
    if penalty is None:
        return None
    return PenaltyRef(code=penalty.code, name=penalty.name, severity=penalty.severity)


def _username(user: User | None) -> str:
    return user.get_username() if user is not None else ""


def _referral(referral: ProsecutionReferral) -> ReferralOut:
    party = referral.subject
    employee = party.employee
    return ReferralOut(
        id=referral.pk,
        case_id=referral.case_id,
        subject_party_id=party.pk,
        subject=employee.full_name if employee is not None else (party.name or party.description[:60]),
        subject_employee=_employee(employee),
        prosecutor_kind=referral.prosecutor_kind,
        prosecutor_office=referral.prosecutor_office,
        presented_on=referral.presented_on,
        decision=referral.decision,
        decided_on=referral.decided_on,
        charges=referral.charges,
        disposition=referral.disposition,
        disposition_on=referral.disposition_on,
        sentence=referral.sentence,
        created_at=referral.created_at,
        created_by=_username(referral.created_by),
    )


def _summary_fields(action: DisciplineAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "case_id": action.case_id,
        "case_number": action.case.number,
        "employee": _employee(action.employee),
        "office": action.office.code,
        "status": action.status,
        "referred_at": action.referred_at,
        "offense": action.offense.code if action.offense is not None else None,
        "proposed_penalty": _penalty(action.proposed_penalty),
        "decided_penalty": _penalty(action.decided_penalty),
        "final_penalty": _penalty(action.final_penalty),
    }


def _finding(allegation: CaseAllegation) -> str | None:
    finding = getattr(allegation, "finding", None)
    return finding.outcome if finding is not None else None


def _detail(user: Any, action: DisciplineAction) -> DisciplineOut:
    return DisciplineOut(
        **_summary_fields(action),
        allegations=[
            AllegationRef(id=a.pk, category=a.category.code, finding=_finding(a))
            for a in action.allegations.all()
        ],
        referred_by=_username(action.referred_by),
        proposing_official=_employee(action.proposing_official),
        proposed_on=action.proposed_on,
        reply=action.reply,
        replied_on=action.replied_on,
        deciding_official=_employee(action.deciding_official),
        decided_on=action.decided_on,
        decision_rationale=action.decision_rationale,
        douglas=[
            FactorOut(
                factor=row.factor,
                name=row.get_factor_display(),
                weight=row.weight,
                explanation=row.explanation,
            )
            for row in action.douglas.all()
        ],
        appeal_forum=action.appeal_forum,
        appeal_filed_on=action.appeal_filed_on,
        appeal_outcome=action.appeal_outcome,
        final_on=action.final_on,
        next_statuses=discipline.DISCIPLINE_FLOW.targets_for(user, action.status),
    )


def _count(entry: PenaltyCount | None) -> PenaltyCountOut | None:
    if entry is None:
        return None
    return PenaltyCountOut(code=entry.code, name=entry.name, severity=entry.severity, count=entry.count)


def _consistency(figures: ConsistencyFigures) -> ConsistencyOut:
    return ConsistencyOut(
        offense=figures.offense.code,
        total=figures.total,
        counts=[PenaltyCountOut(**vars(entry)) for entry in figures.counts],
        minimum=_count(figures.minimum),
        maximum=_count(figures.maximum),
        median_severity=figures.median_severity,
        median=figures.median_label,
        examples=[
            ExampleOut(
                decided_on=example.decided_on,
                penalty=example.penalty,
                final_penalty=example.final_penalty,
                status=example.status,
                case_number=example.case_number or None,
            )
            for example in figures.examples
        ],
    )


def _case(user: Any, case_id: int) -> Case:
    return access.get_for(user, Case.objects.select_related("office"), pk=case_id)


def _case_ref(case: Case) -> CaseRef:
    return CaseRef(id=case.pk, number=case.number, status=case.status, case_type=case.case_type)


def _case_referral(user: Any, case_id: int, referral_id: int) -> ProsecutionReferral:
    case = _case(user, case_id)
    referral = (
        ProsecutionReferral.objects.filter(case=case, pk=referral_id)
        .select_related("case", "subject__employee", "created_by")
        .first()
    )
    if referral is None:
        raise Http404("No such referral")
    return referral


def _reread_referral(referral: ProsecutionReferral) -> ReferralAnswerOut:
    fresh = queries_outcomes.case_prosecutions(referral.case).get(pk=referral.pk)
    case = Case.objects.get(pk=referral.case_id)
    return ReferralAnswerOut(referral=_referral(fresh), case=_case_ref(case))


def _one(model: Any, problems: dict[str, list[str]], name: str, message: str, **lookup: Any) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is None:
        problems[name] = [message]
    return found


def _raise(problems: dict[str, list[str]]) -> None:
    if problems:
        raise ValidationError(problems)


def _discipline_user(user: Any) -> None:
    # 404, not 403: to other roles discipline does not exist.
    if not user.has_role(Role.LABOR_RELATIONS, Role.SUPERVISOR):
        raise Http404("No such page")


def _action_for(user: Any, action_id: int, *, record_view: bool = False) -> DisciplineAction:
    return queries_outcomes.get_action_for(user, action_id, record_view=record_view, channel="api")


# Prosecution


@router.get(
    "/{int:case_id}/prosecutions",
    response={200: list[ReferralOut], 404: ErrorOut},
    summary="A case's prosecution referrals",
    description="Records a `view` event on the case. A case you may not see is a 404.",
)
def list_prosecutions(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[ReferralOut]:
        case = _case(user, case_id)
        audit.record(
            AuditAction.VIEW, actor=user, obj=case, detail={"channel": "api", "part": "prosecutions"}
        )
        return [_referral(referral) for referral in queries_outcomes.case_prosecutions(case)]

    return _answer(work)


@router.post(
    "/{int:case_id}/prosecutions",
    response={201: ReferralAnswerOut, **ERRORS},
    summary="Refer a subject for prosecution (criminal or joint cases; investigating → referred)",
)
def create_prosecution(request: HttpRequest, case_id: int, payload: ReferralIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[ReferralAnswerOut]:
        case = _case(user, case_id)
        problems: dict[str, list[str]] = {}
        subject = _one(
            CaseParty,
            problems,
            "subject_party_id",
            "Choose a subject of this case.",
            case=case,
            pk=payload.subject_party_id,
        )
        _raise(problems)
        referral = prosecution.refer_for_prosecution(
            actor=user,
            case=case,
            subject=subject,
            prosecutor_kind=payload.prosecutor_kind,
            prosecutor_office=payload.prosecutor_office,
            presented_on=payload.presented_on,
        )
        return Status(201, _reread_referral(referral))

    return _answer(work)


@router.post(
    "/{int:case_id}/prosecutions/{int:referral_id}/decision",
    response={200: ReferralAnswerOut, **ERRORS},
    summary="Record the prosecutor's decision (a declination returns the case to administrative work)",
)
def decide_prosecution(request: HttpRequest, case_id: int, referral_id: int, payload: DecisionIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> ReferralAnswerOut:
        referral = _case_referral(user, case_id, referral_id)
        prosecution.record_prosecution_decision(
            actor=user,
            referral=referral,
            decision=payload.decision,
            decided_on=payload.decided_on,
            charges=payload.charges,
        )
        return _reread_referral(referral)

    return _answer(work)


@router.post(
    "/{int:case_id}/prosecutions/{int:referral_id}/disposition",
    response={200: ReferralAnswerOut, **ERRORS},
    summary="Record how an accepted prosecution ended",
)
def dispose_prosecution(request: HttpRequest, case_id: int, referral_id: int, payload: DispositionIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> ReferralAnswerOut:
        referral = _case_referral(user, case_id, referral_id)
        prosecution.record_disposition(
            actor=user,
            referral=referral,
            disposition=payload.disposition,
            disposition_on=payload.disposition_on,
            sentence=payload.sentence,
            charges=payload.charges,
        )
        return _reread_referral(referral)

    return _answer(work)


# Discipline on a case


@router.get(
    "/{int:case_id}/discipline",
    response={200: list[DisciplineSummaryOut], 404: ErrorOut},
    summary="A case's discipline actions that you may see",
    description="Labor relations and supervisors see them; records a `view` event on the case.",
)
def list_case_discipline(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[DisciplineSummaryOut]:
        case = _case(user, case_id)
        audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": "api", "part": "discipline"})
        actions = queries_outcomes.case_discipline(user, case)
        return [DisciplineSummaryOut(**_summary_fields(action)) for action in actions]

    return _answer(work)


@router.post(
    "/{int:case_id}/discipline",
    response={201: DisciplineSummaryOut, **ERRORS},
    summary="Refer sustained allegations against one employee to management for discipline",
    description="The case's lead agent or a supervisor.",
)
def refer_case_discipline(request: HttpRequest, case_id: int, payload: ReferToManagementIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[DisciplineSummaryOut]:
        case = _case(user, case_id)
        problems: dict[str, list[str]] = {}
        employee = _one(Employee, problems, "employee_id", "No employee has this id.", pk=payload.employee_id)
        ids = set(payload.allegation_ids)
        allegations = list(CaseAllegation.objects.filter(case=case, pk__in=ids))
        if len(allegations) < len(ids):
            problems["allegation_ids"] = ["Choose allegations of this case."]
        _raise(problems)
        action = discipline.refer_to_management(
            actor=user, case=case, employee=employee, allegations=allegations
        )
        fresh = queries_outcomes.discipline_rows().get(pk=action.pk)
        return Status(201, DisciplineSummaryOut(**_summary_fields(fresh)))

    return _answer(work)


# Labor relations


@router.get(
    "/discipline/actions",
    response={200: DisciplinePage, 404: ErrorOut},
    summary="The discipline queue: labor relations agency-wide, supervisors their subtree",
    description="Each call records a `search` event.",
)
def discipline_queue(request: HttpRequest, params: Query[QueueQuery]) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> DisciplinePage:
        _discipline_user(user)
        rows = queries_outcomes.discipline_queue(user, status=params.status)
        count = rows.count()
        page = list(rows[params.offset : params.offset + params.limit])
        audit.record(
            AuditAction.SEARCH,
            actor=user,
            object_type="investigations.disciplineaction",
            detail={"channel": "api", "status": params.status, "results": count},
        )
        return DisciplinePage(items=[DisciplineSummaryOut(**_summary_fields(a)) for a in page], count=count)

    return _answer(work)


@router.get(
    "/discipline/consistency",
    response={200: ConsistencyOut, **ERRORS},
    summary="Douglas factor 6: penalties decided across the agency for an offense's category",
    description="Figures only: a case number is shown only for cases you may see.",
)
def discipline_consistency(request: HttpRequest, offense: str) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> ConsistencyOut:
        _discipline_user(user)
        problems: dict[str, list[str]] = {}
        found = _one(Offense, problems, "offense", "No offense in the table has this code.", code=offense)
        _raise(problems)
        return _consistency(discipline.consistency_figures(offense=found, viewer=user))

    return _answer(work)


@router.get(
    "/discipline/actions/{int:action_id}",
    response={200: DisciplineOut, 404: ErrorOut},
    summary="One discipline action with its allegations and Douglas factors",
    description="Records a `view` event. One you may not see is a 404.",
)
def get_discipline(request: HttpRequest, action_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return _answer(lambda: _detail(user, _action_for(user, action_id, record_view=True)))


def _penalty_by_code(problems: dict[str, list[str]], name: str, code: str | None) -> Penalty | None:
    if code is None or code == "":
        return None
    found: Penalty | None = _one(Penalty, problems, name, "No penalty on the scale has this code.", code=code)
    return found


@router.post(
    "/discipline/actions/{int:action_id}/propose",
    response={200: DisciplineOut, **ERRORS},
    summary="Propose an action: offense, proposing official, penalty (labor relations)",
)
def propose_discipline(request: HttpRequest, action_id: int, payload: ProposeIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> DisciplineOut:
        action = _action_for(user, action_id)
        problems: dict[str, list[str]] = {}
        offense = _one(
            Offense, problems, "offense", "No offense in the table has this code.", code=payload.offense
        )
        official = _one(
            Employee,
            problems,
            "proposing_official_id",
            "No employee has this id.",
            pk=payload.proposing_official_id,
        )
        penalty = _penalty_by_code(problems, "proposed_penalty", payload.proposed_penalty)
        if penalty is None and "proposed_penalty" not in problems:
            problems["proposed_penalty"] = ["Choose a penalty."]
        _raise(problems)
        discipline.propose_action(
            actor=user,
            action=action,
            offense=offense,
            proposing_official=official,
            proposed_penalty=penalty,  # type: ignore[arg-type]
            proposed_on=payload.proposed_on,
        )
        return _detail(user, _action_for(user, action_id))

    return _answer(work)


@router.post(
    "/discipline/actions/{int:action_id}/reply",
    response={200: DisciplineOut, **ERRORS},
    summary="Record the employee's reply (labor relations)",
)
def reply_discipline(request: HttpRequest, action_id: int, payload: ReplyIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> DisciplineOut:
        action = _action_for(user, action_id)
        discipline.record_reply(actor=user, action=action, reply=payload.reply, replied_on=payload.replied_on)
        return _detail(user, _action_for(user, action_id))

    return _answer(work)


@router.post(
    "/discipline/actions/{int:action_id}/decide",
    response={200: DisciplineOut, **ERRORS},
    summary="Decide: another official than the proposer, a penalty, the 12 Douglas factors (labor relations)",
)
def decide_discipline(request: HttpRequest, action_id: int, payload: DecideIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> DisciplineOut:
        action = _action_for(user, action_id)
        problems: dict[str, list[str]] = {}
        official = _one(
            Employee,
            problems,
            "deciding_official_id",
            "No employee has this id.",
            pk=payload.deciding_official_id,
        )
        penalty = _penalty_by_code(problems, "decided_penalty", payload.decided_penalty)
        if penalty is None and "decided_penalty" not in problems:
            problems["decided_penalty"] = ["Choose a penalty."]
        factors = [row.factor for row in payload.douglas]
        if len(factors) != len(set(factors)):
            problems["douglas"] = ["Give each Douglas factor once."]
        _raise(problems)
        discipline.decide_action(
            actor=user,
            action=action,
            deciding_official=official,
            decided_penalty=penalty,  # type: ignore[arg-type]
            decided_on=payload.decided_on,
            rationale=payload.rationale,
            douglas={row.factor: (row.weight, row.explanation) for row in payload.douglas},
            departure_explained=payload.departure_explained,
        )
        return _detail(user, _action_for(user, action_id))

    return _answer(work)


@router.post(
    "/discipline/actions/{int:action_id}/appeal",
    response={200: DisciplineOut, **ERRORS},
    summary="Record an appeal, arbitration, grievance or EEO complaint (labor relations)",
)
def appeal_discipline(request: HttpRequest, action_id: int, payload: AppealIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> DisciplineOut:
        action = _action_for(user, action_id)
        discipline.record_appeal(actor=user, action=action, forum=payload.forum, filed_on=payload.filed_on)
        return _detail(user, _action_for(user, action_id))

    return _answer(work)


@router.post(
    "/discipline/actions/{int:action_id}/finalize",
    response={200: DisciplineOut, **ERRORS},
    summary="Make the action final: the decided penalty, or the appeal's outcome (labor relations)",
)
def finalize_discipline(request: HttpRequest, action_id: int, payload: FinalizeIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> DisciplineOut:
        action = _action_for(user, action_id)
        problems: dict[str, list[str]] = {}
        penalty = _penalty_by_code(problems, "final_penalty", payload.final_penalty)
        _raise(problems)
        discipline.finalize_action(
            actor=user,
            action=action,
            final_on=payload.final_on,
            final_penalty=penalty,
            appeal_outcome=payload.appeal_outcome,
            reversed_on_appeal=payload.reversed_on_appeal,
        )
        return _detail(user, _action_for(user, action_id))

    return _answer(work)
