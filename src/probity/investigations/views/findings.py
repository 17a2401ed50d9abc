"""Screens for findings, the sufficiency review and the Report of Investigation.

The case page's findings and reports sections post here. The finding and review forms also have
their own pages, where a refusal is shown with the messages and what was typed; a refused button
(submit for review, generate the report) shows the case page again with the message. Every
success goes back to the case page with a message. The services guarantee a refusal wrote nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from probity.core import audit
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction
from probity.core.workflow import IllegalTransition
from probity.intake.forms import apply_service_errors, error_summary
from probity.investigations import queries
from probity.investigations.forms_findings import FindingForm, ReviewForm
from probity.investigations.models import Case, CaseAllegation, ChecklistItem, ReportVersion
from probity.investigations.services.cases import require_case_worker
from probity.investigations.services.findings import allegation_label, record_finding
from probity.investigations.services.reports import FORMATS, generate_report, open_report
from probity.investigations.services.review import decide_review, require_reviewer, submit_for_review
from probity.investigations.views.cases import render_detail


def _back(pk: int, section: str) -> str:
    return reverse("case-detail", args=[pk]) + f"#section-{section}"


def _attempt(form: forms.Form, work: Callable[[], Any]) -> int:
    """Call the service; 0 when it worked, else the status to show the form again with."""
    try:
        work()
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You may not do this.")
        return 403
    except IllegalTransition as error:
        form.add_error(None, " ".join(error.messages))
        return 409
    except ValidationError as error:
        apply_service_errors(error, form)
        return 400
    return 0


def _form_page(request: HttpRequest, template: str, context: dict[str, Any], status: int) -> HttpResponse:
    form = context["form"]
    context["errors"] = error_summary(form) if form.is_bound else []
    return render(request, template, context, status=status)


# Findings


@login_required
def finding_view(request: HttpRequest, pk: int, allegation_id: int) -> HttpResponse:
    """GET: the finding form of one allegation; POST: record (or revise) it."""
    user = request.user
    case = queries.get_case_for(user, pk)
    require_case_worker(user, case)
    allegation = (
        CaseAllegation.objects.filter(case=case, pk=allegation_id)
        .select_related("subject__employee", "category", "finding")
        .prefetch_related("finding__evidence")
        .first()
    )
    if allegation is None:
        raise Http404("No such allegation in this case")
    evidence = list(case.evidence.order_by("number"))
    status = 200
    if request.method == "POST":
        form = FindingForm(request.POST, evidence=evidence)
        status = 400
        if form.is_valid():
            status = _attempt(
                form,
                lambda: record_finding(
                    actor=user,
                    allegation=allegation,
                    outcome=form.cleaned_data["outcome"],
                    rationale=form.cleaned_data["rationale"],
                    evidence=form.chosen_evidence(),
                ),
            )
            if not status:
                messages.success(request, f"Finding on {allegation_label(allegation)} recorded.")
                return redirect(_back(case.pk, "findings"))
    else:
        finding = getattr(allegation, "finding", None)
        initial = (
            {
                "outcome": finding.outcome,
                "rationale": finding.rationale,
                "evidence": [str(item.pk) for item in finding.evidence.all()],
            }
            if finding
            else {}
        )
        form = FindingForm(initial=initial, evidence=evidence)
        audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": "web", "part": "finding"})
    context = {"case": case, "allegation": allegation, "label": allegation_label(allegation), "form": form}
    return _form_page(request, "investigations/finding_form.html", context, status)


# Review


@login_required
@require_POST
def submit_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: report drafting → sufficiency review."""
    user = request.user
    case = queries.get_case_for(user, pk)
    return _button(
        request,
        case,
        lambda: submit_for_review(actor=user, case=case),
        "findings",
        f"{case.number} submitted for sufficiency review.",
    )


@login_required
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the sufficiency checklist and decision; POST: decide the open review round."""
    user = request.user
    case = queries.get_case_for(user, pk)
    require_reviewer(user, case)
    items = list(ChecklistItem.objects.filter(active=True).order_by("sort_order", "code"))
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, items=items)
        status = 400
        if form.is_valid():
            approve = form.approve
            status = _attempt(
                form,
                lambda: decide_review(
                    actor=user,
                    case=case,
                    answers=form.answers(),
                    approve=approve,
                    comments=form.cleaned_data["comments"],
                ),
            )
            if not status:
                done = (
                    f"{case.number} approved and closed; the final report was generated."
                    if approve
                    else f"{case.number} returned to the agents for more work."
                )
                messages.success(request, done)
                return redirect(_back(case.pk, "findings"))
    else:
        form = ReviewForm(items=items)
        audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": "web", "part": "review"})
    allegations = list(
        CaseAllegation.objects.filter(case=case)
        .select_related("subject__employee", "category", "finding")
        .prefetch_related("finding__evidence")
        .order_by("subject_id", "category__sort_order", "pk")
    )
    context = {"case": case, "form": form, "allegations": allegations}
    return _form_page(request, "investigations/review_form.html", context, status)


# Reports


@login_required
@require_POST
def generate_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: generate the next version of the Report of Investigation."""
    user = request.user
    case = queries.get_case_for(user, pk)
    return _button(
        request,
        case,
        lambda: generate_report(actor=user, case=case),
        "reports",
        f"A new version of the report of {case.number} was generated.",
    )


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int, version: int, fmt: str) -> HttpResponseBase:
    """GET: one format of one version, verified and audited."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    case: Case = queries.get_case_for(request.user, pk)
    report = (
        ReportVersion.objects.filter(case=case, version=version).select_related("case", "pdf", "docx").first()
    )
    if report is None:
        raise Http404("No such report version")
    try:
        opened = open_report(actor=request.user, report=report, fmt=fmt)
    except FileIntegrityError:
        return render(request, "core/files/integrity_failed.html", {}, status=409)
    response = FileResponse(
        opened.content, as_attachment=True, filename=opened.filename, content_type=opened.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _button(
    request: HttpRequest, case: Case, work: Callable[[], Any], section: str, done: str
) -> HttpResponse:
    """A form without fields: on refusal, the case page again with the message."""
    try:
        work()
    except PermissionDenied as error:
        return _refused(request, case, str(error) or "You may not do this.", 403)
    except IllegalTransition as error:
        return _refused(request, case, " ".join(error.messages), 409)
    except ValidationError as error:
        return _refused(request, case, " ".join(error.messages), 400)
    messages.success(request, done)
    return redirect(_back(case.pk, section))


def _refused(request: HttpRequest, case: Case, message: str, status: int) -> HttpResponse:
    messages.error(request, message)
    # Shown again with the refusal: a view of the record, audited like any other.
    return render_detail(request, queries.case_page(request.user, case.pk), status=status)
