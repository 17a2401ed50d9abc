"""Intake's part of `probity seed-demo`: a lived-in year of allegations at the Joint Intake Center.

About 2,500 allegations at scale 1, received over the year before the demo's date through
every channel, against subjects from the demo workforce, each moved along the workflow as far
as its age allows: received, triaged, awaiting OIG (some answers overdue), accepted by OIG,
routed, closure pending, closed. Some incidents are reported twice (same subject, same date, a
similar story from another complainant): part of them linked, the rest left for the duplicate
finder, whose suggestions are stored. PREA and use-of-force flags follow the categories; the
`recused` login's own directory record is a subject in a few, so recusal shows.

`plan_intake` is pure (seeded `random.Random` and Faker, the date from the core plan). The
loader writes with the import's bulk writer: statuses beyond `received` are set directly (this
is seed data with a year of history, which the workflow services, stamping "now", cannot
make), together with what those services would have left: an OigReferral and its clock for
every referral, the triage clock met when the allegation left intake, the PREA clocks, routing
and closure fields, and an audit event per step. Links go through `link_allegations` and
suggestions through the duplicate finder itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from faker import Faker

from probity.core import audit, demo
from probity.core.models import AuditAction, EmployeeStatus, User
from probity.intake.imports.writer import (
    AllegationRecord,
    Clock,
    PersonRecord,
    creation_events,
    start_clocks,
    write_allegations,
)
from probity.intake.models import (
    Allegation,
    AllegationCategory,
    AllegationStatus,
    ArrestCategory,
    Channel,
    DatePrecision,
    OigAnswer,
    OigReferral,
    PersonRole,
    RoutingOutcome,
    Seriousness,
)
from probity.intake.services.prea import PREA_CLOCKS
from probity.intake.services.record import TRIAGE_RULE
from probity.intake.services.triage import OIG_RULE
from probity.intake.workflow import CLOSURE_OUTCOMES, OIG_FIRST_REFUSAL

S = AllegationStatus
ALLEGATIONS_AT_SCALE_1 = 2500
DUPLICATE_SHARE = 0.08  # second reports of an incident already reported
LINKED_SHARE = 0.45  # of those, already linked by a specialist
RECUSED_SUBJECT_IN = 3
STALL_SHARE = 0.04  # work that sat in a queue: the backlog every office has
SUGGESTIONS_FOR = dt.timedelta(days=90)  # the duplicate finder's suggestions kept for the demo
DEMO_ACTOR = "seed-demo"
FRONT_LINE = ("POE-", "USBP-", "AMO-")

CHANNEL_MIX: tuple[tuple[str, int], ...] = (
    (Channel.WEB, 22),
    (Channel.PHONE, 11),
    (Channel.EMAIL, 11),
    (Channel.MAIL, 3),
    (Channel.WALK_IN, 2),
    (Channel.OIG_HOTLINE, 10),
    (Channel.SELF_REPORT, 12),
    (Channel.SUPERVISOR, 14),
    (Channel.POLYGRAPH, 4),
    (Channel.PERSONNEL_SECURITY, 4),
    (Channel.ANALYTICS, 4),
    (Channel.OTHER_AGENCY, 3),
)
PUBLIC = frozenset(
    {
        Channel.WEB,
        Channel.PHONE,
        Channel.EMAIL,
        Channel.MAIL,
        Channel.WALK_IN,
        Channel.OIG_HOTLINE,
        Channel.OTHER_AGENCY,
    }
)
PUBLIC_MIX = (
    ("excessive-force", 18),
    ("discourtesy", 16),
    ("detainee-mistreatment", 10),
    ("misuse-of-position", 10),
    ("harassment-discrimination", 8),
    ("corruption-bribery", 8),
    ("theft-embezzlement", 6),
    ("sexual-abuse", 4),
    ("sexual-harassment", 4),
    ("smuggling", 4),
    ("retaliation", 4),
    ("false-statements", 3),
    ("other-misconduct", 5),
)
CATEGORY_MIX: dict[str, tuple[tuple[str, int], ...]] = {
    Channel.SELF_REPORT: (("off-duty-criminal", 10), ("drug-alcohol", 6), ("domestic-violence", 5)),
    Channel.SUPERVISOR: (
        ("workplace-violence", 4),
        ("harassment-discrimination", 5),
        ("misuse-of-position", 5),
        ("firearms-mishandling", 5),
        ("system-misuse", 4),
        ("ethics-outside-activity", 4),
        ("drug-alcohol", 2),
        ("false-statements", 3),
        ("discourtesy", 3),
    ),
    Channel.POLYGRAPH: (
        ("smuggling", 4),
        ("corruption-bribery", 3),
        ("drug-alcohol", 4),
        ("false-statements", 3),
        ("unauthorized-disclosure", 1),
    ),
    Channel.PERSONNEL_SECURITY: (
        ("false-statements", 4),
        ("ethics-outside-activity", 3),
        ("off-duty-criminal", 3),
        ("drug-alcohol", 2),
    ),
    Channel.ANALYTICS: (
        ("system-misuse", 6),
        ("unauthorized-disclosure", 3),
        ("corruption-bribery", 2),
        ("procurement-fraud", 2),
    ),
}
# A self-report: (kind, arrest category) by allegation category.
SELF_REPORTS: dict[str, tuple[tuple[str, str], ...]] = {
    "off-duty-criminal": (
        ("arrest", "assault"),
        ("arrest", "property"),
        ("citation", "traffic"),
        ("arrest", "weapons-violations"),
        ("detention", "threatening-behavior"),
        ("citation", "minor-offenses"),
        ("indictment", "white-collar-crime"),
    ),
    "drug-alcohol": (("arrest", "drug-alcohol-related"), ("citation", "drug-alcohol-related")),
    "domestic-violence": (("arrest", "domestic-family-violence"), ("detention", "domestic-family-violence")),
}


@dataclass(frozen=True)
class Story:
    """How one kind of allegation is told: a summary, two tellings of the same facts, the facts."""

    summary: str
    first: str  # as the first reporter tells it
    second: str  # as a second complainant tells the same incident
    facts: dict[str, tuple[str, ...]]


def _story(summary: str, first: str, second: str, **facts: str) -> Story:
    return Story(summary, first, second, {name: tuple(v.split(" | ")) for name, v in facts.items()})


STORIES: dict[str, Story] = {
    "excessive-force": _story(
        "Force used during {setting} at {where}",
        "On {when}, during {setting} at {where}, {who} {act}. The complainant says no resistance was "
        "offered and reports {injury}.",
        "I saw it happen at {where} on {when}: in {setting} {who} {act}. The man had {injury} afterwards "
        "and was not fighting back.",
        setting="secondary inspection | a vehicle search | processing | an arrest near the river levee",
        act="slammed the traveller against the car | struck him twice with a baton | knelt on his back "
        "while he was handcuffed | used a taser on a man who was walking away",
        injury="bruising to the face | a cut above the eye | a sprained wrist | a swollen knee",
    ),
    "discourtesy": _story(
        "Rude and demeaning treatment at {where}",
        "On {when} at {where}, {who} {act} while checking the complainant's documents, in front of "
        "{audience}.",
        "My family was at {where} on {when}. The officer, {who}, {act} and everyone around, "
        "{audience}, heard it.",
        act="shouted insults | mocked the complainant's accent | threw the passport on the floor | swore at "
        "the complainant and refused to answer questions",
        audience="other travellers | the complainant's children | a long line of trucks",
    ),
    "detainee-mistreatment": _story(
        "Detainee denied {need} at {where}",
        "A detainee held at {where} on {when} says {who} refused {need} for {hours} hours despite repeated "
        "requests.",
        "My relative was held at {where} on {when}. For {hours} hours {who} would not give {need}.",
        need="water | medical attention | access to a toilet | his heart medication",
        hours="six | nine | twelve | fourteen",
    ),
    "misuse-of-position": _story(
        "Use of authority for personal ends at {where}",
        "On {when} {who}, at {where}, {act}.",
        "Around {when} I learned that {who}, who works at {where}, {act}.",
        act="waved a relative's vehicle through without inspection | used a badge to avoid a parking "
        "ticket | ran a plate for a friend's custody dispute | pressured a traveller to drop a complaint",
    ),
    "harassment-discrimination": _story(
        "Harassment of {target} at {where}",
        "The complainant reports that on {when} {who} at {where} made repeated remarks about {target}'s "
        "{trait}.",
        "On {when} at {where}, {who} kept commenting on {target}'s {trait}; I was there and it was not the "
        "first time.",
        target="a coworker | a traveller | a detainee",
        trait="religion | accent | national origin | disability",
    ),
    "corruption-bribery": _story(
        "Payment demanded at {where}",
        "On {when}, at {where}, {who} asked the driver for {amount} to let a {cargo} truck through without "
        "an x-ray.",
        "A driver from our company says {who} at {where} wanted {amount} on {when} to skip the x-ray of a "
        "{cargo} load.",
        amount="$200 | $500 | $1,000 | $2,500",
        cargo="produce | electronics | furniture | auto parts",
    ),
    "theft-embezzlement": _story(
        "Property missing after inspection at {where}",
        "After an inspection at {where} on {when}, the complainant's {item} was missing; {who} had handled "
        "the bag.",
        "On {when} my {item} disappeared after {who} searched my luggage at {where}.",
        item="cash envelope | laptop | gold bracelet | prescription medicine",
    ),
    "sexual-abuse": _story(
        "Detainee reports sexual abuse at {where}",
        "A detainee at {where} reports that on {when} {who} touched her during a pat-down in {room}.",
        "A woman held with me at {where} on {when} told me {who} touched her in {room} when no one else "
        "was there.",
        room="the holding cell | the search room | the transport van",
    ),
    "sexual-harassment": _story(
        "Unwelcome sexual remarks at {where}",
        "The complainant says {who} at {where} made sexual comments and asked for her number on {when}.",
        "On {when} at {where} I heard {who} make sexual comments to a traveller and ask for her number.",
    ),
    "smuggling": _story(
        "Possible assistance to smugglers at {where}",
        "Information received on {when} alleges that {who} at {where} lets {load} through lane {lane}.",
        "A caller on {when} said {who} works lane {lane} at {where} and looks away when {load} "
        "comes through.",
        load="vehicles carrying undocumented people | loads of fentanyl | bulk cash",
        lane="2 | 4 | 7 | 11",
    ),
    "retaliation": _story(
        "Retaliation after a complaint at {where}",
        "The complainant filed a complaint about {who} at {where}; since {when} she is {act}.",
        "After we complained about {who} at {where}, from {when} my sister has been {act}.",
        act="sent to secondary inspection every crossing | denied her trusted-traveller card | followed "
        "home from the port",
    ),
    "false-statements": _story(
        "False statement by an employee",
        "{who} is alleged to have {act} on {when}.",
        "Records reviewed on {when} suggest {who} {act}.",
        act="misstated the facts of a seizure in an official report | given a false answer on a "
        "background form | signed a timecard for hours not worked",
    ),
    "other-misconduct": _story(
        "Other concern about an employee at {where}",
        "On {when} the complainant reports that {who} at {where} {act}.",
        "On {when} I saw {who} at {where} {act}.",
        act="slept on duty at the booth | left a loaded weapon in an unlocked vehicle | took photos of "
        "travellers' documents with a personal phone",
    ),
    "off-duty-criminal": _story(
        "Employee self-report: {kind}",
        "{who} reports being subject to {kind} on {when} off duty, after {event}.",
        "{who} reports being subject to {kind} on {when} off duty, after {event}.",
        event="a fight outside a bar | a traffic stop | a dispute with a neighbour",
    ),
    "drug-alcohol": _story(
        "Alcohol or drug concern: {who}",
        "{who} {act} on {when}.",
        "{who} {act} on {when}.",
        act="reported an arrest for driving under the influence | was seen drinking before a shift | "
        "admitted recent marijuana use",
    ),
    "domestic-violence": _story(
        "Domestic incident involving {who}",
        "{who} reports police were called to a domestic dispute at home on {when}.",
        "{who} reports police were called to a domestic dispute at home on {when}.",
    ),
    "workplace-violence": _story(
        "Altercation between employees at {where}",
        "A supervisor reports that on {when} {who} {act} at {where}.",
        "A supervisor reports that on {when} {who} {act} at {where}.",
        act="shoved a coworker in the break room | threatened a colleague after a shift change | punched a "
        "locker next to a coworker's head",
    ),
    "firearms-mishandling": _story(
        "Unintentional discharge at {where}",
        "On {when} {who} had an unintentional discharge while {act} at {where}; no one was hurt.",
        "On {when} {who} had an unintentional discharge while {act} at {where}; no one was hurt.",
        act="clearing a service weapon | holstering after qualification | cleaning a rifle",
    ),
    "system-misuse": _story(
        "Unauthorised database queries by {who}",
        "An audit shows {who} ran {count} queries on {target} without a case reason, last on {when}.",
        "An audit shows {who} ran {count} queries on {target} without a case reason, last on {when}.",
        count="14 | 37 | 112",
        target="a former partner | a celebrity | neighbours",
    ),
    "ethics-outside-activity": _story(
        "Undisclosed outside activity: {who}",
        "{who} is reported to be {act}, not disclosed, as of {when}.",
        "{who} is reported to be {act}, not disclosed, as of {when}.",
        act="working for a customs broker | running a towing company near the port | selling seized-goods "
        "auctions advice",
    ),
    "unauthorized-disclosure": _story(
        "Law-enforcement information disclosed by {who}",
        "{who} is believed to have shared {what} with an outsider on {when}.",
        "{who} is believed to have shared {what} with an outsider on {when}.",
        what="lookout records | the inspection schedule | a traveller's file",
    ),
    "procurement-fraud": _story(
        "Irregular purchases approved by {who}",
        "An analysis on {when} flags {count} purchases split to stay under the threshold, approved by {who}.",
        "An analysis on {when} flags {count} purchases split to stay under the threshold, approved by {who}.",
        count="6 | 11 | 23",
    ),
}


@dataclass
class PlannedPerson:
    role: str
    employee: str = ""  # employee number
    name: str = ""
    badge: str = ""
    description: str = ""
    anonymous: bool = False
    contact: str = ""


@dataclass
class Step:
    status: str
    at: dt.datetime


@dataclass
class PlannedAllegation:
    key: int
    channel: str
    received_at: dt.datetime
    summary: str
    narrative: str
    category: str
    office: str
    incident_date: dt.date
    incident_place: str
    people: list[PlannedPerson]
    seriousness: str = ""
    self_report_kind: str = ""
    arrest_category: str = ""
    language: str = ""
    steps: list[Step] = field(default_factory=list)  # after `received`, oldest first
    oig_sent_at: dt.datetime | None = None
    oig_answer: str = ""
    oig_answered_at: dt.datetime | None = None
    routing_outcome: str = ""
    rationale: str = ""
    assigned: bool = False
    duplicate_of: int | None = None  # the key of the first report of the same incident
    linked: bool = False
    facts: dict[str, str] = field(default_factory=dict)  # the story's facts, for a second report
    who: str = ""  # how the story names the subject

    @property
    def status(self) -> str:
        return self.steps[-1].status if self.steps else S.RECEIVED

    def at(self, status: str) -> dt.datetime | None:
        return next((step.at for step in reversed(self.steps) if step.status == status), None)


# --- planning ---------------------------------------------------------------------------------


def _weighted(rng: random.Random, mix: Sequence[tuple[str, int]]) -> str:
    return rng.choices([value for value, _ in mix], [weight for _, weight in mix])[0]


class _Planner:
    def __init__(self, plan: demo.DemoPlan, default_seriousness: dict[str, str]) -> None:
        self.plan = plan
        self.rng = random.Random(f"intake-{plan.seed}")  # noqa: S311  (synthetic, reproducible on purpose)
        self.faker = Faker(["en_US", "es_MX"])
        self.faker.seed_instance(plan.seed)
        self.zone = ZoneInfo(settings.PROBITY_AGENCY_TIME_ZONE)
        # Every planned time is before the demo's day begins, whenever on that day it is loaded.
        self.cutoff = dt.datetime.combine(plan.today, dt.time.min, tzinfo=self.zone)
        self.seriousness = default_seriousness
        units = {u.code: u for u in plan.units}
        self.places = {code: f"{u.name}, {u.city} {u.state}".strip() for code, u in units.items()}
        self.subjects = [
            e
            for e in plan.employees
            if e.status == EmployeeStatus.ACTIVE
            and e.law_enforcement
            and e.assignments
            and e.assignments[-1].unit.startswith(FRONT_LINE)
        ]
        by_number = {e.number: e for e in plan.employees}
        self.recused = by_number.get(plan.recused_employee)

    def plan_all(self, count: int) -> list[PlannedAllegation]:
        planned: list[PlannedAllegation] = []
        firsts = max(1, count - round(count * DUPLICATE_SHARE))
        for key in range(firsts):
            planned.append(
                self._allegation(key, recused=key < RECUSED_SUBJECT_IN and self.recused is not None)
            )
        originals = [a for a in planned if a.channel in PUBLIC and a.people and a.people[0].employee]
        for key in range(firsts, count):
            if not originals:
                planned.append(self._allegation(key))
                continue
            planned.append(self._second_report(key, self.rng.choice(originals)))
        self._cover_every_status(planned)
        planned.sort(key=lambda a: (a.received_at, a.key))
        return planned

    def _received(self, days_back: tuple[int, int] = (0, 364)) -> dt.datetime:
        rng = self.rng
        day = self.plan.today - dt.timedelta(days=rng.randint(*days_back) + 1)
        moment = dt.datetime.combine(day, dt.time(rng.randint(6, 21), rng.randint(0, 59)), tzinfo=self.zone)
        return min(moment, self.cutoff - dt.timedelta(minutes=1))

    def _allegation(self, key: int, *, recused: bool = False) -> PlannedAllegation:
        rng = self.rng
        channel = Channel.ANALYTICS if recused and key == 0 else _weighted(rng, CHANNEL_MIX)
        mix = PUBLIC_MIX if channel in PUBLIC else CATEGORY_MIX[channel]
        category = _weighted(rng, mix)
        if recused:
            category = ("system-misuse", "misuse-of-position", "discourtesy")[key % 3]
        employee = self.recused if recused else (rng.choice(self.subjects) if self.subjects else None)
        received = self._received()
        incident = received.astimezone(self.zone).date() - dt.timedelta(
            days=rng.choice((0, 0, 1, 2, 3, 7, 14, 30))
        )
        office = employee.assignments[-1].unit if employee else rng.choice(sorted(self.places))
        described = channel in PUBLIC and rng.random() < 0.22
        story = STORIES[category]
        facts = {name: rng.choice(values) for name, values in story.facts.items()}
        kind, arrest = rng.choice(SELF_REPORTS[category]) if channel == Channel.SELF_REPORT else ("", "")
        who = (
            "an officer whose name the complainant did not see"
            if described or employee is None
            else f"{employee.first_name} {employee.last_name}"
        )
        people = [self._subject(employee, described)]
        people += self._complainants(channel)
        allegation = PlannedAllegation(
            key=key,
            channel=channel,
            received_at=received,
            summary="",
            narrative="",
            category=category,
            office=office,
            incident_date=incident,
            incident_place=self.places.get(office, ""),
            people=people,
            self_report_kind=kind,
            arrest_category=arrest,
            language=("es" if rng.random() < 0.2 else "en") if channel == Channel.WEB else "",
        )
        allegation.facts, allegation.who = facts, who
        self._tell(allegation, story, story.first, kind)
        self._fate(allegation)
        return allegation

    def _tell(self, allegation: PlannedAllegation, story: Story, text: str, kind: str) -> None:
        values = {
            **allegation.facts,
            "who": allegation.who,
            "where": self.places.get(allegation.office, "the port"),
            "when": allegation.incident_date.strftime("%B %-d, %Y"),
            "kind": kind or "an arrest",
        }
        allegation.summary = story.summary.format(**values)[:200]
        sentence = text.format(**values)
        allegation.narrative = sentence[0].upper() + sentence[1:]

    def _subject(self, employee: Any, described: bool) -> PlannedPerson:
        rng = self.rng
        if employee is None or described:
            return PlannedPerson(
                role=PersonRole.SUBJECT,
                badge=str(rng.randint(1000, 9999)) if rng.random() < 0.3 else "",
                description=rng.choice(
                    (
                        "male officer, tall, shaved head, working lane 4",
                        "female officer with glasses, night shift",
                        "agent in a green uniform, about 40, moustache",
                        "officer at the secondary inspection desk",
                    )
                ),
            )
        return PlannedPerson(role=PersonRole.SUBJECT, employee=employee.number)

    def _complainants(self, channel: str) -> list[PlannedPerson]:
        rng, faker = self.rng, self.faker
        if channel not in PUBLIC:
            return []
        if rng.random() < 0.15:
            return [PlannedPerson(role=PersonRole.COMPLAINANT, anonymous=True)]
        name = faker.name()
        contact = faker.email() if channel in (Channel.WEB, Channel.EMAIL) else faker.phone_number()
        people = [PlannedPerson(role=PersonRole.COMPLAINANT, name=name, contact=contact)]
        if rng.random() < 0.2:
            people.append(PlannedPerson(role=PersonRole.WITNESS, name=faker.name()))
        return people

    def _second_report(self, key: int, original: PlannedAllegation) -> PlannedAllegation:
        """The same incident told by someone else, a few days later, through another channel."""
        rng = self.rng
        received = original.received_at + dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(1, 20))
        received = min(received, self.cutoff - dt.timedelta(minutes=5))
        channel = rng.choice(sorted(PUBLIC - {original.channel}))
        allegation = PlannedAllegation(
            key=key,
            channel=channel,
            received_at=received,
            summary="",
            narrative="",
            category=original.category,
            office=original.office,
            incident_date=original.incident_date,
            incident_place=original.incident_place,
            people=[original.people[0], *self._complainants(channel)],
            language="en" if channel == Channel.WEB else "",
            duplicate_of=original.key,
            linked=rng.random() < LINKED_SHARE,
            facts=original.facts,
            who=original.who,
        )
        story = STORIES[original.category]
        self._tell(allegation, story, story.second, "")
        if allegation.linked:
            # Linked reports move together: the second follows the first from the day it came in.
            self._follow(allegation, original)
        else:
            self._fate(allegation)
        return allegation

    # --- the workflow over time ---------------------------------------------------------------

    def _fate(
        self, allegation: PlannedAllegation, *, stop_at: str = "", force: dict[str, str] | None = None
    ) -> None:
        """Walk the allegation through intake as far as its age allows (or up to `stop_at`)."""
        rng, force = self.rng, force or {}
        seriousness = force.get("seriousness") or self.seriousness.get(allegation.category, "")
        if not force.get("seriousness") and (not seriousness or rng.random() < 0.06):
            seriousness = rng.choice((Seriousness.MINOR_ADMINISTRATIVE, Seriousness.NOT_MISCONDUCT))
        allegation.seriousness = seriousness
        allegation.steps, allegation.oig_sent_at, allegation.oig_answer = [], None, ""
        allegation.oig_answered_at, allegation.routing_outcome, allegation.rationale = None, "", ""
        # Every step the allegation would take, with its time, then cut at the demo's day.
        hour = dt.timedelta(hours=1)
        moment = allegation.received_at + hour * rng.randint(2, 96)
        proposed: list[tuple[str, dt.datetime, dict[str, Any]]] = [(S.TRIAGED, moment, {})]
        if seriousness in OIG_FIRST_REFUSAL:
            moment += hour * rng.randint(1, 48)
            proposed.append((S.OIG_PENDING, moment, {"oig_sent_at": moment}))
            answer = (
                force.get("oig_answer")
                or rng.choices((OigAnswer.ACCEPTED, OigAnswer.DECLINED, OigAnswer.RETURNED), (30, 55, 15))[0]
            )
            moment += dt.timedelta(days=rng.randint(1, 16), hours=rng.randint(0, 8))
            answered = {"oig_answer": answer, "oig_answered_at": moment}
            proposed.append((S.OIG_ACCEPTED if answer == OigAnswer.ACCEPTED else S.TRIAGED, moment, answered))
        if proposed[-1][0] != S.OIG_ACCEPTED:
            outcome = force.get("outcome") or self._outcome(allegation, seriousness)
            moment += hour * rng.randint(2, 120)
            routing = {"routing_outcome": outcome, "rationale": RATIONALES[outcome]}
            if outcome in CLOSURE_OUTCOMES:
                proposed.append((S.CLOSURE_PENDING, moment, routing))
                proposed.append((S.CLOSED, moment + hour * rng.randint(2, 150), {}))
            else:
                proposed.append((S.ROUTED, moment, routing))
        stalled = not stop_at and rng.random() < STALL_SHARE
        for status, at, changes in proposed if stop_at != S.RECEIVED else []:
            if at >= self.cutoff or (stalled and rng.random() < 0.5):
                break
            allegation.steps.append(Step(status, at))
            for name, value in changes.items():
                setattr(allegation, name, value)
            if status == stop_at:
                break
        self._finish(allegation)

    def _finish(self, allegation: PlannedAllegation) -> None:
        allegation.assigned = (
            allegation.status in (S.RECEIVED, S.TRIAGED, S.OIG_PENDING) and self.rng.random() < 0.4
        )

    def _outcome(self, allegation: PlannedAllegation, seriousness: str) -> str:
        rng, outcomes = self.rng, RoutingOutcome
        if seriousness == Seriousness.CRIMINAL:
            return rng.choice(
                (
                    outcomes.INVESTIGATION_CRIMINAL,
                    outcomes.INVESTIGATION_CRIMINAL,
                    outcomes.INVESTIGATION_JOINT,
                )
            )
        if seriousness == Seriousness.SERIOUS_ADMINISTRATIVE:
            choices = [
                (outcomes.INVESTIGATION_ADMINISTRATIVE, 50),
                (outcomes.MANAGEMENT_INQUIRY, 20),
                (outcomes.FACT_FINDER, 10),
                (outcomes.INFORMATION_ONLY, 8),
            ]
            if allegation.category in ("excessive-force", "firearms-mishandling"):
                choices.append((outcomes.CRITICAL_INCIDENT_REVIEW, 12))
            return _weighted(rng, choices)
        if seriousness == Seriousness.MINOR_ADMINISTRATIVE:
            return _weighted(
                rng,
                [
                    (outcomes.MANAGEMENT_INQUIRY, 50),
                    (outcomes.FACT_FINDER, 15),
                    (outcomes.INFORMATION_ONLY, 20),
                    (outcomes.CLOSED_NO_ACTION, 15),
                ],
            )
        return _weighted(rng, [(outcomes.CLOSED_NO_ACTION, 60), (outcomes.INFORMATION_ONLY, 40)])

    def _follow(self, allegation: PlannedAllegation, original: PlannedAllegation) -> None:
        """A linked second report has taken the first's steps since the day it came in."""
        later = allegation.received_at
        steps = [
            Step(step.status, max(step.at, later + dt.timedelta(minutes=30 * (i + 1))))
            for i, step in enumerate(original.steps)
        ]
        if any(step.at >= self.cutoff for step in steps):
            allegation.linked = False  # it could not catch up before the demo's day: its own way
            self._fate(allegation)
            return
        allegation.seriousness, allegation.steps = original.seriousness, steps
        allegation.oig_sent_at = allegation.at(S.OIG_PENDING)
        if allegation.oig_sent_at is not None:
            after = [s.at for s in steps if s.at > allegation.oig_sent_at]
            if after and original.oig_answer:
                allegation.oig_answer, allegation.oig_answered_at = original.oig_answer, after[0]
        allegation.routing_outcome, allegation.rationale = original.routing_outcome, original.rationale
        self._finish(allegation)

    def _cover_every_status(self, planned: list[PlannedAllegation]) -> None:
        """However small the scale, every status is in the demo (the newest first reports take them)."""
        wanted: list[tuple[str, dict[str, str]]] = [
            (S.RECEIVED, {}),
            (S.TRIAGED, {}),
            (S.OIG_PENDING, {"seriousness": Seriousness.SERIOUS_ADMINISTRATIVE}),
            (S.OIG_ACCEPTED, {"seriousness": Seriousness.CRIMINAL, "oig_answer": OigAnswer.ACCEPTED}),
            (
                S.ROUTED,
                {
                    "seriousness": Seriousness.MINOR_ADMINISTRATIVE,
                    "outcome": RoutingOutcome.MANAGEMENT_INQUIRY,
                },
            ),
            (
                S.CLOSURE_PENDING,
                {"seriousness": Seriousness.NOT_MISCONDUCT, "outcome": RoutingOutcome.INFORMATION_ONLY},
            ),
            (
                S.CLOSED,
                {"seriousness": Seriousness.NOT_MISCONDUCT, "outcome": RoutingOutcome.CLOSED_NO_ACTION},
            ),
        ]
        have = Counter(a.status for a in planned)
        spare = [a for a in planned if a.duplicate_of is None and a.key >= RECUSED_SUBJECT_IN]
        spare = [a for a in spare if not any(b.duplicate_of == a.key for b in planned)]
        for status, force in wanted:
            if have[status] or not spare:
                continue
            allegation = spare.pop()
            have[allegation.status] -= 1
            # Received long enough ago for every step to fit before the demo's day.
            allegation.received_at = (
                self._received((40, 60)) if status != S.RECEIVED else self._received((0, 0))
            )
            for _ in range(20):
                self._fate(allegation, stop_at=status, force=force)
                if allegation.status == status:
                    break
            have[allegation.status] += 1


