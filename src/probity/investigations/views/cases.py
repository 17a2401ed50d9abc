"""Case screens: the case list, one case's page, opening a case directly, the caseload, and
the case actions (assignment, moves, conversion, transfer, parties, allegations).

Each action is a POST to its own small view that calls one service in
`investigations/services/cases.py`. A refusal (an illegal move, invalid input, a missing
permission) shows the case page again with the message on the form; the service's
transaction guarantees nothing was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.intake.forms import error_summary
from probity.investigations import forms as case_forms
from probity.investigations import queries
from probity.investigations.models import Case, CaseMember, CaseParty, CaseStatus, CaseType
from probity.investigations.queries import CaseFilters, CasePage
from probity.investigations.services import cases as services
from probity.investigations.workflow import CASE_FLOW, NEEDS_REASON

S = CaseStatus
CASE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
PAGE_SIZE = 50
# Moves with their own service and form elsewhere on the page: a prosecution referral
# (outcomes), submitting the report and deciding the review (findings), reopening (below).
MOVES_ELSEWHERE = frozenset(
    {
        (S.INVESTIGATING, S.PROSECUTION),
        (S.REPORT_DRAFTING, S.SUFFICIENCY_REVIEW),
        (S.SUFFICIENCY_REVIEW, S.REPORT_DRAFTING),
        (S.SUFFICIENCY_REVIEW, S.CLOSED),
        (S.CLOSED, S.REOPENED),
    }
)


def require_case_user(user: Any) -> None:
    # 404, not 403: to other roles the case screens do not exist.
    if not user.has_role(*CASE_ROLES):
        raise Http404("No such page")


def require_supervisor_page(user: Any) -> None:
    if not user.has_role(Role.SUPERVISOR):
        raise Http404("No such page")


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    # A history restore after a cache miss needs the whole page, not the table.
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# The list


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_case_user(user)
    filters = CaseFilters.from_query(request.GET)
    rows = queries.case_list(user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    queries.record_case_search(user, filters, results=page.paginator.count)
    now = timezone.now()
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "now": now,
        "soon": now + dt.timedelta(days=queries.warning_days()),
        "agency_tz": agency_time_zone(),
    }
    if _partial(request):
        template = "investigations/_case_table.html"
    else:
        template = "investigations/case_list.html"
        context["form"] = case_forms.CaseFilterForm.for_filters(user, filters)
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_supervisor_page(user)
    load = queries.caseload(user)
    return render(request, "investigations/caseload.html", {"load": load, "scope": user.office_scope})


# Opening a case directly


@login_required
def case_open(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_supervisor_page(user)
    if request.method != "POST":
        form = case_forms.OpenCaseForm(user=user)
        return render(request, "investigations/case_open.html", {"form": form, "errors": []})
    form = case_forms.OpenCaseForm(request.POST, user=user)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case_directly(
                actor=user,
                office=data["office"],
                case_type=data["case_type"],
                title=data["title"],
                reason=data["reason"],
                subjects=data["subjects"],
                category_codes=[category.code for category in data["categories"]],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not open a case here.")
            status = 403
        except ValidationError as error:
            case_forms.apply_service_errors(error, form)
        else:
            messages.success(request, f"Case {case.number} opened.")
            return redirect("case-detail", pk=case.pk)
    context = {"form": form, "errors": error_summary(form)}
    return render(request, "investigations/case_open.html", context, status=status)


# One case


@dataclass(frozen=True)
class Action:
    """One action on the case: its form, the service call, and who is offered it."""

    name: str
    title: str
    button: str
    make_form: Callable[..., forms.Form]  # (data, *, case, page, prefix) -> form
    perform: Callable[[Any, Case, dict[str, Any]], Any]
    done: str
    offered: Callable[[CasePage], bool]


def _plain(form_class: type[forms.Form]) -> Callable[..., forms.Form]:
    def make(data: Any = None, *, case: Case, page: CasePage | None, prefix: str) -> forms.Form:
        return form_class(data, prefix=prefix)

    return make


def _for_case(form_class: Callable[..., forms.Form]) -> Callable[..., forms.Form]:
    def make(data: Any = None, *, case: Case, page: CasePage | None, prefix: str) -> forms.Form:
        return form_class(data, case=case, prefix=prefix)

    return make


def _allegation_form(data: Any = None, *, case: Case, page: CasePage | None, prefix: str) -> forms.Form:
    subjects = page.subjects if page is not None and data is None else None
    return case_forms.AddAllegationForm(data, case=case, subjects=subjects, prefix=prefix)


def _edit_form(data: Any = None, *, case: Case, page: CasePage | None, prefix: str) -> forms.Form:
    initial = {"title": case.title, "synopsis": case.synopsis}
    return case_forms.CaseEditForm(data, initial=initial, prefix=prefix)


def _open(page: CasePage) -> bool:
    return page.is_open and page.can_work


def _supervising(page: CasePage) -> bool:
    return page.is_open and page.is_supervisor


def _update(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.update_case(actor=user, case=case, title=data["title"], synopsis=data["synopsis"])


def _assign_lead(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.assign_lead(actor=user, case=case, agent=data["agent"])


def _add_member(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.add_team_member(actor=user, case=case, agent=data["agent"])


def _convert(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.convert_case(actor=user, case=case, case_type=data["case_type"], reason=data["reason"])


def _transfer(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.transfer_case(actor=user, case=case, office=data["office"], reason=data["reason"])


def _reopen(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.reopen_case(actor=user, case=case, reason=data["reason"])


def _move(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.move_case(actor=user, case=case, target=data["target"], reason=data["reason"])


def _add_party(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.add_party(
        actor=user,
        case=case,
        role=data["role"],
        employee=data["employee_number"],
        name=data["name"],
        description=data["description"],
        contact=data["contact"],
    )


def _add_allegation(user: Any, case: Case, data: dict[str, Any]) -> Any:
    return services.add_case_allegation(
        actor=user,
        case=case,
        subject=data["subject"],
        category=data["category"],
        description=data["description"],
    )


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            "edit",
            "Title and synopsis",
            "Save",
            _edit_form,
            _update,
            "Title and synopsis of {number} saved.",
            _open,
        ),
        Action(
            "assign_lead",
            "Assign the lead agent",
            "Assign",
            _for_case(case_forms.AssignLeadForm),
            _assign_lead,
            "Lead agent of {number} assigned.",
            _supervising,
        ),
        Action(
            "add_member",
            "Add a team member",
            "Add to the team",
            _for_case(case_forms.AddMemberForm),
            _add_member,
            "Team member added to {number}.",
            _supervising,
        ),
        Action(
            "convert",
            "Change the type",
            "Change the type",
            _plain(case_forms.ConvertForm),
            _convert,
            "{number} converted.",
            _supervising,
        ),
        Action(
            "transfer",
            "Transfer to another office",
            "Transfer",
            _for_case(case_forms.TransferForm),
            _transfer,
            "{number} transferred.",
            _supervising,
        ),
        Action(
            "reopen",
            "Reopen the case",
            "Reopen",
            _plain(case_forms.ReopenForm),
            _reopen,
            "{number} reopened.",
            lambda page: page.is_supervisor and page.case.status == S.CLOSED,
        ),
        Action(
            "add_party",
            "Add a party",
            "Add the party",
            _plain(case_forms.AddPartyForm),
            _add_party,
            "Party added to {number}.",
            _open,
        ),
        Action(
            "add_allegation",
            "Add an allegation",
            "Add the allegation",
            _allegation_form,
            _add_allegation,
            "Allegation added to {number}.",
            lambda page: _open(page) and bool(page.subjects),
        ),
    )
}
SIDEBAR = ("edit", "assign_lead", "add_member", "convert", "transfer", "reopen")


def move_targets(user: Any, case: Case) -> list[str]:
    """The moves this user may make from the case page (the service decides finally)."""
    return [
        target
        for target in CASE_FLOW.targets_for(user, case.status)
        if (case.status, target) not in MOVES_ELSEWHERE
    ]


def _action(name: str, page: CasePage, bound: dict[str, forms.Form], *, offered: bool) -> dict[str, Any]:
    action = ACTIONS[name]
    form = bound.get(name) or action.make_form(case=page.case, page=page, prefix=name)
    url = reverse(f"case-{name.replace('_', '-')}", args=[page.case.pk]) if offered else ""
    errors = error_summary(form) if form.is_bound else []
    return {
        "name": name,
        "title": action.title,
        "button": action.button,
        "form": form,
        "url": url,
        "errors": errors,
    }


def _moves(user: Any, page: CasePage, bound: dict[str, forms.Form]) -> list[dict[str, Any]]:
    case = page.case
    moves = []
    offered = move_targets(user, case) if page.can_work else []
    for target in offered:
        key = f"move-{target}"
        form = bound.get(key) or case_forms.MoveForm(prefix=key, initial={"target": target})
        moves.append(
            {
                "key": key,
                "target": target,
                "label": CASE_FLOW.transitions[(case.status, target)].label,
                "needs_reason": (case.status, target) in NEEDS_REASON,
                "form": form,
                "url": reverse("case-move", args=[case.pk]),
                "errors": error_summary(form) if form.is_bound else [],
            }
        )
    for key, form in bound.items():  # a refused move the user cannot make: keep its message
        if key.startswith("move") and key.removeprefix("move-") not in offered:
            moves.append(
                {
                    "key": key,
                    "target": "",
                    "label": "Move the case",
                    "needs_reason": False,
                    "form": form,
                    "url": "",
                    "errors": error_summary(form),
                }
            )
    return moves


def _history(page: CasePage) -> list[dict[str, Any]]:
    """The case history in words: statuses and types by their labels, agents by their names."""
    names = {m.user.get_username(): m.user.get_full_name() or m.user.get_username() for m in page.members}
    status = dict(CaseStatus.choices)
    types = dict(CaseType.choices)
    entries = []
    for event in page.events:
        old, new = event.from_value, event.to_value
        if event.kind == "transition":
            what = f"{status.get(old, old)} → {status.get(new, new)}" if old else "Opened"
        elif event.kind == "conversion":
            what = f"Type changed: {types.get(old, old)} → {types.get(new, new)}"
        elif event.kind == "assignment":
            what = f"{names.get(new, new)} assigned" if new else f"{names.get(old, old)} released"
        elif event.kind == "transfer":
            what = f"Transferred: {old} → {new}"
        else:
            what = event.kind.capitalize() + (f": {new}" if new else "")
        entries.append({"event": event, "what": what})
    return entries


def detail_context(user: Any, page: CasePage, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    bound = bound or {}
    case = page.case
    sidebar = []
    for name in SIDEBAR:
        offered = ACTIONS[name].offered(page)
        if offered or name in bound:
            sidebar.append(_action(name, page, bound, offered=offered))
    inline = {
        name: _action(name, page, bound, offered=ACTIONS[name].offered(page))
        for name in ("add_party", "add_allegation")
        if ACTIONS[name].offered(page) or name in bound
    }
    can_edit_parties = _open(page)
    party_rows = []
    for party in page.parties:
        key = f"party-{party.pk}"
        form = bound.get(key)
        if form is None and can_edit_parties:
            form = case_forms.PartyRoleForm(prefix=key, initial={"role": party.role})
        party_rows.append(
            {
                "party": party,
                "key": key,
                "form": form,
                "url": reverse("case-party-role", args=[case.pk, party.pk]) if can_edit_parties else "",
                "errors": error_summary(form) if form is not None and form.is_bound else [],
            }
        )
    release_errors = {
        key: form.non_field_errors() for key, form in bound.items() if key.startswith("member-")
    }
    active = {f"member-{member.pk}" for member in page.team}
    # A refused release of someone no longer on the team has no row to show its message on.
    team_notices = [
        str(error) for key, errors in release_errors.items() if key not in active for error in errors
    ]
    member_rows: list[dict[str, Any]] = [
        {
            "member": member,
            "url": reverse("case-release-member", args=[case.pk, member.pk])
            if _supervising(page) and member.ended_at is None
            else "",
            "errors": release_errors.get(f"member-{member.pk}", []),
        }
        for member in page.members
    ]
    return {
        "page": page,
        "case": case,
        "sidebar": sidebar,
        "inline": inline,
        "moves": _moves(user, page, bound),
        "party_rows": party_rows,
        "member_rows": member_rows,
        "team_notices": team_notices,
        "history": _history(page),
        "now": page.now,
        "agency_tz": agency_time_zone(),
    }


def render_detail(
    request: HttpRequest, page: CasePage, *, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    context = detail_context(request.user, page, bound)
    return render(request, "investigations/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = queries.case_page(request.user, pk)
    return render_detail(request, page)


# Acting


def _refused(request: HttpRequest, pk: int, key: str, form: forms.Form, status: int) -> HttpResponse:
    # Shown again with the refusal: that is a view of the record, audited like any other.
    page = queries.case_page(request.user, pk)
    return render_detail(request, page, bound={key: form}, status=status)


def _run(
    request: HttpRequest,
    pk: int,
    key: str,
    form: forms.Form,
    *,
    perform: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """Validate the form, call the service, and redirect with a message or show the refusal."""
    status = 400
    if form.is_valid():
        try:
            perform()
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not do this.")
            status = 403
        except ValidationError as error:
            case_forms.apply_service_errors(error, form, getattr(form, "SERVICE_NAMES", None))
        else:
            messages.success(request, done)
            return redirect("case-detail", pk=pk)
    return _refused(request, pk, key, form, status)


def _act(request: HttpRequest, pk: int, *, name: str) -> HttpResponse:
    user = request.user
    case = queries.get_case_for(user, pk)
    action = ACTIONS[name]
    form = action.make_form(request.POST, case=case, page=None, prefix=name)
    done = action.done.format(number=case.number)

    def perform() -> Any:
        return action.perform(user, case, form.cleaned_data)

    return _run(request, pk, name, form, perform=perform, done=done)


def _action_view(name: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, name=name)

    view.__name__ = f"case_{name}"
    view.__doc__ = f"POST: {ACTIONS[name].title.lower()} through the case service."
    return view


edit_view = _action_view("edit")
assign_lead_view = _action_view("assign_lead")
add_member_view = _action_view("add_member")
convert_view = _action_view("convert")
transfer_view = _action_view("transfer")
reopen_view = _action_view("reopen")
add_party_view = _action_view("add_party")
add_allegation_view = _action_view("add_allegation")


@login_required
@require_POST
def move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: move the case to another status (the target comes with the form)."""
    user = request.user
    case = queries.get_case_for(user, pk)
    target = str(request.POST.get("target", ""))
    if target not in S.values:
        # Each move's form carries its own prefix; find the one that was posted.
        target = next(
            (value for value in S.values if f"move-{value}-target" in request.POST),
            "",
        )
    key = f"move-{target}" if target else "move"
    form = case_forms.MoveForm(request.POST, prefix=key)
    label = CASE_FLOW.labels.get(target, target)

    def perform() -> Any:
        return _move(user, case, form.cleaned_data)

    return _run(request, pk, key, form, perform=perform, done=f"{case.number} moved to {label}.")


