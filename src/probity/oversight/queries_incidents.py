"""Reads of critical incidents and the review board, always through the access policy.

`IncidentFilters.from_query(request.GET)` parses the list's filters and never raises: a value it
cannot use is ignored and explained in `messages`. Every read here costs a fixed number of SQL
statements whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, Deadline, OrgUnit, Role, User
from probity.intake.models import Allegation
from probity.investigations.models import Case
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    BoardMeetingStatus,
    CriticalIncident,
    ForceUsed,
    IncidentEmployee,
    IncidentKind,
    IncidentStatus,
    IncidentSubject,
    Recommendation,
)
from probity.oversight.services.board import agency_today
from probity.oversight.services.incidents import prosecution_holds
from probity.oversight.workflow_incidents import OPEN_STATES

S = IncidentStatus
MAX_QUERY_LENGTH = 100
MAX_TERMS = 6
ME = "me"
NONE = "none"
_ID = re.compile(r"^[0-9]{1,18}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
# What a program manager's queue holds: the incidents waiting on the office, not on others.
WAITING = (S.REPORTED, S.UNDER_REVIEW, S.AWAITING_PROSECUTION, S.BOARD_PENDING)


@dataclass(frozen=True)
class IncidentFilters:
    """What the incident list shows. No status chosen means every open incident."""

    statuses: tuple[str, ...] = ()
    kind: str = ""
    office_id: int | None = None
    board: bool | None = None  # meets the review board's criteria
    reviewer: str = ""  # "me", "none" or a user id
    q: str = ""
    messages: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, data: Any) -> IncidentFilters:
        """Parse a QueryDict (or a plain mapping); bad values are dropped with a message each."""
        messages: list[str] = []
        statuses = []
        for status in _all(data, "status"):
            if status in S.values:
                statuses.append(status)
            else:
                messages.append(f"Ignored the unknown status {status[:40]!r}.")
        kind = _one(data, "kind")
        if kind and kind not in IncidentKind.values:
            messages.append(f"Ignored the unknown kind {kind[:40]!r}.")
            kind = ""
        office = _one(data, "office")
        if office and not _ID.match(office):
            messages.append("Ignored an office that is not a number.")
            office = ""
        board_text = _one(data, "board").lower()
        board: bool | None = None
        if board_text in _TRUE:
            board = True
        elif board_text in _FALSE:
            board = False
        elif board_text:
            messages.append(f"Ignored board={board_text[:10]!r}: use true or false.")
        reviewer = _one(data, "reviewer")
        if reviewer and reviewer not in (ME, NONE) and not _ID.match(reviewer):
            messages.append("Ignored the reviewer: use me, none or a user id.")
            reviewer = ""
        q = " ".join(_one(data, "q").split())
        if len(q) > MAX_QUERY_LENGTH:
            messages.append(f"The search text was cut to {MAX_QUERY_LENGTH} characters.")
            q = q[:MAX_QUERY_LENGTH].strip()
        return cls(
            statuses=tuple(dict.fromkeys(statuses)),
            kind=kind,
            office_id=int(office) if office else None,
            board=board,
            reviewer=reviewer,
            q=q,
            messages=tuple(messages),
        )

    def as_detail(self) -> dict[str, Any]:
        """The filters as plain values, for the audit trail."""
        detail = asdict(self)
        detail.pop("messages")
        detail["statuses"] = list(self.statuses)
        return {key: value for key, value in detail.items() if value not in ("", None, [])}


def _one(data: Any, name: str) -> str:
    value = data.get(name, "") if isinstance(data, Mapping) or hasattr(data, "get") else ""
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return str(value or "").strip()[:200]


def _all(data: Any, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        raw = data.getlist(name)
    else:
        value = data.get(name, []) if isinstance(data, Mapping) else []
        raw = value if isinstance(value, list | tuple) else [value]
    return [part.strip() for item in raw for part in str(item).split(",") if part.strip()][:20]


def _board_criteria() -> Q:
    """`CriticalIncident.meets_board_criteria` in SQL."""
    return Q(serious_injury=True) | Q(death=True) | Q(kind=IncidentKind.FIREARM, training_discharge=False)


# The list


def incident_list(user: Any, *, filters: IncidentFilters) -> QuerySet[CriticalIncident]:
    """The incidents `user` may see that match `filters`, newest first, ready for a list."""
    rows = access.visible(user, CriticalIncident.objects.all())
    rows = rows.filter(status__in=filters.statuses or OPEN_STATES)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.office_id is not None:
        path = OrgUnit.objects.filter(pk=filters.office_id).values("path")[:1]
        rows = rows.filter(office__path__startswith=Subquery(path))
    if filters.board is True:
        rows = rows.filter(_board_criteria())
    elif filters.board is False:
        rows = rows.exclude(_board_criteria())
    if filters.reviewer == ME:
        rows = rows.filter(reviewer_id=getattr(user, "pk", None))
    elif filters.reviewer == NONE:
        rows = rows.filter(reviewer__isnull=True)
    elif filters.reviewer:
        rows = rows.filter(reviewer_id=int(filters.reviewer))
    for term in filters.q.split()[:MAX_TERMS]:
        rows = rows.filter(Q(number__icontains=term) | Q(summary__icontains=term) | Q(place__icontains=term))
    return (
        rows.select_related("office", "reviewer").defer("narrative", "facts").order_by("-occurred_at", "-pk")
    )


def record_incident_search(
    user: Any, filters: IncidentFilters, *, results: int, channel: str = "web"
) -> None:
    """The audit event for one look at the incident list."""
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(CriticalIncident),
        detail={"filters": filters.as_detail(), "results": results, "channel": channel},
    )


def incident_offices(user: Any) -> QuerySet[OrgUnit]:
    """Offices the list can be filtered by, and incidents reported at: those in the user's scope."""
    offices: QuerySet[OrgUnit] = OrgUnit.objects.filter(active=True)
    scope = getattr(user, "office_scope", None)
    if scope is not None and not user.has_role(Role.PROGRAM_MANAGER):
        offices = offices.filter(path__startswith=scope.path)
    return offices.order_by("path")


