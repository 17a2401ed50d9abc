"""Screens for the investigative work of a case: the plan, the activity log, interviews,
evidence and its chain of custody, and the downloads of their files.

Each form has its own small page (reached from the case page's work and evidence sections);
a POST calls one service and goes back to the case page with a message. A refusal shows the
form again with the messages and what was typed (files must be chosen again); the service
guarantees nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.intake.forms import apply_service_errors, error_summary
from probity.investigations import forms_work as work_forms
from probity.investigations import queries
from probity.investigations.models import Case, DisposalRequest, EvidenceItem, PlanStep
from probity.investigations.services import evidence as evidence_services
from probity.investigations.services import work as work_services
from probity.investigations.services.cases import require_case_worker, require_supervisor

Perform = Callable[[Any, Case, dict[str, Any], dict[str, Any]], str]


@dataclass(frozen=True)
class FormPage:
    """One form page: its form, its words, and the service call that makes it happen."""

    form: Callable[..., forms.Form]
    title: str
    button: str
    perform: Perform  # (user, case, cleaned data, url ids) → the success message
    intro: str = ""
    files: bool = False
    supervisor: bool = False  # only supervisors use it (deciding a disposal)
    initial: Callable[[], dict[str, Any]] = dict


def _form_view(page: FormPage, name: str) -> Callable[..., HttpResponse]:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int, **ids: int) -> HttpResponse:
        user = request.user
        case = queries.get_case_for(user, pk)
        (require_supervisor if page.supervisor else require_case_worker)(user, case)
        subject = _subject(case, ids)
        status = 200
        if request.method == "POST":
            form = page.form(request.POST, request.FILES, case=case)
            status = 400
            if form.is_valid():
                try:
                    done = page.perform(user, case, form.cleaned_data, ids)
                except PermissionDenied as error:
                    form.add_error(None, str(error) or "You may not do this.")
                    status = 403
                except ValidationError as error:
                    apply_service_errors(error, form)
                else:
                    messages.success(request, done)
                    return redirect(reverse("case-detail", args=[case.pk]))
        else:
            form = page.form(case=case, initial=page.initial())
        context = {
            "case": case,
            "subject": subject,
            "form": form,
            "page_info": page,
            "errors": error_summary(form) if form.is_bound else [],
            "files_dropped": form.is_bound and bool(request.FILES),
            "agency_tz": agency_time_zone(),
        }
        return render(request, "investigations/work/form.html", context, status=status)

    view.__name__ = name
    view.__doc__ = f"GET: the form to {page.title.lower()}; POST: do it through the service."
    return view


def _subject(case: Case, ids: dict[str, int]) -> Any:
    """The item or request the page is about, within the case (404 otherwise)."""
    if "item_pk" in ids:
        return get_object_or_404(EvidenceItem, pk=ids["item_pk"], case=case)
    if "request_pk" in ids:
        return get_object_or_404(
            DisposalRequest.objects.select_related("item", "requested_by"),
            pk=ids["request_pk"],
            item__case=case,
        )
    return None


def _without_case(form_class: type[forms.Form]) -> Callable[..., forms.Form]:
    """A form whose choices do not depend on the case."""

    def make(*args: Any, case: Case, **kwargs: Any) -> forms.Form:
        return form_class(*args, **kwargs)

    return make


# What each form does


def _add_step(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    work_services.add_plan_step(
        actor=user, case=case, description=data["description"], owner=data["owner"], due_date=data["due_date"]
    )
    return f"Step added to the plan of {case.number}."


def _log_activity(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    activity = work_services.log_activity(
        actor=user,
        case=case,
        kind=data["kind"],
        occurred_on=data["occurred_on"],
        summary=data["summary"],
        uploads=data["uploads"],
    )
    return f"{activity.get_kind_display()} of {activity.occurred_on} logged in {case.number}."


def _record_interview(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    interview = work_services.record_interview(
        actor=user,
        case=case,
        interviewee=data["interviewee"],
        started_at=data["started_at"],
        place=data["place"],
        participants=data["participants"],
        warning=data["warning"],
        summary=data["summary"],
        warning_form=data["warning_form"],
        recording=data["recording"],
        transcript=data["transcript"],
    )
    return f"Interview of {interview.interviewee} recorded in {case.number}."


def _add_evidence(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    item = evidence_services.add_evidence(
        actor=user,
        case=case,
        description=data["description"],
        kind=data["kind"],
        source=data["source"],
        collected_at=data["collected_at"],
        storage_location=data["storage_location"],
        upload=data["upload"],
        condition=data["condition"],
    )
    held = f"; SHA-256 {item.sha256[:12]}…" if item.sha256 else ""
    return f"Evidence {item.number} added to {case.number}, held in {item.custodian}{held}."


def _transfer(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    item = get_object_or_404(EvidenceItem, pk=ids["item_pk"], case=case)
    transfer = evidence_services.transfer_custody(
        actor=user,
        item=item,
        to_custodian=data["to_custodian"],
        purpose=data["purpose"],
        condition=data["condition"],
        transferred_at=data["transferred_at"],
    )
    return f"{item.number} transferred to {transfer.to_custodian} (link {transfer.sequence} of its chain)."


def _request_disposal(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    item = get_object_or_404(EvidenceItem, pk=ids["item_pk"], case=case)
    request = evidence_services.request_disposal(
        actor=user, item=item, kind=data["kind"], reason=data["reason"], released_to=data["released_to"]
    )
    return f"The {request.get_kind_display().lower()} of {item.number} awaits a supervisor's approval."


def _decide_disposal(user: Any, case: Case, data: dict[str, Any], ids: dict[str, Any]) -> str:
    request = get_object_or_404(
        DisposalRequest.objects.select_related("item"), pk=ids["request_pk"], item__case=case
    )
    approved = data["decision"] == "approve"
    evidence_services.decide_disposal(actor=user, request=request, approved=approved, note=data["note"])
    item = request.item
    if approved:
        return f"{item.number} {item.get_status_display().lower()}; the chain of custody is closed."
    return f"The {request.get_kind_display().lower()} of {item.number} was refused; it stays in custody."


add_step_view = _form_view(
    FormPage(work_forms.PlanStepForm, "Add a plan step", "Add the step", _add_step),
    "case_plan_add",
)
log_activity_view = _form_view(
    FormPage(
        _without_case(work_forms.ActivityForm),
        "Log an activity",
        "Log the activity",
        _log_activity,
        intro=(
            "Records checks, subpoenas and record requests, surveillance, forensic examinations, "
            "consultations."
        ),
        files=True,
    ),
    "case_activity_add",
)
record_interview_view = _form_view(
    FormPage(
        work_forms.InterviewForm,
        "Record an interview",
        "Record the interview",
        _record_interview,
        intro="An employee is interviewed after a rights warning; attach the form they signed.",
        files=True,
        initial=lambda: {"started_at": work_forms.agency_now()},
    ),
    "case_interview_add",
)
add_evidence_view = _form_view(
    FormPage(
        _without_case(work_forms.EvidenceForm),
        "Add evidence",
        "Add the item",
        _add_evidence,
        intro="The item is numbered in the case, and its chain of custody starts: you, then its storage.",
        files=True,
        initial=lambda: {"collected_at": work_forms.agency_now()},
    ),
    "case_evidence_add",
)
transfer_view = _form_view(
    FormPage(
        _without_case(work_forms.TransferForm),
        "Transfer custody",
        "Record the transfer",
        _transfer,
        intro="The transfer is added to the chain of custody, which can never be edited afterwards.",
        initial=lambda: {"transferred_at": work_forms.agency_now()},
    ),
    "case_evidence_transfer",
)
request_disposal_view = _form_view(
    FormPage(
        _without_case(work_forms.DisposalRequestForm),
        "Ask to release or destroy",
        "Ask for approval",
        _request_disposal,
        intro="A supervisor other than you approves it; until then the item stays in custody.",
    ),
    "case_evidence_disposal",
)
decide_disposal_view = _form_view(
    FormPage(
        _without_case(work_forms.DisposalDecisionForm),
        "Decide a release or destruction",
        "Record the decision",
        _decide_disposal,
        supervisor=True,
    ),
    "case_disposal_decide",
)


# Small actions straight from the case page


@login_required
@require_POST
def complete_step_view(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    """POST: mark a plan step done."""
    case = queries.get_case_for(request.user, pk)
    step = get_object_or_404(PlanStep, pk=step_pk, case=case)
    try:
        work_services.complete_plan_step(actor=request.user, step=step)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(_messages(error)))
    else:
        messages.success(request, f"Step “{step.description}” done.")
    return redirect(reverse("case-detail", args=[case.pk]))


@login_required
@require_POST
def verify_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """POST: re-hash an item's stored file; a mismatch is announced as possible tampering."""
    case = queries.get_case_for(request.user, pk)
    item = get_object_or_404(EvidenceItem.objects.select_related("file"), pk=item_pk, case=case)
    try:
        intact = evidence_services.verify_evidence(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(_messages(error)))
    else:
        if intact:
            messages.success(
                request, f"{item.number} is intact: its file still matches SHA-256 {item.sha256}."
            )
        else:
            messages.error(
                request,
                f"Possible tampering: the stored file of {item.number} no longer matches the SHA-256 "
                f"recorded at collection ({item.sha256}). The failed check is in the audit trail; tell "
                "your supervisor and do not rely on the file.",
            )
    return redirect(reverse("case-detail", args=[case.pk]))


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or "You may not do this."]