RATIONALES: dict[str, str] = {
    RoutingOutcome.INVESTIGATION_CRIMINAL: "Credible allegation of a crime by an employee; OIG declined.",
    RoutingOutcome.INVESTIGATION_ADMINISTRATIVE: "Serious misconduct alleged with identifiable witnesses.",
    RoutingOutcome.INVESTIGATION_JOINT: "Criminal and administrative questions; a prosecutor is consulted.",
    RoutingOutcome.MANAGEMENT_INQUIRY: "Performance and conduct matter best addressed by local management.",
    RoutingOutcome.FACT_FINDER: "Facts in dispute; a fact finder from another office will interview.",
    RoutingOutcome.CRITICAL_INCIDENT_REVIEW: "Use of force with injury: a critical incident review applies.",
    RoutingOutcome.INFORMATION_ONLY: "No misconduct alleged beyond what management already addressed.",
    RoutingOutcome.CLOSED_NO_ACTION: "Too little to identify anyone; the complainant did not answer.",
}


def plan_intake(plan: demo.DemoPlan, default_seriousness: dict[str, str]) -> list[PlannedAllegation]:
    """The demo year of intake for a core demo plan, as plain data; the same plan gives the same year."""
    count = max(10, round(ALLEGATIONS_AT_SCALE_1 * plan.scale))
    return _Planner(plan, default_seriousness).plan_all(count)


