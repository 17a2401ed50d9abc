"""Error pages that say what went wrong in plain language and never show internals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(
        request, "error.html", {"title": title, "message": message, "status": status}, status=status
    )


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request,
        400,
        "Bad request",
        "The request could not be understood. Check what you entered and try again.",
    )


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403, "Not allowed", "You are not allowed to do that.")


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(
        request, 404, "Page not found", "There is nothing at this address, or you do not have access to it."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        "Something went wrong",
        "The system could not complete your request. Nothing was changed. "
        "If it happens again, tell your administrator.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        "Form expired",
        "This form has expired or was sent from another site. Go back, reload the page and try again.",
    )
