"""Views for files (placeholder until built)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def placeholder(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet")
