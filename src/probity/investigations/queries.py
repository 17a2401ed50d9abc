"""Reads of cases, always through the access policy: the case list, one case's page, caseloads.

`CaseFilters.from_query(request.GET)` parses the list's filters from a query string and never
raises: a value it cannot use is ignored and explained in `messages`.

Every read here costs a fixed number of SQL statements whatever the number of rows: the case
page prefetches everything its sections show (`CasePage`), and a test holds it to that.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from probity.core import access, audit
from probity.core.models import AuditAction, Deadline, FileAttachment, OrgUnit, OrgUnitKind, Role, User
from probity.investigations.models import (
    Activity,
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseParty,
    CaseStatus,
    CaseType,
    CustodyTransfer,
    DisciplineAction,
    DisposalRequest,
    EvidenceItem,
    MemberRole,
    PartyRole,
    PartyRoleChange,
    PlanStep,
    ProsecutionReferral,
    ReportVersion,
    ReviewAnswer,
    SufficiencyReview,
)
from probity.investigations.services.opening import CASE_AGE_RULE
from probity.investigations.workflow import OPEN_STATES

MAX_QUERY_LENGTH = 100
MAX_TERMS = 6
ME = "me"
NO_LEAD = "none"
_ID = re.compile(r"^[0-9]{1,18}$")
_LEAD = re.compile(rf"^({ME}|{NO_LEAD}|[0-9]{{1,18}})$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
DAY = dt.timedelta(days=1)
# Subjects first: they are what the case is about.
PARTY_ORDER = {role: index for index, role in enumerate(PartyRole.values)}


class CaseAge(models.TextChoices):
    UNDER_90 = "under_90", "Under 90 days"
    DAYS_90_TO_180 = "90_to_180", "90 to 180 days"
    OVER_180 = "over_180", "Over 180 days"
    APPROACHING = "approaching", "Approaching the age target"
    OVER_TARGET = "over_target", "Past the age target"


class CaseSort(models.TextChoices):
    OLDEST = "oldest", "Oldest first"
    NEWEST = "newest", "Newest first"
    TARGET = "target", "Nearest age target first"


def warning_days() -> int:
    return int(settings.PROBITY_CASE_AGE_WARNING_DAYS)


@dataclass(frozen=True)
class CaseFilters:
    """What the case list shows. No status chosen means every open case."""

    statuses: tuple[str, ...] = ()
    case_type: str = ""
    office_id: int | None = None
    lead: str = ""  # "me", "none" or a user id
    mine: bool = False  # cases I lead or am on the team of
    age: str = ""
    q: str = ""
    sort: str = CaseSort.OLDEST
    messages: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, data: Any) -> CaseFilters:
        """Parse a QueryDict (or a plain mapping); bad values are dropped with a message each."""
        messages: list[str] = []
        statuses = []
        for status in _all(data, "status"):
            if status in CaseStatus.values:
                statuses.append(status)
            else:
                messages.append(f"Ignored the unknown status {status[:40]!r}.")
        office = _one(data, "office")
        if office and not _ID.match(office):
            messages.append("Ignored an office that is not a number.")
            office = ""
        lead = _one(data, "lead")
        if lead and not _LEAD.match(lead):
            messages.append("Ignored the lead agent: use me, none or a user id.")
            lead = ""
        mine = _one(data, "mine").lower()
        if mine and mine not in _TRUE | _FALSE:
            messages.append(f"Ignored mine={mine[:10]!r}: use true or false.")
        q = " ".join(_one(data, "q").split())
        if len(q) > MAX_QUERY_LENGTH:
            messages.append(f"The search text was cut to {MAX_QUERY_LENGTH} characters.")
            q = q[:MAX_QUERY_LENGTH].strip()
        return cls(
            statuses=tuple(dict.fromkeys(statuses)),
            case_type=_choice(data, "type", CaseType.values, messages),
            office_id=int(office) if office else None,
            lead=lead,
            mine=mine in _TRUE,
            age=_choice(data, "age", CaseAge.values, messages),
            q=q,
            sort=_choice(data, "sort", CaseSort.values, messages) or CaseSort.OLDEST,
            messages=tuple(messages),
        )

    def as_detail(self) -> dict[str, Any]:
        """The filters as plain values, for the audit trail."""
        detail = asdict(self)
        detail.pop("messages")
        detail["statuses"] = list(self.statuses)
        return {key: value for key, value in detail.items() if value not in ("", None, [], False)}


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
    # "status=a,b" and "status=a&status=b" both work.
    return [part.strip() for item in raw for part in str(item).split(",") if part.strip()][:20]


def _choice(data: Any, name: str, allowed: list[str], messages: list[str]) -> str:
    value = _one(data, name)
    if value and value not in allowed:
        messages.append(f"Ignored the unknown {name} {value[:40]!r}.")
        return ""
    return value


# Building blocks


def case_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Case)


def _open_deadlines() -> QuerySet[Deadline]:
    return Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True)


def _target_due() -> Subquery:
    """When the case's open case-age clock runs out (None once it is met or cancelled)."""
    clock = _open_deadlines().filter(
        content_type=case_content_type(), object_id=OuterRef("pk"), rule__code=CASE_AGE_RULE
    )
    return Subquery(clock.order_by("-started_at").values("due_at")[:1], output_field=DateTimeField())


