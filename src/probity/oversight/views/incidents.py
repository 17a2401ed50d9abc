"""Incident screens: the incident list, reporting one, one incident's page and its actions
(reviewer, facts, links, status moves), and the owner's list of board recommendations.

Each action is a POST to its own small view that calls one service. A refusal (an illegal move,
invalid input, a missing permission) shows the page again with the message on the form; the
service's transaction guarantees nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from probity.core import access
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role
from probity.intake.forms import error_summary
from probity.intake.models import Allegation
from probity.investigations.models import Case
from probity.oversight import forms_incidents as incident_forms
from probity.oversight import queries_incidents as queries
from probity.oversight.models import CriticalIncident, IncidentStatus
from probity.oversight.services import board as board_services
from probity.oversight.services import incidents as services
from probity.oversight.workflow_incidents import INCIDENT_FLOW, REVIEW_STATES

S = IncidentStatus
INCIDENT_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})
PAGE_SIZE = 50


def require_incident_user(user: Any) -> None:
    # 404, not 403: to other roles the incident list does not exist (a reviewer opens their
    # incidents from the dashboard).
    if not user.has_role(*INCIDENT_ROLES, Role.AGENT):
        raise Http404("No such page")


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


# The list


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_incident_user(user)
    filters = queries.IncidentFilters.from_query(request.GET)
    rows = queries.incident_list(user, filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    queries.record_incident_search(user, filters, results=page.paginator.count)
    context: dict[str, Any] = {
        "filters": filters,
        "page": page,
        "agency_tz": agency_time_zone(),
        "can_report": user.has_role(*services.REPORTING_ROLES),
    }
    if _partial(request):
        template = "oversight/incidents/_table.html"
    else:
        template = "oversight/incidents/list.html"
        context["form"] = incident_forms.IncidentFilterForm.for_filters(user, filters)
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# Reporting


def _report_errors(form: forms.Form, formsets: dict[str, Any]) -> list[tuple[str, str]]:
    errors = error_summary(form)
    titles = {"employees": "Employee", "subjects": "Subject", "force": "Force"}
    for name, formset in formsets.items():
        if not formset.is_bound:
            continue
        errors.extend(("", f"{titles[name]}s: {message}") for message in formset.non_form_errors())
        for index, row in enumerate(formset.forms, start=1):
            for field, messages_ in row.errors.items():
                anchor = row[field].auto_id if field in row.fields else ""
                errors.extend((anchor, f"{titles[name]} {index}: {message}") for message in messages_)
    return errors


def _inputs(formset: Any) -> list[Any]:
    return [made for made in (row.as_input() for row in formset.forms) if made is not None]


@login_required
def incident_report(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.has_role(*services.REPORTING_ROLES):
        raise Http404("No such page")
    if request.method != "POST":
        context = {
            "form": incident_forms.ReportForm(user=user),
            "formsets": incident_forms.report_formsets(),
            "errors": [],
        }
        return render(request, "oversight/incidents/report.html", context)
    form = incident_forms.ReportForm(request.POST, user=user)
    formsets = incident_forms.report_formsets(request.POST)
    status = 400
    valid = form.is_valid()
    valid = all([formset.is_valid() for formset in formsets.values()]) and valid
    if valid:
        data = form.cleaned_data
        try:
            incident = services.report_incident(
                actor=user,
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                place=data["place"],
                office=data["office"],
                summary=data["summary"],
                narrative=data["narrative"],
                employees=_inputs(formsets["employees"]),
                subjects=_inputs(formsets["subjects"]),
                force=_inputs(formsets["force"]),
                training_discharge=data["training_discharge"],
                serious_injury=data["serious_injury"],
                death=data["death"],
                responders=data["responders"],
                notified_at=data["notified_at"],
                on_scene_at=data["on_scene_at"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not report an incident.")
            status = 403
        except ValidationError as error:
            incident_forms.apply_service_errors(error, form)
        else:
            messages.success(request, f"Incident {incident.number} reported.")
            return redirect("incident-detail", pk=incident.pk)
    context = {"form": form, "formsets": formsets, "errors": _report_errors(form, formsets)}
    return render(request, "oversight/incidents/report.html", context, status=status)


# One incident


def _action(
    name: str, *, title: str, button: str, form: forms.Form, url_name: str, pk: int, bound: bool
) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "button": button,
        "form": form,
        "url": reverse(url_name, args=[pk]),
        "errors": error_summary(form) if bound else [],
    }


def _actions(user: Any, page: queries.IncidentPage, bound: dict[str, forms.Form]) -> list[dict[str, Any]]:
    incident = page.incident
    status = incident.status
    actions = []

    def add(name: str, title: str, button: str, form: forms.Form) -> None:
        url_name = f"incident-{name}"
        actions.append(
            _action(
                name,
                title=title,
                button=button,
                form=form,
                url_name=url_name,
                pk=incident.pk,
                bound=name in bound,
            )
        )

    if page.is_program_manager and (status == S.REPORTED or status in REVIEW_STATES):
        title = "Assign the reviewer" if incident.reviewer_id is None else "Change the reviewer"
        initial = {"reviewer": incident.reviewer_id}
        add(
            "reviewer",
            title,
            "Assign",
            bound.get("reviewer") or incident_forms.ReviewerForm(prefix="reviewer", initial=initial),
        )
    if (page.is_reviewer or page.is_program_manager) and status in REVIEW_STATES:
        facts = {"facts": incident.facts}
        add(
            "facts",
            "Document the facts",
            "Save the facts",
            bound.get("facts") or incident_forms.FactsForm(prefix="facts", initial=facts),
        )
    if services.may_link(user, incident) and status != S.CLOSED:
        form = bound.get("link") or incident_forms.LinkForm(prefix="link")
        add("link", "Link an allegation or a case", "Link", form)
    return actions


def _moves(user: Any, page: queries.IncidentPage, bound: dict[str, forms.Form]) -> list[dict[str, Any]]:
    incident = page.incident
    offered = services.movable_targets(user, incident)
    moves = []
    for target in offered:
        key = f"move-{target}"
        form = bound.get(key) or incident_forms.MoveForm(prefix=key, initial={"target": target})
        warnings: list[str] = []
        if target == S.BOARD_PENDING and key not in bound:
            warnings = services.board_problems(incident)
        moves.append(
            {
                "key": key,
                "target": target,
                "label": INCIDENT_FLOW.transitions[(incident.status, target)].label,
                "form": form,
                "url": reverse("incident-move", args=[incident.pk]),
                "errors": error_summary(form) if key in bound else [],
                "warnings": warnings,
                "reason": target != S.BOARD_PENDING,
            }
        )
    for key, form in bound.items():  # a refused move the user cannot make now: keep its message
        if key.startswith("move") and key.removeprefix("move-") not in offered:
            moves.append(
                {
                    "key": key,
                    "target": "",
                    "label": "Move the incident",
                    "form": form,
                    "url": "",
                    "errors": error_summary(form),
                    "warnings": [],
                    "reason": False,
                }
            )
    return moves


def render_detail(
    request: HttpRequest,
    page: queries.IncidentPage,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    context = {
        "page": page,
        "incident": page.incident,
        "actions": _actions(request.user, page, bound),
        "moves": _moves(request.user, page, bound),
        "agency_tz": agency_time_zone(),
        "today": board_services.agency_today(),
    }
    return render(request, "oversight/incidents/detail.html", context, status=status)


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, queries.incident_page(request.user, pk))


# Acting


def _run(
    request: HttpRequest, pk: int, key: str, form: forms.Form, *, perform: Callable[[], Any], done: str
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
            incident_forms.apply_service_errors(error, form)
        else:
            messages.success(request, done)
            return redirect("incident-detail", pk=pk)
    # Shown again with the refusal: that is a view of the record, audited like any other.
    page = queries.incident_page(request.user, pk)
    return render_detail(request, page, bound={key: form}, status=status)


@login_required
@require_POST
def reviewer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: assign (or change) the incident's reviewer."""
    user = request.user
    incident = queries.get_incident_for(user, pk)
    form = incident_forms.ReviewerForm(request.POST, prefix="reviewer")

    def perform() -> Any:
        return services.assign_reviewer(actor=user, incident=incident, reviewer=form.cleaned_data["reviewer"])

    return _run(
        request, pk, "reviewer", form, perform=perform, done=f"Reviewer of {incident.number} assigned."
    )