def digest_of(planned: Sequence[PlannedAllegation]) -> str:
    payload = [asdict(a) for a in sorted(planned, key=lambda a: a.key)]
    canonical = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- loading ----------------------------------------------------------------------------------


def load_intake(loaded: demo.LoadedDemo) -> str:
    """Write the planned year (inside seed-demo's transaction); return the line it prints."""
    categories = {c.code: c for c in AllegationCategory.objects.filter(active=True)}
    planned = plan_intake(loaded.plan, {code: c.default_seriousness for code, c in categories.items()})
    arrest = dict(ArrestCategory.objects.values_list("code", "pk"))
    intake, supervisor = loaded.logins.get("intake"), loaded.logins.get("supervisor")
    if intake is None or supervisor is None:
        return "Intake: no demo year (the intake and supervisor logins are missing)"
    fallback = categories["other-misconduct"]
    records = [
        _record(
            a,
            categories.get(a.category, fallback),
            loaded,
            arrest=arrest,
            intake=intake,
            supervisor=supervisor,
        )
        for a in planned
    ]
    allegations = write_allegations(records, actor=None)
    by_key = {a.key: row for a, row in zip(planned, allegations, strict=True)}
    events = creation_events(
        allegations, records, actor=None, actor_username=DEMO_ACTOR, detail={"source": DEMO_ACTOR}
    )
    events += _steps(planned, by_key, intake, supervisor)
    clocks, referrals = _clocks(planned, by_key, intake, loaded.plan.today)
    deadlines, clock_events = start_clocks(clocks, actor=None, actor_username=DEMO_ACTOR)
    events += clock_events
    events += _referrals(referrals, deadlines, clocks, intake)
    audit.record_many(events)
    linked, suggested = _duplicates(planned, by_key, intake, loaded.plan.today)
    counts = Counter(a.status for a in planned)
    overdue = _overdue(deadlines, clocks)
    return (
        f"Intake: {len(planned):,} allegations over a year ({counts[S.RECEIVED]} received, "
        f"{counts[S.TRIAGED]} triaged, {counts[S.OIG_PENDING]} awaiting OIG ({overdue} overdue), "
        f"{counts[S.ROUTED]} routed, {counts[S.CLOSURE_PENDING] + counts[S.CLOSED]} closing or closed); "
        f"{sum(1 for a in planned if a.duplicate_of is not None)} second reports of an incident "
        f"({linked} linked, {suggested} suggestions)"
    )