def _open_deadline_count() -> Coalesce:
    per_case = (
        _open_deadlines()
        .filter(content_type=case_content_type(), object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_case, output_field=IntegerField()), Value(0))


def _on_team(user: Any) -> Q:
    """Cases the user leads or is an active team member of."""
    pk: Any = getattr(user, "pk", None)
    members = CaseMember.objects.filter(user_id=pk, ended_at__isnull=True)
    return Q(lead_agent_id=pk) | Q(pk__in=members.values("case_id"))


def _age_filter(age: str, now: dt.datetime) -> Q:
    soon = now + warning_days() * DAY
    return {
        CaseAge.UNDER_90: Q(opened_at__gt=now - 90 * DAY),
        CaseAge.DAYS_90_TO_180: Q(opened_at__lte=now - 90 * DAY, opened_at__gt=now - 180 * DAY),
        CaseAge.OVER_180: Q(opened_at__lte=now - 180 * DAY),
        CaseAge.APPROACHING: Q(target_due_at__gte=now, target_due_at__lte=soon),
        CaseAge.OVER_TARGET: Q(target_due_at__lt=now),
    }[CaseAge(age)]


def _subjects() -> Prefetch[Any]:
    subjects = (
        CaseParty.objects.filter(role=PartyRole.SUBJECT)
        .select_related("employee")
        .defer("contact", "employee__date_of_birth")
        .order_by("pk")
    )
    return Prefetch("parties", queryset=subjects, to_attr="subjects")


# The case list


def case_list(user: Any, *, filters: CaseFilters) -> QuerySet[Case]:
    """The cases `user` may see that match `filters`, sorted, ready for a list.

    Each row carries its office and lead agent, `subjects` (the subject parties, contacts not
    decrypted) and `target_due_at` (when its open case-age clock runs out, else None).
    """
    now = timezone.now()
    rows = access.visible(user, Case.objects.all()).annotate(target_due_at=_target_due())
    rows = rows.filter(status__in=filters.statuses or OPEN_STATES)
    if filters.case_type:
        rows = rows.filter(case_type=filters.case_type)
    if filters.office_id is not None:
        # The office and everything below it, in the same statement.
        path = OrgUnit.objects.filter(pk=filters.office_id).values("path")[:1]
        rows = rows.filter(office__path__startswith=Subquery(path))
    if filters.lead == ME:
        rows = rows.filter(lead_agent_id=getattr(user, "pk", None))
    elif filters.lead == NO_LEAD:
        rows = rows.filter(lead_agent__isnull=True)
    elif filters.lead:
        rows = rows.filter(lead_agent_id=int(filters.lead))
    if filters.mine:
        rows = rows.filter(_on_team(user))
    if filters.age:
        rows = rows.filter(_age_filter(filters.age, now))
    for term in filters.q.split()[:MAX_TERMS]:
        rows = rows.filter(Q(number__icontains=term) | Q(title__icontains=term))
    if filters.sort == CaseSort.NEWEST:
        rows = rows.order_by("-opened_at", "-pk")
    elif filters.sort == CaseSort.TARGET:
        rows = rows.order_by(models.F("target_due_at").asc(nulls_last=True), "opened_at", "pk")
    else:
        rows = rows.order_by("opened_at", "pk")
    return rows.select_related("office", "lead_agent").defer("synopsis").prefetch_related(_subjects())


