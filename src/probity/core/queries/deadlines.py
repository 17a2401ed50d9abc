"""Reads of deadlines, limited to deadlines on records the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from probity.core import access
from probity.core.models import Deadline


def _on_visible_records(user: Any, deadlines: QuerySet[Deadline]) -> QuerySet[Deadline]:
    """Deadlines whose record the user may see: a title must not reveal a hidden record.

    For each model registered with the access policy, the record ids are those among these
    deadlines' own records that `access.visible` keeps (a subquery per content type, so the
    whole list is still one SQL statement); deadlines on unregistered models (not sensitive)
    are shown as they are.
    """
    models = access.registered_models()
    if not models:
        return deadlines
    types = ContentType.objects.get_for_models(*models)
    allowed = ~Q(content_type__in=[ct.pk for ct in types.values()])
    for model, ct in types.items():
        candidate_ids = deadlines.filter(content_type_id=ct.pk).values("object_id")
        visible_ids = access.visible(user, model._default_manager.filter(pk__in=candidate_ids)).values("pk")
        allowed |= Q(content_type_id=ct.pk, object_id__in=visible_ids)
    return deadlines.filter(allowed)


def _open() -> QuerySet[Deadline]:
    return Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True)


def my_open_deadlines(user: Any) -> QuerySet[Deadline]:
    """Open deadlines the user owns, soonest first."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Deadline.objects.none()
    mine = _open().filter(owner_id=user.pk)
    return _on_visible_records(user, mine).select_related("rule", "office").order_by("due_at", "pk")


def overdue_in_office(user: Any) -> QuerySet[Deadline]:
    """Open deadlines past due in the user's office-scope subtree (every office if agency-wide),
    most overdue first."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Deadline.objects.none()
    overdue = _open().filter(due_at__lt=timezone.now())
    if user.office_scope_id is not None:
        overdue = overdue.filter(office__path__startswith=user.office_scope.path)
    return (
        _on_visible_records(user, overdue).select_related("rule", "office", "owner").order_by("due_at", "pk")
    )