def _overdue(deadlines: Sequence[Any], clocks: Sequence[Clock]) -> int:
    from django.utils import timezone

    now = timezone.now()
    return sum(
        1
        for d, c in zip(deadlines, clocks, strict=True)
        if c.rule == OIG_RULE and d.met_at is None and d.due_at < now
    )


def _record(
    planned: PlannedAllegation,
    category: AllegationCategory,
    loaded: demo.LoadedDemo,
    *,
    arrest: dict[str, int],
    intake: User,
    supervisor: User,
) -> AllegationRecord:
    units, employees = loaded.units, loaded.employees
    status = planned.status
    routed_at = planned.at(S.ROUTED) or planned.at(S.CLOSURE_PENDING)
    closed_at = planned.at(S.CLOSED)
    fields: dict[str, Any] = {
        "channel": planned.channel,
        "received_at": planned.received_at,
        "status": status,
        "seriousness": planned.seriousness if planned.steps else "",
        "summary": planned.summary,
        "narrative": planned.narrative,
        "incident_date": planned.incident_date,
        "incident_date_precision": DatePrecision.DAY,
        "incident_place": planned.incident_place,
        "office_id": units[planned.office].pk if planned.office in units else None,
        "prea": category.prea,
        "use_of_force": category.use_of_force,
        "self_report_kind": planned.self_report_kind,
        "arrest_category_id": arrest.get(planned.arrest_category),
        "language": planned.language,
        "assigned_to_id": intake.pk if planned.assigned else None,
        "created_by_id": None if planned.channel == Channel.WEB else intake.pk,
        "routing_outcome": planned.routing_outcome if routed_at else "",
        "routing_rationale": planned.rationale if routed_at else "",
        "routed_at": routed_at,
        "routed_by_id": intake.pk if routed_at else None,
        "closure_requested_by_id": intake.pk if planned.at(S.CLOSURE_PENDING) else None,
        "closure_approved_by_id": supervisor.pk if closed_at else None,
        "closed_at": closed_at,
    }
    people = [
        PersonRecord(
            role=p.role,
            employee_id=employees.get(p.employee) if p.employee else None,
            name=p.name,
            badge_number=p.badge,
            description=p.description,
            anonymous=p.anonymous,
            contact=p.contact,
            contact_preference="email" if "@" in p.contact else ("phone" if p.contact else ""),
        )
        for p in planned.people
    ]
    return AllegationRecord(
        fields=fields, category_ids=[category.pk], category_codes=[category.code], people=people
    )


