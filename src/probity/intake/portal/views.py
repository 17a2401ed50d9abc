"""The public complaint portal: six steps kept in the session, a receipt, and a status page.

Every step is an ordinary form POST, so the portal works without JavaScript. What a person
types is saved in their session at each step (also when they go back), and is only turned
into a complaint on the last step, by `services.portal.submit_public_complaint`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from probity.intake.models import DatePrecision
from probity.intake.portal import ratelimit
from probity.intake.portal.forms import (
    PERSON_FIELDS,
    AboutYouForm,
    FilesForm,
    FollowUpForm,
    PersonForm,
    ReviewForm,
    StatusForm,
    WhatForm,
    WhenForm,
)
from probity.intake.services import portal
from probity.intake.services.portal import (
    ContactPreference,
    InvolvedPerson,
    InvolvedRole,
    PublicConcern,
    StagedFile,
)

DRAFT = "portal_draft"
RECEIPT = "portal_receipt"
STATUS = "portal_status_submission"

GET_POST = require_http_methods(["GET", "POST"])


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise


STEPS = (
    Step("what", gettext_lazy("What happened")),
    Step("when", gettext_lazy("When and where")),
    Step("who", gettext_lazy("Who was involved")),
    Step("you", gettext_lazy("About you")),
    Step("files", gettext_lazy("Attachments")),
    Step("review", gettext_lazy("Review and send")),
)
SLUGS = [step.slug for step in STEPS]
SIMPLE_FORMS: dict[str, type[WhatForm | WhenForm | AboutYouForm]] = {
    "what": WhatForm,
    "when": WhenForm,
    "you": AboutYouForm,
}


# The draft in the session --------------------------------------------------------------------


def _draft(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(DRAFT) or {})


def _save(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT] = draft


def _staged(draft: dict[str, Any]) -> list[StagedFile]:
    return [StagedFile.from_dict(raw) for raw in draft.get("files", [])]


def _rows(draft: dict[str, Any]) -> list[dict[str, str]]:
    return list(draft.get("who", {}).get("rows", [])) or [{}]


def _is_blank(row: dict[str, str]) -> bool:
    return not any((row.get(name) or "").strip() for name in ("name", "badge_number", "description"))


@dataclass
class Assembled:
    """The draft checked as a whole: the complaint, or the first step that needs attention."""

    complaint: portal.PublicComplaint | None = None
    invalid_step: str | None = None
    office_name: str = ""
    staged: list[StagedFile] = field(default_factory=list)


def assemble(draft: dict[str, Any]) -> Assembled:
    what = WhatForm(data=draft.get("what", {}))
    when = WhenForm(data=draft.get("when", {}))
    you = AboutYouForm(data=draft.get("you", {}))
    if not what.is_valid():
        return Assembled(invalid_step="what")
    if not when.is_valid():
        return Assembled(invalid_step="when")
    people: list[InvolvedPerson] = []
    for row in _rows(draft):
        if _is_blank(row):
            continue
        person_form = PersonForm(data=row)
        if not person_form.is_valid():
            return Assembled(invalid_step="who")
        people.append(person_form.person())
    if not you.is_valid():
        return Assembled(invalid_step="you")
    office_id = when.office_id()
    complaint = portal.PublicComplaint(
        narrative=what.cleaned_data["narrative"],
        concern=what.cleaned_data.get("concern") or "",
        incident_date=when.cleaned_data["incident_date"],
        incident_date_precision=when.cleaned_data["incident_date_precision"],
        place=when.cleaned_data.get("place") or "",
        office_id=office_id,
        people=tuple(people),
        complainant=you.complainant(),
        language=_language(),
    )
    return Assembled(complaint=complaint, office_name=when.office_label(), staged=_staged(draft))


def _language() -> str:
    language = (get_language() or "en")[:2]
    return language if language in portal.LANGUAGES else "en"


# Rendering -----------------------------------------------------------------------------------


def _steps_context(current: str) -> dict[str, Any]:
    index = SLUGS.index(current)
    return {
        "steps": [
            {"title": step.title, "state": "complete" if i < index else "current" if i == index else ""}
            for i, step in enumerate(STEPS)
        ],
        "step_number": index + 1,
        "step_total": len(STEPS),
        "step_title": STEPS[index].title,
    }


def _step_url(slug: str) -> str:
    return reverse("portal-step", args=[slug])


def _render_step(request: HttpRequest, slug: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(
        request, f"intake/portal/step_{slug}.html", {**_steps_context(slug), **context}, status=status
    )


def _neighbour(slug: str, action: str) -> HttpResponseRedirect:
    index = SLUGS.index(slug)
    target = index - 1 if action == "back" else index + 1
    if target < 0:
        return redirect("portal-start")
    return redirect(_step_url(SLUGS[target]))


def _forget_receipt(request: HttpRequest) -> None:
    # The receipt is shown until the person moves on, never again afterwards.
    request.session.pop(RECEIPT, None)


# Pages ---------------------------------------------------------------------------------------


@never_cache
@GET_POST
def start(request: HttpRequest) -> HttpResponse:
    _forget_receipt(request)
    if request.method == "POST" and request.POST.get("action") == "start-over":
        request.session.pop(DRAFT, None)
        messages.info(request, _("Your earlier answers were removed. You can start again."))
        return redirect("portal-start")
    return render(request, "intake/portal/start.html", {"has_draft": bool(_draft(request))})


@never_cache
@GET_POST
def step(request: HttpRequest, slug: str) -> HttpResponse:
    _forget_receipt(request)
    handlers: dict[str, Callable[[HttpRequest], HttpResponse]] = {
        "who": _who,
        "files": _files,
        "review": _review,
    }
    if slug in SIMPLE_FORMS:
        return _simple_step(request, slug)
    if slug in handlers:
        return handlers[slug](request)
    return redirect("portal-start")


def _simple_step(request: HttpRequest, slug: str) -> HttpResponse:
    form_class = SIMPLE_FORMS[slug]
    draft = _draft(request)
    if request.method != "POST":
        return _render_step(request, slug, {"form": form_class(initial=draft.get(slug, {}))})
    action = request.POST.get("action", "next")
    raw = {name: request.POST.get(name, "") for name in form_class.base_fields}
    draft[slug] = raw
    _save(request, draft)
    if action == "back":
        return _neighbour(slug, "back")
    form = form_class(data=raw)
    if form.is_valid():
        return _neighbour(slug, "next")
    return _render_step(request, slug, {"form": form})


def _who(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    limit = settings.PROBITY_PORTAL_MAX_PEOPLE
    if request.method != "POST":
        rows = _rows(draft)
        forms = [PersonForm(prefix=f"person-{i}", initial=row) for i, row in enumerate(rows)]
        return _render_step(request, "who", {"person_forms": forms, "people_limit": limit})
    try:
        count = min(max(int(request.POST.get("people-count", "1")), 0), limit)
    except ValueError:
        count = 1
    rows = [
        {name: request.POST.get(f"person-{i}-{name}", "") for name in PERSON_FIELDS} for i in range(count)
    ]
    action = request.POST.get("action", "next")
    if action == "add" and len(rows) < limit:
        rows.append({})
    elif action.startswith("remove-"):
        index = int(action.removeprefix("remove-")) if action.removeprefix("remove-").isdigit() else -1
        if 0 <= index < len(rows):
            rows.pop(index)
    draft["who"] = {"rows": [row for row in rows if not _is_blank(row)] if action == "next" else rows}
    _save(request, draft)
    if action == "back":
        return _neighbour("who", "back")
    bound = [
        PersonForm(prefix=f"person-{i}", data={f"person-{i}-{k}": v for k, v in row.items()})
        for i, row in enumerate(rows or [{}])
    ]
    if action == "next" and all(
        _is_blank(row) or form.is_valid() for row, form in zip(rows, bound, strict=False)
    ):
        return _neighbour("who", "next")
    problems = [
        _("Person %(number)s: %(label)s: %(error)s") % {"number": n, "label": f.label, "error": error}
        for n, form in enumerate(bound, start=1)
        for f in form
        for error in f.errors
    ]
    if action != "next":
        bound = [PersonForm(prefix=f"person-{i}", initial=row) for i, row in enumerate(rows or [{}])]
        problems = []
    return _render_step(request, "who", {"person_forms": bound, "people_limit": limit, "problems": problems})


def _files(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    staged = _staged(draft)
    limit = settings.PROBITY_PORTAL_MAX_FILES
    if request.method != "POST":
        return _render_step(request, "files", {"form": FilesForm(), "staged": staged, "files_limit": limit})
    action = request.POST.get("action", "next")
    refusals: list[str] = []
    uploads = request.FILES.getlist("attachments")
    if len(staged) + len(uploads) > limit:
        refusals.append(
            _(
                "You can attach at most %(limit)s files. You chose %(count)s, "
                "and %(kept)s are already attached."
            )
            % {"limit": limit, "count": len(uploads), "kept": len(staged)}
        )
        uploads = []
    for upload in uploads:
        try:
            staged.extend(portal.stage_uploads([upload]))
        except ValidationError as error:
            refusals.extend(error.messages)
    if action.startswith("remove-") and action.removeprefix("remove-").isdigit():
        index = int(action.removeprefix("remove-"))
        if 0 <= index < len(staged):
            staged.pop(index)
    draft["files"] = [item.as_dict() for item in staged]
    _save(request, draft)
    if action in {"next", "back"} and not refusals:
        return _neighbour("files", action)
    context = {"form": FilesForm(), "staged": staged, "files_limit": limit, "refusals": refusals}
    return _render_step(request, "files", context, status=400 if refusals else 200)


def _review(request: HttpRequest) -> HttpResponse:
    draft = _draft(request)
    if not draft:
        messages.info(request, _("There is no report in progress. Start a new one here."))
        return redirect("portal-start")
    assembled = assemble(draft)
    if assembled.invalid_step is not None:
        messages.warning(request, _("Some answers need your attention before you can send your report."))
        return redirect(_step_url(assembled.invalid_step))
    context: dict[str, Any] = {"sections": review_sections(assembled), "form": ReviewForm()}
    if request.method != "POST":
        return _render_step(request, "review", context)
    if request.POST.get("action") == "back":
        return _neighbour("review", "back")
    return _send(request, assembled, context)


def _date_text(complaint: portal.PublicComplaint) -> str:
    when = complaint.incident_date
    if when is None:
        return ""
    precision = complaint.incident_date_precision
    if precision == DatePrecision.YEAR:
        return str(when.year)
    return date_format(when, "YEAR_MONTH_FORMAT" if precision == DatePrecision.MONTH else "DATE_FORMAT")


def review_sections(assembled: Assembled) -> list[dict[str, Any]]:
    """What the person entered, step by step, as label/value rows for the review page."""
    complaint = assembled.complaint
    assert complaint is not None  # noqa: S101  (only called on a complete draft)

    def rows(*pairs: tuple[Any, str], multiline: bool = False) -> list[dict[str, Any]]:
        return [{"label": label, "value": value, "multiline": multiline} for label, value in pairs if value]

    who = complaint.complainant
    people = [
        {
            "label": _("Person %(number)s: %(role)s") % {"number": n, "role": InvolvedRole(p.role).label},
            "value": " · ".join(part for part in (p.name, p.badge_number, p.description) if part),
            "multiline": False,
        }
        for n, p in enumerate(complaint.people, start=1)
    ]
    if who.anonymous:
        you = rows((_("Your name"), str(_("You chose to stay anonymous."))))
    else:
        you = rows(
            (_("Your name"), who.name),
            (_("Email address"), who.email),
            (_("Phone number"), who.phone),
            (_("How may we contact you?"), str(ContactPreference(who.contact_preference).label)),
        )
    files = [
        {"label": item.filename, "value": filesizeformat(item.size), "multiline": False}
        for item in assembled.staged
    ]
    concern = str(PublicConcern(complaint.concern).label) if complaint.concern else ""
    return [
        {
            "slug": "what",
            "title": STEPS[0].title,
            "rows": rows((_("What happened?"), complaint.narrative), multiline=True)
            + rows((_("What is your complaint mainly about?"), concern)),
        },
        {
            "slug": "when",
            "title": STEPS[1].title,
            "rows": rows(
                (_("When"), _date_text(complaint)),
                (_("Where"), complaint.place),
                (_("Office, port of entry or station"), assembled.office_name),
            ),
        },
        {"slug": "who", "title": STEPS[2].title, "rows": people},
        {"slug": "you", "title": STEPS[3].title, "rows": you},
        {"slug": "files", "title": STEPS[4].title, "rows": files},
    ]


def _send(request: HttpRequest, assembled: Assembled, context: dict[str, Any]) -> HttpResponse:
    verdict = ratelimit.check_submission(request)
    if not verdict.allowed:
        context["problems"] = [_too_many_message(verdict.retry_after_seconds)]
        response = _render_step(request, "review", context, status=429)
        response["Retry-After"] = str(verdict.retry_after_seconds)
        return response
    form = ReviewForm(data=request.POST)
    if form.is_valid() and form.cleaned_data.get("leave_empty"):
        receipt = portal.refuse_suspected_robot(reason="honeypot field filled")
    else:
        assert assembled.complaint is not None  # noqa: S101  (assemble checked it)
        try:
            receipt = portal.submit_public_complaint(
                complaint=assembled.complaint, staged_files=assembled.staged
            )
        except ValidationError as error:
            context["problems"] = error.messages
            return _render_step(request, "review", context, status=400)
    request.session.pop(DRAFT, None)
    request.session[RECEIPT] = {"tracking_code": receipt.tracking_code, "passphrase": receipt.passphrase}
    return redirect("portal-receipt")


def _too_many_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return _(
        "Too many reports have been sent from your connection in the last hour. To protect this "
        "service from abuse, please try again in about %(minutes)s minutes. Your answers are kept."
    ) % {"minutes": minutes}


@never_cache
@require_http_methods(["GET"])
def receipt(request: HttpRequest) -> HttpResponse:
    codes = request.session.get(RECEIPT)
    if not codes:
        return redirect("portal-start")
    return render(request, "intake/portal/receipt.html", {"receipt": codes})


@never_cache
@GET_POST
def status(request: HttpRequest) -> HttpResponse:
    _forget_receipt(request)
    if request.method != "POST":
        return render(request, "intake/portal/status.html", {"form": StatusForm()})
    form = StatusForm(data=request.POST)
    verdict = ratelimit.check_status_attempt(request)
    if not verdict.allowed:
        context = {"form": form, "problems": [_too_many_checks_message(verdict.retry_after_seconds)]}
        response = render(request, "intake/portal/status.html", context, status=429)
        response["Retry-After"] = str(verdict.retry_after_seconds)
        return response
    if not form.is_valid():
        return render(request, "intake/portal/status.html", {"form": form}, status=400)
    submission = portal.find_submission(
        tracking_code=form.cleaned_data["tracking_code"], passphrase=form.cleaned_data["passphrase"]
    )
    if submission is None:
        retry = StatusForm(initial={"tracking_code": form.cleaned_data["tracking_code"]})
        return render(request, "intake/portal/status.html", {"form": retry, "not_found": True})
    request.session.cycle_key()
    request.session[STATUS] = submission.pk
    return redirect("portal-status-report")


def _too_many_checks_message(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return _(
        "Too many attempts have been made from your connection in the last hour. "
        "Please try again in about %(minutes)s minutes."
    ) % {"minutes": minutes}


@never_cache
@GET_POST
def status_report(request: HttpRequest) -> HttpResponse:
    submission = portal.submission_by_id(request.session.get(STATUS))
    if submission is None:
        return redirect("portal-status")
    form = FollowUpForm()
    if request.method == "POST":
        if request.POST.get("action") == "leave":
            request.session.pop(STATUS, None)
            messages.info(request, _("You have left your report. Nothing more is shown on this device."))
            return redirect("portal-status")
        form = FollowUpForm(data=request.POST, files=request.FILES)
        response = _add_follow_up(request, submission, form)
        if response is not None:
            return response
    context = {
        "form": form,
        "submission": submission,
        "public_status": portal.public_status(submission),
        "follow_up_dates": list(portal.follow_up_dates(submission)),
    }
    return render(request, "intake/portal/status_report.html", context, status=400 if form.errors else 200)


def _add_follow_up(request: HttpRequest, submission: Any, form: FollowUpForm) -> HttpResponse | None:
    if not form.is_valid():
        return None
    uploads = form.cleaned_data["attachments"]
    limit = settings.PROBITY_PORTAL_MAX_FILES
    if len(uploads) > limit:
        form.add_error(
            "attachments", _("You can attach at most %(limit)s files at a time.") % {"limit": limit}
        )
        return None
    verdict = ratelimit.hit(
        "followup", ratelimit.address_of(request), limit=settings.PROBITY_PORTAL_SUBMISSIONS_PER_HOUR
    )
    if not verdict.allowed:
        form.add_error(None, _too_many_message(verdict.retry_after_seconds))
        return None
    try:
        staged = portal.stage_uploads(uploads)
        portal.add_follow_up(submission=submission, text=form.cleaned_data["text"], staged_files=staged)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None
    messages.success(request, _("Thank you. What you added has been received."))
    return redirect("portal-status-report")