def reviewer_choices() -> QuerySet[User]:
    """People who may review incidents: active program managers, supervisors and special agents."""
    roles = (Role.PROGRAM_MANAGER, Role.SUPERVISOR, Role.AGENT)
    users: QuerySet[User] = User.objects.filter(is_active=True, groups__name__in=roles).distinct()
    return users.order_by("last_name", "first_name", "username")


# One incident


@dataclass(frozen=True)
class IncidentPage:
    """Everything the incident page shows, read in a fixed number of queries."""

    incident: CriticalIncident
    employees: list[IncidentEmployee]
    subjects: list[IncidentSubject]
    force: list[ForceUsed]
    allegations: list[Allegation]
    visible_allegations: frozenset[int]
    cases: list[Case]
    visible_cases: frozenset[int]
    holds: list[str]  # why the board must wait on a prosecutor
    agenda: list[AgendaItem]  # with meeting and recommendations
    is_program_manager: bool
    is_reviewer: bool
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def is_open(self) -> bool:
        return self.incident.status in OPEN_STATES


def _incident_rows() -> QuerySet[CriticalIncident]:
    return CriticalIncident.objects.select_related("office", "reviewer", "compartment", "created_by")


def get_incident_for(user: Any, pk: Any) -> CriticalIncident:
    """One incident the user may see, or 404."""
    return access.get_for(user, _incident_rows(), pk=pk)


def incident_page(user: Any, pk: Any, *, record_view: bool = True, channel: str = "web") -> IncidentPage:
    """The incident and everything on its page, or 404. The view is audited unless `record_view` is off."""
    incident = get_incident_for(user, pk)
    if record_view:
        audit.record(AuditAction.VIEW, actor=user, obj=incident, detail={"channel": channel})
    return read_incident_page(user, incident)


