"""The deaths part of `probity seed-demo`: six synthetic deaths in custody over the demo year.

At ports of entry and Border Patrol stations (and one at an ICE detention facility), recorded by
the `program_manager` login through the real services with the time OPR learned of each death
in the past, so their clocks started then: the oldest have every clock met (one 30-day report
late, one notice late), one has its review completed with its report PDF, one has a review in
progress with the `supervisor` login, and the newest, a few hours old, has all its clocks open.
The people are invented. Deterministic for the demo's date (the newest is placed relative to now).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from probity.core import demo
from probity.core.deadlines import agency_time_zone
from probity.core.models import Role, User
from probity.oversight.models import CriticalIncident, CustodyAgency, DeathInCustody
from probity.oversight.services import deaths


@dataclass(frozen=True)
class DemoDeath:
    """One invented death: who, where, and how far its clocks and review went."""

    when: tuple[int, int]  # (days before the demo's date, hour of the day of death)
    person: tuple[str, str, str, str, int, str]  # name, sex, race, ethnicity, age, country
    office: str  # org unit code
    agency: str
    where: tuple[str, str, str, str]  # place of death, facility, its location, facility type
    circumstances: str
    cause: str
    reported_after_hours: int
    # Hours after the report that notification, public release, 30- and 90-day reports were done;
    # None: not done (yet).
    steps: tuple[int | None, int | None, int | None, int | None]
    review: str = ""  # "", "open" or "completed"


DEATHS = (
    DemoDeath(
        when=(290, 4),
        person=("Rogelio Arce Villanueva", "Male", "White", "Hispanic or Latino", 47, "Mexico"),
        office="POE-SYS",
        agency=CustodyAgency.CBP,
        where=("Secondary inspection hold room 3", "San Ysidro Port of Entry", "San Ysidro, CA", "Hold room"),
        circumstances=(
            "Held in a secondary inspection hold room after a referral at the pedestrian lanes. Officers "
            "found him unresponsive during a welfare check, began CPR and called emergency services; he "
            "was pronounced dead at the scene."
        ),
        cause="Hypertensive and atherosclerotic cardiovascular disease (medical examiner).",
        reported_after_hours=2,
        steps=(6, 30, 24 * 27, 24 * 85),
        review="completed",
    ),
    DemoDeath(
        when=(205, 16),
        person=(
            "Marleny Choc Tiul",
            "Female",
            "American Indian or Alaska Native",
            "Hispanic or Latino",
            33,
            "Guatemala",
        ),
        office="USBP-SDC-CAM",
        agency=CustodyAgency.CBP,
        where=("Processing area", "Campo Station", "Campo, CA", "Border Patrol station"),
        circumstances=(
            "Apprehended with a group near the border and brought to the station for processing. She "
            "reported abdominal pain, was taken to hospital by ambulance and died there the next morning."
        ),
        cause="Pending toxicology.",
        reported_after_hours=18,
        steps=(9, 40, 24 * 33, 24 * 88),  # the 30-day report was late
        review="open",
    ),
    DemoDeath(
        when=(130, 9),
        person=(
            "Oumar Diallo Sow",
            "Male",
            "Black or African American",
            "Not Hispanic or Latino",
            52,
            "Senegal",
        ),
        office="OPR-ELP",  # the OPR office that covers the detention facility
        agency=CustodyAgency.ICE,
        where=("Regional medical center", "Desert View Processing Center", "Chaparral, NM", "IGSA"),
        circumstances=(
            "Detained pending removal proceedings; transferred to a regional medical center after a "
            "seizure, where he died four days later."
        ),
        cause="Complications of a cerebral hemorrhage.",
        reported_after_hours=3,
        steps=(8, 44, 24 * 29, 24 * 80),
    ),
    DemoDeath(
        when=(40, 22),
        person=("Luis Fernando Pacheco Ruiz", "Male", "White", "Hispanic or Latino", 29, "Honduras"),
        office="POE-ELP",
        agency=CustodyAgency.CBP,
        where=(
            "Vehicle secondary inspection area",
            "El Paso Port of Entry (Bridge of the Americas)",
            "El Paso, TX",
            "Port of entry",
        ),
        circumstances=(
            "Collapsed during a vehicle secondary inspection after swallowing packages he was carrying. "
            "Officers called emergency medical services; he died in hospital."
        ),
        cause="",
        reported_after_hours=1,
        steps=(5, 30, 24 * 29, None),
    ),
    DemoDeath(
        when=(20, 13),
        person=("Yessenia Ortiz Bermúdez", "Female", "Unknown", "Hispanic or Latino", 19, "El Salvador"),
        office="POE-NOG",
        agency=CustodyAgency.CBP,
        where=("Port hold room", "Nogales Port of Entry (DeConcini)", "Nogales, AZ", "Hold room"),
        circumstances=(
            "Found unresponsive in a hold room about an hour after being placed there pending transfer."
        ),
        cause="",
        reported_after_hours=4,
        steps=(14, 45, None, None),  # the notification came two hours late
    ),
)
# Hours old when the demo is loaded: every clock still open.
NEWEST = DemoDeath(
    when=(0, 0),
    person=("Unknown (identification pending)", "Male", "", "", 40, ""),
    office="USBP-TCA-NGL",
    agency=CustodyAgency.CBP,
    where=("Holding cell", "Nogales Station", "Nogales, AZ", "Border Patrol station"),
    circumstances=(
        "Apprehended in the desert with signs of heat exhaustion; given water and monitored in a holding "
        "cell while awaiting transport to hospital, where he was pronounced dead."
    ),
    cause="",
    reported_after_hours=2,
    steps=(None, None, None, None),
)


def _moment(days_ago: int, hour: int, today: dt.date) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour, 10), tzinfo=agency_time_zone())


def _record(manager: User, units: dict[str, Any], spec: DemoDeath, died: dt.datetime) -> DeathInCustody:
    local = died.astimezone(agency_time_zone())
    name, sex, race, ethnicity, age, country = spec.person
    place, facility, location, facility_type = spec.where
    return deaths.record_death(
        actor=manager,
        name=name,
        sex=sex,
        race=race,
        ethnicity=ethnicity,
        age=age,
        country=country,
        date_of_death=local.date(),
        time_of_death=local.time().replace(second=0, microsecond=0),
        place_of_death=f"{place}, {facility}",
        facility_name=facility,
        facility_location=location,
        facility_type=facility_type,
        office=units[spec.office],
        agency=spec.agency,
        circumstances=spec.circumstances,
        cause=spec.cause,
        reported_at=died + dt.timedelta(hours=spec.reported_after_hours),
    )


def _work(
    manager: User, reviewer: User | None, death: DeathInCustody, spec: DemoDeath, now: dt.datetime
) -> None:
    for step, hours in zip(
        ("notification", "public-release", "report-30", "report-90"), spec.steps, strict=True
    ):
        if hours is None:
            continue
        at = death.reported_at + dt.timedelta(hours=hours)
        if at < now:
            deaths.meet_step(actor=manager, death=death, step=step, at=at)
    if not spec.review or reviewer is None:
        return
    deaths.assign_reviewer(actor=manager, death=death, reviewer=reviewer)
    deaths.update_review(
        actor=reviewer,
        death=death,
        standards="CBP National Standards on Transport, Escort, Detention, and Search (TEDS) 2015",
        facts=(
            "Hold-room logs, video and the medical examiner's report were reviewed. Welfare checks "
            "were logged at the intervals TEDS requires until the last check before he was found."
        ),
        compliance=(
            "Welfare checks: complied. Medical screening at intake: complied. Time in the hold room "
            "(under 12 hours): complied. Emergency response: CPR began within two minutes; complied."
            if spec.review == "completed"
            else ""
        ),
        findings=(
            "No violation of the detention standards contributed to the death. Recommendation: add "
            "automated external defibrillators to the secondary hold-room area."
            if spec.review == "completed"
            else ""
        ),
    )
    if spec.review == "completed":
        deaths.complete_review(actor=reviewer, death=death)


def load_deaths(loaded: demo.LoadedDemo) -> str:
    manager = loaded.logins.get(Role.PROGRAM_MANAGER)
    if manager is None:
        return "deaths in custody: skipped (no program manager login)"
    reviewer = loaded.logins.get(Role.SUPERVISOR)
    now = timezone.now()
    today = loaded.plan.today
    recorded: list[DeathInCustody] = []
    for spec in DEATHS:
        died = _moment(*spec.when, today)
        death = _record(manager, loaded.units, spec, died)
        _work(manager, reviewer, death, spec, now)
        recorded.append(death)
    # The newest, hours old: every clock still open.
    died = now - dt.timedelta(hours=7)
    recorded.append(_record(manager, loaded.units, NEWEST, died))
    for death in recorded:
        # The record's own dates: when OPR recorded it, not when the demo ran.
        DeathInCustody.objects.filter(pk=death.pk).update(created_at=death.reported_at)
        if death.incident_id is not None:
            CriticalIncident.objects.filter(pk=death.incident_id).update(
                created_at=death.reported_at, updated_at=death.reported_at
            )
    open_count = sum(1 for death in recorded if any(clock.is_open for clock in deaths.clocks_of(death)))
    return (
        f"{len(recorded)} deaths in custody ({open_count} with open clocks, "
        f"1 review completed with its report, 1 in progress)"
    )
