"""Investigations' part of `probity seed-demo`: the cases behind intake's routed allegations.

Every allegation the intake demo routed to an OPR investigation becomes a case (linked
allegations share one), at the OPR field office that covers its port or station. Each case is
then worked through the real services as far as its age allows: a lead agent (the `agent`
login leads Tucson's cases; the other offices' special agents get accounts without a
password), a plan, records checks, interviews with their signed warning forms, evidence with
its chain of custody, prosecution referrals on criminal cases, findings, a sufficiency review
(some returned once), for some the report of investigation drafted and made final (the others'
are made when first downloaded), and discipline for sustained findings
(proposed, answered, decided with the 12 Douglas factors, some final). So cases stand in every
state, and the Douglas factor 6 figures have a history to show.

The services stamp "now"; afterwards the case's own dates (opened, assigned, history, closed,
the case-age clock) are moved back to the allegation's routing date, so ages and the
approaching-target view look lived in. Audit events keep their real time: they record when the
demo wrote them. Deterministic for the plan's seed and date.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from probity.core import demo
from probity.core.models import Deadline, Employee, OrgUnit, OrgUnitKind, Role, User
from probity.intake.models import Allegation, AllegationStatus, RoutingOutcome
from probity.investigations.models import (
    Activity,
    ActivityKind,
    Case,
    CaseAllegation,
    CaseEvent,
    CaseMember,
    CaseParty,
    CaseSource,
    CaseStatus,
    CaseType,
    ChecklistItem,
    DisciplineAction,
    DouglasFactor,
    EvidenceItem,
    EvidenceKind,
    FactorWeight,
    Finding,
    FindingOutcome,
    Offense,
    PartyRole,
    PartyRoleChange,
    Penalty,
    PlanStep,
    ProsecutionDecision,
    ProsecutionReferral,
    ProsecutorKind,
    ReportVersion,
    SufficiencyReview,
    Warning,
)
from probity.investigations.services import (
    cases,
    discipline,
    evidence,
    findings,
    prosecution,
    reports,
    review,
    work,
)
from probity.investigations.services.opening import (
    CASE_AGE_RULE,
    TYPE_OF_OUTCOME,
    case_office_for,
    open_case,
    opr_field_offices,
)

FINDING_MIX = (
    (FindingOutcome.SUSTAINED, 35),
    (FindingOutcome.NOT_SUSTAINED, 28),
    (FindingOutcome.UNFOUNDED, 15),
    (FindingOutcome.EXONERATED, 12),
    (FindingOutcome.POLICY_FAILURE, 5),
    (FindingOutcome.NOT_INVOLVED, 5),
)
RATIONALES = {
    FindingOutcome.SUSTAINED: (
        "The video, the records and two witnesses agree; the subject's account is not credible."
    ),
    FindingOutcome.NOT_SUSTAINED: "The accounts conflict and nothing independent settles it.",
    FindingOutcome.UNFOUNDED: "The records show the subject was off duty and elsewhere.",
    FindingOutcome.EXONERATED: "It happened as alleged, and it was lawful and within policy.",
    FindingOutcome.POLICY_FAILURE: "The subject followed a policy that did not cover the situation.",
    FindingOutcome.NOT_INVOLVED: "The subject was not present; another officer was identified.",
}
ACTIVITIES = (
    (ActivityKind.RECORDS_CHECK, "Queried TECS and the port's shift schedules for the day of the incident."),
    (ActivityKind.SUBPOENA, "Requested the subject's bank records from the financial institution."),
    (ActivityKind.FORENSIC, "Imaged the subject's government phone; report received from the lab."),
    (ActivityKind.CONSULTATION, "Consulted the Assistant U.S. Attorney on the criminal exposure."),
    (ActivityKind.SURVEILLANCE, "Observed the subject's vehicle at the secondary inspection lot."),
)
PLAN = (
    "Obtain the CCTV footage of the secondary inspection area",
    "Interview the complainant",
    "Interview the witnesses on shift",
    "Interview the subject",
    "Review the seizure and incident reports",
)
# A one-page signed-form stand-in: the same bytes for every interview, so one stored file.
WARNING_FORM = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _weighted(rng: random.Random, mix: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix])[0]


class _Agents:
    """Special agents per OPR office: the `agent` login in its own office, accounts elsewhere."""

    def __init__(self, loaded: demo.LoadedDemo) -> None:
        self.loaded = loaded
        self.by_office: dict[int, list[User]] = {}
        self.group = Group.objects.get(name=Role.AGENT)
        login = loaded.logins.get(Role.AGENT)
        self.login = User.objects.get(pk=login.pk) if login else None

    def for_office(self, office: OrgUnit) -> list[User]:
        if office.pk in self.by_office:
            return self.by_office[office.pk]
        agents: list[User] = []
        if self.login is not None and self.login.office_scope_id == office.pk:
            agents.append(self.login)
        in_office = Employee.objects.filter(
            assignments__org_unit=office, assignments__end_date__isnull=True, user_account__isnull=True
        ).distinct()
        # Special agents (series 1811) first; a small demo may have only other staff there.
        staff = list(in_office.filter(series="1811").order_by("employee_number")[:3]) or list(
            in_office.order_by("employee_number")[:2]
        )
        for employee in staff:
            user = User(
                username=f"sa.{employee.employee_number.lower()}",
                first_name=employee.first_name,
                last_name=employee.last_name,
                email=f"sa.{employee.employee_number.lower()}@probity.invalid",
                office_scope=office,
                employee=employee,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(self.group)
            agents.append(User.objects.get(pk=user.pk))  # fresh: `roles` is cached per instance
        if not agents:
            user = User(
                username=f"sa.{office.code.lower()}",
                first_name="Special",
                last_name="Agent",
                office_scope=office,
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(self.group)
            agents.append(User.objects.get(pk=user.pk))
        self.by_office[office.pk] = agents
        return agents


def _stage(rng: random.Random, age: int, case_type: str) -> str:
    """How far a case of this age has gone (the state it is left in)."""
    criminal = case_type in (CaseType.CRIMINAL, CaseType.JOINT)
    if age < 10:
        return CaseStatus.OPENED
    if age < 60:
        return CaseStatus.INVESTIGATING
    if age < 120:
        options = [(CaseStatus.INVESTIGATING, 5), (CaseStatus.REPORT_DRAFTING, 3)]
        if criminal:
            options.append((CaseStatus.PROSECUTION, 3))
        return _weighted(rng, options)
    if age < 200:
        options = [
            (CaseStatus.REPORT_DRAFTING, 3),
            (CaseStatus.SUFFICIENCY_REVIEW, 3),
            (CaseStatus.CLOSED, 4),
        ]
        if criminal:
            options.append((CaseStatus.ABEYANCE, 2))
        return _weighted(rng, options)
    return _weighted(rng, [(CaseStatus.CLOSED, 9), (CaseStatus.SUFFICIENCY_REVIEW, 1)])


class _Worker:
    def __init__(self, loaded: demo.LoadedDemo, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        # Fresh instances: a User caches its roles, and these were made before their groups.
        self.supervisor = User.objects.get(pk=loaded.logins[Role.SUPERVISOR].pk)
        labor = loaded.logins.get(Role.LABOR_RELATIONS)
        self.labor = User.objects.get(pk=labor.pk) if labor else None
        self.agents = _Agents(loaded)
        self.officials = list(
            Employee.objects.filter(grade__in=("GS-14", "GS-15"), status="active").order_by(
                "employee_number"
            )[:40]
        )
        self.penalties = {p.code: p for p in Penalty.objects.all()}
        self.offenses = {o.category_id: o for o in Offense.objects.filter(active=True)}
        self.counts: Counter[str] = Counter()

    def when(self, start: dt.datetime, day: int) -> dt.datetime:
        moment = start + dt.timedelta(days=day, hours=self.rng.randint(1, 8))
        return min(moment, self.now - dt.timedelta(minutes=5))

    def work(self, case: Case, opened: dt.datetime) -> None:
        age = (self.now - opened).days
        target = _stage(self.rng, age, case.case_type)
        agents = [a for a in self.agents.for_office(case.office) if not self._named(case, a)]
        if not agents:
            self.counts[case.status] += 1
            return
        lead = agents[0] if self.rng.random() < 0.7 else self.rng.choice(agents)
        cases.assign_lead(actor=self.supervisor, case=case, agent=lead)
        if len(agents) > 1 and self.rng.random() < 0.4:
            cases.add_team_member(
                actor=self.supervisor, case=case, agent=next(a for a in agents if a != lead)
            )
        if target == CaseStatus.OPENED:
            self.counts[target] += 1
            return
        cases.move_case(actor=lead, case=case, target=CaseStatus.INVESTIGATING)
        span = max(int(age * 0.7), 3)  # the work happens before the case is closed (at 0.8 of its age)
        self._investigate(case, lead, opened, span, finished=target not in (CaseStatus.INVESTIGATING,))
        if target in (CaseStatus.PROSECUTION, CaseStatus.ABEYANCE):
            self._prosecute(case, lead, opened, span, hold=target == CaseStatus.ABEYANCE)
        elif target != CaseStatus.INVESTIGATING:
            if case.case_type != CaseType.ADMINISTRATIVE and self.rng.random() < 0.5:
                self._prosecute(case, lead, opened, span, declined=True)
            self._conclude(case, lead, opened, span, target)
        case.refresh_from_db()
        self.counts[case.status] += 1

    def _named(self, case: Case, agent: User) -> bool:
        return agent.employee_id is not None and case.parties.filter(employee_id=agent.employee_id).exists()

    def _investigate(self, case: Case, lead: User, opened: dt.datetime, span: int, *, finished: bool) -> None:
        rng = self.rng
        for n, description in enumerate(rng.sample(PLAN, 3)):
            due = (opened + dt.timedelta(days=20 * (n + 1))).date()
            step = work.add_plan_step(
                actor=lead, case=case, description=description, owner=lead, due_date=due
            )
            if finished or rng.random() < 0.5:
                work.complete_plan_step(actor=lead, step=step)
        for kind, summary in rng.sample(ACTIVITIES, rng.randint(1, 3)):
            work.log_activity(
                actor=lead,
                case=case,
                kind=kind,
                occurred_on=self.when(opened, rng.randint(2, span)).date(),
                summary=summary,
            )
        parties = list(case.parties.select_related("employee").order_by("pk"))
        criminal = case.case_type == CaseType.CRIMINAL
        for party in [p for p in parties if p.role != PartyRole.COMPLAINANT][:3]:
            employee = party.employee_id is not None
            warning = (Warning.BECKWITH if criminal else Warning.KALKINES) if employee else Warning.NONE
            work.record_interview(
                actor=lead,
                case=case,
                interviewee=party,
                started_at=self.when(opened, rng.randint(5, span)),
                place=f"{case.office.name}, interview room 2",
                participants=f"SA {lead.get_full_name()}; union representative"
                if employee
                else f"SA {lead.get_full_name()}",
                warning=warning,
                summary=(
                    "Denied the allegation and described the shift in detail."
                    if party.role == PartyRole.SUBJECT
                    else "Described what they saw from the adjacent lane."
                ),
                warning_form=SimpleUploadedFile("warning-form.pdf", WARNING_FORM, "application/pdf")
                if employee
                else None,
            )
        for n in range(rng.randint(1, 2)):
            collected = self.when(opened, rng.randint(1, max(span // 2, 1)))
            item = evidence.add_evidence(
                actor=lead,
                case=case,
                description=rng.choice(
                    [
                        "CCTV export of secondary inspection, lanes 3-4",
                        "Seizure report and narrative",
                        "Shift roster",
                    ]
                ),
                kind=rng.choice([EvidenceKind.DOCUMENT, EvidenceKind.AUDIO_VIDEO, EvidenceKind.PHYSICAL]),
                source=f"{case.office.name} records custodian",
                collected_at=collected,
                storage_location=f"{case.office.code} evidence room, locker {rng.randint(1, 40)}",
            )
            for hop in range(rng.randint(0, 2)):
                evidence.transfer_custody(
                    actor=lead,
                    item=item,
                    to_custodian=rng.choice(
                        [
                            name
                            for name in (
                                "Digital forensics lab",
                                f"SA {lead.get_full_name()}",
                                "Evidence custodian",
                            )
                            if name != item.custodian
                        ]
                    ),
                    purpose=rng.choice(["Forensic examination", "Review", "Return to storage"]),
                    condition="Sealed, intact",
                    transferred_at=collected + dt.timedelta(days=3 * (hop + 1) + n),
                )
                item.refresh_from_db()

    def _prosecute(
        self,
        case: Case,
        lead: User,
        opened: dt.datetime,
        span: int,
        *,
        hold: bool = False,
        declined: bool = False,
    ) -> None:
        subject = case.parties.filter(role=PartyRole.SUBJECT).order_by("pk").first()
        if subject is None or case.case_type == CaseType.ADMINISTRATIVE:
            return
        presented = self.when(opened, max(span // 2, 1)).date()
        referral = prosecution.refer_for_prosecution(
            actor=lead,
            case=case,
            subject=subject,
            prosecutor_kind=ProsecutorKind.US_ATTORNEY,
            prosecutor_office=f"U.S. Attorney's Office, {case.office.place or 'District of Columbia'}",
            presented_on=presented,
        )
        if hold:
            prosecution.record_prosecution_decision(
                actor=lead,
                referral=referral,
                decision=ProsecutionDecision.ACCEPTED,
                decided_on=presented + dt.timedelta(days=14),
                charges="18 U.S.C. 201 (bribery of a public official)",
            )
            cases.move_case(
                actor=self.supervisor,
                case=case,
                target=CaseStatus.ABEYANCE,
                reason="Prosecution accepted; trial pending.",
            )
        elif declined:
            prosecution.record_prosecution_decision(
                actor=lead,
                referral=referral,
                decision=ProsecutionDecision.DECLINED,
                decided_on=presented + dt.timedelta(days=21),
            )
        case.refresh_from_db()

    def _conclude(self, case: Case, lead: User, opened: dt.datetime, span: int, target: str) -> None:
        rng = self.rng
        case.refresh_from_db()
        if case.status != CaseStatus.INVESTIGATING:
            return
        items = list(case.evidence.all())
        for allegation in CaseAllegation.objects.filter(case=case).select_related("category").order_by("pk"):
            outcome = _weighted(rng, FINDING_MIX)
            findings.record_finding(
                actor=lead,
                allegation=allegation,
                outcome=outcome,
                rationale=RATIONALES[FindingOutcome(outcome)],
                evidence=items[:1],
            )
        cases.move_case(actor=lead, case=case, target=CaseStatus.REPORT_DRAFTING)
        # Some agents draft the report in Probity (PDF and Word, a final version on approval);
        # the others' reports are made when first downloaded. Rendering every one would make
        # the demo slow to load.
        if rng.random() < 0.12:
            reports.generate_report(actor=lead, case=case)
        if target == CaseStatus.REPORT_DRAFTING:
            return
        review.submit_for_review(actor=lead, case=case)
        if target == CaseStatus.SUFFICIENCY_REVIEW:
            return
        answers = {item.code: (True, "") for item in ChecklistItem.objects.filter(active=True)}
        if rng.random() < 0.25:
            returned = dict(answers)
            returned["subject-interviewed"] = (False, "The subject's interview is not summarised.")
            review.decide_review(
                actor=self.supervisor,
                case=case,
                answers=returned,
                approve=False,
                comments="Summarise the subject's interview before resubmitting.",
            )
            review.submit_for_review(actor=lead, case=case)
        review.decide_review(
            actor=self.supervisor, case=case, answers=answers, approve=True, comments="Sufficient."
        )
        self._discipline(case, opened, span)

    def _discipline(self, case: Case, opened: dt.datetime, span: int) -> None:
        if self.labor is None or len(self.officials) < 2:
            return
        rng = self.rng
        sustained = (
            CaseAllegation.objects.filter(
                case=case, finding__outcome=FindingOutcome.SUSTAINED, subject__employee__isnull=False
            )
            .select_related("subject__employee", "category")
            .order_by("pk")
        )
        by_employee: dict[int, list[CaseAllegation]] = {}
        for allegation in sustained:
            by_employee.setdefault(allegation.subject.employee_id or 0, []).append(allegation)
        for allegations in by_employee.values():
            employee = allegations[0].subject.employee
            if employee is None:
                continue
            offense = self.offenses.get(allegations[0].category_id)
            if offense is None or self.supervisor is None:
                continue
            action = discipline.refer_to_management(
                actor=self.supervisor, case=case, employee=employee, allegations=allegations
            )
            base = (opened + dt.timedelta(days=span)).date()
            # Referred on closing, a few days before the proposal (the services stamp "now").
            referred = max(opened, self.when(opened, span) - dt.timedelta(days=3))
            DisciplineAction.objects.filter(pk=action.pk).update(referred_at=referred)
            action.refresh_from_db()
            if base >= self.now.date() - dt.timedelta(days=7) or rng.random() < 0.15:
                continue
            proposing, deciding = rng.sample([o for o in self.officials if o.pk != employee.pk], 2)
            low, high = offense.first_min.severity, offense.first_max.severity
            scale = sorted(self.penalties.values(), key=lambda p: p.severity)
            in_range = [p for p in scale if low <= p.severity <= high]
            proposed = rng.choice(in_range)
            discipline.propose_action(
                actor=self.labor,
                action=action,
                offense=offense,
                proposing_official=proposing,
                proposed_penalty=proposed,
                proposed_on=base,
            )
            discipline.record_reply(
                actor=self.labor,
                action=action,
                reply=(
                    "The employee accepts responsibility and asks for mitigation "
                    "given 12 years of good service."
                ),
                replied_on=base + dt.timedelta(days=10),
            )
            decided = rng.choice([p for p in in_range if p.severity <= proposed.severity])
            douglas = {
                factor.value: (
                    rng.choice([FactorWeight.AGGRAVATING, FactorWeight.MITIGATING, FactorWeight.NEUTRAL]),
                    f"Weighed: {factor.label.lower()}.",
                )
                for factor in DouglasFactor
            }
            decided_on = min(base + dt.timedelta(days=30), self.now.date())
            discipline.decide_action(
                actor=self.labor,
                action=action,
                deciding_official=deciding,
                decided_penalty=decided,
                decided_on=decided_on,
                rationale="Within the table's range; the employee's record and candour in reply mitigate.",
                douglas=douglas,
            )
            if rng.random() < 0.6:
                discipline.finalize_action(actor=self.labor, action=action, final_on=decided_on)


@dataclass(frozen=True)
class _Window:
    """The real time in which the demo worked one case, and the case's life it stands for."""

    started: dt.datetime
    ended: dt.datetime
    opened: dt.datetime
    until: dt.datetime

    def map(self, moment: dt.datetime) -> dt.datetime:
        span = max((self.ended - self.started).total_seconds(), 1e-6)
        share = min(max((moment - self.started).total_seconds() / span, 0.0), 1.0)
        return self.opened + (self.until - self.opened) * share