@login_required
@require_POST
def facts_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: document the facts the review established."""
    user = request.user
    incident = queries.get_incident_for(user, pk)
    form = incident_forms.FactsForm(request.POST, prefix="facts")

    def perform() -> Any:
        return services.document_facts(actor=user, incident=incident, facts=form.cleaned_data["facts"])

    return _run(request, pk, "facts", form, perform=perform, done=f"Facts of {incident.number} saved.")


@login_required
@require_POST
def link_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: link an intake allegation or an investigation case, found by its number."""
    user = request.user
    incident = queries.get_incident_for(user, pk)
    form = incident_forms.LinkForm(request.POST, prefix="link")

    def perform() -> Any:
        number = form.cleaned_data["number"].strip().upper()
        if form.cleaned_data["record"] == "case":
            case = access.visible(user, Case.objects.filter(number=number)).first()
            if case is None:
                raise ValidationError({"number": [f"There is no case {number} that you may see."]})
            return services.link_case(actor=user, incident=incident, case=case)
        allegation = access.visible(user, Allegation.objects.filter(number=number)).first()
        if allegation is None:
            raise ValidationError({"number": [f"There is no allegation {number} that you may see."]})
        return services.link_allegation(actor=user, incident=incident, allegation=allegation)

    return _run(request, pk, "link", form, perform=perform, done=f"Linked to {incident.number}.")


