"""`/api/v1/cases`: the case list, one case, opening directly, moves, the team, parties and
allegations, through the same queries and services as the screens.

No `from __future__ import annotations` here: ninja reads these annotations at import time.

Errors are JSON with a `detail`, as in the allegations API: 404 for a case (or party, member)
that does not exist or may not be seen, 403 for a step the user may not take on a case they
see, 409 for a step the case's state does not allow, 422 for bad input (with `fields`: the
messages per field). A refused request writes nothing.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from probity.core import audit
from probity.core.models import AuditAction, Employee, OrgUnit, User
from probity.intake.api import EmployeeRef, ErrorOut, InvalidOut, UnitRef, answer
from probity.intake.models import AllegationCategory
from probity.investigations import queries
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseMember,
    CaseParty,
    CaseStatus,
    CaseType,
    PartyRole,
    PartyRoleChange,
)
from probity.investigations.services import cases as services

router = Router(tags=["cases"])

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# Shapes


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: str
    case_type: str
    origin: str
    office: UnitRef
    lead_agent: str | None = Field(description="User name of the lead agent")
    restricted: bool = Field(description="The case lives in a compartment")
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    age_days: int
    target_due_at: dt.datetime | None = Field(description="When the open case-age clock runs out")


class CasePage(Schema):
    items: list[CaseSummaryOut]
    count: int
    messages: list[str] = Field(description="Filters that were ignored, and why")


class RoleChangeOut(Schema):
    from_role: str
    to_role: str
    reason: str
    at: dt.datetime
    by: str | None


class PartyOut(Schema):
    id: int
    role: str
    employee: EmployeeRef | None
    name: str
    description: str
    contact: str
    added_at: dt.datetime
    role_history: list[RoleChangeOut]


class MemberOut(Schema):
    id: int
    user: str
    full_name: str
    role: str
    assigned_at: dt.datetime
    assigned_by: str | None
    ended_at: dt.datetime | None


class CaseAllegationOut(Schema):
    id: int
    subject_id: int = Field(description="The subject's party id")
    subject: str
    category: str = Field(description="Category code")
    category_name: str
    source: str | None = Field(
        description="Intake number it was carried over from; null if added in the case"
    )
    description: str
    added_at: dt.datetime


class CaseEventOut(Schema):
    kind: str
    from_value: str
    to_value: str
    reason: str
    at: dt.datetime
    by: str | None


class CaseOut(CaseSummaryOut):
    synopsis: str
    opening_reason: str
    supervisor: str | None
    compartment: str | None = Field(description="Compartment code of a restricted case")
    opened_by: str | None
    sources: list[str] = Field(description="Intake numbers of the allegations the case investigates")
    members: list[MemberOut] = Field(description="The team, past and present")
    parties: list[PartyOut]
    allegations: list[CaseAllegationOut]
    events: list[CaseEventOut] = Field(description="The case history")
    next_statuses: list[str] = Field(description="Statuses you may move the case to with /transitions")


class CaseListQuery(Schema):
    """Documented here; parsed leniently (bad values are ignored and explained in `messages`)."""

    status: list[str] = Field(
        default_factory=list, description="Repeat, or separate with commas; default: every open status"
    )
    type: str = Field("", description="criminal, administrative or joint")
    office: str = Field("", description="Office id or code: that office and everything below it")
    lead: str = Field("", description="me, none, or a user id")
    restricted: str = Field("", description="true: only restricted cases; false: only the others")
    q: str = Field("", description="Words to find in the number or title")
    sort: str = Field("oldest", description="oldest, newest or target (nearest age target first)")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}")
    offset: int = Field(0, ge=0)


class OpenCaseIn(Schema):
    office_id: int = Field(description="The OPR field office that will own the case")
    case_type: str = Field(description="criminal, administrative or joint")
    title: str
    reason: str = Field(description="Why the case is opened directly; intake sees it")
    subjects: list[int] = Field(description="Employee ids of the subjects")
    categories: list[str] = Field(default_factory=list, description="Allegation category codes")


class MoveIn(Schema):
    target: str = Field(description=f"The status to move to: one of {', '.join(CaseStatus.values)}")
    reason: str = ""


class AgentIn(Schema):
    agent: int = Field(description="User id of a special agent")


class ConvertIn(Schema):
    case_type: str = Field(description=f"One of {', '.join(CaseType.values)}")
    reason: str


class ReasonIn(Schema):
    reason: str


class TransferIn(Schema):
    office_id: int = Field(description="The OPR field office that takes the case")
    reason: str


class CaseUpdateIn(Schema):
    title: str
    synopsis: str = ""


class PartyIn(Schema):
    role: str = Field(description=f"One of {', '.join(PartyRole.values)}")
    employee_id: int | None = None
    name: str = ""
    description: str = ""
    contact: str = ""


class PartyRoleIn(Schema):
    role: str = Field(description=f"One of {', '.join(PartyRole.values)}")
    reason: str


class CaseAllegationIn(Schema):
    subject_id: int = Field(description="Party id of a subject of the case")
    category: str = Field(description="Category code")
    description: str = ""


ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: InvalidOut}


# Turning service answers into HTTP answers


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _employee(employee: Employee | None) -> EmployeeRef | None:
    if employee is None:
        return None
    return EmployeeRef(id=employee.pk, employee_number=employee.employee_number, full_name=employee.full_name)


def _party_label(party: CaseParty) -> str:
    if party.employee is not None:
        return party.employee.full_name
    return party.name or party.description[:60] or "unidentified"


def _summary_fields(case: Case, now: dt.datetime) -> dict[str, Any]:
    end = case.closed_at if case.status == CaseStatus.CLOSED and case.closed_at else now
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "case_type": case.case_type,
        "origin": case.origin,
        "office": UnitRef(id=case.office.pk, code=case.office.code, name=case.office.name),
        "lead_agent": _username(case.lead_agent),
        "restricted": case.compartment_id is not None,
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "age_days": max((end - case.opened_at).days, 0),
        "target_due_at": getattr(case, "target_due_at", None),
    }


def _party(party: CaseParty) -> PartyOut:
    return PartyOut(
        id=party.pk,
        role=party.role,
        employee=_employee(party.employee),
        name=party.name,
        description=party.description,
        contact=party.contact,
        added_at=party.added_at,
        role_history=[
            RoleChangeOut(
                from_role=change.from_role,
                to_role=change.to_role,
                reason=change.reason,
                at=change.at,
                by=_username(change.by),
            )
            for change in party.role_history.all()
        ],
    )


def _allegation(allegation: CaseAllegation) -> CaseAllegationOut:
    return CaseAllegationOut(
        id=allegation.pk,
        subject_id=allegation.subject_id,
        subject=_party_label(allegation.subject),
        category=allegation.category.code,
        category_name=allegation.category.name,
        source=allegation.source.number if allegation.source is not None else None,
        description=allegation.description,
        added_at=allegation.added_at,
    )


def _parties(case: Case) -> list[CaseParty]:
    history = PartyRoleChange.objects.select_related("by").order_by("at", "pk")
    return list(
        CaseParty.objects.filter(case=case)
        .select_related("employee")
        .defer("employee__date_of_birth")
        .prefetch_related(Prefetch("role_history", queryset=history))
        .order_by("role", "pk")
    )


def _allegations(case: Case) -> list[CaseAllegation]:
    return list(
        CaseAllegation.objects.filter(case=case)
        .select_related("subject__employee", "category", "source")
        .defer("subject__contact", "subject__employee__date_of_birth", "source__narrative")
        .order_by("pk")
    )


def _detail(user: Any, case: Case) -> CaseOut:
    now = timezone.now()
    members = CaseMember.objects.filter(case=case).select_related("user", "assigned_by").order_by("pk")
    events = case.events.select_related("by").order_by("at", "pk")
    sources = case.sources.select_related("allegation").order_by("pk")
    return CaseOut(
        **_summary_fields(case, now),
        synopsis=case.synopsis,
        opening_reason=case.opening_reason,
        supervisor=_username(case.supervisor),
        compartment=case.compartment.code if case.compartment is not None else None,
        opened_by=_username(case.opened_by),
        sources=[source.allegation.number for source in sources],
        members=[
            MemberOut(
                id=member.pk,
                user=member.user.get_username(),
                full_name=member.user.get_full_name(),
                role=member.role,
                assigned_at=member.assigned_at,
                assigned_by=_username(member.assigned_by),
                ended_at=member.ended_at,
            )
            for member in members
        ],
        parties=[_party(party) for party in _parties(case)],
        allegations=[_allegation(allegation) for allegation in _allegations(case)],
        events=[
            CaseEventOut(
                kind=event.kind,
                from_value=event.from_value,
                to_value=event.to_value,
                reason=event.reason,
                at=event.at,
                by=_username(event.by),
            )
            for event in events
        ],
        next_statuses=services.movable_targets(user, case),
    )


def _case(user: Any, case_id: int) -> Case:
    return queries.get_case_for(user, case_id)


def _fresh(user: Any, case_id: int) -> CaseOut:
    # The answer to a step shows the case as it now stands; the step itself is audited.
    return _detail(user, _case(user, case_id))


def _record_view(user: Any, case: Case, part: str) -> None:
    audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": "api", "part": part})


def _active_user(user_id: int, field: str) -> User:
    found: User | None = User.objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise ValidationError({field: ["There is no active user with this id."]})
    return found


def _office(office_id: int) -> OrgUnit:
    found: OrgUnit | None = OrgUnit.objects.filter(pk=office_id).first()
    if found is None:
        raise ValidationError({"office_id": ["There is no office with this id."]})
    return found


def _list_query(request: HttpRequest, messages: list[str]) -> tuple[QueryDict, bool | None]:
    """The query string for `CaseFilters`, with an office code turned into its id, and the
    restricted flag (which the list's own filters do not have)."""
    data = request.GET.copy()
    office = data.get("office", "").strip()
    if office and not office.isdigit():
        found = OrgUnit.objects.filter(code=office[:32]).values_list("pk", flat=True).first()
        if found is None:
            messages.append(f"Ignored the unknown office {office[:40]!r}.")
            data.pop("office")
        else:
            data["office"] = str(found)
    restricted = data.get("restricted", "").strip().lower()
    if restricted and restricted not in _TRUE | _FALSE:
        messages.append(f"Ignored restricted={restricted[:10]!r}: use true or false.")
    flag = True if restricted in _TRUE else False if restricted in _FALSE else None
    return data, flag


# Endpoints


@router.get(
    "",
    response=CasePage,
    summary="The cases you may see, filtered and paged",
    description=(
        "Without a status, the open cases. A bad filter value is ignored and explained in "
        "`messages`. Each call records a `search` event."
    ),
)
def list_cases(request: HttpRequest, params: Query[CaseListQuery]) -> CasePage:
    user = request.auth  # type: ignore[attr-defined]
    messages: list[str] = []
    data, restricted = _list_query(request, messages)
    filters = queries.CaseFilters.from_query(data)
    rows = queries.case_list(user, filters=filters)
    if restricted is not None:
        rows = rows.filter(compartment__isnull=not restricted)
    count = rows.count()
    page = list(rows[params.offset : params.offset + params.limit])
    queries.record_case_search(user, filters, results=count, channel="api")
    now = timezone.now()
    return CasePage(
        items=[CaseSummaryOut(**_summary_fields(case, now)) for case in page],
        count=count,
        messages=[*messages, *filters.messages],
    )


@router.post(
    "",
    response={201: CaseOut, **ERRORS},
    summary="Open a case directly (supervisors), with the reason intake sees",
    description=(
        "Records a supervisor-referral allegation (the reason as its narrative), routes it to the "
        "matching investigation with the reason as rationale, and opens the case on it."
    ),
)
def open_case(request: HttpRequest, payload: OpenCaseIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[CaseOut]:
        subject_ids = set(payload.subjects)
        if len(subject_ids) > services.MAX_SUBJECTS:
            raise ValidationError({"subjects": [f"At most {services.MAX_SUBJECTS} subjects."]})
        subjects = list(Employee.objects.filter(pk__in=subject_ids))
        if len(subjects) < len(subject_ids):
            raise ValidationError({"subjects": ["Some subjects are not in the employee directory."]})
        case = services.open_case_directly(
            actor=user,
            office=_office(payload.office_id),
            case_type=payload.case_type,
            title=payload.title,
            reason=payload.reason,
            subjects=subjects,
            category_codes=payload.categories,
        )
        return Status(201, _fresh(user, case.pk))

    return answer(work)


@router.get(
    "/{int:case_id}",
    response={200: CaseOut, 404: ErrorOut},
    summary="One case with its team, parties, allegations and history",
    description="Records a `view` event. A case you may not see is a 404.",
)
def get_case(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        case = _case(user, case_id)
        _record_view(user, case, "case")
        return _detail(user, case)

    return answer(work)


@router.put("/{int:case_id}", response={200: CaseOut, **ERRORS}, summary="Change the title and synopsis")
def update_case(request: HttpRequest, case_id: int, payload: CaseUpdateIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        services.update_case(
            actor=user, case=_case(user, case_id), title=payload.title, synopsis=payload.synopsis
        )
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/transitions",
    response={200: CaseOut, **ERRORS},
    summary="Move the case to another status",
    description=(
        "Holding in abeyance, resuming from abeyance and reopening need a `reason`. The sufficiency "
        "review's own steps (submit, approve, return) are not made here (409)."
    ),
)
def move_case(request: HttpRequest, case_id: int, payload: MoveIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        services.move_case(
            actor=user, case=_case(user, case_id), target=payload.target, reason=payload.reason
        )
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/assign",
    response={200: CaseOut, **ERRORS},
    summary="Assign the lead agent (supervisors)",
    description="The agent must be active, in an office scope covering the case, and not named in it.",
)
def assign_lead(request: HttpRequest, case_id: int, payload: AgentIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        case = _case(user, case_id)
        services.assign_lead(actor=user, case=case, agent=_active_user(payload.agent, "agent"))
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/team",
    response={200: CaseOut, **ERRORS},
    summary="Put an agent on the case team (supervisors)",
)
def add_team_member(request: HttpRequest, case_id: int, payload: AgentIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        case = _case(user, case_id)
        services.add_team_member(actor=user, case=case, agent=_active_user(payload.agent, "agent"))
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/team/{int:member_id}/release",
    response={200: CaseOut, **ERRORS},
    summary="Release a team member or the lead agent (supervisors)",
)
def release_member(request: HttpRequest, case_id: int, member_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        case = _case(user, case_id)
        member = CaseMember.objects.filter(pk=member_id, case=case).first()
        if member is None:
            raise Http404("No such member of this case")
        services.release_member(actor=user, case=case, member=member)
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/convert",
    response={200: CaseOut, **ERRORS},
    summary="Change the case type with the reason (supervisors)",
)
def convert_case(request: HttpRequest, case_id: int, payload: ConvertIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        services.convert_case(
            actor=user, case=_case(user, case_id), case_type=payload.case_type, reason=payload.reason
        )
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/reopen",
    response={200: CaseOut, **ERRORS},
    summary="Reopen a closed case with the reason (supervisors); a fresh case-age clock starts",
)
def reopen_case(request: HttpRequest, case_id: int, payload: ReasonIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseOut:
        services.reopen_case(actor=user, case=_case(user, case_id), reason=payload.reason)
        return _fresh(user, case_id)

    return answer(work)


@router.post(
    "/{int:case_id}/transfer",
    response={200: CaseSummaryOut, **ERRORS},
    summary="Transfer the case to another OPR field office (supervisors); the number is kept",
    description=(
        "The team is released; the receiving office assigns its own. The answer is the case's "
        "summary: a supervisor whose scope does not reach the new office no longer sees the rest."
    ),
)
def transfer_case(request: HttpRequest, case_id: int, payload: TransferIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> CaseSummaryOut:
        case = _case(user, case_id)
        services.transfer_case(
            actor=user, case=case, office=_office(payload.office_id), reason=payload.reason
        )
        return CaseSummaryOut(**_summary_fields(case, timezone.now()))

    return answer(work)


@router.get(
    "/{int:case_id}/parties",
    response={200: list[PartyOut], 404: ErrorOut},
    summary="The case's subjects, witnesses and complainants, with contacts and role history",
    description="Records a `view` event.",
)
def list_parties(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[PartyOut]:
        case = _case(user, case_id)
        _record_view(user, case, "parties")
        return [_party(party) for party in _parties(case)]

    return answer(work)


@router.post(
    "/{int:case_id}/parties",
    response={201: PartyOut, **ERRORS},
    summary="Add a party: a directory employee, or someone named or described",
)
def add_party(request: HttpRequest, case_id: int, payload: PartyIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[PartyOut]:
        case = _case(user, case_id)
        employee = None
        if payload.employee_id is not None:
            employee = Employee.objects.filter(pk=payload.employee_id).first()
            if employee is None:
                raise ValidationError({"employee_id": ["There is no such employee in the directory."]})
        party = services.add_party(
            actor=user,
            case=case,
            role=payload.role,
            employee=employee,
            name=payload.name,
            description=payload.description,
            contact=payload.contact,
        )
        return Status(201, _party(next(p for p in _parties(case) if p.pk == party.pk)))

    return answer(work)


@router.post(
    "/{int:case_id}/parties/{int:party_id}/role",
    response={200: PartyOut, **ERRORS},
    summary="Change a party's role with the reason (kept in the role history)",
)
def change_party_role(request: HttpRequest, case_id: int, party_id: int, payload: PartyRoleIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> PartyOut:
        case = _case(user, case_id)
        party = CaseParty.objects.filter(pk=party_id, case=case).first()
        if party is None:
            raise Http404("No such party in this case")
        services.change_party_role(actor=user, party=party, role=payload.role, reason=payload.reason)
        return _party(next(p for p in _parties(case) if p.pk == party.pk))

    return answer(work)


@router.get(
    "/{int:case_id}/allegations",
    response={200: list[CaseAllegationOut], 404: ErrorOut},
    summary="The case's allegations: one per subject and category",
    description="Records a `view` event.",
)
def list_case_allegations(request: HttpRequest, case_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> list[CaseAllegationOut]:
        case = _case(user, case_id)
        _record_view(user, case, "allegations")
        return [_allegation(allegation) for allegation in _allegations(case)]

    return answer(work)


@router.post(
    "/{int:case_id}/allegations",
    response={201: CaseAllegationOut, **ERRORS},
    summary="Add an allegation against a subject of the case in one category",
)
def add_case_allegation(request: HttpRequest, case_id: int, payload: CaseAllegationIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]

    def work() -> Status[CaseAllegationOut]:
        case = _case(user, case_id)
        errors: dict[str, list[str]] = {}
        subject = CaseParty.objects.filter(pk=payload.subject_id, case=case).first()
        if subject is None:
            errors["subject_id"] = ["There is no such party in this case."]
        category = AllegationCategory.objects.filter(code=payload.category[:100]).first()
        if category is None:
            errors["category"] = [f"Unknown category {payload.category[:40]!r}."]
        if errors or subject is None or category is None:
            raise ValidationError(errors)
        made = services.add_case_allegation(
            actor=user, case=case, subject=subject, category=category, description=payload.description
        )
        return Status(201, _allegation(next(a for a in _allegations(case) if a.pk == made.pk)))

    return answer(work)
