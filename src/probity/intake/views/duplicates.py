"""Deciding suggested duplicates from an allegation's page: link the pair, or dismiss the suggestion."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from probity.core import access
from probity.intake.duplicates import visible_suggestions
from probity.intake.models import Allegation, DuplicateSuggestion
from probity.intake.services.links import dismiss_suggestion, link_allegations

PARTIAL = "intake/staff/_suggestions.html"


def _suggestion_of(
    request: HttpRequest, pk: int, suggestion_id: int
) -> tuple[Allegation, DuplicateSuggestion]:
    """The allegation and one of its suggestions, or 404 if either allegation is hidden from the user."""
    allegation = access.get_for(request.user, Allegation.objects.all(), pk=pk)
    suggestion = (
        DuplicateSuggestion.objects.filter(Q(allegation_id=pk) | Q(candidate_id=pk), pk=suggestion_id)
        .select_related("allegation", "candidate")
        .first()
    )
    if suggestion is None:
        raise Http404("No such suggestion")
    other = suggestion.candidate if suggestion.allegation_id == pk else suggestion.allegation
    if not access.can_view(request.user, other):
        raise Http404("No such suggestion")
    return allegation, suggestion


def _answer(
    request: HttpRequest, allegation: Allegation, *, notice: str = "", error: str = ""
) -> HttpResponse:
    """The refreshed suggestions for htmx; otherwise a message and back to the allegation."""
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "allegation": allegation,
            "suggestions": visible_suggestions(request.user, allegation),
            "notice": notice,
            "error": error,
        }
        return render(request, PARTIAL, context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(reverse("allegation-detail", args=[allegation.pk]))


def _decide(
    request: HttpRequest, pk: int, suggestion_id: int, act: Callable[[Allegation, DuplicateSuggestion], str]
) -> HttpResponse:
    allegation, suggestion = _suggestion_of(request, pk, suggestion_id)
    try:
        notice = act(allegation, suggestion)
    except ValidationError as problem:
        return _answer(request, allegation, error=" ".join(problem.messages))
    return _answer(request, allegation, notice=notice)


@login_required
@require_POST
def link(request: HttpRequest, pk: int, suggestion_id: int) -> HttpResponse:
    def act(allegation: Allegation, suggestion: DuplicateSuggestion) -> str:
        other = suggestion.candidate if suggestion.allegation_id == allegation.pk else suggestion.allegation
        link_allegations(actor=request.user, allegation=allegation, other=other, suggestion=suggestion)
        return f"Linked {allegation.number} with {other.number}: they are one incident and now move together."

    return _decide(request, pk, suggestion_id, act)


@login_required
@require_POST
def dismiss(request: HttpRequest, pk: int, suggestion_id: int) -> HttpResponse:
    def act(allegation: Allegation, suggestion: DuplicateSuggestion) -> str:
        other = suggestion.candidate if suggestion.allegation_id == allegation.pk else suggestion.allegation
        dismiss_suggestion(actor=request.user, suggestion=suggestion)
        return f"Dismissed: {other.number} will not be suggested with {allegation.number} again."

    return _decide(request, pk, suggestion_id, act)
