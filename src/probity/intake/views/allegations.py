"""Staff screens for one allegation: recording it, reading it, and acting on it.

Each action is a POST to its own small view that calls one service. A refusal (an illegal
transition, invalid input, a missing permission) re-shows the page with the message and the
typed input; the service's transaction guarantees nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from probity.core import access
from probity.core.deadlines import agency_time_zone
from probity.core.models import Deadline, Employee, FileAttachment, Role
from probity.core.queries.people import search_employees, with_current_assignment
from probity.core.services.files import attach_file
from probity.intake import queries
from probity.intake.duplicates import visible_suggestions
from probity.intake.forms import (
    PERSON_PREFIX,
    PERSON_PREFIX_PATTERN,
    AllegationForm,
    ApproveClosureForm,
    AssignForm,
    BasePersonFormSet,
    OigAnswerForm,
    PersonForm,
    ReferForm,
    RejectClosureForm,
    RouteForm,
    TriageForm,
    allegation_input,
    apply_service_errors,
    error_summary,
    person_formset,
)
from probity.intake.models import Allegation, AllegationStatus, OigAnswer, OigReferral
from probity.intake.services import triage
from probity.intake.services.record import MAX_PEOPLE, RECORDING_ROLES, record_allegation
from probity.intake.workflow import ALLEGATION_FLOW

S = AllegationStatus

MIN_QUERY = 2


def require_recorder(user: Any) -> None:
    # 404, not 403: to anyone else the recording screens do not exist.
    if not user.has_role(*RECORDING_ROLES):
        raise Http404("No such page")


# Recording


def _selected_employees(formset: BasePersonFormSet) -> dict[str, Employee]:
    """The employee each row has chosen, read in one query, keyed by the row's prefix."""
    chosen: dict[str, str] = {}
    for form in formset.forms:
        value = form["employee"].value()
        if value and str(value).isdigit():
            chosen[form.prefix or ""] = str(value)
    if not chosen:
        return {}
    employees = with_current_assignment(
        Employee.objects.filter(pk__in=set(chosen.values())).defer("date_of_birth")
    )
    by_pk = {str(employee.pk): employee for employee in employees}
    return {prefix: by_pk[pk] for prefix, pk in chosen.items() if pk in by_pk}


def _form_context(
    request: HttpRequest,
    form: AllegationForm,
    formset: BasePersonFormSet,
    *,
    find: str = "",
) -> dict[str, Any]:
    selected = _selected_employees(formset)
    rows = []
    for number, person in enumerate(formset.forms, start=1):
        prefix = person.prefix or ""
        results = None
        if find == prefix:  # the no-script "Find" button of this row
            results = _search(request.user, str(person["employee_query"].value() or ""))
        rows.append({"form": person, "number": number, "selected": selected.get(prefix), "results": results})
    errors = error_summary(form, formset) if form.is_bound else []
    return {
        "form": form,
        "formset": formset,
        "rows": rows,
        "errors": errors,
        "files_dropped": form.is_bound and bool(request.FILES),
    }


def _record(request: HttpRequest, form: AllegationForm, formset: BasePersonFormSet) -> Allegation | None:
    """Record and attach in one transaction; on any problem put it on the form, write nothing."""
    valid = form.is_valid()
    if not (formset.is_valid() and valid):
        return None
    user = request.user
    uploads = form.cleaned_data.get("attachments") or []
    try:
        with transaction.atomic():
            allegation = record_allegation(actor=user, data=allegation_input(form, formset.people()))
            _attach_all(user, allegation, uploads)
    except ValidationError as error:
        apply_service_errors(error, form, formset)
        return None
    except Http404:
        # attach_file refuses a record the user may not see: a supervisor recording for an
        # office outside their scope.
        form.add_error(
            "office",
            "You can attach files only to allegations in your office scope. "
            "Choose an office in your scope, or record it without files.",
        )
        return None
    return allegation


def _attach_all(user: Any, allegation: Allegation, uploads: list[Any]) -> None:
    problems: list[str] = []
    for upload in uploads:
        try:
            attach_file(actor=user, record=allegation, upload=upload, filename=upload.name)
        except ValidationError as error:
            problems.extend(f"{upload.name}: {message}" for message in error.messages)
    if problems:
        raise ValidationError({"attachments": problems})