def record_case_search(user: Any, filters: CaseFilters, *, results: int, channel: str = "web") -> None:
    """The audit event for one look at the case list."""
    audit.record(
        AuditAction.SEARCH,
        actor=user,
        object_type=audit.label_of(Case),
        detail={"filters": filters.as_detail(), "results": results, "channel": channel},
    )


def lead_agent_choices(user: Any) -> QuerySet[User]:
    """Agents the list can be filtered by: those in the user's office scope."""
    agents = User.objects.filter(is_active=True, groups__name=Role.AGENT)
    scope = getattr(user, "office_scope", None)
    if scope is not None:
        agents = agents.filter(Q(office_scope__path__startswith=scope.path) | Q(office_scope__isnull=True))
    return agents.order_by("last_name", "first_name", "username").distinct()


def case_offices(user: Any, *, field_offices_only: bool = False) -> QuerySet[OrgUnit]:
    """OPR offices in the user's scope that own cases: the field offices, and OPR itself (which
    holds a case until a supervisor moves it to a field office)."""
    root = settings.PROBITY_OPR_UNIT_CODE
    root_path = OrgUnit.objects.filter(code=root).values("path")[:1]
    field_offices = Q(kind=OrgUnitKind.FIELD_OFFICE, path__startswith=Subquery(root_path))
    offices: QuerySet[OrgUnit] = OrgUnit.objects.filter(
        field_offices if field_offices_only else field_offices | Q(code=root)
    )
    offices = offices.filter(active=True)
    scope = getattr(user, "office_scope", None)
    if scope is not None:
        offices = offices.filter(path__startswith=scope.path)
    return offices.order_by("path")


# One case


@dataclass(frozen=True)
class CasePage:
    """Everything the case page and its sections show, read in a fixed number of queries.

    Sections use only these attributes; nothing on them queries the database per row.
    Activities also carry `attached_files` (their entry of `attachments`).
    """

    case: Case
    members: list[CaseMember]  # everyone ever on the team: current first, lead first
    parties: list[CaseParty]  # with employee and role_history
    allegations: list[CaseAllegation]  # with subject__employee, category, finding (+ evidence)
    plan_steps: list[PlanStep]
    activities: list[Activity]
    attachments: dict[int, list[FileAttachment]]  # activity id -> its files
    evidence: list[EvidenceItem]  # with custody (in sequence) and disposals
    reviews: list[SufficiencyReview]
    reports: list[ReportVersion]  # newest first
    prosecutions: list[ProsecutionReferral]
    discipline: list[DisciplineAction]  # only those the user may see
    events: list[CaseEvent]
    deadlines: list[Deadline]  # open ones, soonest first
    can_work: bool  # lead, active team member, or a supervisor who sees the case
    is_supervisor: bool
    age_target: Deadline | None = None  # the latest case-age clock, open or not
    now: dt.datetime = field(default_factory=timezone.now)
    warning_days: int = 30

    @property
    def team(self) -> list[CaseMember]:
        return [member for member in self.members if member.ended_at is None]

    @property
    def subjects(self) -> list[CaseParty]:
        return [party for party in self.parties if party.role == PartyRole.SUBJECT]

    @property
    def is_open(self) -> bool:
        return self.case.status in OPEN_STATES

    @property
    def age_days(self) -> int:
        end = self.case.closed_at if self.case.closed_at and not self.is_open else self.now
        return max((end - self.case.opened_at).days, 0)

    @property
    def target_days(self) -> int | None:
        target = self.age_target
        if target is None:
            return None
        return max((target.due_at - target.started_at).days, 0)

    @property
    def target_state(self) -> str:
        """ "met", "over", "approaching", "on_track", or "" when there is no clock."""
        target = self.age_target
        if target is None or target.cancelled_at is not None:
            return ""
        if target.met_at is not None:
            return "met"
        if target.due_at < self.now:
            return "over"
        if target.due_at <= self.now + self.warning_days * DAY:
            return "approaching"
        return "on_track"


