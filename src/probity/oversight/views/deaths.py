"""Deaths-in-custody screens: the list, recording a death, one death's page (its clocks and its
review), the review report download and the DCRA export.

Each action is a POST to a small view that calls one service in `oversight/services/deaths.py`.
A refusal shows the death's page again with the message (and what was typed); the service's
transaction guarantees nothing was written. To users who are neither program managers nor
supervisors nor a death's reviewer these screens do not exist (404).
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
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from probity.core import audit
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction
from probity.core.workflow import IllegalTransition
from probity.intake.forms import apply_service_errors, error_summary
from probity.oversight import queries_deaths as queries
from probity.oversight.forms_deaths import (
    DcraForm,
    DeathFilterForm,
    DeathForm,
    ReviewerForm,
    ReviewForm,
    StepForm,
)
from probity.oversight.models import DeathInCustody, DeathReviewStatus
from probity.oversight.services import deaths as services

PAGE_SIZE = 50


def _require_death_pages(user: Any) -> None:
    # 404, not 403: to other roles the death screens do not exist.
    if not queries.may_use_death_pages(user):
        raise Http404("No such page")


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# The list


@login_required
@require_GET
def death_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    _require_death_pages(user)
    filters = queries.DeathFilters.from_query(request.GET)
    rows = queries.death_list(user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    queries.record_death_search(user, filters, results=page.paginator.count)
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "now": timezone.now(),
        "agency_tz": agency_time_zone(),
        "may_record": services.may_record(user),
        "may_export": services.may_manage(user),
    }
    if _partial(request):
        template = "oversight/deaths/_table.html"
    else:
        template = "oversight/deaths/list.html"
        context["form"] = DeathFilterForm(
            initial={"year": filters.year or "", "agency": filters.agency, "facility": filters.facility},
            years=queries.years(user),
        )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Recording a death


@login_required
def death_record(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not services.may_record(user):
        raise Http404("No such page")
    if request.method != "POST":
        return render(request, "oversight/deaths/record.html", {"form": DeathForm(), "errors": []})
    form = DeathForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            death = services.record_death(actor=user, **form.service_arguments())
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not record a death.")
            status = 403
        except ValidationError as error:
            apply_service_errors(error, form)
        else:
            messages.success(request, f"Death {death.number} recorded; its clocks have started.")
            return redirect("death-detail", pk=death.pk)
    context = {"form": form, "errors": error_summary(form)}
    return render(request, "oversight/deaths/record.html", context, status=status)


# One death


def render_detail(
    request: HttpRequest,
    death: DeathInCustody,
    *,
    status: int = 200,
    review_form: ReviewForm | None = None,
    reviewer_form: ReviewerForm | None = None,
) -> HttpResponse:
    """The death's page, audited as a view (also when shown again after a refusal)."""
    user: Any = request.user
    review = queries.review_of(death)
    clocks = services.clocks_of(death)
    manager = services.may_manage(user)
    review_open = review is None or review.status == DeathReviewStatus.OPEN
    may_review = services.may_review(user, review) and review_open
    if review_form is None and may_review and review is not None:
        review_form = ReviewForm(
            initial={
                "standards": review.standards,
                "facts": review.facts,
                "compliance": review.compliance,
                "findings": review.findings,
            }
        )
    if reviewer_form is None and manager and review_open:
        reviewer_form = ReviewerForm(initial={"reviewer": review.reviewer_id if review else None})
    audit.record(AuditAction.VIEW, actor=user, obj=death, detail={"channel": "web"})
    context = {
        "death": death,
        "clocks": clocks,
        "review": review,
        "manager": manager,
        "may_review": may_review,
        "review_form": review_form if may_review else None,
        "review_errors": error_summary(review_form)
        if review_form is not None and review_form.is_bound
        else [],
        "reviewer_form": reviewer_form if manager and review_open else None,
        "clock_rows": [(clock, StepForm(prefix=clock.key)) for clock in clocks],
        "now": timezone.now(),
        "agency_tz": agency_time_zone(),
    }
    return render(request, "oversight/deaths/detail.html", context, status=status)


@login_required
@require_GET
def death_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, queries.get_death_for(request.user, pk))


def _status_of(error: Exception) -> int:
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, IllegalTransition):
        return 409
    return 400