@login_required
def allegation_new(request: HttpRequest) -> HttpResponse:
    require_recorder(request.user)
    if request.method != "POST":
        form = AllegationForm()
        formset = person_formset()
        return render(request, "intake/staff/new.html", _form_context(request, form, formset))
    form = AllegationForm(request.POST, request.FILES)
    adding = "add_person" in request.POST
    find = str(request.POST.get("find_people", ""))
    formset = person_formset(request.POST, extra_rows=1 if adding else 0)
    if not adding and not find:
        allegation = _record(request, form, formset)
        if allegation is not None:
            return _recorded(request, allegation)
    else:
        # Adding a row or finding an employee without scripts: show the form again, unjudged.
        form = AllegationForm(initial=_unjudged(form))
    return render(request, "intake/staff/new.html", _form_context(request, form, formset, find=find))


def _unjudged(form: AllegationForm) -> dict[str, Any]:
    """The typed values of a bound form, to show again as initial values without errors."""
    values: dict[str, Any] = {}
    for name, field in form.fields.items():
        if name == "attachments":
            continue
        widget = field.widget
        values[name] = widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
    return values


def _recorded(request: HttpRequest, allegation: Allegation) -> HttpResponse:
    if access.can_view(request.user, allegation):
        messages.success(request, f"Allegation {allegation.number} recorded.")
        return redirect("allegation-detail", pk=allegation.pk)
    messages.success(
        request,
        f"Allegation {allegation.number} recorded. It concerns an office outside your scope, "
        "so it is not in your queue.",
    )
    return redirect("intake-queue")


