"""Outcome screens: prosecution referrals and referral to management on the case page, and
labor relations' discipline queue and discipline pages (propose, reply, decide with the 12
Douglas factors and the agency's penalties for the same offense, appeal, make final).

Each action is a POST to its own small view that calls one service. A refusal shows the page
again with the message on the form and the typed input; the service's transaction guarantees
nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from probity.core import access, audit
from probity.core.models import AuditAction, Role
from probity.intake.forms import apply_service_errors, error_summary
from probity.investigations import queries, queries_outcomes
from probity.investigations.forms_outcomes import (
    AppealForm,
    DecideForm,
    DispositionForm,
    FinalizeForm,
    ProposeForm,
    ProsecutionDecisionForm,
    ReferForProsecutionForm,
    ReferToManagementForm,
    ReplyForm,
)
from probity.investigations.models import (
    Case,
    CaseAllegation,
    CaseParty,
    DisciplineAction,
    DisciplineStatus,
    FindingOutcome,
    Offense,
    PartyRole,
    ProsecutionDecision,
    ProsecutionReferral,
)
from probity.investigations.queries import CasePage
from probity.investigations.services import discipline, prosecution

D = DisciplineStatus
DISCIPLINE_ROLES = frozenset({Role.LABOR_RELATIONS, Role.SUPERVISOR})
PAGE_SIZE = 50


# The case page's outcomes section


def _card(key: str, title: str, button: str, form: forms.Form, url: str) -> dict[str, Any]:
    errors = error_summary(form) if form.is_bound else []
    return {"name": key, "title": title, "button": button, "form": form, "url": url, "errors": errors}


def _sustained(allegation: CaseAllegation) -> bool:
    try:
        return allegation.finding.outcome == FindingOutcome.SUSTAINED
    except ObjectDoesNotExist:
        return False


def sustained_against_employees(allegations: list[CaseAllegation]) -> list[CaseAllegation]:
    return [a for a in allegations if a.subject.employee_id is not None and _sustained(a)]


def may_act_on_outcomes(user: Any, page: CasePage) -> bool:
    return page.is_supervisor or page.case.lead_agent_id == user.pk


def outcomes_section(user: Any, page: CasePage, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    """What the outcomes section shows, from the case page's rows alone (no query)."""
    bound = bound or {}
    case = page.case
    can_act = may_act_on_outcomes(user, page)
    prosecutable = (
        case.case_type in prosecution.PROSECUTABLE_TYPES and case.status in prosecution.REFERRABLE_STATES
    )
    refer = None
    if can_act and page.subjects and (prosecutable or "outcome-prosecution" in bound):
        form = bound.get("outcome-prosecution") or ReferForProsecutionForm(
            prefix="outcome-prosecution", subjects=page.subjects
        )
        url = reverse("case-refer-prosecution", args=[case.pk])
        refer = _card("outcome-prosecution", "Refer for prosecution", "Record the referral", form, url)
    referrals = []
    for referral in page.prosecutions:
        action = None
        if can_act and referral.decision == ProsecutionDecision.PENDING:
            key = f"outcome-decision-{referral.pk}"
            form = bound.get(key) or ProsecutionDecisionForm(prefix=key)
            url = reverse("prosecution-decision", args=[case.pk, referral.pk])
            action = _card(key, "Record the prosecutor's decision", "Record the decision", form, url)
        elif can_act and referral.decision == ProsecutionDecision.ACCEPTED and not referral.disposition:
            key = f"outcome-disposition-{referral.pk}"
            form = bound.get(key) or DispositionForm(prefix=key)
            url = reverse("prosecution-disposition", args=[case.pk, referral.pk])
            action = _card(key, "Record the disposition", "Record the disposition", form, url)
        referrals.append({"referral": referral, "action": action})
    sustained = sustained_against_employees(page.allegations)
    refer_discipline = None
    if can_act and (sustained or "outcome-discipline" in bound):
        form = bound.get("outcome-discipline") or ReferToManagementForm(
            prefix="outcome-discipline", sustained=sustained
        )
        url = reverse("case-refer-discipline", args=[case.pk])
        refer_discipline = _card(
            "outcome-discipline", "Refer to management", "Refer for discipline", form, url
        )
    return {
        "can_act": can_act,
        "prosecutable_type": case.case_type in prosecution.PROSECUTABLE_TYPES,
        "refer": refer,
        "referrals": referrals,
        "refer_discipline": refer_discipline,
        "discipline": page.discipline,
    }


