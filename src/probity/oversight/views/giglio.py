"""Screens for the Giglio official: the request list, a new request, the request page (compile,
choose what goes out, approve and release, download the letter, withdraw) and judicial findings.

Only Giglio officials have these pages (404 for everyone else, and for a request about the
official's own record). Each action is a POST to its own small view that calls one service; a
refusal shows the request page again with the message, and the service wrote nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from probity.core import audit
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, Role
from probity.core.workflow import IllegalTransition
from probity.intake.forms import apply_service_errors, error_summary
from probity.oversight import queries_giglio as queries
from probity.oversight.forms_giglio import GiglioRequestForm, IncludeForm, JudicialFindingForm, WithdrawForm
from probity.oversight.models import GiglioRequest, GiglioStatus
from probity.oversight.services import giglio as services
from probity.oversight.workflow_giglio import GIGLIO_FLOW

S = GiglioStatus
PAGE_SIZE = 50


def require_giglio_user(user: Any) -> None:
    # 404, not 403: to other roles the Giglio screens do not exist.
    if not user.has_role(Role.GIGLIO):
        raise Http404("No such page")


def _request_for(user: Any, pk: int, *, record_view: bool = False) -> GiglioRequest:
    require_giglio_user(user)
    return queries.get_request_for(user, pk, record_view=record_view)


# The list


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_giglio_user(user)
    status = request.GET.get("status", queries.OPEN)
    if status not in queries.STATUS_FILTERS:
        status = queries.OPEN
    page = Paginator(queries.request_rows(user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {"request": row, "overdue": queries.is_overdue(row, now), "late": queries.was_late(row)}
        for row in page.object_list
    ]
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type="oversight.gigliorequest",
        detail={"status": status, "results": page.paginator.count},
    )
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "statuses": queries.STATUS_FILTERS.items(),
        "agency_tz": agency_time_zone(),
    }
    return render(request, "oversight/giglio/request_list.html", context)


# A new request, a judicial finding


def _form_page(request: HttpRequest, template: str, context: dict[str, Any], status: int) -> HttpResponse:
    form = context["form"]
    context["errors"] = error_summary(form) if form.is_bound else []
    return render(request, template, context, status=status)


def _attempt(form: Any, work: Callable[[], Any]) -> int:
    """Call the service; 0 when it worked, else the status to show the form again with."""
    try:
        work()
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You may not do this.")
        return 403
    except ValidationError as error:
        apply_service_errors(error, form)
        return 400
    return 0


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    """GET: the form for a prosecutor's request; POST: receive it (the clock starts)."""
    user: Any = request.user
    require_giglio_user(user)
    status = 200
    created: list[GiglioRequest] = []
    if request.method == "POST":
        form = GiglioRequestForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            status = _attempt(
                form,
                lambda: created.append(
                    services.receive_request(
                        actor=user,
                        prosecutor_office=data["prosecutor_office"],
                        requesting_official=data["requesting_official"],
                        prosecutor_case=data["prosecutor_case"],
                        employee=data["employee_number"],
                        needed_by=data["needed_by"],
                    )
                ),
            )
            if not status:
                received = created[0]
                messages.success(request, f"Request {received.number} received.")
                return redirect("giglio-request-detail", pk=received.pk)
    else:
        form = GiglioRequestForm()
    return _form_page(request, "oversight/giglio/request_form.html", {"form": form}, status)


@login_required
def judicial_finding_new(request: HttpRequest) -> HttpResponse:
    """GET: the form (prefilled from ?employee=); POST: record the court's finding."""
    user: Any = request.user
    require_giglio_user(user)
    back = None
    source = request.GET.get("request", "")
    if source.isdigit():
        back = queries.get_request_for(user, int(source), record_view=False)
    status = 200
    if request.method == "POST":
        form = JudicialFindingForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            status = _attempt(
                form,
                lambda: services.record_judicial_finding(
                    actor=user,
                    employee=data["employee_number"],
                    court=data["court"],
                    case_reference=data["case_reference"],
                    found_on=data["found_on"],
                    finding=data["finding"],
                ),
            )
            if not status:
                messages.success(
                    request, f"Judicial finding on {data['employee_number'].full_name} recorded."
                )
                if back is not None:
                    return redirect("giglio-request-detail", pk=back.pk)
                return redirect("giglio-request-list")
    else:
        form = JudicialFindingForm(initial={"employee_number": request.GET.get("employee", "")[:20]})
    context = {"form": form, "back": back}
    return _form_page(request, "oversight/giglio/judicial_finding_form.html", context, status)


