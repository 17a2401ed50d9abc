"""Shared pieces of the deaths-in-custody tests: recording a death, what a refusal must leave
untouched, a supervisor of another office, and a media root per test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from probity.core.models import AuditEvent, Deadline, Role, StoredFile, User
from probity.core.services.users import create_user
from probity.oversight.models import CriticalIncident, CustodyAgency, DeathInCustody, DeathReview
from probity.oversight.services.deaths import record_death
from tests.conftest import PASSWORD, Org

# 09:00 on a Wednesday in New York (EST), the agency's time zone in the tests.
WEDNESDAY = dt.datetime(2025, 3, 5, 14, 0, tzinfo=dt.UTC)
CIRCUMSTANCES = "Found unresponsive in the hold room during a welfare check; CPR was started."


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def far_supervisor(org: Org) -> User:
    """A supervisor whose scope (El Paso) does not cover the Nogales port."""
    return create_user(
        actor=None,
        username="far_supervisor",
        password=PASSWORD,
        roles=[Role.SUPERVISOR],
        office_scope=org.el_paso,
        first_name="Farah",
        last_name="Away",
    )


def death_values(org: Org, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Rogelio Arce Villanueva",
        "sex": "Male",
        "race": "White",
        "ethnicity": "Hispanic or Latino",
        "age": 47,
        "country": "Mexico",
        "date_of_death": dt.date(2025, 3, 5),
        "time_of_death": dt.time(6, 30),
        "place_of_death": "Secondary inspection hold room 3",
        "facility_name": "Nogales Port of Entry",
        "facility_location": "Nogales, AZ",
        "facility_type": "Hold room",
        "office": org.nogales_port,
        "agency": CustodyAgency.CBP,
        "circumstances": CIRCUMSTANCES,
        "cause": "",
        "reported_at": WEDNESDAY,
    }
    values.update(overrides)
    return values


def record(actor: Any, org: Org, **overrides: Any) -> DeathInCustody:
    """A death recorded by `actor` (a program manager), OPR learning of it at WEDNESDAY."""
    import time_machine

    with time_machine.travel(WEDNESDAY + dt.timedelta(minutes=5), tick=False):
        return record_death(actor=actor, **death_values(org, **overrides))


def written() -> tuple[int, ...]:
    """Everything a refused write must leave untouched (reads, searches and downloads aside)."""
    return (
        DeathInCustody.objects.count(),
        DeathReview.objects.count(),
        CriticalIncident.objects.count(),
        Deadline.objects.count(),
        Deadline.objects.filter(met_at__isnull=False).count(),
        StoredFile.objects.count(),
        AuditEvent.objects.exclude(action__in=["view", "search", "download", "export"])
        .exclude(object_type="core.apitoken")
        .count(),
    )
