"""Giglio/Henthorn requests: receiving a prosecutor's request, compiling the potential impeachment
information the agency holds on the employee witness, and releasing the answer.

Each service, in one transaction: checks that the actor is a Giglio official and may see the
request (else 404: a request about the official's own record is hidden from them by the access
rules), validates (`ValidationError` per field; `IllegalTransition` when the request's state does
not allow the step), writes, records the audit events and starts, meets or cancels the
`giglio-response` clock (its duration is the rule's, 10 federal business days as seeded).

Compiling reads, for the employee: sustained findings in truthfulness or bias categories and
criminal charges (investigations' `GiglioMark`s, with the finding's current outcome and the
prosecution's decision and disposition), every open case in which the employee is a subject
(only its number and opening date: the item says an investigation is pending, nothing of its
contents, and compiling gives no access to the case), and judicial findings recorded here. The
items are the same whoever compiles; what a user is shown of them follows `queries_giglio`:
items from a case in a compartment the user holds no grant to, or from a case that names the
user, are withheld (one "a restricted matter exists; contact OPR" notice), and a user from whom
any item is withheld cannot release the request.

Nothing leaves before the Giglio official approves: the response letter (PDF) is generated only
by `approve_and_release`, listing the items chosen for disclosure, or saying plainly that there
is no information. Release is an `export` event; every letter download is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from probity.core import access, audit, files
from probity.core.audit import EventSpec
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, AuditOutcome, DeadlineRule, Employee, Role, User
from probity.core.numbering import next_number
from probity.core.services.deadlines import cancel_deadline, meet_deadline, start_deadline
from probity.core.services.files import store_file
from probity.core.workflow import IllegalTransition
from probity.investigations.models import (
    Case,
    CaseStatus,
    FindingOutcome,
    GiglioMark,
    GiglioReason,
    PartyRole,
    ProsecutionDecision,
    ProsecutionReferral,
)
from probity.oversight.models import CompiledItem, GiglioRequest, GiglioStatus, ItemKind, JudicialFinding
from probity.oversight.queries_giglio import RESPONSE_RULE, response_deadline, withheld_case_ids
from probity.oversight.workflow_giglio import GIGLIO_FLOW

S = GiglioStatus
NUMBER_PREFIX = "GIG"
MAX_NAME = 200
MAX_TEXT = 10_000
CLASSIFICATION = "LAW ENFORCEMENT SENSITIVE"
RESTRICTED_NOTICE = (
    "A restricted matter exists on this employee's record that you may not see; contact OPR. "
    "Only a Giglio official with access to it may review and release this request."
)
KIND_ORDER = {
    ItemKind.SUSTAINED_FINDING: 0,
    ItemKind.CRIMINAL_CHARGE: 1,
    ItemKind.PENDING_INVESTIGATION: 2,
    ItemKind.JUDICIAL_FINDING: 3,
}

Problems = dict[str, list[str]]


# Small helpers


def agency_today() -> dt.date:
    return timezone.now().astimezone(agency_time_zone()).date()


def long_date(value: dt.date | dt.datetime | None) -> str:
    """A date as a letter writes it ("March 15, 2027"), in the agency's time zone."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.astimezone(agency_time_zone()).date()
    return f"{value:%B} {value.day}, {value.year}"


