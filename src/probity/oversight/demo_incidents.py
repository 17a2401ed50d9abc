"""The incidents part of `probity seed-demo`: a year of critical incidents and a review board.

Incidents of every kind at the demo's ports and Border Patrol stations (mostly physical and
less-lethal force, canine bites, vehicle immobilisations, three firearm discharges of which one
at the range, a pursuit that ended in a rollover, serious injuries and a death in a holding
cell), each reported and worked through the real services as far as its age allows: a reviewer
assigned, facts documented, closed when the board need not see it. Some are linked to the
demo's use-of-force allegations and investigation cases; one waits on a prosecutor. A board
met four months ago and determined three incidents (one possible misconduct, referred to
intake) with recommendations: one done, one overdue, one open; a second meeting is scheduled.

The services stamp "now"; afterwards each record's own dates are moved back (as investigations'
demo does), so ages, overdue marks and the dashboards look lived in. Deterministic for the
plan's seed and date.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from probity.core import demo
from probity.core.deadlines import agency_time_zone
from probity.core.models import Deadline, Employee, OrgUnit, OrgUnitKind, Role, User
from probity.intake.models import Allegation
from probity.investigations.models import Case, CaseType, ProsecutionDecision
from probity.oversight.models import (
    AgendaItem,
    BoardMeeting,
    CriticalIncident,
    Determination,
    IncidentKind,
    IncidentStatus,
    Recommendation,
    RecommendationKind,
)
from probity.oversight.services import board, incidents
from probity.oversight.services.incidents import EmployeeInput, ForceInput, SubjectInput

K = IncidentKind
S = IncidentStatus
DAY = dt.timedelta(days=1)
MEETING_AGE = 120  # days since the board met
NEXT_MEETING = 10  # days until the next meeting


@dataclass(frozen=True)
class Scenario:
    kind: str
    station: bool  # a Border Patrol station, else a port of entry
    summary: str
    narrative: str
    actions: str
    force: tuple[str, ...]
    subject: str
    injuries: str = ""
    serious_injury: bool = False
    death: bool = False
    training: bool = False
    weapon: str = ""
    by_subject: str = ""  # force the subject used


PHYSICAL = Scenario(
    K.PHYSICAL,
    False,
    "Traveler resisted a pat-down in secondary inspection; officers took him to the floor",
    "During a secondary inspection the traveler pulled away during a pat-down and struck an officer. "
    "Two officers took him to the floor and handcuffed him.",
    "Controlled the traveler's right arm and took him to the floor",
    ("Takedown", "Handcuffing"),
    "Adult male traveler",
    "Abrasion to the forehead",
    by_subject="Punch",
)
LESS_LETHAL = Scenario(
    K.LESS_LETHAL,
    True,
    "Agent deployed a conducted energy weapon on a subject who charged at agents",
    "After a foot chase near the border road the subject turned and charged at the agent with a rock. "
    "The agent deployed the conducted energy weapon; the subject fell and was arrested.",
    "Deployed the conducted energy weapon once (5-second cycle)",
    ("Conducted energy weapon (TASER)",),
    "Adult male, apprehended after a foot chase",
    "Probe wounds to the back",
    weapon="Rock",
    by_subject="Charged at the agent with a rock",
)
OC_SPRAY = Scenario(
    K.LESS_LETHAL,
    False,
    "Officer used OC spray on a driver who refused to leave the vehicle at the lane",
    "The driver refused to turn off the engine and leave the vehicle at primary, then reached for the "
    "gear shift. The officer used OC spray; the driver was extracted and decontaminated.",
    "Sprayed OC once towards the driver's face",
    ("OC spray",),
    "Adult female driver",
    "Eye irritation, decontaminated on scene",
)
CANINE = Scenario(
    K.CANINE,
    True,
    "Canine bite during the apprehension of a subject hiding in brush",
    "A canine team searched the brush after a sensor hit. The subject did not answer the warnings; the "
    "canine found and bit him on the forearm before the handler recalled it.",
    "Gave the canine warnings, deployed the canine and recalled it",
    ("Patrol canine",),
    "Adult male, hiding in brush",
    "Puncture wounds to the left forearm, treated at the hospital",
)
VEHICLE = Scenario(
    K.VEHICLE,
    True,
    "Vehicle immobilization device deployed on a vehicle failing to yield at the checkpoint",
    "The driver ran the checkpoint. Agents ahead deployed a vehicle immobilization device; the vehicle "
    "stopped on the shoulder and the driver was arrested.",
    "Deployed the vehicle immobilization device across the lane",
    ("Vehicle immobilization device",),
    "Adult male driver",
)
FIREARM = Scenario(
    K.FIREARM,
    True,
    "Agent fired at a vehicle driven at agents on the border road",
    "During a vehicle stop on the border road the driver accelerated towards two agents standing in "
    "front of the vehicle. One agent fired two rounds; the vehicle struck the fence and the driver was "
    "arrested.",
    "Fired two rounds from the service pistol at the driver",
    ("Firearm (service pistol, two rounds)",),
    "Adult male driver",
    "Gunshot wound to the shoulder",
    serious_injury=True,
    weapon="Vehicle",
    by_subject="Drove the vehicle at the agents",
)
FIREARM_PORT = Scenario(
    K.FIREARM,
    False,
    "Officer fired a round at an armed traveler in the pedestrian lanes",
    "A traveler drew a knife at the pedestrian turnstiles and advanced on an officer. The officer fired "
    "one round, missing; other officers then took the traveler to the ground.",
    "Fired one round from the service pistol",
    ("Firearm (service pistol, one round)",),
    "Adult male pedestrian",
    weapon="Knife",
    by_subject="Advanced with a knife",
)
TRAINING = Scenario(
    K.FIREARM,
    False,
    "Unintentional discharge at the range during quarterly qualification",
    "An officer discharged one round into the berm while holstering during qualification. Nobody was hurt.",
    "Discharged one round while holstering",
    ("Firearm (service pistol, one round)",),
    "",
    training=True,
)
PURSUIT = Scenario(
    K.PURSUIT,
    True,
    "Vehicle pursuit ended in a rollover north of the checkpoint",
    "Agents followed a vehicle that failed to yield at the checkpoint. After four miles the driver lost "
    "control on a curve and the vehicle rolled over. Two passengers were taken to the hospital.",
    "Followed the vehicle with lights and siren and called the supervisor",
    ("Vehicle pursuit",),
    "Passengers of the vehicle",
    "Broken arm; head injury",
    serious_injury=True,
)
SERIOUS_INJURY = Scenario(
    K.SERIOUS_INJURY,
    True,
    "Subject fell from the border barrier during an apprehension and broke a leg",
    "Agents approached a subject climbing the barrier. He let go from the top and fell about five metres; "
    "agents gave first aid and called emergency medical services.",
    "Gave first aid and called EMS",
    (),
    "Adult male, climbing the barrier",
    "Fractured left leg",
    serious_injury=True,
)
DEATH = Scenario(
    K.DEATH,
    True,
    "Detainee found unresponsive in a holding cell",
    "During a welfare check an agent found a detainee unresponsive in holding cell 2. Agents began CPR "
    "and called EMS; the detainee was pronounced dead at the hospital.",
    "Found the detainee during a welfare check and started CPR",
    (),
    "Adult male detainee",
    "Pronounced dead at the hospital",
    death=True,
)
OTHER = Scenario(
    K.OTHER,
    False,
    "Traveler injured when a secondary inspection gate closed on her",
    "A vehicle gate in the secondary area closed while a traveler walked through it.",
    "Stopped the gate and gave first aid",
    (),
    "Adult female traveler",
    "Bruised shoulder",
)

# The year's mix: the common kinds repeat (and grow with the scale), the rare ones do not.
COMMON = (PHYSICAL, PHYSICAL, LESS_LETHAL, OC_SPRAY, PHYSICAL, CANINE, VEHICLE, LESS_LETHAL)
RARE = (FIREARM, FIREARM_PORT, TRAINING, PURSUIT, SERIOUS_INJURY, DEATH, OTHER, CANINE, VEHICLE)
# Days ago, for the three the board determined: within policy, not within policy, possible misconduct.
BOARD_AGES = {SERIOUS_INJURY: 230, FIREARM: 190, FIREARM_PORT: 150}
PLACES = {
    True: ("Border road 3 km west of the port", "Checkpoint, northbound lanes", "Station processing area"),
    False: ("Secondary inspection area", "Primary inspection, lane 6", "Pedestrian processing, turnstile 3"),
}


class _Writer:
    def __init__(self, loaded: demo.LoadedDemo, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.pm = User.objects.get(pk=loaded.logins[Role.PROGRAM_MANAGER].pk)
        supervisor = loaded.logins.get(Role.SUPERVISOR)
        self.supervisor = User.objects.get(pk=supervisor.pk) if supervisor else self.pm
        inspector = loaded.logins.get(Role.INSPECTOR)
        self.inspector = User.objects.get(pk=inspector.pk) if inspector else self.pm
        self.recused = loaded.plan.recused_employee
        units = list(loaded.units.values())
        self.ports = sorted((u for u in units if u.kind == OrgUnitKind.PORT_OF_ENTRY), key=lambda u: u.code)
        self.stations = sorted((u for u in units if u.kind == OrgUnitKind.STATION), key=lambda u: u.code)
        self.counts: Counter[str] = Counter()

    def office(self, station: bool) -> OrgUnit:
        choices = (self.stations if station else self.ports) or self.ports or self.stations
        return self.rng.choice(choices)

    def officers(self, office: OrgUnit, count: int) -> list[Employee]:
        staff = list(
            Employee.objects.filter(
                assignments__org_unit=office, assignments__end_date__isnull=True, law_enforcement=True
            )
            .exclude(employee_number=self.recused)
            .defer("date_of_birth")
            .distinct()
            .order_by("employee_number")[:20]
        )
        return self.rng.sample(staff, min(count, len(staff)))

    def report(self, scenario: Scenario, occurred: dt.datetime) -> CriticalIncident:
        rng = self.rng
        office = self.office(scenario.station)
        people = self.officers(office, 1 if scenario.training else rng.randint(1, 2))
        employees = [
            EmployeeInput(employee=person, actions=scenario.actions if n == 0 else "Assisted and handcuffed")
            for n, person in enumerate(people)
        ]
        if not employees:
            employees = [EmployeeInput(description=f"Officer of {office.name}", actions=scenario.actions)]
        force = [
            ForceInput(action=action, by_employee=people[0] if people else None) for action in scenario.force
        ]
        if scenario.by_subject:
            force.append(ForceInput(action=scenario.by_subject, by_subject=True))
        subjects = []
        if scenario.subject:
            subjects.append(
                SubjectInput(
                    description=scenario.subject,
                    age=rng.randint(19, 58),
                    sex="Female" if "female" in scenario.subject else "Male",
                    injured=bool(scenario.injuries),
                    injuries=scenario.injuries,
                    armed=bool(scenario.weapon),
                    weapon=scenario.weapon,
                )
            )
        notified = occurred + dt.timedelta(minutes=rng.randint(5, 40))
        return incidents.report_incident(
            actor=self.pm,
            kind=scenario.kind,
            occurred_at=occurred,
            place=rng.choice(PLACES[scenario.station]),
            office=office,
            summary=scenario.summary,
            narrative=scenario.narrative,
            employees=employees,
            subjects=subjects,
            force=force,
            training_discharge=scenario.training,
            serious_injury=scenario.serious_injury,
            death=scenario.death,
            responders=f"Watch commander, {office.name}; EMS" if scenario.injuries else "Shift supervisor",
            notified_at=notified,
            on_scene_at=notified + dt.timedelta(minutes=rng.randint(5, 30)),
            allegations=(),
            cases=(),
        )

    def review(self, incident: CriticalIncident) -> None:
        reviewer = self.rng.choice([self.pm, self.supervisor])
        incidents.assign_reviewer(actor=self.pm, incident=incident, reviewer=reviewer)
        incidents.document_facts(
            actor=reviewer,
            incident=incident,
            facts=(
                "Video of the scene, the officers' statements and the medical records were reviewed. "
                "The account in the report is consistent with the video."
            ),
        )


def _backdate(incident: CriticalIncident, occurred: dt.datetime, now: dt.datetime) -> None:
    reported = min(occurred + dt.timedelta(hours=3), now)
    CriticalIncident.objects.filter(pk=incident.pk).update(created_at=reported, updated_at=reported)


def _links(board_incidents: list[CriticalIncident], others: list[CriticalIncident]) -> int:
    """Link some incidents to the demo's use-of-force allegations and investigation cases."""
    linked = 0
    allegations = Allegation.objects.filter(use_of_force=True).order_by("number")[:4]
    for incident, allegation in zip(others[-4:], allegations, strict=False):
        incidents.link_allegation(actor=None, incident=incident, allegation=allegation)
        linked += 1
    # A case whose prosecutor declined every referral no longer holds the board.
    declined = (
        Case.objects.filter(prosecutions__decision=ProsecutionDecision.DECLINED)
        .exclude(prosecutions__decision__in=[ProsecutionDecision.PENDING, ProsecutionDecision.ACCEPTED])
        .order_by("number")
        .first()
    )
    if declined is not None and board_incidents:
        incidents.link_case(actor=None, incident=board_incidents[0], case=declined)
        linked += 1
    administrative = Case.objects.filter(case_type=CaseType.ADMINISTRATIVE).order_by("number").first()
    if administrative is not None and others:
        incidents.link_case(actor=None, incident=others[-1], case=administrative)
        linked += 1
    return linked


