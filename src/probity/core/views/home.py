"""The dashboard: one page per role, built from the panels each role needs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from probity.core import dashboards


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    panels = dashboards.panels_for(request.user)
    return render(request, "core/dashboard.html", {"panels": panels})


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