@login_required
@require_POST
def release_member_view(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    """POST: take an agent off the case team."""
    user = request.user
    case = queries.get_case_for(user, pk)
    member = CaseMember.objects.filter(case=case, pk=member_id).select_related("user").first()
    if member is None:
        raise Http404("No such team member")
    key = f"member-{member.pk}"
    form = forms.Form(request.POST)
    name = member.user.get_full_name() or member.user.get_username()

    def perform() -> Any:
        return services.release_member(actor=user, case=case, member=member)

    return _run(request, pk, key, form, perform=perform, done=f"{name} released from {case.number}.")


@login_required
@require_POST
def party_role_view(request: HttpRequest, pk: int, party_id: int) -> HttpResponse:
    """POST: change a party's role (a witness who becomes a subject, and so on)."""
    user = request.user
    case = queries.get_case_for(user, pk)
    party = CaseParty.objects.filter(case=case, pk=party_id).first()
    if party is None:
        raise Http404("No such party")
    key = f"party-{party.pk}"
    form = case_forms.PartyRoleForm(request.POST, prefix=key)

    def perform() -> Any:
        data = form.cleaned_data
        return services.change_party_role(actor=user, party=party, role=data["role"], reason=data["reason"])

    return _run(request, pk, key, form, perform=perform, done=f"Role changed on {case.number}.")