def person_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def require_giglio_official(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_role(Role.GIGLIO):
        raise PermissionDenied("Only a Giglio official may handle Giglio requests.")


def _visible(actor: Any, request: GiglioRequest) -> GiglioRequest:
    """The request as the actor may see it, or 404."""
    found: GiglioRequest = access.get_for(actor, GiglioRequest.objects.all(), pk=request.pk)
    return found


def _locked(request: GiglioRequest) -> GiglioRequest:
    return GiglioRequest.objects.select_for_update().select_related("employee").get(pk=request.pk)


def _copy_state(target: GiglioRequest, source: GiglioRequest) -> None:
    for name in ("status", "compiled_at", "approved_by_id", "released_at", "letter_id", "giglio_official_id"):
        setattr(target, name, getattr(source, name))


def _text(problems: Problems, name: str, value: Any, *, required: str, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        problems.setdefault(name, []).append(required)
    elif len(text) > limit:
        problems.setdefault(name, []).append(f"At most {limit:,} characters.")
    return text


def _state_label(status: str) -> str:
    return GIGLIO_FLOW.labels.get(status, status)


def _transition_event(
    actor: Any, request: GiglioRequest, source: str, target: str, **detail: Any
) -> EventSpec:
    return EventSpec(
        AuditAction.TRANSITION,
        actor=actor,
        obj=request,
        changes={"status": [source, target]},
        detail={"number": request.number, **detail},
    )


# Receiving a request


def receive_request(
    *,
    actor: Any,
    prosecutor_office: str,
    requesting_official: str,
    prosecutor_case: str,
    employee: Employee | None,
    needed_by: dt.date | None,
) -> GiglioRequest:
    """Record a prosecutor's request about an employee witness and start the response clock.

    The official who receives it is its assigned Giglio official. A request about the official's
    own record is refused: another Giglio official receives it (and it stays hidden from them)."""
    require_giglio_official(actor)
    problems: Problems = {}
    office = _text(
        problems,
        "prosecutor_office",
        prosecutor_office,
        required="Name the prosecutor's office.",
        limit=MAX_NAME,
    )
    official = _text(
        problems,
        "requesting_official",
        requesting_official,
        required="Name the prosecutor's requesting official.",
        limit=MAX_NAME,
    )
    prosecution = _text(
        problems,
        "prosecutor_case",
        prosecutor_case,
        required="Give the prosecution's case name or number.",
        limit=MAX_NAME,
    )
    if not isinstance(employee, Employee) or employee.pk is None:
        problems["employee"] = ["Choose the employee witness from the directory."]
    if not isinstance(needed_by, dt.date) or isinstance(needed_by, dt.datetime):
        problems["needed_by"] = ["Enter the date the prosecutor needs the answer by (YYYY-MM-DD)."]
    elif needed_by < agency_today():
        problems["needed_by"] = ["The date needed cannot be in the past."]
    if problems:
        raise ValidationError(problems)
    employee, needed_by = cast(Employee, employee), cast(dt.date, needed_by)
    if actor.employee_id is not None and actor.employee_id == employee.pk:
        raise PermissionDenied(
            "You may not handle a request about your own record; another Giglio official must receive it."
        )
    rule = DeadlineRule.objects.filter(code=RESPONSE_RULE, active=True).first()
    with transaction.atomic():
        now = timezone.now()
        request = GiglioRequest.objects.create(
            number=next_number(NUMBER_PREFIX, now.astimezone(agency_time_zone()).year),
            prosecutor_office=office,
            requesting_official=official,
            prosecutor_case=prosecution,
            employee=employee,
            needed_by=needed_by,
            received_at=now,
            status=S.RECEIVED,
            giglio_official=actor,
            created_by=actor,
        )
        events = [
            EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=request,
                changes={
                    "number": [None, request.number],
                    "prosecutor_office": [None, office],
                    "requesting_official": [None, official],
                    "prosecutor_case": [None, prosecution],
                    "employee": [None, employee.employee_number],
                    "needed_by": [None, needed_by.isoformat()],
                    "giglio_official": [None, actor.get_username()],
                },
            )
        ]
        # An administrator may switch the rule off; the request is then kept without a clock.
        if rule is not None:
            start_deadline(
                actor=actor,
                rule=rule,
                record=request,
                title=f"Answer Giglio request {request.number}",
                owner=actor,
                started_at=now,
                events=events,
            )
        audit.record_many(events)
    return request


# Compiling


@dataclass(frozen=True)
class Draft:
    """One piece of potential impeachment information found, before it is a `CompiledItem`."""

    kind: str
    summary: str
    sort_key: tuple[Any, ...]
    mark: GiglioMark | None = None
    case: Case | None = None
    judicial_finding: JudicialFinding | None = None


def _sustained_summary(mark: GiglioMark) -> str:
    leaning = "truthfulness" if mark.reason == GiglioReason.SUSTAINED_TRUTHFULNESS else "bias"
    finding = mark.finding
    if finding is None:
        return (
            f"Sustained finding reflecting on {leaning}, recorded {long_date(mark.marked_at)} "
            f"in OPR case {mark.case.number}."
        )
    category = finding.allegation.category.name
    text = (
        f"Sustained finding of {category.lower()} (reflecting on {leaning}), recorded "
        f"{long_date(mark.marked_at)} in OPR case {mark.case.number}."
    )
    if finding.outcome == FindingOutcome.SUSTAINED:
        return f"{text} Current outcome: sustained."
    return (
        f"{text} The finding was later revised; its current outcome is "
        f"{finding.get_outcome_display().lower()} (since {long_date(finding.updated_at)})."
    )


def _charge_summary(mark: GiglioMark) -> str:
    referral: ProsecutionReferral | None = mark.prosecution
    if referral is None:
        return f"Criminal charge recorded {long_date(mark.marked_at)} in OPR case {mark.case.number}."
    parts = [
        f"Criminal referral to {referral.prosecutor_office} ({referral.get_prosecutor_kind_display()}), "
        f"presented {long_date(referral.presented_on)}, from OPR case {mark.case.number}."
    ]
    if referral.charges:
        parts.append(f"Charges: {referral.charges.strip().rstrip('.')}.")
    if referral.decision == ProsecutionDecision.PENDING:
        parts.append("The prosecutor's decision is pending.")
    else:
        parts.append(f"{referral.get_decision_display()} {long_date(referral.decided_on)}.")
    if referral.disposition:
        parts.append(
            f"Disposition: {referral.get_disposition_display().lower()}, "
            f"{long_date(referral.disposition_on)}."
        )
        if referral.sentence:
            parts.append(f"Sentence: {referral.sentence.strip().rstrip('.')}.")
    elif referral.decision == ProsecutionDecision.ACCEPTED:
        parts.append("No disposition yet.")
    return " ".join(parts)


def potential_impeachment(employee: Employee) -> list[Draft]:
    """Everything the agency holds on the employee that may be impeachment information, in order:
    sustained findings, criminal charges, pending investigations, judicial findings."""
    drafts: list[Draft] = []
    marks = (
        GiglioMark.objects.filter(employee=employee)
        .select_related("case", "finding__allegation__category", "prosecution")
        .order_by("marked_at", "pk")
    )
    for mark in marks:
        if mark.reason == GiglioReason.CRIMINAL_CHARGE:
            kind, summary = ItemKind.CRIMINAL_CHARGE, _charge_summary(mark)
        else:
            kind, summary = ItemKind.SUSTAINED_FINDING, _sustained_summary(mark)
        drafts.append(
            Draft(kind, summary, (KIND_ORDER[kind], mark.marked_at, mark.pk), mark=mark, case=mark.case)
        )
    pending = (
        Case.objects.filter(parties__employee=employee, parties__role=PartyRole.SUBJECT)
        .exclude(status=CaseStatus.CLOSED)
        .distinct()
        .only("pk", "number", "opened_at", "compartment_id")
        .order_by("opened_at", "pk")
    )
    for case in pending:
        # Only that it is pending, its number and opening date: never its contents.
        summary = (
            f"An investigation in which the employee is a subject is pending: OPR case {case.number}, "
            f"opened {long_date(case.opened_at)}."
        )
        kind = ItemKind.PENDING_INVESTIGATION
        drafts.append(Draft(kind, summary, (KIND_ORDER[kind], case.opened_at, case.pk), case=case))
    for found in JudicialFinding.objects.filter(employee=employee).order_by("found_on", "pk"):
        summary = (
            f"{found.court}, {found.case_reference}, found {long_date(found.found_on)}: "
            f"{found.finding.strip()}"
        )
        kind = ItemKind.JUDICIAL_FINDING
        moment = dt.datetime.combine(found.found_on, dt.time.min, tzinfo=dt.UTC)
        drafts.append(Draft(kind, summary, (KIND_ORDER[kind], moment, found.pk), judicial_finding=found))
    drafts.sort(key=lambda draft: draft.sort_key)
    return drafts


def _item_changes(item: CompiledItem, *, deleted: bool = False) -> dict[str, list[Any]]:
    values = {
        "kind": item.kind,
        "mark": item.mark_id,
        "case": item.case_id,
        "judicial_finding": item.judicial_finding_id,
        "include": item.include,
    }
    return {name: [value, None] if deleted else [None, value] for name, value in values.items()}


def compile_request(*, actor: Any, request: GiglioRequest) -> GiglioRequest:
    """Compile (or, from compiled, compile again) the potential impeachment information.

    Compiling again goes compiled → received (the earlier items are removed, each audited) and
    then received → compiled, so new findings or marks since the last compilation are picked up."""
    require_giglio_official(actor)
    current = _visible(actor, request)
    with transaction.atomic():
        locked = _locked(current)
        events: list[EventSpec] = []
        if locked.status == S.COMPILED:
            GIGLIO_FLOW.check(actor, S.COMPILED, S.RECEIVED)
            old = list(CompiledItem.objects.filter(request=locked).order_by("pk"))
            events += [
                EventSpec(
                    AuditAction.DELETE, actor=actor, obj=item, changes=_item_changes(item, deleted=True)
                )
                for item in old
            ]
            CompiledItem.objects.filter(request=locked).delete()
            events.append(_transition_event(actor, locked, S.COMPILED, S.RECEIVED, reason="compile again"))
            locked.status = S.RECEIVED
        GIGLIO_FLOW.check(actor, locked.status, S.COMPILED)
        now = timezone.now()
        drafts = potential_impeachment(locked.employee)
        items = [
            CompiledItem.objects.create(
                request=locked,
                kind=draft.kind,
                summary=draft.summary,
                mark=draft.mark,
                case=draft.case,
                judicial_finding=draft.judicial_finding,
                include=True,
            )
            for draft in drafts
        ]
        locked.status = S.COMPILED
        locked.compiled_at = now
        locked.save(update_fields=["status", "compiled_at"])
        transition = _transition_event(
            actor,
            locked,
            S.RECEIVED,
            S.COMPILED,
            items=len(items),
            kinds=dict(sorted(Counter(item.kind for item in items).items())),
        )
        events.append(
            EventSpec(
                transition.action,
                actor=actor,
                obj=locked,
                changes={**transition.changes, "compiled_at": [None, now]},
                detail=transition.detail,
            )
        )
        events += [
            EventSpec(
                AuditAction.CREATE,
                actor=actor,
                obj=item,
                changes=_item_changes(item),
                detail={"request": locked.number},
            )
            for item in items
        ]
        audit.record_many(events)
    _copy_state(request, locked)
    return locked


# Deciding what goes out


def _require_compiled(request: GiglioRequest) -> None:
    if request.status != S.COMPILED:
        raise IllegalTransition(
            f"What goes out is chosen while a request is compiled and not yet released; "
            f"{request.number} is {_state_label(request.status)}.",
            code="illegal_transition",
        )


def set_items_included(*, actor: Any, request: GiglioRequest, included: Iterable[int]) -> list[CompiledItem]:
    """Choose which of the items the actor may read go out in the letter (`included`: their ids).

    Items withheld from the actor are left as they are (and the actor cannot release)."""
    require_giglio_official(actor)
    current = _visible(actor, request)
    wanted = set(included)
    with transaction.atomic():
        locked = _locked(current)
        _require_compiled(locked)
        items = list(CompiledItem.objects.select_for_update().filter(request=locked).order_by("pk"))
        hidden = withheld_case_ids(actor, {item.case_id for item in items})
        readable = [item for item in items if item.case_id is None or item.case_id not in hidden]
        unknown = wanted - {item.pk for item in readable}
        if unknown:
            raise ValidationError({"items": ["Choose only items compiled for this request."]})
        changed = [item for item in readable if item.include != (item.pk in wanted)]
        for item in changed:
            item.include = item.pk in wanted
            item.save(update_fields=["include"])
        audit.record_many(
            EventSpec(
                AuditAction.UPDATE,
                actor=actor,
                obj=item,
                changes={"include": [not item.include, item.include]},
                detail={"request": locked.number},
            )
            for item in changed
        )
    return changed


def set_item_included(*, actor: Any, item: CompiledItem, include: bool) -> CompiledItem:
    """Include one item in the letter, or leave it out (404 if the actor may not read it)."""
    require_giglio_official(actor)
    current = _visible(actor, item.request)
    with transaction.atomic():
        locked = _locked(current)
        found = CompiledItem.objects.select_for_update().filter(pk=item.pk, request=locked).first()
        if found is None or (found.case_id is not None and withheld_case_ids(actor, [found.case_id])):
            raise Http404("No such item")
        _require_compiled(locked)
        if found.include != include:
            found.include = include
            found.save(update_fields=["include"])
            audit.record(
                AuditAction.UPDATE,
                actor=actor,
                obj=found,
                changes={"include": [not include, include]},
                detail={"request": locked.number},
            )
    item.include = found.include
    return found


# The response letter


@dataclass(frozen=True)
class LetterItem:
    code: str
    kind: str
    summary: str


@dataclass(frozen=True)
class LetterContent:
    number: str
    dated: str
    received: str
    prosecutor_office: str
    requesting_official: str
    prosecutor_case: str
    employee_name: str
    employee_number: str
    position: str
    items: tuple[LetterItem, ...]
    nothing_compiled: bool  # no potential impeachment information was found at all
    official: str

    @property
    def no_information(self) -> bool:
        return not self.items

    @property
    def has_pending(self) -> bool:
        return any(item.code == ItemKind.PENDING_INVESTIGATION for item in self.items)


def letter_content(
    request: GiglioRequest, items: list[CompiledItem], *, approver: Any, now: dt.datetime
) -> LetterContent:
    employee = request.employee
    return LetterContent(
        number=request.number,
        dated=long_date(now),
        received=long_date(request.received_at),
        prosecutor_office=request.prosecutor_office,
        requesting_official=request.requesting_official,
        prosecutor_case=request.prosecutor_case,
        employee_name=employee.full_name,
        employee_number=employee.employee_number,
        position=employee.position_title,
        items=tuple(
            LetterItem(item.kind, item.get_kind_display(), item.summary) for item in items if item.include
        ),
        nothing_compiled=not items,
        official=person_name(approver),
    )


def _data_only_fetcher() -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # Only data: URLs; anything else (http, file, ftp) is refused, so a letter never reaches out.
    return URLFetcher(allowed_protocols=("data",))


def render_letter(content: LetterContent) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "oversight/giglio/letter.html", {"letter": content, "classification": CLASSIFICATION}
    )
    pdf: bytes = HTML(string=html, url_fetcher=_data_only_fetcher()).write_pdf()
    return pdf