@login_required
@require_GET
def person_row(request: HttpRequest) -> HttpResponse:
    """One more blank person for the recording form (htmx), and the formset's new total."""
    require_recorder(request.user)
    try:
        index = int(request.GET.get(f"{PERSON_PREFIX}-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < MAX_PEOPLE:
        return HttpResponse(status=204)
    form = PersonForm(prefix=f"{PERSON_PREFIX}-{index}")
    form.fields["role"].widget.attrs["autofocus"] = True  # htmx focuses it once swapped in
    row = {"form": form, "number": index + 1, "selected": None, "results": None}
    context = {"row": row, "total": index + 1}
    return render(request, "intake/staff/_person_row_added.html", context)


def _search(user: Any, q: str) -> Page[Employee] | None:
    q = q.strip()
    if len(q) < MIN_QUERY:
        return None
    return search_employees(user, q)


@login_required
@require_GET
def employee_picker(request: HttpRequest) -> HttpResponse:
    """Directory matches for one person row of the recording form, as radio buttons (htmx)."""
    require_recorder(request.user)
    prefix = request.GET.get("prefix", "")
    if not PERSON_PREFIX_PATTERN.match(prefix):
        raise Http404("No such person row")
    q = request.GET.get(f"{prefix}-employee_query", "")
    selected = None
    chosen = request.GET.get(f"{prefix}-employee", "")
    if chosen.isdigit():
        selected = with_current_assignment(Employee.objects.filter(pk=chosen).defer("date_of_birth")).first()
    context = {"prefix": prefix, "results": _search(request.user, q), "selected": selected, "q": q.strip()}
    return render(request, "intake/staff/_picker_results.html", context)


# Reading

ACTION_FORMS: dict[str, type[forms.Form]] = {
    "triage": TriageForm,
    "refer": ReferForm,
    "oig_answer": OigAnswerForm,
    "route": RouteForm,
    "approve_closure": ApproveClosureForm,
    "reject_closure": RejectClosureForm,
    "assign": AssignForm,
}
# Which action form offers each move of the allegation's workflow.
ACTION_FOR_MOVE: dict[tuple[str, str], str] = {
    (S.RECEIVED, S.TRIAGED): "triage",
    (S.TRIAGED, S.OIG_PENDING): "refer",
    (S.OIG_PENDING, S.OIG_ACCEPTED): "oig_answer",
    (S.OIG_PENDING, S.TRIAGED): "oig_answer",
    (S.TRIAGED, S.ROUTED): "route",
    (S.TRIAGED, S.CLOSURE_PENDING): "route",
    (S.CLOSURE_PENDING, S.CLOSED): "approve_closure",
    (S.CLOSURE_PENDING, S.TRIAGED): "reject_closure",
}
ACTION_TITLES = {
    "triage": ("Triage", "Record seriousness"),
    "refer": ("Refer to OIG", "Send the referral"),
    "oig_answer": ("Record OIG's answer", "Record the answer"),
    "route": ("Route", "Record the routing decision"),
    "approve_closure": ("Approve closure", "Approve and close"),
    "reject_closure": ("Reject closure", "Reject and return to triage"),
    "assign": ("Assign", "Assign"),
}
ASSIGNERS = frozenset({Role.INTAKE, Role.SUPERVISOR})


def available_actions(user: Any, allegation: Allegation) -> list[str]:
    """The action forms this user may use now, in workflow order (the service decides finally)."""
    names = [
        ACTION_FOR_MOVE[(allegation.status, target)]
        for target in ALLEGATION_FLOW.targets_for(user, allegation.status)
        if (allegation.status, target) in ACTION_FOR_MOVE
    ]
    if allegation.closure_requested_by_id == user.pk:
        # Whoever asked for a closure may withdraw it, but another supervisor approves it.
        names = [name for name in names if name != "approve_closure"]
    if allegation.status != S.CLOSED and user.has_role(*ASSIGNERS):
        names.append("assign")
    return list(dict.fromkeys(names))


def _actions(user: Any, allegation: Allegation, bound: dict[str, forms.Form]) -> list[dict[str, Any]]:
    actions = []
    for name in available_actions(user, allegation):
        form = bound.get(name) or ACTION_FORMS[name](prefix=name)
        url = reverse(f"allegation-{name.replace('_', '-')}", args=[allegation.pk])
        actions.append(_action(name, form, url))
    for name, form in bound.items():  # a refused action the user can no longer take: keep its message
        if name not in {action["name"] for action in actions}:
            actions.append(_action(name, form, ""))
    return actions


def _action(name: str, form: forms.Form, url: str) -> dict[str, Any]:
    title, button = ACTION_TITLES[name]
    errors = error_summary(form) if form.is_bound else []
    return {"name": name, "title": title, "button": button, "form": form, "url": url, "errors": errors}


def _timeline(allegation: Allegation, referrals: list[OigReferral]) -> list[dict[str, Any]]:
    """The referral and routing history, read from the allegation's own rows (not the audit trail)."""
    entries: list[dict[str, Any]] = [
        {
            "at": allegation.received_at,
            "what": f"Received ({allegation.get_channel_display()})",
            "who": allegation.created_by,
            "note": "",
        }
    ]
    for referral in referrals:
        entries.append(
            {
                "at": referral.sent_at,
                "what": "Referred to OIG",
                "who": referral.sent_by,
                "note": referral.note,
            }
        )
        if referral.answered_at:
            reference = f" (reference {referral.oig_reference})" if referral.oig_reference else ""
            entries.append(
                {
                    "at": referral.answered_at,
                    "what": f"{referral.get_answer_display()}{reference}",
                    "who": referral.answered_by,
                    "note": "",
                }
            )
    if allegation.routed_at and allegation.routing_outcome:
        what = (
            f"Closure requested: {allegation.get_routing_outcome_display()}"
            if allegation.status == S.CLOSURE_PENDING
            else f"Routed: {allegation.get_routing_outcome_display()}"
        )
        entries.append(
            {
                "at": allegation.routed_at,
                "what": what,
                "who": allegation.routed_by,
                "note": allegation.routing_rationale,
            }
        )
    if allegation.closed_at:
        entries.append(
            {"at": allegation.closed_at, "what": "Closed", "who": allegation.closure_approved_by, "note": ""}
        )
    return sorted(entries, key=lambda entry: entry["at"])


def detail_context(
    user: Any, allegation: Allegation, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    record_type = ContentType.objects.get_for_model(Allegation)
    on_record = {"content_type": record_type, "object_id": allegation.pk}
    referrals = list(allegation.oig_referrals.all())  # prefetched with their clocks, newest first
    now = timezone.now()
    pending = next((r for r in referrals if r.answer == OigAnswer.PENDING), None)
    linked: list[Allegation] = []
    if allegation.group_id is not None:
        group = Allegation.objects.filter(group_id=allegation.group_id).exclude(pk=allegation.pk)
        linked = list(access.visible(user, group).only("pk", "number", "summary", "status"))
    return {
        "allegation": allegation,
        "people": list(allegation.people.all()),
        "categories": list(allegation.categories.all()),
        "attachments": list(FileAttachment.objects.filter(**on_record).select_related("file")),
        "deadlines": list(
            Deadline.objects.filter(**on_record).select_related("rule", "owner").order_by("due_at")
        ),
        "referrals": referrals,
        "pending_referral": pending,
        "oig_overdue": bool(
            pending and pending.deadline and pending.deadline.is_open and pending.deadline.due_at < now
        ),
        "timeline": _timeline(allegation, referrals),
        "linked": linked,
        "actions": _actions(user, allegation, bound or {}),
        "suggestions": visible_suggestions(user, allegation),
        "now": now,
        "agency_tz": agency_time_zone(),
    }


def render_detail(
    request: HttpRequest,
    allegation: Allegation,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = detail_context(request.user, allegation, bound)
    return render(request, "intake/staff/detail.html", context, status=status)


@login_required
def allegation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    allegation = queries.get_allegation_for(request.user, pk)
    return render_detail(request, allegation)


# Acting

Perform = Callable[[Any, Allegation, dict[str, Any]], Any]


def _act(request: HttpRequest, pk: int, *, action: str, perform: Perform, done: str) -> HttpResponse:
    allegation = queries.get_allegation_for(request.user, pk, record_view=False)
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            perform(request.user, allegation, form.cleaned_data)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not do this.")
            allegation = queries.get_allegation_for(request.user, pk)
            return render_detail(request, allegation, bound={action: form}, status=403)
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, done.format(number=allegation.number))
            return redirect(reverse("allegation-detail", args=[allegation.pk]))
    # Shown again with the refusal: that is a view of the record, audited like any other.
    allegation = queries.get_allegation_for(request.user, pk)
    return render_detail(request, allegation, bound={action: form}, status=400)


def _triage(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.triage(
        actor=user, allegation=allegation, seriousness=data["seriousness"], note=data["note"]
    )


def _refer(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.refer_to_oig(actor=user, allegation=allegation, note=data["note"])


def _oig_answer(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.record_oig_answer(
        actor=user,
        allegation=allegation,
        answer=data["answer"],
        oig_reference=data["oig_reference"],
        note=data["note"],
    )


def _route(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.route(
        actor=user, allegation=allegation, outcome=data["outcome"], rationale=data["rationale"]
    )


def _approve(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.approve_closure(actor=user, allegation=allegation, note=data["note"])


def _reject(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.reject_closure(actor=user, allegation=allegation, reason=data["reason"])


def _assign(user: Any, allegation: Allegation, data: dict[str, Any]) -> Any:
    return triage.assign(actor=user, allegations=[allegation], assignee=data["assignee"])


def _action_view(action: str, perform: Perform, done: str) -> Callable[[HttpRequest, int], HttpResponse]:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _act(request, pk, action=action, perform=perform, done=done)

    view.__name__ = f"allegation_{action}"
    view.__doc__ = f"POST: {action} one allegation through its service."
    return view


triage_view = _action_view("triage", _triage, "{number} triaged.")
refer_view = _action_view("refer", _refer, "{number} referred to OIG; the answer clock has started.")
oig_answer_view = _action_view("oig_answer", _oig_answer, "OIG's answer on {number} recorded.")
route_view = _action_view("route", _route, "Routing decision on {number} recorded.")
approve_closure_view = _action_view("approve_closure", _approve, "Closure of {number} approved.")
reject_closure_view = _action_view(
    "reject_closure", _reject, "Closure of {number} rejected; it is back in triage."
)
assign_view = _action_view("assign", _assign, "{number} assigned.")