def _steps(
    planned: Sequence[PlannedAllegation], by_key: dict[int, Allegation], intake: User, supervisor: User
) -> list[audit.EventSpec]:
    """One transition event per step, as the workflow services record them (dated in `detail`)."""
    events = []
    for allegation in planned:
        row, before = by_key[allegation.key], str(S.RECEIVED)
        for step in allegation.steps:
            actor = supervisor if step.status == S.CLOSED else intake
            changes: dict[str, Any] = {"status": [before, step.status]}
            if step.status == S.TRIAGED and before == S.RECEIVED:
                changes["seriousness"] = ["", allegation.seriousness]
            if step.status in (S.ROUTED, S.CLOSURE_PENDING):
                changes["routing_outcome"] = ["", allegation.routing_outcome]
            events.append(
                audit.EventSpec(
                    action=AuditAction.TRANSITION,
                    actor=actor,
                    obj=row,
                    changes=changes,
                    detail={"source": DEMO_ACTOR, "at": step.at.isoformat()},
                )
            )
            before = step.status
    return events


@dataclass(frozen=True)
class _Referral:
    allegation: PlannedAllegation
    clock_index: int


def _clocks(
    planned: Sequence[PlannedAllegation], by_key: dict[int, Allegation], intake: User, today: dt.date
) -> tuple[list[Clock], list[_Referral]]:
    """The clocks the services would have started and met: triage, PREA and OIG's answer."""
    clocks: list[Clock] = []
    referrals: list[_Referral] = []
    for allegation in planned:
        row = by_key[allegation.key]
        # Intake's decision is made when it routes, OIG accepts, or a closure is approved.
        decided = allegation.at(S.ROUTED) or allegation.at(S.OIG_ACCEPTED) or allegation.at(S.CLOSED)
        clocks.append(
            Clock(row, TRIAGE_RULE, f"Triage and route {row.number}", row.received_at, met_at=decided)
        )
        if row.prea:
            # The PREA program manager acts within hours, except on the very newest reports.
            recent = allegation.received_at.date() > today - dt.timedelta(days=10)
            met = None if recent else allegation.received_at + dt.timedelta(hours=6)
            clocks.extend(
                Clock(row, rule, f"{title} ({row.number})", row.received_at, met_at=met)
                for rule, title in PREA_CLOCKS.items()
            )
        if allegation.oig_sent_at is not None:
            referrals.append(_Referral(allegation, len(clocks)))
            clocks.append(
                Clock(
                    row,
                    OIG_RULE,
                    f"OIG answer on {row.number}",
                    allegation.oig_sent_at,
                    owner_id=row.assigned_to_id or intake.pk,
                    met_at=allegation.oig_answered_at,
                )
            )
    return clocks, referrals