# Releasing, withdrawing


def approve_and_release(*, actor: Any, request: GiglioRequest) -> GiglioRequest:
    """The Giglio official approves the compiled answer: the letter is generated now, the request
    is released and the response clock is met. Refused while any item is withheld from the actor."""
    require_giglio_official(actor)
    current = _visible(actor, request)
    with transaction.atomic():
        locked = _locked(current)
        if locked.status == S.RECEIVED:
            raise IllegalTransition(
                f"Compile the information on the employee before releasing {locked.number}.",
                code="illegal_transition",
            )
        GIGLIO_FLOW.check(actor, locked.status, S.RELEASED)
        items = list(CompiledItem.objects.filter(request=locked).order_by("pk"))
        if withheld_case_ids(actor, {item.case_id for item in items}):
            raise PermissionDenied(RESTRICTED_NOTICE)
        now = timezone.now()
        content = letter_content(locked, items, approver=actor, now=now)
        stored = store_file(
            actor=actor, upload=ContentFile(render_letter(content), name=f"{locked.number}-response.pdf")
        )
        locked.status = S.RELEASED
        locked.approved_by = actor
        locked.released_at = now
        locked.letter = stored
        locked.save(update_fields=["status", "approved_by", "released_at", "letter"])
        deadline = response_deadline(locked)
        if deadline is not None and deadline.is_open:
            meet_deadline(actor=actor, deadline=deadline, met_at=now)
        included = [item for item in items if item.include]
        audit.record_many(
            [
                EventSpec(
                    AuditAction.TRANSITION,
                    actor=actor,
                    obj=locked,
                    changes={
                        "status": [S.COMPILED, S.RELEASED],
                        "approved_by": [None, actor.get_username()],
                        "released_at": [None, now],
                        "letter": [None, stored.sha256],
                    },
                    detail={"number": locked.number},
                ),
                EventSpec(
                    AuditAction.EXPORT,
                    actor=actor,
                    obj=locked,
                    detail={
                        "to": locked.prosecutor_office,
                        "requesting_official": locked.requesting_official,
                        "employee": locked.employee.employee_number,
                        "items": [item.pk for item in included],
                        "kinds": dict(sorted(Counter(item.kind for item in included).items())),
                        "no_information": not included,
                        "sha256": stored.sha256,
                    },
                ),
            ]
        )
    _copy_state(request, locked)
    return locked


