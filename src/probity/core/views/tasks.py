"""Progress pages of background tasks, visible only to the user who started the task."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from probity.core.tasks import progress_for


@login_required
def progress_page(request: HttpRequest, task_id: str) -> HttpResponse:
    progress = progress_for(request.user, task_id)
    return render(request, "core/tasks/progress.html", {"progress": progress})


@login_required
def progress_status(request: HttpRequest, task_id: str) -> HttpResponse:
    """The part of the page that htmx polls every second until the task has finished."""
    progress = progress_for(request.user, task_id)
    return render(request, "core/tasks/_status.html", {"progress": progress})