def _case_rows() -> QuerySet[Case]:
    return Case.objects.select_related("office", "lead_agent", "supervisor", "compartment", "opened_by")


def get_case_for(user: Any, pk: Any) -> Case:
    """One case the user may see (office, lead agent, supervisor, compartment read), or 404."""
    return access.get_for(user, _case_rows(), pk=pk)


def case_page(user: Any, pk: Any, *, record_view: bool = True, channel: str = "web") -> CasePage:
    """The case and everything on its page, or 404. The view is audited unless `record_view` is off."""
    case = get_case_for(user, pk)
    if record_view:
        audit.record(AuditAction.VIEW, actor=user, obj=case, detail={"channel": channel})
    return read_case_page(user, case)


def read_case_page(user: Any, case: Case) -> CasePage:
    """The page of a case already read through the access policy."""
    now = timezone.now()
    members = list(
        CaseMember.objects.filter(case=case)
        .select_related("user", "assigned_by")
        .order_by(models.F("ended_at").desc(nulls_first=True), "role", "assigned_at", "pk")
    )
    role_history = PartyRoleChange.objects.select_related("by").order_by("at", "pk")
    parties = list(
        CaseParty.objects.filter(case=case)
        .select_related("employee")
        .defer("employee__date_of_birth")
        .prefetch_related(Prefetch("role_history", queryset=role_history))
        .order_by("pk")
    )
    parties.sort(key=lambda party: (PARTY_ORDER.get(party.role, len(PARTY_ORDER)), party.pk))
    allegations = list(
        CaseAllegation.objects.filter(case=case)
        .select_related("subject__employee", "category", "source", "finding", "finding__recorded_by")
        .defer("subject__contact", "subject__employee__date_of_birth")
        .prefetch_related("finding__evidence")
        .order_by("subject_id", "category__sort_order", "pk")
    )
    plan_steps = list(
        PlanStep.objects.filter(case=case).select_related("owner", "done_by").order_by("due_date", "pk")
    )
    activities = list(
        Activity.objects.filter(case=case)
        .select_related(
            "performed_by",
            "created_by",
            "interview",
            "interview__interviewee__employee",
            "interview__warning_form",
            "interview__recording",
            "interview__transcript",
        )
        .defer("interview__interviewee__contact", "interview__interviewee__employee__date_of_birth")
        .order_by("occurred_on", "pk")
    )
    activity_type = ContentType.objects.get_for_model(Activity)
    attachments: dict[int, list[FileAttachment]] = {}
    # A subquery, not a list of ids, so that a case with no activity costs the same one query.
    on_activities = FileAttachment.objects.filter(
        content_type=activity_type, object_id__in=Activity.objects.filter(case=case).values("pk")
    )
    for attachment in on_activities.select_related("file", "attached_by").order_by("attached_at", "pk"):
        attachments.setdefault(attachment.object_id, []).append(attachment)
    for activity in activities:
        activity.attached_files = attachments.get(activity.pk, [])  # type: ignore[attr-defined]
    custody = CustodyTransfer.objects.select_related("recorded_by").order_by("sequence")
    disposals = DisposalRequest.objects.select_related("requested_by", "decided_by").order_by(
        "requested_at", "pk"
    )
    evidence = list(
        EvidenceItem.objects.filter(case=case)
        .select_related("collected_by", "file")
        .prefetch_related(Prefetch("custody", queryset=custody), Prefetch("disposals", queryset=disposals))
        .order_by("number")
    )
    answers = ReviewAnswer.objects.select_related("item").order_by("item__sort_order", "item__code")
    reviews = list(
        SufficiencyReview.objects.filter(case=case)
        .select_related("submitted_by", "reviewer")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("round")
    )
    reports = list(
        ReportVersion.objects.filter(case=case)
        .select_related("pdf", "docx", "generated_by")
        .order_by("-version")
    )
    prosecutions = list(
        ProsecutionReferral.objects.filter(case=case)
        .select_related("subject__employee", "created_by")
        .defer("subject__contact", "subject__employee__date_of_birth")
        .order_by("presented_on", "pk")
    )
    discipline = list(
        access.visible(user, DisciplineAction.objects.filter(case=case))
        .select_related(
            "employee",
            "office",
            "offense",
            "proposing_official",
            "proposed_penalty",
            "deciding_official",
            "decided_penalty",
            "final_penalty",
            "referred_by",
        )
        .defer(
            "employee__date_of_birth",
            "proposing_official__date_of_birth",
            "deciding_official__date_of_birth",
        )
        .prefetch_related("douglas", "allegations")
        .order_by("referred_at", "pk")
    )
    events = list(CaseEvent.objects.filter(case=case).select_related("by").order_by("at", "pk"))
    clocks = list(
        Deadline.objects.filter(content_type=case_content_type(), object_id=case.pk)
        .select_related("rule", "owner")
        .order_by("due_at", "pk")
    )
    age_clocks = [clock for clock in clocks if clock.rule.code == CASE_AGE_RULE]
    is_supervisor = bool(user.has_role(Role.SUPERVISOR))
    on_team = case.lead_agent_id == user.pk or any(
        member.user_id == user.pk and member.ended_at is None for member in members
    )
    return CasePage(
        case=case,
        members=members,
        parties=parties,
        allegations=allegations,
        plan_steps=plan_steps,
        activities=activities,
        attachments=attachments,
        evidence=evidence,
        reviews=reviews,
        reports=reports,
        prosecutions=prosecutions,
        discipline=discipline,
        events=events,
        deadlines=[clock for clock in clocks if clock.is_open],
        can_work=on_team or is_supervisor,
        is_supervisor=is_supervisor,
        age_target=max(age_clocks, key=lambda clock: (clock.started_at, clock.pk)) if age_clocks else None,
        now=now,
        warning_days=warning_days(),
    )