def withdraw_request(*, actor: Any, request: GiglioRequest, reason: str) -> GiglioRequest:
    """The prosecutor no longer needs the answer: the request is closed and its clock cancelled."""
    require_giglio_official(actor)
    current = _visible(actor, request)
    problems: Problems = {}
    text = _text(problems, "reason", reason, required="Say why the request is withdrawn.", limit=MAX_TEXT)
    with transaction.atomic():
        locked = _locked(current)
        GIGLIO_FLOW.check(actor, locked.status, S.WITHDRAWN)
        if problems:
            raise ValidationError(problems)
        source = locked.status
        locked.status = S.WITHDRAWN
        locked.save(update_fields=["status"])
        deadline = response_deadline(locked)
        if deadline is not None and deadline.is_open:
            cancel_deadline(actor=actor, deadline=deadline, reason=f"Request withdrawn: {text}")
        audit.record_many([_transition_event(actor, locked, source, S.WITHDRAWN, reason=text)])
    _copy_state(request, locked)
    return locked


@dataclass(frozen=True)
class LetterFile:
    filename: str
    content_type: str
    content: IO[bytes]


def open_letter(*, actor: Any, request: GiglioRequest) -> LetterFile:
    """The released letter, verified against its hash; every attempt is audited."""
    detail: dict[str, Any] = {"number": request.number}
    if actor is None or not access.can_view(actor, request):
        audit.record(
            AuditAction.DOWNLOAD, actor=actor, obj=request, detail=detail, outcome=AuditOutcome.DENIED
        )
        raise Http404("No such request")
    current = GiglioRequest.objects.select_related("letter").get(pk=request.pk)
    if current.letter is None:
        raise IllegalTransition(
            f"There is no letter yet: {current.number} is {_state_label(current.status)}; "
            "the letter is generated when the Giglio official approves and releases the answer.",
            code="not_released",
        )
    detail["sha256"] = current.letter.sha256
    try:
        content = files.open_verified(current.letter)
    except FileIntegrityError as error:
        audit.record(
            AuditAction.DOWNLOAD,
            actor=actor,
            obj=current,
            detail={**detail, "reason": error.reason},
            outcome=AuditOutcome.FAILURE,
        )
        raise
    audit.record(AuditAction.DOWNLOAD, actor=actor, obj=current, detail=detail)
    return LetterFile(
        filename=f"{current.number}-response.pdf", content_type="application/pdf", content=content
    )


