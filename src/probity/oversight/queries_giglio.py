"""Reads of Giglio requests and their compiled items, always through the access policy.

Two rules decide what a Giglio official is shown of a compiled item:

- An item drawn from a case is *withheld* from a user when that case sits in a compartment the
  user holds no open grant to, or names the user's own employee record (as subject, witness or
  complainant). These are the compartment and recusal rules that the access policy holds for
  cases (`access.rules_for(Case)`), without its role and office rules: the Giglio official reads
  the item, never the case. Withheld items are not listed at all; the request shows one notice
  that a restricted matter exists and OPR must be contacted, and cannot be released by that user.
- The case number links to the case only when the full policy lets the user open the case
  (`access.visible`); compiling never grants access to a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, CompartmentGrant, Deadline
from probity.investigations.models import Case
from probity.oversight.models import CompiledItem, GiglioRequest, GiglioStatus
from probity.oversight.workflow_giglio import OPEN_STATES

RESPONSE_RULE = "giglio-response"
OPEN = "open"
STATUS_FILTERS = {OPEN: "Open (received or compiled)", "all": "All", **dict(GiglioStatus.choices)}
# Requests whose answer falls due within this many days count as "due soon" on the dashboard.
DUE_SOON_DAYS = 3


def withheld_case_ids(user: Any, case_ids: Iterable[int | None]) -> set[int]:
    """The cases among `case_ids` whose items `user` may not read (see the module's docstring)."""
    wanted = {pk for pk in case_ids if pk is not None}
    if not wanted:
        return set()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return wanted
    rules = access.rules_for(Case)
    cases = Case.objects.filter(pk__in=wanted)
    hidden: set[int] = set()
    if rules.compartment:
        granted = CompartmentGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True).values(
            "compartment_id"
        )
        restricted = cases.filter(**{f"{rules.compartment}__isnull": False}).exclude(
            **{f"{rules.compartment}__in": granted}
        )
        hidden.update(restricted.values_list("pk", flat=True))
    if user.employee_id is not None:
        for path in rules.people:
            hidden.update(cases.filter(**{path: user.employee_id}).values_list("pk", flat=True))
    return hidden


def _deadline_of() -> QuerySet[Deadline]:
    """The request's response clock, for a subquery (the newest, should there ever be two)."""
    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(GiglioRequest),
        object_id=OuterRef("pk"),
        rule__code=RESPONSE_RULE,
    ).order_by("-started_at", "-pk")


def _with_parts(rows: QuerySet[GiglioRequest]) -> QuerySet[GiglioRequest]:
    deadline = _deadline_of()
    return (
        rows.select_related("employee", "giglio_official", "approved_by", "letter")
        .defer("employee__date_of_birth")
        .annotate(
            due_at=Subquery(deadline.values("due_at")[:1]),
            deadline_met_at=Subquery(deadline.values("met_at")[:1]),
        )
    )


def is_overdue(row: Any, now: dt.datetime) -> bool:
    """An open request whose response clock has run out."""
    due = getattr(row, "due_at", None)
    return row.status in OPEN_STATES and due is not None and due < now


def was_late(row: Any) -> bool:
    met = getattr(row, "deadline_met_at", None)
    due = getattr(row, "due_at", None)
    return met is not None and due is not None and met > due


def request_rows(user: Any, *, status: str = OPEN) -> QuerySet[GiglioRequest]:
    """The requests the user may see, each with its response due date; open ones soonest due first.

    `status` is a GiglioStatus value, "open" or "all"."""
    rows = _with_parts(access.visible(user, GiglioRequest.objects.all()))
    if status == OPEN:
        rows = rows.filter(status__in=OPEN_STATES)
    elif status in GiglioStatus.values:
        rows = rows.filter(status=status)
    # Nulls last on both databases (PostgreSQL would put them first in ascending order).
    return rows.order_by(F("due_at").asc(nulls_last=True), "-received_at", "pk")


def due_soon(user: Any, now: dt.datetime | None = None) -> QuerySet[GiglioRequest]:
    """Open requests due within the warning window or already overdue, soonest first."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=DUE_SOON_DAYS)
    return request_rows(user).filter(Q(due_at__lte=horizon))


def get_request_for(user: Any, pk: Any, *, record_view: bool = True, channel: str = "web") -> GiglioRequest:
    """One request the user may see, or 404. Reading it is audited unless the caller is about to act."""
    found = access.get_for(user, _with_parts(GiglioRequest.objects.all()), pk=pk)
    if record_view:
        audit.record(AuditAction.VIEW, actor=user, obj=found, detail={"channel": channel})
    return found


def response_deadline(request: GiglioRequest) -> Deadline | None:
    return (
        Deadline.objects.filter(
            content_type=ContentType.objects.get_for_model(GiglioRequest),
            object_id=request.pk,
            rule__code=RESPONSE_RULE,
        )
        .order_by("-started_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ItemView:
    """One compiled item as `user` is shown it."""

    item: CompiledItem
    case_visible: bool  # whether the case number may link to the case


@dataclass(frozen=True)
class ItemsView:
    items: list[ItemView]
    withheld: bool  # some item is withheld from the user: a restricted matter exists

    @property
    def included(self) -> list[ItemView]:
        return [view for view in self.items if view.item.include]


def items_for(user: Any, request: GiglioRequest) -> ItemsView:
    """The request's compiled items that `user` may read, each with whether its case may be opened."""
    items = list(
        CompiledItem.objects.filter(request=request)
        .select_related("case", "mark", "judicial_finding__recorded_by")
        .defer("case__synopsis")
        .order_by("pk")
    )
    case_ids = {item.case_id for item in items if item.case_id is not None}
    hidden = withheld_case_ids(user, case_ids)
    readable = case_ids - hidden
    openable = (
        set(access.visible(user, Case.objects.filter(pk__in=readable)).values_list("pk", flat=True))
        if readable
        else set()
    )
    views = [
        ItemView(item=item, case_visible=item.case_id in openable)
        for item in items
        if item.case_id is None or item.case_id not in hidden
    ]
    return ItemsView(items=views, withheld=bool(hidden))