def _hold_for_prosecution(writer: _Writer, incident: CriticalIncident) -> bool:
    pending = (
        Case.objects.filter(prosecutions__decision=ProsecutionDecision.PENDING).order_by("number").first()
    )
    if pending is None:
        return False
    incidents.link_case(actor=None, incident=incident, case=pending)
    incidents.await_prosecution(
        actor=writer.pm, incident=incident, reason="The U.S. Attorney has not decided."
    )
    return True


def _board(writer: _Writer, determined: list[CriticalIncident], waiting: list[CriticalIncident]) -> int:
    """A meeting held four months ago with determinations and recommendations, and the next one."""
    now = writer.now
    today = now.astimezone(agency_time_zone()).date()
    held_on = today - MEETING_AGE * DAY
    members = [writer.pm, writer.supervisor]
    meeting = board.schedule_meeting(actor=writer.pm, held_on=held_on, members=members)
    outcomes = (
        (Determination.WITHIN_POLICY, "The agents' actions were reasonable and their first aid prompt."),
        (Determination.NOT_WITHIN_POLICY, "Firing at a moving vehicle was not the last resort available."),
        (Determination.POSSIBLE_MISCONDUCT, "The video contradicts the officer's account of the threat."),
    )
    decided_at = dt.datetime.combine(held_on, dt.time(15, 0), tzinfo=agency_time_zone())
    recommendations = 0
    items = [
        board.add_to_agenda(actor=writer.pm, meeting=meeting, incident=incident) for incident in determined
    ]
    for item, (determination, rationale) in zip(items, outcomes, strict=False):
        board.record_determination(
            actor=writer.pm, item=item, determination=determination, rationale=rationale
        )
        AgendaItem.objects.filter(pk=item.pk).update(decided_at=decided_at)
        if determination == Determination.WITHIN_POLICY:
            continue
        plans = (
            (
                RecommendationKind.TRAINING,
                "Add moving-vehicle scenarios to the quarterly firearms training.",
                60,
                True,
            ),
            (RecommendationKind.POLICY, "Revise the policy on shooting at moving vehicles.", 90, False),
            (RecommendationKind.EQUIPMENT, "Equip the border road units with body-worn cameras.", 200, False),
        )
        for kind, text, days, done in (
            plans if determination == Determination.NOT_WITHIN_POLICY else plans[2:]
        ):
            owner = writer.inspector if kind == RecommendationKind.EQUIPMENT else writer.supervisor
            rec = board.add_recommendation(
                actor=writer.pm, item=item, kind=kind, text=text, owner=owner, due_on=today + DAY
            )
            if done:
                board.complete_recommendation(
                    actor=owner, recommendation=rec, note="The new scenarios were taught in every sector."
                )
            _backdate_recommendation(rec, decided_at, held_on + days * DAY, done=done)
            recommendations += 1
    BoardMeeting.objects.filter(pk=meeting.pk).update(created_at=decided_at - 14 * DAY)
    upcoming = board.schedule_meeting(actor=writer.pm, held_on=today + NEXT_MEETING * DAY, members=members)
    for incident in waiting[:1]:
        board.add_to_agenda(actor=writer.pm, meeting=upcoming, incident=incident)
    return recommendations