# Downloads


def _send(content: IO[bytes], name: str, content_type: str) -> FileResponse:
    response = FileResponse(content, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _integrity_failed(request: HttpRequest) -> HttpResponse:
    return render(request, "core/files/integrity_failed.html", {}, status=409)


@login_required
@require_GET
def interview_file_view(request: HttpRequest, pk: int, interview_pk: int, which: str) -> HttpResponseBase:
    try:
        stored, name, content = work_services.open_interview_file(
            actor=request.user, case_id=pk, interview_id=interview_pk, which=which
        )
    except FileIntegrityError:
        return _integrity_failed(request)
    return _send(content, name, stored.content_type)


@login_required
@require_GET
def activity_file_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponseBase:
    try:
        attachment, content = work_services.open_activity_attachment(
            actor=request.user, case_id=pk, attachment_id=attachment_pk
        )
    except FileIntegrityError:
        return _integrity_failed(request)
    return _send(content, attachment.filename, attachment.file.content_type)


@login_required
@require_GET
def evidence_file_view(request: HttpRequest, pk: int, item_pk: int) -> HttpResponseBase:
    try:
        stored, name, content = evidence_services.open_evidence_file(
            actor=request.user, case_id=pk, item_id=item_pk
        )
    except FileIntegrityError:
        return _integrity_failed(request)
    return _send(content, name, stored.content_type)


@login_required
@require_GET
def custody_report_view(request: HttpRequest, pk: int, item_pk: int | None = None) -> HttpResponse:
    """The chain of custody as a PDF: of one item, or of every item of the case."""
    case = queries.get_case_for(request.user, pk)
    if item_pk is None:
        pdf = evidence_services.custody_report(actor=request.user, case=case)
        name = f"{case.number}-custody.pdf"
    else:
        item = get_object_or_404(EvidenceItem, pk=item_pk, case=case)
        pdf = evidence_services.custody_report(actor=request.user, item=item)
        name = f"{case.number}-{item.number}-custody.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