# The request page


def detail_context(
    user: Any,
    giglio: GiglioRequest,
    *,
    include_form: IncludeForm | None = None,
    withdraw_form: WithdrawForm | None = None,
) -> dict[str, Any]:
    items = queries.items_for(user, giglio)
    include_form = include_form or IncludeForm(items=items.items)
    checked = {str(value) for value in include_form["items"].value() or []}
    targets = set(GIGLIO_FLOW.targets_for(user, giglio.status))
    now = timezone.now()
    return {
        "giglio": giglio,
        "items": items,
        "checked": checked,
        "include_form": include_form,
        "withdraw_form": withdraw_form or WithdrawForm(),
        "withdraw_errors": error_summary(withdraw_form) if withdraw_form is not None else [],
        "deadline": queries.response_deadline(giglio),
        "overdue": queries.is_overdue(giglio, now),
        "late": queries.was_late(giglio),
        "can_compile": S.COMPILED in targets or S.RECEIVED in targets,
        "can_choose": giglio.status == S.COMPILED,
        "can_release": S.RELEASED in targets and not items.withheld,
        "can_withdraw": S.WITHDRAWN in targets,
        "restricted_notice": services.RESTRICTED_NOTICE,
        "agency_tz": agency_time_zone(),
    }


def render_detail(
    request: HttpRequest, giglio: GiglioRequest, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = detail_context(request.user, giglio, **forms)
    return render(request, "oversight/giglio/request_detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    giglio = _request_for(request.user, pk, record_view=True)
    return render_detail(request, giglio)


def _refused(request: HttpRequest, pk: int, message: str, status: int, **forms: Any) -> HttpResponse:
    messages.error(request, message)
    # Shown again with the refusal: a view of the record, audited like any other.
    return render_detail(request, _request_for(request.user, pk, record_view=True), status=status, **forms)


def _button(request: HttpRequest, pk: int, work: Callable[[GiglioRequest], Any], done: str) -> HttpResponse:
    """A form without fields: on refusal, the request page again with the message."""
    giglio = _request_for(request.user, pk)
    try:
        work(giglio)
    except PermissionDenied as error:
        return _refused(request, pk, str(error) or "You may not do this.", 403)
    except IllegalTransition as error:
        return _refused(request, pk, " ".join(error.messages), 409)
    except ValidationError as error:
        return _refused(request, pk, " ".join(error.messages), 400)
    messages.success(request, done.format(number=giglio.number))
    return redirect("giglio-request-detail", pk=giglio.pk)


@login_required
@require_POST
def compile_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _button(
        request,
        pk,
        lambda giglio: services.compile_request(actor=user, request=giglio),
        "The information on the employee was compiled for {number}: review what goes out.",
    )


@login_required
@require_POST
def include_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    giglio = _request_for(user, pk)
    form = IncludeForm(request.POST, items=queries.items_for(user, giglio).items)
    if not form.is_valid():
        return _refused(request, pk, "Choose only items listed on this request.", 400, include_form=form)
    return _button(
        request,
        pk,
        lambda current: services.set_items_included(actor=user, request=current, included=form.chosen()),
        "Your choice of what goes out in the letter of {number} is saved.",
    )


@login_required
@require_POST
def release_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    return _button(
        request,
        pk,
        lambda giglio: services.approve_and_release(actor=user, request=giglio),
        "{number} approved and released; the response letter was generated.",
    )


@login_required
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        _request_for(user, pk)
        return _refused(request, pk, "Say why the request is withdrawn.", 400, withdraw_form=form)
    return _button(
        request,
        pk,
        lambda giglio: services.withdraw_request(
            actor=user, request=giglio, reason=form.cleaned_data["reason"]
        ),
        "{number} withdrawn.",
    )


@login_required
@require_GET
def letter_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the released response letter, verified and audited."""
    giglio = _request_for(request.user, pk)
    try:
        opened = services.open_letter(actor=request.user, request=giglio)
    except IllegalTransition:
        raise Http404("No letter yet") from None
    except FileIntegrityError:
        return render(request, "core/files/integrity_failed.html", {}, status=409)
    response = FileResponse(
        opened.content, as_attachment=True, filename=opened.filename, content_type=opened.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
