"""Reads of allegations, always through the access policy: the queue, one allegation, the counts.

`QueueFilters.from_query(request.GET)` parses the queue's filters from a query string and
never raises: a value it cannot use is ignored and explained in `messages`. The screens and
the API share it, so `?status=triaged&status=oig_pending&age=over_30&sort=seriousness` means
the same in both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.db import models
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, OrgUnit
from probity.intake.models import (
    Allegation,
    AllegationPerson,
    AllegationStatus,
    Channel,
    DuplicateSuggestion,
    OigAnswer,
    OigReferral,
    PersonRole,
    Seriousness,
)

MAX_QUERY_LENGTH = 100
MAX_TERMS = 6
ASSIGNED_TO_ME = "me"
UNASSIGNED = "unassigned"
# Statuses in which the Joint Intake Center still has work to do.
OPEN_STATUSES = (
    AllegationStatus.RECEIVED,
    AllegationStatus.TRIAGED,
    AllegationStatus.OIG_PENDING,
    AllegationStatus.CLOSURE_PENDING,
)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
_ID = re.compile(r"^[0-9]{1,18}$")
_ASSIGNEE = re.compile(rf"^({ASSIGNED_TO_ME}|{UNASSIGNED}|[0-9]{{1,18}})$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class AgeBucket(models.TextChoices):
    UNDER_7 = "under_7", "Under 7 days"
    DAYS_7_TO_30 = "7_to_30", "7 to 30 days"
    OVER_30 = "over_30", "Over 30 days"
    OVER_90 = "over_90", "Over 90 days"


class QueueSort(models.TextChoices):
    OLDEST = "oldest", "Oldest first"
    NEWEST = "newest", "Newest first"
    SERIOUSNESS = "seriousness", "Most serious first"


# Criminal first; not yet triaged last.
SERIOUSNESS_RANK = {
    Seriousness.CRIMINAL: 0,
    Seriousness.SERIOUS_ADMINISTRATIVE: 1,
    Seriousness.MINOR_ADMINISTRATIVE: 2,
    Seriousness.NOT_MISCONDUCT: 3,
}


@dataclass(frozen=True)
class QueueFilters:
    statuses: tuple[str, ...] = ()
    channel: str = ""
    category: str = ""
    office_id: int | None = None
    age: str = ""
    prea: bool | None = None
    use_of_force: bool | None = None
    assigned: str = ""  # "me", "unassigned" or a user id
    q: str = ""
    sort: str = QueueSort.OLDEST
    messages: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, data: Any) -> QueueFilters:
        """Parse a QueryDict (or a plain mapping); bad values are dropped with a message each."""
        messages: list[str] = []
        statuses = []
        for status in _all(data, "status"):
            if status in AllegationStatus.values:
                statuses.append(status)
            else:
                messages.append(f"Ignored the unknown status {status[:40]!r}.")
        office = _matching(data, "office", _ID, messages, "Ignored an office that is not a number.")
        q = " ".join(_one(data, "q").split())
        if len(q) > MAX_QUERY_LENGTH:
            messages.append(f"The search text was cut to {MAX_QUERY_LENGTH} characters.")
            q = q[:MAX_QUERY_LENGTH].strip()
        return cls(
            statuses=tuple(dict.fromkeys(statuses)),
            channel=_choice(data, "channel", Channel.values, messages),
            category=_matching(
                data, "category", _SLUG, messages, "Ignored a category code that is not valid."
            ),
            office_id=int(office) if office else None,
            age=_choice(data, "age", AgeBucket.values, messages),
            prea=_flag(data, "prea", messages),
            use_of_force=_flag(data, "use_of_force", messages),
            assigned=_matching(
                data,
                "assigned",
                _ASSIGNEE,
                messages,
                "Ignored the assignee: use me, unassigned or a user id.",
            ),
            q=q,
            sort=_choice(data, "sort", QueueSort.values, messages) or QueueSort.OLDEST,
            messages=tuple(messages),
        )

    def as_detail(self) -> dict[str, Any]:
        """The filters as plain values, for the audit trail."""
        detail = asdict(self)
        detail.pop("messages")
        detail["statuses"] = list(self.statuses)
        return {key: value for key, value in detail.items() if value not in ("", None, [])}


def _all(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        raw = data.getlist(name)
    else:
        value = data.get(name, []) if isinstance(data, Mapping) else []
        raw = value if isinstance(value, list | tuple) else [value]
    # "status=a,b" and "status=a&status=b" both work.
    return [part.strip() for item in raw for part in str(item).split(",") if part.strip()][:20]


def _choice(data: Any, name: str, allowed: list[str], messages: list[str]) -> str:
    value = _one(data, name)
    if value and value not in allowed:
        messages.append(f"Ignored the unknown {name} {value[:40]!r}.")
        return ""
    return value


def _matching(data: Any, name: str, pattern: re.Pattern[str], messages: list[str], message: str) -> str:
    value = _one(data, name)
    if value and not pattern.match(value):
        messages.append(message)
        return ""
    return value


def _flag(data: Any, name: str, messages: list[str]) -> bool | None:
    value = _one(data, name).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value:
        messages.append(f"Ignored {name}={value[:10]!r}: use true or false.")
    return None


def _one(data: Any, name: str) -> str:
    value = data.get(name, "") if isinstance(data, Mapping) or hasattr(data, "get") else ""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value or "").strip()[:200]


# The queue


def _age_filter(age: str, now: dt.datetime) -> Q:
    days = dt.timedelta(days=1)
    return {
        AgeBucket.UNDER_7: Q(received_at__gt=now - 7 * days),
        AgeBucket.DAYS_7_TO_30: Q(received_at__lte=now - 7 * days, received_at__gt=now - 30 * days),
        AgeBucket.OVER_30: Q(received_at__lte=now - 30 * days),
        AgeBucket.OVER_90: Q(received_at__lte=now - 90 * days),
    }[AgeBucket(age)]


def _pending_oig_due() -> Subquery:
    pending = OigReferral.objects.filter(allegation=OuterRef("pk"), answer=OigAnswer.PENDING)
    return Subquery(pending.values("deadline__due_at")[:1], output_field=DateTimeField())


def _conditions(user: Any, filters: QueueFilters) -> list[Q]:
    conditions = []
    if filters.statuses:
        conditions.append(Q(status__in=filters.statuses))
    if filters.channel:
        conditions.append(Q(channel=filters.channel))
    if filters.office_id is not None:
        # The office and everything below it, in the same statement.
        path = OrgUnit.objects.filter(pk=filters.office_id).values("path")[:1]
        conditions.append(Q(office__path__startswith=Subquery(path)))
    if filters.age:
        conditions.append(_age_filter(filters.age, timezone.now()))
    if filters.prea is not None:
        conditions.append(Q(prea=filters.prea))
    if filters.use_of_force is not None:
        conditions.append(Q(use_of_force=filters.use_of_force))
    if filters.assigned == ASSIGNED_TO_ME:
        conditions.append(Q(assigned_to_id=getattr(user, "pk", None)))
    elif filters.assigned == UNASSIGNED:
        conditions.append(Q(assigned_to__isnull=True))
    elif filters.assigned:
        conditions.append(Q(assigned_to_id=int(filters.assigned)))
    return conditions


def allegation_queue(user: Any, *, filters: QueueFilters) -> QuerySet[Allegation]:
    """The allegations `user` may see that match `filters`, sorted, ready for a list.

    Each row carries `subjects` (the named subjects, contacts not decrypted), its categories,
    office and assignee, and `oig_due_at` (when a pending OIG answer is due, else None).
    """
    rows = access.visible(user, Allegation.objects.all()).filter(*_conditions(user, filters))
    for term in filters.q.split()[:MAX_TERMS]:
        rows = rows.filter(Q(number__icontains=term) | Q(summary__icontains=term))
    if filters.category:
        rows = rows.filter(categories__code=filters.category)

    rank = Case(
        *(When(seriousness=value, then=Value(order)) for value, order in SERIOUSNESS_RANK.items()),
        default=Value(len(SERIOUSNESS_RANK)),
        output_field=IntegerField(),
    )
    rows = rows.annotate(seriousness_rank=rank, oig_due_at=_pending_oig_due())
    if filters.sort == QueueSort.NEWEST:
        rows = rows.order_by("-received_at", "-pk")
    elif filters.sort == QueueSort.SERIOUSNESS:
        rows = rows.order_by("seriousness_rank", "received_at", "pk")
    else:
        rows = rows.order_by("received_at", "pk")
    subjects = (
        AllegationPerson.objects.filter(role=PersonRole.SUBJECT).select_related("employee").defer("contact")
    )
    return rows.select_related("office", "assigned_to").prefetch_related(
        "categories", Prefetch("people", queryset=subjects, to_attr="subjects")
    )


def record_queue_search(user: Any, filters: QueueFilters, *, results: int, channel: str = "web") -> None:
    """The audit event for one look at the queue."""
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(Allegation),
        detail={"filters": filters.as_detail(), "results": results, "channel": channel},
    )


def get_allegation_for(user: Any, pk: Any, *, record_view: bool = True, channel: str = "web") -> Allegation:
    """One allegation with its people, categories, OIG referrals and duplicate suggestions, or 404.

    Suggestions whose candidate the user may not see are left out, so a hidden allegation's
    number never shows through its duplicate. The view is audited unless `record_view` is off.
    """
    visible_allegations = access.visible(user, Allegation.objects.all()).values("pk")
    suggestions = (
        DuplicateSuggestion.objects.filter(candidate__in=visible_allegations)
        .select_related("candidate")
        .order_by("-score", "pk")
    )
    referrals = OigReferral.objects.select_related("deadline", "sent_by", "answered_by").order_by("-sent_at")
    rows = Allegation.objects.select_related(
        "office",
        "assigned_to",
        "arrest_category",
        "routed_by",
        "closure_requested_by",
        "closure_approved_by",
        "created_by",
    ).prefetch_related(
        Prefetch("people", queryset=AllegationPerson.objects.select_related("employee")),
        "categories",
        Prefetch("oig_referrals", queryset=referrals),
        Prefetch("suggestions", queryset=suggestions),
    )
    allegation = access.get_for(user, rows, pk=pk)
    if record_view:
        audit.record(AuditAction.VIEW, actor=user, obj=allegation, detail={"channel": channel})
    return allegation


def queue_counts(user: Any) -> dict[str, Any]:
    """Counts at a glance, in one query: {"total", "open", "unassigned", "overdue_oig",
    "by_status": {status: n}}; `overdue_oig` counts OIG answers whose clock has run out."""
    now = timezone.now()
    overdue = OigReferral.objects.filter(
        allegation=OuterRef("pk"),
        answer=OigAnswer.PENDING,
        deadline__due_at__lt=now,
        deadline__met_at__isnull=True,
        deadline__cancelled_at__isnull=True,
    )
    rows = access.visible(user, Allegation.objects.all()).annotate(oig_overdue=Exists(overdue)).order_by()
    counts = rows.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        unassigned=Count("pk", filter=Q(status__in=OPEN_STATUSES, assigned_to__isnull=True)),
        overdue_oig=Count("pk", filter=Q(oig_overdue=True, status=AllegationStatus.OIG_PENDING)),
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in AllegationStatus.values},
    )
    return {
        "total": counts["total"],
        "open": counts["open"],
        "unassigned": counts["unassigned"],
        "overdue_oig": counts["overdue_oig"],
        "by_status": {status: counts[f"status_{status}"] for status in AllegationStatus.values},
    }