def read_incident_page(user: Any, incident: CriticalIncident) -> IncidentPage:
    employees = list(
        IncidentEmployee.objects.filter(incident=incident)
        .select_related("employee")
        .defer("employee__date_of_birth")
        .order_by("pk")
    )
    subjects = list(IncidentSubject.objects.filter(incident=incident).order_by("pk"))
    force = list(
        ForceUsed.objects.filter(incident=incident)
        .select_related("by_employee__employee")
        .defer("by_employee__employee__date_of_birth")
        .order_by("pk")
    )
    allegations = list(incident.allegations.defer("narrative").order_by("number"))
    visible_allegations = frozenset(
        access.visible(user, Allegation.objects.filter(incidents=incident)).values_list("pk", flat=True)
    )
    cases = list(incident.cases.defer("synopsis").order_by("number"))
    visible_cases = frozenset(
        access.visible(user, Case.objects.filter(incidents=incident)).values_list("pk", flat=True)
    )
    recommendations = Recommendation.objects.select_related("owner").order_by("due_on", "pk")
    agenda = list(
        AgendaItem.objects.filter(incident=incident)
        .select_related("meeting", "referral")
        .prefetch_related(Prefetch("recommendations", queryset=recommendations))
        .order_by("meeting__held_on", "pk")
    )
    return IncidentPage(
        incident=incident,
        employees=employees,
        subjects=subjects,
        force=force,
        allegations=allegations,
        visible_allegations=visible_allegations,
        cases=cases,
        visible_cases=visible_cases,
        holds=prosecution_holds(incident) if cases else [],
        agenda=agenda,
        is_program_manager=bool(user.has_role(Role.PROGRAM_MANAGER)),
        is_reviewer=incident.reviewer_id is not None and incident.reviewer_id == user.pk,
    )


# The review board


def require_board_user(user: Any) -> None:
    # 404, not 403: to other roles the board's screens do not exist.
    if user is None or not getattr(user, "is_active", False) or not user.has_role(Role.PROGRAM_MANAGER):
        raise Http404("No such page")


def meeting_list(user: Any) -> QuerySet[BoardMeeting]:
    """Every meeting (program managers run the board), newest first, with counts."""
    require_board_user(user)
    return BoardMeeting.objects.annotate(
        items=Count("agenda", distinct=True),
        decided=Count("agenda", filter=~Q(agenda__determination=""), distinct=True),
        member_count=Count("members", distinct=True),
    ).order_by("-held_on", "-pk")


@dataclass(frozen=True)
class MeetingPage:
    meeting: BoardMeeting
    members: list[User]
    agenda: list[AgendaItem]  # each with incident (if visible) and recommendations
    visible_incidents: frozenset[int]
    today: dt.date