def _referrals(
    referrals: Sequence[_Referral], deadlines: Sequence[Any], clocks: Sequence[Clock], intake: User
) -> list[audit.EventSpec]:
    rows = []
    for referral in referrals:
        allegation, deadline = referral.allegation, deadlines[referral.clock_index]
        answered = allegation.oig_answered_at
        rows.append(
            OigReferral(
                allegation=clocks[referral.clock_index].allegation,
                sent_at=clocks[referral.clock_index].started_at,
                sent_by=intake,
                deadline=deadline,
                answer=allegation.oig_answer or OigAnswer.PENDING,
                answered_at=answered,
                answered_by=intake if answered else None,
                oig_reference=f"OIG-{allegation.received_at:%y}-{7000 + allegation.key}" if answered else "",
            )
        )
    OigReferral.objects.bulk_create(rows, batch_size=1000)
    return [
        audit.EventSpec(
            action=AuditAction.CREATE,
            actor=intake,
            obj=row,
            changes={"answer": [None, row.answer], "sent_at": [None, row.sent_at]},
            detail={"source": DEMO_ACTOR},
        )
        for row in rows
    ]


def _duplicates(
    planned: Sequence[PlannedAllegation], by_key: dict[int, Allegation], intake: User, today: dt.date
) -> tuple[int, int]:
    """Second reports. The duplicate finder runs on the recent ones, as it did when they came in
    (its suggestions are stored; older ones were decided long ago); those a specialist linked
    are linked through the links service, from the suggestion when there is one."""
    from probity.intake.duplicates import suggest_for
    from probity.intake.services.links import link_allegations

    linked = suggested = 0
    recent = today - SUGGESTIONS_FOR
    for allegation in planned:
        if allegation.duplicate_of is None:
            continue
        row, first = by_key[allegation.key], by_key[allegation.duplicate_of]
        found = suggest_for(row) if allegation.received_at.date() >= recent else []
        suggested += len(found)
        if allegation.linked:
            pair = {row.pk, first.pk}
            suggestion = next((s for s in found if {s.allegation_id, s.candidate_id} == pair), None)
            link_allegations(actor=intake, allegation=row, other=first, suggestion=suggestion)
            linked += 1
    return linked, suggested


def connect() -> None:
    """Register intake's part of the demo (from IntakeConfig.ready())."""
    demo.register_extension("intake", load_intake)