# Caseloads


@dataclass(frozen=True)
class CaseloadRow:
    """One agent's or one office's open work."""

    who: Any  # a User or an OrgUnit
    open_cases: int = 0
    team_cases: int = 0  # cases the agent is on without leading them
    oldest_opened_at: dt.datetime | None = None
    approaching: int = 0  # case-age clock runs out within the warning days
    over_target: int = 0
    open_deadlines: int = 0
    unassigned: int = 0  # open cases without a lead agent (offices only)
    as_of: dt.datetime | None = None

    @property
    def oldest_days(self) -> int | None:
        """Age in days of the oldest open case, as of `as_of`."""
        if self.oldest_opened_at is None or self.as_of is None:
            return None
        return max((self.as_of - self.oldest_opened_at).days, 0)


@dataclass(frozen=True)
class Caseload:
    by_agent: list[CaseloadRow]
    by_office: list[CaseloadRow]
    now: dt.datetime
    warning_days: int

    @property
    def total(self) -> CaseloadRow:
        rows = self.by_office
        oldest = [row.oldest_opened_at for row in rows if row.oldest_opened_at is not None]
        return CaseloadRow(
            who=None,
            as_of=self.now,
            open_cases=sum(row.open_cases for row in rows),
            oldest_opened_at=min(oldest) if oldest else None,
            approaching=sum(row.approaching for row in rows),
            over_target=sum(row.over_target for row in rows),
            open_deadlines=sum(row.open_deadlines for row in rows),
            unassigned=sum(row.unassigned for row in rows),
        )


def _open_cases(user: Any) -> QuerySet[Case]:
    return access.visible(user, Case.objects.filter(status__in=OPEN_STATES))


