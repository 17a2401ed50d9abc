"""Reads of deaths in custody, always through the access policy: the list, one death, open clocks.

`DeathFilters.from_query(request.GET)` parses the list's filters and never raises: a value it
cannot use is ignored and explained in `messages`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractYear

from probity.core import access, audit
from probity.core.models import AuditAction, Deadline, Role
from probity.oversight.models import CustodyAgency, DeathInCustody, DeathReview
from probity.oversight.services.deaths import CLOCK_RULES

DEATH_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.SUPERVISOR})
MAX_FACILITY_QUERY = 100


@dataclass(frozen=True)
class DeathFilters:
    year: int | None = None
    agency: str = ""
    facility: str = ""
    messages: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> DeathFilters:
        messages: list[str] = []
        raw_year = str(data.get("year", "") or "").strip()
        year: int | None = None
        if raw_year:
            if raw_year.isdigit() and len(raw_year) == 4:
                year = int(raw_year)
            else:
                messages.append(f"Ignored the year {raw_year[:20]!r}: give four digits, e.g. 2025.")
        agency = str(data.get("agency", "") or "").strip().upper()
        if agency and agency not in CustodyAgency.values:
            messages.append(f"Ignored the agency {agency[:20]!r}: use {' or '.join(CustodyAgency.values)}.")
            agency = ""
        facility = " ".join(str(data.get("facility", "") or "").split())
        if len(facility) > MAX_FACILITY_QUERY:
            messages.append(f"The facility search was cut to {MAX_FACILITY_QUERY} characters.")
            facility = facility[:MAX_FACILITY_QUERY]
        return cls(year, agency, facility, messages)

    def as_detail(self) -> dict[str, Any]:
        return {"year": self.year, "agency": self.agency, "facility": self.facility}


def death_type() -> ContentType:
    return ContentType.objects.get_for_model(DeathInCustody)


def open_clocks(queryset: QuerySet[Deadline] | None = None) -> QuerySet[Deadline]:
    rows = queryset if queryset is not None else Deadline.objects.all()
    return rows.filter(
        content_type=death_type(),
        rule__code__in=CLOCK_RULES,
        met_at__isnull=True,
        cancelled_at__isnull=True,
    )


def _next_due() -> Subquery:
    """The due time of the death's soonest open clock (null when none is open)."""
    soonest = open_clocks().filter(object_id=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    return Subquery(soonest, output_field=DateTimeField())


def visible_deaths(user: Any) -> QuerySet[DeathInCustody]:
    return access.visible(user, DeathInCustody.objects.all())


def may_use_death_pages(user: Any) -> bool:
    """Program managers and supervisors, and whoever reviews a death."""
    if not getattr(user, "is_active", False):
        return False
    return user.has_role(*DEATH_ROLES) or DeathReview.objects.filter(reviewer_id=user.pk).exists()


def death_list(user: Any, *, filters: DeathFilters) -> QuerySet[DeathInCustody]:
    """The deaths `user` may see, newest death first, each with its next open clock's due time."""
    rows = visible_deaths(user)
    if filters.year is not None:
        rows = rows.filter(date_of_death__year=filters.year)
    if filters.agency:
        rows = rows.filter(agency=filters.agency)
    if filters.facility:
        rows = rows.filter(
            Q(facility_name__icontains=filters.facility)
            | Q(facility_location__icontains=filters.facility)
            | Q(place_of_death__icontains=filters.facility)
        )
    return (
        rows.select_related("office", "review__reviewer")
        .annotate(next_due_at=_next_due())
        .order_by("-date_of_death", "-number")
    )


def record_death_search(user: Any, filters: DeathFilters, *, results: int, channel: str = "web") -> None:
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(DeathInCustody),
        detail={"channel": channel, "filters": filters.as_detail(), "results": results},
    )


def get_death_for(user: Any, pk: int) -> DeathInCustody:
    """One death the user may see, or 404."""
    return access.get_for(
        user,
        DeathInCustody.objects.select_related("office", "incident", "created_by"),
        pk=pk,
    )


def review_of(death: DeathInCustody) -> DeathReview | None:
    return DeathReview.objects.filter(death_id=death.pk).select_related("reviewer", "report").first()


def years(user: Any) -> list[int]:
    """The years in which the user sees a death, newest first."""
    return sorted(
        {
            year
            for year in visible_deaths(user)
            .annotate(year=ExtractYear("date_of_death"))
            .values_list("year", flat=True)
            .distinct()
            if year is not None
        },
        reverse=True,
    )


def deaths_with_open_clocks(user: Any) -> QuerySet[Deadline]:
    """Open clocks on the deaths `user` may see, soonest due first."""
    seen = visible_deaths(user).values("pk")
    return open_clocks().filter(object_id__in=seen).select_related("rule").order_by("due_at", "pk")


def first_due_per_death(user: Any) -> QuerySet[DeathInCustody]:
    """The deaths with an open clock, the soonest-due first (for the dashboard panel)."""
    return (
        visible_deaths(user)
        .annotate(next_due_at=_next_due())
        .filter(next_due_at__isnull=False)
        .order_by("next_due_at", "number")
    )