def _backdate_recommendation(
    rec: Recommendation, decided_at: dt.datetime, due_on: dt.date, *, done: bool
) -> None:
    completed = decided_at + 45 * DAY if done else None
    Recommendation.objects.filter(pk=rec.pk).update(
        created_at=decided_at, due_on=due_on, completed_at=completed
    )
    clock = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Recommendation), object_id=rec.pk
    )
    clock.update(started_at=decided_at, due_at=board.end_of_day(due_on), met_at=completed)


def load_incidents(loaded: demo.LoadedDemo) -> str:
    rng = random.Random(f"oversight-incidents-{loaded.plan.seed}")  # noqa: S311  (synthetic, reproducible on purpose)
    now = timezone.now()
    writer = _Writer(loaded, rng, now)
    if not writer.ports and not writer.stations:
        return "no incidents (the demo has no ports or stations)"
    common = round(len(COMMON) * 2 * max(loaded.plan.scale, 0.1))
    scenarios = [COMMON[n % len(COMMON)] for n in range(common)] + list(RARE)
    rng.shuffle(scenarios)
    # The board's cases: three happened early enough for the meeting four months ago (in the
    # order of its determinations), the others wait for the next one.
    # A third happened in the last two months, so the review queue has work in every step.
    ages = [rng.randint(1, 60) if n % 3 == 0 else rng.randint(2, 360) for n in range(len(scenarios))]
    for n, scenario in enumerate(scenarios):
        if scenario.serious_injury or scenario.death or scenario in BOARD_AGES:
            ages[n] = BOARD_AGES.get(scenario) or rng.randint(20, 100)
    reported = []
    for age, scenario in sorted(zip(ages, scenarios, strict=True), key=lambda pair: -pair[0]):
        occurred = now - age * DAY - dt.timedelta(hours=rng.randint(0, 20))
        reported.append((age, writer.report(scenario, occurred)))
    board_incidents = [incident for _, incident in reported if incident.meets_board_criteria]
    others = [(age, incident) for age, incident in reported if not incident.meets_board_criteria]
    linked = _links(board_incidents, [incident for age, incident in others if age >= 7])
    for age, incident in reported:
        if age >= 7:  # the youngest still wait for a reviewer
            writer.review(incident)
    for age, incident in others:
        if age > 45:
            incidents.close_incident(
                actor=writer.pm, incident=incident, reason="Within policy; no board review."
            )
    determined, waiting = board_incidents[:3], board_incidents[3:]
    held = waiting[-1:] if waiting and _hold_for_prosecution(writer, waiting[-1]) else []
    waiting = [incident for incident in waiting if incident not in held]
    for incident in [*determined, *waiting]:
        incidents.send_to_board(actor=writer.pm, incident=incident)
    recommendations = _board(writer, determined, waiting)
    for incident in determined[:1]:
        incidents.close_incident(actor=writer.pm, incident=incident, reason="Determined within policy.")
    for age, incident in reported:
        _backdate(incident, now - age * DAY, now)
    statuses = Counter(CriticalIncident.objects.values_list("status", flat=True))
    described = ", ".join(f"{count} {S(status).label.lower()}" for status, count in sorted(statuses.items()))
    return (
        f"{len(reported)} critical incidents ({described}); {linked} links to allegations and cases; "
        f"2 board meetings, {recommendations} recommendations"
    )