# What the services stamp with "now", moved onto each case's own timeline (custody transfers
# keep theirs: the chain of custody refuses UPDATE, and its dates are the transfer times given).
_STAMPED: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (CaseEvent, ("at",)),
    (CaseMember, ("assigned_at", "ended_at")),
    (CaseSource, ("linked_at",)),
    (CaseParty, ("added_at",)),
    (PartyRoleChange, ("at",)),
    (CaseAllegation, ("added_at",)),
    (PlanStep, ("created_at", "done_at")),
    (Activity, ("created_at",)),
    (EvidenceItem, ("created_at",)),
    (Finding, ("recorded_at", "updated_at")),
    (SufficiencyReview, ("submitted_at", "decided_at")),
    (ReportVersion, ("generated_at",)),
    (ProsecutionReferral, ("created_at",)),
    (DisciplineAction, ("updated_at",)),
    (Case, ("updated_at", "closed_at")),
)


def _backdate(windows: Sequence[_Window]) -> None:
    """Move every stamped date onto its case's timeline (the windows do not overlap)."""
    starts = [window.started for window in windows]
    for model, fields in _STAMPED:
        changed = []
        for row in model._default_manager.filter(**{f"{fields[0]}__gte": starts[0]}).only("pk", *fields):
            touched = False
            for name in fields:
                value = getattr(row, name)
                if value is None or value < starts[0]:
                    continue
                window = windows[max(bisect.bisect_right(starts, value) - 1, 0)]
                setattr(row, name, window.map(value))
                touched = True
            if touched:
                changed.append(row)
        model._default_manager.bulk_update(changed, list(fields), batch_size=500)
    for deadline in Deadline.objects.filter(rule__code=CASE_AGE_RULE, content_type__model="case"):
        case_row = Case.objects.filter(pk=deadline.object_id).only("opened_at", "closed_at").first()
        if case_row is None or deadline.started_at < starts[0]:
            continue
        length = deadline.due_at - deadline.started_at
        Deadline.objects.filter(pk=deadline.pk).update(
            started_at=case_row.opened_at,
            due_at=case_row.opened_at + length,
            met_at=case_row.closed_at if deadline.met_at else None,
        )


