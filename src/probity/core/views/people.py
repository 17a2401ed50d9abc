"""Views of the workforce directory and the organisation tree."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from probity.core.models import Employee, Role
from probity.core.queries import people as queries


def _search(request: HttpRequest, *, partial: bool) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    results = queries.search_employees(request.user, q, request.GET.get("page") or 1)
    context = {"q": q, "results": results}
    template = "core/people/_results.html" if partial else "core/people/list.html"
    return render(request, template, context)


@login_required
def employee_list(request: HttpRequest) -> HttpResponse:
    return _search(request, partial=bool(getattr(request, "htmx", False)))


@login_required
def employee_search(request: HttpRequest) -> HttpResponse:
    # The htmx partial; opened directly (a bookmarked or shared link) it is the whole page.
    return _search(request, partial=bool(getattr(request, "htmx", False)))


def _admin_change_url(user: Any, employee: Employee) -> str | None:
    if not user.has_role(Role.ADMINISTRATOR):
        return None
    try:
        return reverse("admin:core_employee_change", args=[employee.pk])
    except NoReverseMatch:  # the admin does not offer employees
        return None


@login_required
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    employee = queries.get_employee_for(user, pk)
    history = employee.history  # type: ignore[attr-defined]
    current = next((row for row in history if row.end_date is None), None)
    context = {
        "employee": employee,
        "current": current,
        "history": history,
        "show_date_of_birth": queries.may_see_date_of_birth(user),
        "admin_url": _admin_change_url(user, employee),
    }
    return render(request, "core/people/detail.html", context)


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    roots = queries.org_tree(request.user)
    return render(request, "core/people/org_tree.html", {"roots": roots})