def get_meeting_for(user: Any, pk: Any) -> BoardMeeting:
    require_board_user(user)
    try:
        return BoardMeeting.objects.select_related("created_by").get(pk=int(pk))
    except (BoardMeeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No such meeting") from None


def get_agenda_item_for(user: Any, meeting: BoardMeeting, item_id: Any) -> AgendaItem:
    """An item of the meeting's agenda whose incident the user may see, or 404."""
    try:
        item = AgendaItem.objects.select_related("incident", "meeting").get(pk=int(item_id), meeting=meeting)
    except (AgendaItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such agenda item") from None
    if not access.can_view(user, item.incident):
        raise Http404("No such agenda item")
    return item


def meeting_page(user: Any, pk: Any, *, record_view: bool = True, channel: str = "web") -> MeetingPage:
    meeting = get_meeting_for(user, pk)
    if record_view:
        audit.record(AuditAction.VIEW, actor=user, obj=meeting, detail={"channel": channel})
    return read_meeting_page(user, meeting)


def read_meeting_page(user: Any, meeting: BoardMeeting) -> MeetingPage:
    recommendations = Recommendation.objects.select_related("owner").order_by("due_on", "pk")
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("incident", "incident__office", "referral")
        .defer("incident__narrative", "incident__facts", "referral__narrative")
        .prefetch_related(Prefetch("recommendations", queryset=recommendations))
        .order_by("pk")
    )
    visible = frozenset(
        access.visible(user, CriticalIncident.objects.filter(agenda_items__meeting=meeting)).values_list(
            "pk", flat=True
        )
    )
    return MeetingPage(
        meeting=meeting,
        members=list(meeting.members.order_by("last_name", "first_name", "username")),
        agenda=agenda,
        visible_incidents=visible,
        today=agency_today(),
    )


def awaiting_agenda(user: Any) -> QuerySet[CriticalIncident]:
    """Incidents waiting for the board that no scheduled meeting has on its agenda yet."""
    planned = AgendaItem.objects.filter(determination="", meeting__status=BoardMeetingStatus.SCHEDULED)
    return (
        access.visible(user, CriticalIncident.objects.filter(status=S.BOARD_PENDING))
        .exclude(pk__in=planned.values("incident_id"))
        .select_related("office")
        .defer("narrative", "facts")
        .order_by("occurred_at", "pk")
    )


def board_member_choices() -> QuerySet[User]:
    """Whom a meeting is usually made of: active program managers and supervisors."""
    roles = (Role.PROGRAM_MANAGER, Role.SUPERVISOR)
    users: QuerySet[User] = User.objects.filter(is_active=True, groups__name__in=roles).distinct()
    return users.order_by("last_name", "first_name", "username")


def owner_choices() -> QuerySet[User]:
    """Who may own a recommendation: any active user with a role."""
    users: QuerySet[User] = User.objects.filter(is_active=True, groups__isnull=False).distinct()
    return users.order_by("last_name", "first_name", "username")


# Recommendations


def my_recommendations(user: Any) -> QuerySet[Recommendation]:
    """The recommendations the user owns: open ones first (soonest due), then the done ones."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Recommendation.objects.none()
    return (
        Recommendation.objects.filter(owner_id=user.pk)
        .select_related("item__incident", "item__meeting")
        .defer("item__incident__narrative", "item__incident__facts")
        .order_by("completed_at", "due_on", "pk")
    )


def get_recommendation_for(user: Any, pk: Any) -> Recommendation:
    """A recommendation the user owns, or (program managers) any; else 404."""
    try:
        found = Recommendation.objects.select_related("item__incident", "item__meeting").get(pk=int(pk))
    except (Recommendation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such recommendation") from None
    if found.owner_id != user.pk and not user.has_role(Role.PROGRAM_MANAGER):
        raise Http404("No such recommendation")
    return found


def overdue_recommendations(user: Any) -> QuerySet[Recommendation]:
    """Open recommendations past their due date on incidents the user may see, most overdue first."""
    visible = access.visible(user, CriticalIncident.objects.all()).values("pk")
    return (
        Recommendation.objects.filter(
            completed_at__isnull=True, due_on__lt=agency_today(), item__incident_id__in=visible
        )
        .select_related("owner", "item__incident")
        .defer("item__incident__narrative", "item__incident__facts")
        .order_by("due_on", "pk")
    )


def waiting_counts(user: Any) -> dict[str, int]:
    """How many incidents the user may see wait in each open step of the review."""
    rows = (
        access.visible(user, CriticalIncident.objects.filter(status__in=WAITING))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, int] = {str(status): 0 for status in WAITING}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def recommendation_deadlines(recommendations: list[Recommendation]) -> dict[int, Deadline]:
    """The latest clock of each recommendation, by recommendation id (one query)."""
    from django.contrib.contenttypes.models import ContentType

    if not recommendations:
        return {}
    clocks = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Recommendation),
        object_id__in=[r.pk for r in recommendations],
    ).order_by("started_at", "pk")
    return {clock.object_id: clock for clock in clocks}
