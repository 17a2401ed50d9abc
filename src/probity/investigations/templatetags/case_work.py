"""Template filters of the case's work and evidence sections (no queries: they read what the
case page has already loaded)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ObjectDoesNotExist

from probity.investigations.models import Interview

register = template.Library()


@register.filter
def interviews(activities: list[Any]) -> list[Interview]:
    """The interviews among activities read with `select_related("interview")`."""
    found = []
    for activity in activities:
        try:
            found.append(activity.interview)
        except ObjectDoesNotExist:
            continue
    return found
