"""Review board screens: the meetings, scheduling one, and a meeting's page with its agenda,
determinations and recommendations (owners, due dates, overdue marked).

Program managers run the board; to anyone else these pages do not exist (404). Each action is
a POST to its own view calling one service in `oversight/services/board.py`; a refusal shows
the meeting again with the message on its form, and nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from probity.core.deadlines import agency_time_zone
from probity.intake.forms import error_summary
from probity.oversight import forms_incidents as incident_forms
from probity.oversight import queries_incidents as queries
from probity.oversight.models import BoardMeetingStatus
from probity.oversight.services import board as services


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    meetings = list(queries.meeting_list(user))
    context = {
        "meetings": meetings,
        "waiting": list(queries.awaiting_agenda(user)[:50]),
        "overdue": list(queries.overdue_recommendations(user)[:50]),
        "today": services.agency_today(),
        "agency_tz": agency_time_zone(),
    }
    return render(request, "oversight/board/list.html", context)


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    queries.require_board_user(user)
    if request.method != "POST":
        form = incident_forms.MeetingForm(initial={"held_on": services.agency_today()})
        return render(request, "oversight/board/new.html", {"form": form, "errors": []})
    form = incident_forms.MeetingForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.schedule_meeting(
                actor=user, held_on=data["held_on"], members=list(data["members"]), minutes=data["minutes"]
            )
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not schedule a meeting.")
            status = 403
        except ValidationError as error:
            incident_forms.apply_service_errors(error, form)
        else:
            messages.success(request, f"Meeting of {meeting.held_on:%Y-%m-%d} scheduled.")
            return redirect("board-meeting-detail", pk=meeting.pk)
    return render(
        request, "oversight/board/new.html", {"form": form, "errors": error_summary(form)}, status=status
    )


# One meeting


def render_meeting(
    request: HttpRequest,
    page: queries.MeetingPage,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    user = request.user
    meeting = page.meeting
    agenda_action = None
    if meeting.status == BoardMeetingStatus.SCHEDULED or "agenda" in bound:
        form = bound.get("agenda") or incident_forms.AgendaForm(
            prefix="agenda", incidents=queries.awaiting_agenda(user)
        )
        agenda_action = {
            "form": form,
            "url": reverse("board-agenda-add", args=[meeting.pk]),
            "errors": error_summary(form) if "agenda" in bound else [],
        }
    items = []
    for item in page.agenda:
        visible = item.incident_id in page.visible_incidents
        entry: dict[str, Any] = {"item": item, "visible": visible, "recommendations": []}
        if visible and not item.determination:
            key = f"determination-{item.pk}"
            form = bound.get(key) or incident_forms.DeterminationForm(prefix=key)
            entry["determine"] = {
                "form": form,
                "url": reverse("board-determination", args=[meeting.pk, item.pk]),
                "errors": error_summary(form) if key in bound else [],
                "open": meeting.held_on <= page.today,
            }
        if visible and item.determination:
            key = f"recommendation-{item.pk}"
            form = bound.get(key) or incident_forms.RecommendationForm(prefix=key)
            entry["recommend"] = {
                "form": form,
                "url": reverse("board-recommendation-add", args=[meeting.pk, item.pk]),
                "errors": error_summary(form) if key in bound else [],
            }
        if visible:
            entry["recommendations"] = [
                {
                    "recommendation": rec,
                    "overdue": rec.completed_at is None and rec.due_on < page.today,
                }
                for rec in item.recommendations.all()
            ]
        items.append(entry)
    context = {
        "page": page,
        "meeting": meeting,
        "agenda_action": agenda_action,
        "items": items,
        "agency_tz": agency_time_zone(),
    }
    return render(request, "oversight/board/detail.html", context, status=status)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_meeting(request, queries.meeting_page(request.user, pk))


def _run(
    request: HttpRequest, pk: int, key: str, form: forms.Form, *, perform: Callable[[], Any], done: str
) -> HttpResponse:
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
            return redirect("board-meeting-detail", pk=pk)
    page = queries.meeting_page(request.user, pk)
    return render_meeting(request, page, bound={key: form}, status=status)


@login_required
@require_POST
def agenda_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: put an incident awaiting the board on the meeting's agenda."""
    user = request.user
    meeting = queries.get_meeting_for(user, pk)
    form = incident_forms.AgendaForm(request.POST, prefix="agenda", incidents=queries.awaiting_agenda(user))

    def perform() -> Any:
        return services.add_to_agenda(actor=user, meeting=meeting, incident=form.cleaned_data["incident"])

    return _run(request, pk, "agenda", form, perform=perform, done="Incident added to the agenda.")


@login_required
@require_POST
def determination_view(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """POST: record the board's determination on one agenda item."""
    user = request.user
    meeting = queries.get_meeting_for(user, pk)
    item = queries.get_agenda_item_for(user, meeting, item_id)
    key = f"determination-{item.pk}"
    form = incident_forms.DeterminationForm(request.POST, prefix=key)

    def perform() -> Any:
        data = form.cleaned_data
        return services.record_determination(
            actor=user, item=item, determination=data["determination"], rationale=data["rationale"]
        )

    done = f"Determination on {item.incident.number} recorded."
    return _run(request, pk, key, form, perform=perform, done=done)


@login_required
@require_POST
def recommendation_add_view(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    """POST: add a recommendation with its owner and due date to a determined agenda item."""
    user = request.user
    meeting = queries.get_meeting_for(user, pk)
    item = queries.get_agenda_item_for(user, meeting, item_id)
    key = f"recommendation-{item.pk}"
    form = incident_forms.RecommendationForm(request.POST, prefix=key)

    def perform() -> Any:
        data = form.cleaned_data
        return services.add_recommendation(
            actor=user,
            item=item,
            kind=data["kind"],
            text=data["text"],
            owner=data["owner"],
            due_on=data["due_on"],
        )

    done = f"Recommendation on {item.incident.number} added."
    return _run(request, pk, key, form, perform=perform, done=done)