# Judicial findings


def record_judicial_finding(
    *,
    actor: Any,
    employee: Employee | None,
    court: str,
    case_reference: str,
    found_on: dt.date | None,
    finding: str,
) -> JudicialFinding:
    """Record a court's finding that the employee testified untruthfully or acted unlawfully."""
    require_giglio_official(actor)
    problems: Problems = {}
    court_text = _text(problems, "court", court, required="Name the court.", limit=MAX_NAME)
    reference = _text(
        problems,
        "case_reference",
        case_reference,
        required="Give the court's case reference.",
        limit=MAX_NAME,
    )
    finding_text = _text(problems, "finding", finding, required="Say what the court found.", limit=MAX_TEXT)
    if not isinstance(employee, Employee) or employee.pk is None:
        problems["employee"] = ["Choose the employee from the directory."]
    if not isinstance(found_on, dt.date) or isinstance(found_on, dt.datetime):
        problems["found_on"] = ["Enter the date of the court's finding (YYYY-MM-DD)."]
    elif found_on > agency_today():
        problems["found_on"] = ["The date cannot be in the future."]
    if problems:
        raise ValidationError(problems)
    employee, found_on = cast(Employee, employee), cast(dt.date, found_on)
    if actor.employee_id is not None and actor.employee_id == employee.pk:
        raise PermissionDenied("You may not record a finding on your own record.")
    with transaction.atomic():
        recorded = JudicialFinding.objects.create(
            employee=employee,
            court=court_text,
            case_reference=reference,
            found_on=found_on,
            finding=finding_text,
            recorded_at=timezone.now(),
            recorded_by=actor,
        )
        audit.record(
            AuditAction.CREATE,
            actor=actor,
            obj=recorded,
            changes={
                "employee": [None, employee.employee_number],
                "court": [None, court_text],
                "case_reference": [None, reference],
                "found_on": [None, found_on.isoformat()],
                "finding": [None, finding_text],
            },
        )
    return recorded
