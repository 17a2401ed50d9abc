"""PREA screens: the track list, one track's page with a form per step and its clocks, each
step's POST, the notification file, the staff annual report, and the public annual report.

A step's POST calls one service in `services/prea.py` and goes back to the track page with a
message. A refusal shows the step's form on its own page with the messages and what was typed
(a file must be chosen again); the service guarantees nothing was written.

The public pages (/transparency/prea/) need no sign-in and show only the suppressed counts.
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
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from probity.core import audit
from probity.core.deadlines import agency_time_zone
from probity.core.files import FileIntegrityError
from probity.core.models import AuditAction, Role
from probity.intake.forms import apply_service_errors, error_summary
from probity.intake.models import Allegation
from probity.oversight import forms_prea, queries_prea
from probity.oversight.forms_prea import step_form
from probity.oversight.models import PreaTrack
from probity.oversight.services import prea as services
from probity.oversight.services import prea_report
from probity.oversight.services.prea import Step

PREA_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})
PAGE_SIZE = 50
SHOW = {"open": "Open tracks", "closed": "Closed tracks", "all": "All tracks"}
PUBLIC_CACHE_SECONDS = 3600


def require_prea_user(user: Any) -> None:
    # 404, not 403: to other roles the PREA screens do not exist.
    if not user.has_role(*PREA_ROLES):
        raise Http404("No such page")


def _context(**extra: Any) -> dict[str, Any]:
    return {"now": timezone.now(), "agency_tz": agency_time_zone(), **extra}


# The list


@login_required
@require_GET
def track_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_prea_user(user)
    show = request.GET.get("show", "open")
    if show not in SHOW:
        show = "open"
    tracks = queries_prea.tracks_for(user)
    if show == "open":
        tracks = tracks.filter(closed_at__isnull=True)
    elif show == "closed":
        tracks = tracks.filter(closed_at__isnull=False)
    page = Paginator(tracks, PAGE_SIZE).get_page(request.GET.get("page"))
    queries_prea.record_search(user, show=show, results=page.paginator.count, channel="web")
    context = _context(
        show=show,
        show_label=SHOW[show],
        choices=SHOW,
        page=page,
        rows=queries_prea.rows_for(list(page.object_list)),
        open_form=forms_prea.OpenTrackForm(),
        may_open=True,
        list_url=reverse("prea-track-list"),
    )
    return render(request, "oversight/prea/list.html", context)


@login_required
@require_POST
def open_track_view(request: HttpRequest) -> HttpResponse:
    """POST: open the track of a PREA allegation (one flagged after recording, or imported)."""
    user: Any = request.user
    require_prea_user(user)
    form = forms_prea.OpenTrackForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["number"].strip().upper()
        allegation = Allegation.objects.filter(number=number).first()
        try:
            if allegation is None:
                raise Http404
            track = services.open_track(actor=user, allegation=allegation)
        except Http404:
            # The same words whether it does not exist or may not be seen.
            form.add_error("number", f"You have no PREA allegation numbered {number}.")
        except (PermissionDenied, ValidationError) as error:
            _apply(error, form)
        else:
            messages.success(request, f"The PREA track of {allegation.number} is open.")
            return redirect(reverse("prea-track-detail", args=[track.pk]))
    return render(
        request,
        "oversight/prea/open.html",
        _context(form=form, errors=error_summary(form)),
        status=400,
    )


# One track


def _track_context(user: Any, track: PreaTrack, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    steps = services.available_steps(user, track)
    forms = {step: step_form(step, track) for step in steps}
    forms.update(bound or {})
    return _context(
        track=track,
        allegation=track.allegation,
        accused=services.accused_names(track),
        clocks=queries_prea.clocks_for([track])[track.pk],
        checks=queries_prea.checks_of(track),
        steps=steps,
        forms={key.replace("-", "_"): form for key, form in forms.items()},
        may_act=services.may_act(user, track),
        missing=services.missing_steps(track),
        monitoring_may_end=services.monitoring_may_end_at(track),
    )


@login_required
@require_GET
def track_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    track = queries_prea.get_track_for(user, pk)
    queries_prea.record_view(user, track, channel="web")
    return render(request, "oversight/prea/detail.html", _track_context(user, track))


def _apply(error: Exception, form: Any) -> None:
    if isinstance(error, ValidationError):
        apply_service_errors(error, form)
    else:
        form.add_error(None, str(error) or "You may not do this.")


# What each step's form does: (user, track, form) → the message shown after it


Perform = Callable[[Any, PreaTrack, Any], str]


def _facility(user: Any, track: PreaTrack, form: Any) -> str:
    data = form.cleaned_data
    services.update_facility(
        actor=user, track=track, facility_type=data["facility_type"], facility_name=data["facility_name"]
    )
    return "Facility saved."


def _moment_step(service: Callable[..., PreaTrack], done: str, keyword: str = "at") -> Perform:
    def perform(user: Any, track: PreaTrack, form: Any) -> str:
        service(actor=user, track=track, **{keyword: form.moment()})
        return done

    return perform


def _check(user: Any, track: PreaTrack, form: Any) -> str:
    data = form.cleaned_data
    services.record_monitoring_check(
        actor=user,
        track=track,
        checked_on=data["checked_on"],
        retaliation_found=data["retaliation_found"],
        note=data["note"],
    )
    return f"Monitoring check of {data['checked_on']:%-d %b %Y} recorded."


def _outcome(user: Any, track: PreaTrack, form: Any) -> str:
    services.record_outcome(actor=user, track=track, outcome=form.cleaned_data["outcome"], at=form.moment())
    return f"Outcome recorded: {track.get_outcome_display().lower()}."


def _notified(user: Any, track: PreaTrack, form: Any) -> str:
    data = form.cleaned_data
    services.record_detainee_notified(
        actor=user, track=track, notified_at=form.moment("notified_at"), note=data["note"], file=data["file"]
    )
    return "The detainee's notification is documented."


def _close(user: Any, track: PreaTrack, form: Any) -> str:
    services.close_track(actor=user, track=track)
    return f"The PREA track of {track.allegation.number} is closed."


PERFORM: dict[str, Perform] = {
    Step.FACILITY: _facility,
    Step.CONFIRM_REPORTING: _moment_step(services.confirm_reporting, "Immediate reporting confirmed."),
    Step.ACCUSED_REMOVED: _moment_step(
        services.record_accused_removed, "Removal from detainee contact recorded."
    ),
    Step.START_MONITORING: _moment_step(services.start_monitoring, "Retaliation monitoring started."),
    Step.MONITORING_CHECK: _check,
    Step.END_MONITORING: _moment_step(services.end_monitoring, "Retaliation monitoring ended."),
    Step.START_SEGREGATION: _moment_step(
        services.record_segregation, "Administrative segregation recorded.", keyword="start"
    ),
    Step.END_SEGREGATION: _moment_step(services.end_segregation, "End of the segregation recorded."),
    Step.OUTCOME: _outcome,
    Step.DETAINEE_NOTIFIED: _notified,
    Step.CLOSE: _close,
}


@login_required
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """GET: the step's form on its own page; POST: take the step through its service."""
    user: Any = request.user
    if step not in PERFORM:
        raise Http404("No such step")
    track = queries_prea.get_track_for(user, pk)
    services.require_prea_worker(user, track)
    status = 200
    if request.method == "POST":
        form = step_form(step, track, request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                done = PERFORM[step](user, track, form)
            except PermissionDenied as error:
                _apply(error, form)
                status = 403
            except ValidationError as error:
                _apply(error, form)
            else:
                messages.success(request, done)
                return redirect(reverse("prea-track-detail", args=[track.pk]) + f"#step-{step}")
    else:
        form = step_form(step, track)
    context = _context(
        track=track,
        allegation=track.allegation,
        step=step,
        title=Step(step).label,
        form=form,
        errors=error_summary(form) if form.is_bound else [],
        files_dropped=form.is_bound and bool(request.FILES),
    )
    return render(request, "oversight/prea/step.html", context, status=status)


@login_required
@require_GET
def notification_file_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        stored, name, content = services.open_notification_file(actor=request.user, track_id=pk)
    except FileIntegrityError:
        return render(request, "core/files/integrity_failed.html", {}, status=409)
    response = FileResponse(content, as_attachment=True, filename=name, content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The annual report


def _year(year: int, *, last: int) -> int:
    if year < prea_report.FIRST_YEAR or year > last:
        raise Http404("No report for that year")
    return year


@login_required
@require_GET
def staff_report(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """The report with every figure, for the PREA coordinator (program managers)."""
    user: Any = request.user
    if not user.has_role(Role.PROGRAM_MANAGER):
        raise PermissionDenied("The figures before suppression are for program managers.")
    this_year = prea_report.agency_year_now()
    if year is None:
        return redirect(reverse("prea-report-staff", args=[this_year]))
    tracks = queries_prea.tracks_for(user)
    report = prea_report.prea_annual_report(_year(year, last=this_year), suppress=False, tracks=tracks)
    audit.record(
        AuditAction.VIEW,
        actor=user,
        object_type="oversight.preaannualreport",
        object_id=str(year),
        detail={"suppressed": False, "total": report.current.grand_total.value},
    )
    public_years = prea_report.report_years()
    return render(
        request,
        "oversight/prea/report_staff.html",
        _context(
            report=report,
            years=prea_report.report_years(tracks, complete_only=False),
            public=year in public_years,
        ),
    )


@require_GET
@cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS)
def public_index(request: HttpRequest) -> HttpResponse:
    """The years with a public report."""
    return render(request, "oversight/prea/public_index.html", {"years": prea_report.report_years()})


@require_GET
@cache_control(public=True, max_age=PUBLIC_CACHE_SECONDS)
def public_report(request: HttpRequest, year: int) -> HttpResponse:
    """A finished year's report for anyone: counts only, small ones suppressed."""
    last = prea_report.agency_year_now() - 1
    report = prea_report.prea_annual_report(_year(year, last=last))
    years = prea_report.report_years()
    return render(
        request,
        "oversight/prea/public_report.html",
        {"report": report, "years": years},
    )