def caseload(user: Any) -> Caseload:
    """Open cases per agent and per office in what the user may see: count, oldest, clocks.

    Agents and OPR field offices in the user's scope appear even with no open case, so that a
    supervisor sees who has room. Four queries, however many cases and agents.
    """
    now = timezone.now()
    soon = now + warning_days() * DAY
    cases = _open_cases(user).alias(target_due=_target_due(), deadlines_open=_open_deadline_count())
    measures: dict[str, Any] = {
        "open_cases": Count("pk"),
        "oldest_opened_at": Min("opened_at"),
        "approaching": Count("pk", filter=Q(target_due__gte=now, target_due__lte=soon)),
        "over_target": Count("pk", filter=Q(target_due__lt=now)),
        "open_deadlines": Coalesce(Sum("deadlines_open"), Value(0)),
    }
    # One pass over the cases, grouped by office and lead; offices and agents are sums of it.
    per_office: dict[int, dict[str, Any]] = {}
    per_lead: dict[int, dict[str, Any]] = {}
    for values in cases.order_by().values("office", "lead_agent").annotate(**measures):
        row: dict[str, Any] = dict(values)
        figures = {name: row[name] for name in measures}
        _add(
            per_office,
            row["office"],
            figures,
            unassigned=figures["open_cases"] if row["lead_agent"] is None else 0,
        )
        if row["lead_agent"] is not None:
            _add(per_lead, row["lead_agent"], figures)
    team = (
        CaseMember.objects.filter(
            ended_at__isnull=True, role=MemberRole.TEAM, case__in=_open_cases(user).values("pk")
        )
        .exclude(case__lead_agent_id=models.F("user_id"))
        .order_by()
        .values("user")
        .annotate(n=Count("case", distinct=True))
    )
    per_member = {row["user"]: row["n"] for row in team}

    offices = list(case_offices(user, field_offices_only=True)) + list(
        OrgUnit.objects.filter(pk__in=list(per_office))
    )
    agents = lead_agent_choices(user)
    people = list(
        User.objects.filter(Q(pk__in=agents.values("pk")) | Q(pk__in=[*per_lead, *per_member]))
        .select_related("office_scope")
        .order_by("last_name", "first_name", "username")
    )
    by_office = [
        CaseloadRow(who=office, as_of=now, **per_office.get(office.pk, {}))
        for office in sorted({office.pk: office for office in offices}.values(), key=lambda o: o.path)
    ]
    by_agent = [
        CaseloadRow(
            who=person,
            as_of=now,
            team_cases=per_member.get(person.pk, 0),
            **per_lead.get(person.pk, {}),
        )
        for person in people
    ]
    return Caseload(by_agent=by_agent, by_office=by_office, now=now, warning_days=warning_days())


def _add(totals: dict[int, dict[str, Any]], key: int, figures: dict[str, Any], **extra: int) -> None:
    """Fold one group's figures into `totals[key]`: counts add up, the oldest stays the oldest."""
    total = totals.setdefault(key, {"oldest_opened_at": None})
    for name, value in {**figures, **extra}.items():
        if name == "oldest_opened_at":
            current = total["oldest_opened_at"]
            total[name] = value if current is None or (value is not None and value < current) else current
        else:
            total[name] = total.get(name, 0) + (value or 0)


def approaching_target(user: Any) -> QuerySet[Case]:
    """Open cases the user may see whose case-age clock runs out within the warning days (or has
    run out), soonest first, each with `target_due_at`."""
    soon = timezone.now() + warning_days() * DAY
    return (
        _open_cases(user)
        .annotate(target_due_at=_target_due())
        .filter(target_due_at__lte=soon)
        .select_related("office", "lead_agent")
        .defer("synopsis")
        .order_by("target_due_at", "pk")
    )


def my_cases(user: Any) -> QuerySet[Case]:
    """Open cases the user leads or works on, with `target_due_at`, nearest target first."""
    return case_list(user, filters=CaseFilters(mine=True, sort=CaseSort.TARGET))


def my_case_deadlines(user: Any) -> QuerySet[Deadline]:
    """Open deadlines on the open cases the user works on, or that the user owns on any case
    they may see; soonest first. Each row's `object_id` is its case."""
    visible = _open_cases(user)
    mine = visible.filter(_on_team(user)).values("pk")
    return (
        _open_deadlines()
        .filter(content_type=case_content_type())
        .filter(Q(object_id__in=mine) | Q(owner_id=user.pk, object_id__in=visible.values("pk")))
        .select_related("rule")
        .order_by("due_at", "pk")
    )