@login_required
@require_POST
def move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: move the incident (the target comes with the form)."""
    user = request.user
    incident = queries.get_incident_for(user, pk)
    target = next((value for value in S.values if f"move-{value}-target" in request.POST), "")
    key = f"move-{target}" if target else "move"
    form = incident_forms.MoveForm(request.POST, prefix=key)
    label = INCIDENT_FLOW.labels.get(target, target)

    def perform() -> Any:
        data = form.cleaned_data
        return services.move_incident(
            actor=user, incident=incident, target=data["target"], reason=data["reason"]
        )

    return _run(request, pk, key, form, perform=perform, done=f"{incident.number} moved to {label}.")


# Recommendations the user owns


def _my_recommendations_page(
    request: HttpRequest, *, bound: dict[int, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    rows = list(queries.my_recommendations(user))
    visible = set(
        access.visible(
            user, CriticalIncident.objects.filter(pk__in=[r.item.incident_id for r in rows])
        ).values_list("pk", flat=True)
    )
    bound = bound or {}
    today = board_services.agency_today()
    items = [
        {
            "recommendation": rec,
            "incident_visible": rec.item.incident_id in visible,
            "overdue": rec.completed_at is None and rec.due_on < today,
            "form": bound.get(rec.pk) or incident_forms.CompleteForm(prefix=f"rec-{rec.pk}"),
            "errors": error_summary(bound[rec.pk]) if rec.pk in bound else [],
            "url": reverse("recommendation-complete", args=[rec.pk]),
        }
        for rec in rows
    ]
    context = {"items": items, "today": today, "agency_tz": agency_time_zone()}
    return render(request, "oversight/board/my_recommendations.html", context, status=status)


@login_required
@require_GET
def my_recommendations(request: HttpRequest) -> HttpResponse:
    return _my_recommendations_page(request)


@login_required
@require_POST
def complete_recommendation_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: the owner marks a recommendation done."""
    user = request.user
    recommendation = queries.get_recommendation_for(user, pk)
    form = incident_forms.CompleteForm(request.POST, prefix=f"rec-{recommendation.pk}")
    status = 400
    if form.is_valid():
        try:
            board_services.complete_recommendation(
                actor=user, recommendation=recommendation, note=form.cleaned_data["note"]
            )
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not do this.")
            status = 403
        except ValidationError as error:
            incident_forms.apply_service_errors(error, form)
        else:
            messages.success(request, "Recommendation marked done.")
            if recommendation.owner_id != getattr(user, "pk", None):
                return redirect("board-meeting-detail", pk=recommendation.item.meeting_id)
            return redirect("recommendation-mine")
    return _my_recommendations_page(request, bound={recommendation.pk: form}, status=status)