def load_investigations(loaded: demo.LoadedDemo) -> str:
    rng = random.Random(f"investigations-{loaded.plan.seed}")  # noqa: S311  (synthetic, reproducible on purpose)
    now = timezone.now()
    routed = list(
        Allegation.objects.filter(status=AllegationStatus.ROUTED, routing_outcome__in=list(TYPE_OF_OUTCOME))
        .select_related("office")
        .order_by("routed_at", "pk")
    )
    groups: dict[Any, list[Allegation]] = {}
    for allegation in routed:
        groups.setdefault(allegation.group_id or ("single", allegation.pk), []).append(allegation)
    worker = _Worker(loaded, rng, now)
    field_offices = opr_field_offices()
    # Where no OPR field office covers the port, headquarters sends the case to Washington.
    fallback = next(
        (o for o in field_offices if o.code.endswith("-WAS")), field_offices[0] if field_offices else None
    )
    opened_cases = 0
    windows: list[_Window] = []
    for members in groups.values():
        first = members[0]
        office = case_office_for(first)
        if office.kind != OrgUnitKind.FIELD_OFFICE and fallback is not None:
            office = fallback
        started = timezone.now()
        case = open_case(
            actor=None,
            allegations=members,
            case_type=TYPE_OF_OUTCOME[RoutingOutcome(first.routing_outcome)],
            office=office,
        )
        routed_at = first.routed_at or first.received_at
        opened = min(routed_at + dt.timedelta(days=1, hours=rng.randint(0, 6)), now - dt.timedelta(hours=1))
        # The case's opening date first: the services check later dates against it.
        Case.objects.filter(pk=case.pk).update(opened_at=opened, created_at=opened)
        case.refresh_from_db()
        worker.work(case, opened)
        case.refresh_from_db()
        age = now - opened
        # A closed case closed some months after opening; an open one is worked up to now.
        until = opened + age * 0.8 if case.status == CaseStatus.CLOSED else now - dt.timedelta(hours=1)
        windows.append(_Window(started, timezone.now(), opened, until))
        opened_cases += 1
    if windows:
        _backdate(windows)
    states = ", ".join(
        f"{count} {CaseStatus(state).label.lower()}" for state, count in sorted(worker.counts.items())
    )
    actions = DisciplineAction.objects.count()
    return f"{opened_cases} cases ({states}); {actions} discipline actions"


def connect() -> None:
    demo.register_extension("investigations", load_investigations)