Perform = Callable[[dict[str, Any]], Any]


def _run_on_case(
    request: HttpRequest, case: Case, key: str, form: forms.Form, *, perform: Perform, done: str
) -> HttpResponse:
    """Validate, call the service, redirect to the case with a message, or show the refusal."""
    status = 400
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not do this.")
            status = 403
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, done)
            return redirect(reverse("case-detail", args=[case.pk]) + "#section-outcomes")
    from probity.investigations.views.cases import detail_context

    # Shown again with the refusal: that is a view of the record, audited like any other.
    page = queries.case_page(request.user, case.pk)
    context = {**detail_context(request.user, page), "outcomes_bound": {key: form}}
    return render(request, "investigations/case_detail.html", context, status=status)


def _case_referral(user: Any, pk: int, referral_id: int) -> tuple[Case, ProsecutionReferral]:
    case = queries.get_case_for(user, pk)
    referral = ProsecutionReferral.objects.filter(case=case, pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral")
    return case, referral


@login_required
@require_POST
def refer_prosecution(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = queries.get_case_for(user, pk)
    subjects = list(CaseParty.objects.filter(case=case, role=PartyRole.SUBJECT).select_related("employee"))
    form = ReferForProsecutionForm(request.POST, prefix="outcome-prosecution", subjects=subjects)

    def perform(data: dict[str, Any]) -> Any:
        return prosecution.refer_for_prosecution(
            actor=user,
            case=case,
            subject=data["subject"],
            prosecutor_kind=data["prosecutor_kind"],
            prosecutor_office=data["prosecutor_office"],
            presented_on=data["presented_on"],
        )

    return _run_on_case(
        request, case, "outcome-prosecution", form, perform=perform, done="Prosecution referral recorded."
    )


@login_required
@require_POST
def record_decision(request: HttpRequest, pk: int, referral_id: int) -> HttpResponse:
    user = request.user
    case, referral = _case_referral(user, pk, referral_id)
    key = f"outcome-decision-{referral.pk}"
    form = ProsecutionDecisionForm(request.POST, prefix=key)

    def perform(data: dict[str, Any]) -> Any:
        return prosecution.record_prosecution_decision(
            actor=user,
            referral=referral,
            decision=data["decision"],
            decided_on=data["decided_on"],
            charges=data["charges"],
        )

    return _run_on_case(
        request, case, key, form, perform=perform, done="The prosecutor's decision is recorded."
    )


@login_required
@require_POST
def record_disposition(request: HttpRequest, pk: int, referral_id: int) -> HttpResponse:
    user = request.user
    case, referral = _case_referral(user, pk, referral_id)
    key = f"outcome-disposition-{referral.pk}"
    form = DispositionForm(request.POST, prefix=key)

    def perform(data: dict[str, Any]) -> Any:
        return prosecution.record_disposition(
            actor=user,
            referral=referral,
            disposition=data["disposition"],
            disposition_on=data["disposition_on"],
            sentence=data["sentence"],
            charges=data["charges"],
        )

    return _run_on_case(request, case, key, form, perform=perform, done="The disposition is recorded.")


@login_required
@require_POST
def refer_discipline(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    case = queries.get_case_for(user, pk)
    rows = CaseAllegation.objects.filter(case=case).select_related("subject__employee", "category", "finding")
    form = ReferToManagementForm(
        request.POST, prefix="outcome-discipline", sustained=sustained_against_employees(list(rows))
    )

    def perform(data: dict[str, Any]) -> Any:
        employee = form.employee()
        if employee is None:
            raise ValidationError({"allegations": ["Choose at least one sustained allegation."]})
        return discipline.refer_to_management(
            actor=user, case=case, employee=employee, allegations=data["allegations"]
        )

    return _run_on_case(
        request, case, "outcome-discipline", form, perform=perform, done="Referred to management."
    )


# Labor relations: the queue


def require_discipline_user(user: Any) -> None:
    # 404, not 403: to other roles the discipline screens do not exist.
    if not user.has_role(*DISCIPLINE_ROLES):
        raise Http404("No such page")


@login_required
@require_GET
def discipline_queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_discipline_user(user)
    status = request.GET.get("status", queries_outcomes.OPEN)
    if status not in queries_outcomes.STATUS_FILTERS:
        status = queries_outcomes.OPEN
    rows = queries_outcomes.discipline_queue(user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type="investigations.disciplineaction",
        detail={"status": status, "results": page.paginator.count},
    )
    context = {"page": page, "status": status, "statuses": queries_outcomes.STATUS_FILTERS.items()}
    return render(request, "investigations/discipline_queue.html", context)


# One discipline action

STEP_FORMS: dict[str, type[forms.Form]] = {
    "propose": ProposeForm,
    "reply": ReplyForm,
    "decide": DecideForm,
    "appeal": AppealForm,
    "finalize": FinalizeForm,
}
STEP_FOR_MOVE: dict[tuple[str, str], str] = {
    (D.REFERRED, D.PROPOSED): "propose",
    (D.PROPOSED, D.REPLIED): "reply",
    (D.PROPOSED, D.DECIDED): "decide",
    (D.REPLIED, D.DECIDED): "decide",
    (D.DECIDED, D.APPEALED): "appeal",
    (D.DECIDED, D.FINAL): "finalize",
    (D.APPEALED, D.FINAL): "finalize",
}
STEP_TITLES = {
    "propose": ("Propose an action", "Record the proposal"),
    "reply": ("The employee's reply", "Record the reply"),
    "decide": ("Decision", "Record the decision"),
    "appeal": ("Appeal or arbitration", "Record the appeal"),
    "finalize": ("Final outcome", "Make final"),
}


def _step_form(name: str, action: DisciplineAction, data: Any = None) -> forms.Form:
    if name == "finalize":
        return FinalizeForm(data, prefix=name, appealed=action.status == D.APPEALED)
    return STEP_FORMS[name](data, prefix=name)


def available_steps(user: Any, action: DisciplineAction) -> list[str]:
    targets = discipline.DISCIPLINE_FLOW.targets_for(user, action.status)
    return list(dict.fromkeys(STEP_FOR_MOVE[(action.status, target)] for target in targets))


def _figures(user: Any, offense: Offense | None, action: DisciplineAction) -> Any:
    if offense is None:
        return None
    return discipline.consistency_figures(offense=offense, exclude_action=action, viewer=user)


def detail_context(
    user: Any, action: DisciplineAction, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    bound = bound or {}
    steps = []
    for name in available_steps(user, action):
        form = bound.get(name) or _step_form(name, action)
        title, button = STEP_TITLES[name]
        steps.append(_card(name, title, button, form, reverse(f"discipline-{name}", args=[action.pk])))
    for name, form in bound.items():  # a refused step the user can no longer take: keep its message
        if name not in {step["name"] for step in steps}:
            steps.append(_card(name, STEP_TITLES[name][0], "", form, ""))
    offense = action.offense
    proposing = bound.get("propose")
    if offense is None and proposing is not None:
        chosen = proposing["offense"].value()
        offense = Offense.objects.filter(pk=chosen).first() if str(chosen).isdigit() else None
    table = (
        discipline.table_range(offense=action.offense, employee=action.employee, exclude_action=action)
        if action.offense is not None
        else None
    )
    return {
        "action": action,
        "allegations": list(action.allegations.all()),
        "douglas": list(action.douglas.all()),
        "steps": {step["name"]: step for step in steps},
        "figures": _figures(user, offense, action),
        "table": table,
        "case_visible": access.can_view(user, action.case),
        "offense_range": table.label if table else "",
    }


def render_detail(
    request: HttpRequest,
    action: DisciplineAction,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = detail_context(request.user, action, bound)
    return render(request, "investigations/discipline_detail.html", context, status=status)


@login_required
@require_GET
def discipline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_discipline_user(request.user)
    action = queries_outcomes.get_action_for(request.user, pk)
    return render_detail(request, action)


StepPerform = Callable[[Any, DisciplineAction, forms.Form], Any]


def _step(request: HttpRequest, pk: int, *, name: str, perform: StepPerform, done: str) -> HttpResponse:
    user = request.user
    require_discipline_user(user)
    action = queries_outcomes.get_action_for(user, pk, record_view=False)
    form = _step_form(name, action, request.POST)
    status = 400
    if form.is_valid():
        try:
            perform(user, action, form)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not do this.")
            status = 403
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, done)
            return redirect("discipline-detail", pk=action.pk)
    # Shown again with the refusal: that is a view of the record, audited like any other.
    action = queries_outcomes.get_action_for(user, pk)
    return render_detail(request, action, bound={name: form}, status=status)


def _propose(user: Any, action: DisciplineAction, form: forms.Form) -> Any:
    data = form.cleaned_data
    return discipline.propose_action(
        actor=user,
        action=action,
        offense=data["offense"],
        proposing_official=data["proposing_official"],
        proposed_penalty=data["proposed_penalty"],
        proposed_on=data["proposed_on"],
    )


def _reply(user: Any, action: DisciplineAction, form: forms.Form) -> Any:
    data = form.cleaned_data
    return discipline.record_reply(
        actor=user, action=action, reply=data["reply"], replied_on=data["replied_on"]
    )


def _decide(user: Any, action: DisciplineAction, form: forms.Form) -> Any:
    if not isinstance(form, DecideForm):
        raise TypeError("the decide step takes a DecideForm")
    data = form.cleaned_data
    return discipline.decide_action(
        actor=user,
        action=action,
        deciding_official=data["deciding_official"],
        decided_penalty=data["decided_penalty"],
        decided_on=data["decided_on"],
        rationale=data["rationale"],
        douglas=form.douglas(),
        departure_explained=data["departure_explained"],
    )


def _appeal(user: Any, action: DisciplineAction, form: forms.Form) -> Any:
    data = form.cleaned_data
    return discipline.record_appeal(actor=user, action=action, forum=data["forum"], filed_on=data["filed_on"])


def _finalize(user: Any, action: DisciplineAction, form: forms.Form) -> Any:
    data = form.cleaned_data
    return discipline.finalize_action(
        actor=user,
        action=action,
        final_on=data["final_on"],
        final_penalty=data.get("final_penalty"),
        appeal_outcome=data.get("appeal_outcome", ""),
        reversed_on_appeal=data.get("reversed_on_appeal", False),
    )


def _step_view(name: str, perform: StepPerform, done: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _step(request, pk, name=name, perform=perform, done=done)

    view.__name__ = f"discipline_{name}"
    view.__doc__ = f"POST: {name} on one discipline action through its service."
    return view


propose_view = _step_view("propose", _propose, "Proposal recorded.")
reply_view = _step_view("reply", _reply, "The employee's reply is recorded.")
decide_view = _step_view("decide", _decide, "Decision recorded.")
appeal_view = _step_view("appeal", _appeal, "Appeal recorded.")
finalize_view = _step_view("finalize", _finalize, "The action is final.")


@login_required
@require_GET
def consistency(request: HttpRequest) -> HttpResponse:
    """Douglas factor 6 for the offense chosen in the proposal form (htmx fragment)."""
    user = request.user
    require_discipline_user(user)
    chosen = request.GET.get("propose-offense") or request.GET.get("offense", "")
    offense = Offense.objects.filter(pk=chosen).first() if chosen.isdigit() else None
    figures = discipline.consistency_figures(offense=offense, viewer=user) if offense else None
    return render(request, "investigations/_consistency.html", {"figures": figures})