def _act(
    request: HttpRequest, death: DeathInCustody, work: Callable[[], Any], done: str, section: str
) -> HttpResponse:
    """Call the service: on success back to the page with `done`; else the page with the reason."""
    try:
        work()
    except (PermissionDenied, ValidationError) as error:
        message = str(error) if isinstance(error, PermissionDenied) else " ".join(error.messages)
        messages.error(request, message or "You may not do this.")
        return render_detail(request, death, status=_status_of(error))
    messages.success(request, done)
    return redirect(reverse("death-detail", args=[death.pk]) + f"#section-{section}")


@login_required
@require_POST
def death_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """POST: meet one clock (notification, public-release, report-30, report-90)."""
    death = queries.get_death_for(request.user, pk)
    if step not in services.STEP_BY_KEY:
        raise Http404("No such step")
    form = StepForm(request.POST, prefix=step)
    if not form.is_valid():
        messages.error(request, " ".join(message for _, message in error_summary(form)))
        return render_detail(request, death, status=400)
    label = services.STEP_BY_KEY[step].done
    return _act(
        request,
        death,
        lambda: services.meet_step(
            actor=request.user, death=death, step=step, at=form.moment(), note=form.cleaned_data["note"]
        ),
        f"{label} for {death.number}.",
        "clocks",
    )


@login_required
@require_POST
def death_reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: assign (or change) the reviewer."""
    death = queries.get_death_for(request.user, pk)
    form = ReviewerForm(request.POST)
    if not form.is_valid():
        return render_detail(request, death, status=400, reviewer_form=form)
    reviewer = form.cleaned_data["reviewer"]
    return _act(
        request,
        death,
        lambda: services.assign_reviewer(actor=request.user, death=death, reviewer=reviewer),
        f"{reviewer.get_full_name() or reviewer.get_username()} reviews {death.number}.",
        "review",
    )


@login_required
@require_POST
def death_review(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: save the review's standards, facts, compliance and findings."""
    death = queries.get_death_for(request.user, pk)
    form = ReviewForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.update_review(actor=request.user, death=death, **form.cleaned_data)
        except (PermissionDenied, ValidationError) as error:
            if isinstance(error, ValidationError) and not isinstance(error, IllegalTransition):
                apply_service_errors(error, form)
            else:
                message = str(error) if isinstance(error, PermissionDenied) else " ".join(error.messages)
                form.add_error(None, message)
            status = _status_of(error)
        else:
            messages.success(request, f"The review of {death.number} was saved.")
            return redirect(reverse("death-detail", args=[death.pk]) + "#section-review")
    return render_detail(request, death, status=status, review_form=form)


@login_required
@require_POST
def death_review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: complete the review; its report PDF is generated."""
    death = queries.get_death_for(request.user, pk)
    return _act(
        request,
        death,
        lambda: services.complete_review(actor=request.user, death=death),
        f"The review of {death.number} is complete; its report was generated.",
        "review",
    )


@login_required
@require_GET
def death_review_report(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET: the review report PDF, verified and audited."""
    death = queries.get_death_for(request.user, pk)
    try:
        opened = services.open_review_report(actor=request.user, death=death)
    except FileIntegrityError:
        return render(request, "core/files/integrity_failed.html", {}, status=409)
    response = FileResponse(
        opened.content, as_attachment=True, filename=opened.filename, content_type=opened.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The DCRA export


@login_required
@require_GET
def dcra_export(request: HttpRequest) -> HttpResponse:
    """GET: the year form; with ?year=, the CSV for that year (audited as an export)."""
    user: Any = request.user
    if not services.may_manage(user):
        raise Http404("No such page")
    status = 200
    if "year" in request.GET:
        form = DcraForm(request.GET)
        status = 400
        if form.is_valid():
            year, agency = form.cleaned_data["year"], form.cleaned_data["agency"] or None
            try:
                data = services.dcra_export(actor=user, year=year, agency=agency)
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                name = f"dcra-{year}" + (f"-{agency.lower()}" if agency else "") + ".csv"
                response = HttpResponse(data, content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                response["X-Content-Type-Options"] = "nosniff"
                response["Cache-Control"] = "private, no-store"
                return response
    else:
        form = DcraForm(initial={"year": timezone.localdate(timezone=agency_time_zone()).year - 1})
    context = {
        "form": form,
        "errors": error_summary(form) if form.is_bound else [],
        "years": queries.years(user),
        "columns": services.DCRA_COLUMNS,
    }
    return render(request, "oversight/deaths/dcra.html", context, status=status)
