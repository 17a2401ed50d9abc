"""The Joint Intake Center's queue: filtered, sorted, paged allegations, and bulk assignment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from probity.core import access
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.intake import queries
from probity.intake.forms import AssignForm, BulkAssignForm, QueueFilterForm
from probity.intake.models import Allegation
from probity.intake.queries import QueueFilters
from probity.intake.services import triage

QUEUE_ROLES = frozenset({Role.INTAKE, Role.SUPERVISOR})
PAGE_SIZE = 50


def require_queue_user(user: Any) -> None:
    # 404, not 403: to other roles the queue does not exist (they reach allegations by assignment).
    if not user.has_role(*QUEUE_ROLES):
        raise Http404("No such page")


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    # A history restore after a cache miss needs the whole page, not the table.
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_queue_user(user)
    filters = QueueFilters.from_query(request.GET)
    rows = queries.allegation_queue(user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    queries.record_queue_search(user, filters, results=page.paginator.count)
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "now": timezone.now(),
        "agency_tz": agency_time_zone(),
    }
    if _partial(request):
        template = "intake/staff/_queue_table.html"
    else:
        template = "intake/staff/queue.html"
        context |= {
            "form": QueueFilterForm.for_filters(filters),
            "counts": queries.queue_counts(user),
            "assign_form": AssignForm(),
        }
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back(request: HttpRequest) -> str:
    """Where to return after a bulk action: the queue page it came from, with its filters."""
    queue_url = reverse("intake-queue")
    target = str(request.POST.get("next", ""))
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if safe and target.startswith(queue_url) else queue_url


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_queue_user(user)
    form = BulkAssignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(_back(request))
    pks = set(form.cleaned_data["allegations"])
    chosen = list(access.visible(user, Allegation.objects.filter(pk__in=pks)).only("pk"))
    if len(chosen) < len(pks):
        messages.error(
            request, "Some of the selected allegations are not available to you; nothing was assigned."
        )
        return redirect(_back(request))
    assignee = form.cleaned_data["assignee"]
    try:
        changed = triage.assign(actor=user, allegations=chosen, assignee=assignee)
    except (PermissionDenied, ValidationError, Http404) as error:
        refusal: list[str] = error.messages if isinstance(error, ValidationError) else [str(error)]
        for message in refusal:
            messages.error(request, f"Nothing was assigned: {message}")
        return redirect(_back(request))
    name = assignee.get_full_name() or assignee.get_username()
    unchanged = len(chosen) - changed
    note = f" ({unchanged} already were)" if unchanged else ""
    messages.success(request, f"Assigned {changed} allegation{'s' if changed != 1 else ''} to {name}{note}.")
    return redirect(_back(request))
