"""Deadline arithmetic: when a clock started under a rule runs out, and seeding the rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from probity.core.models import DeadlineRule, DeadlineUnit
from probity.lib.business_days import add_business_days

RULES_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "deadline_rules.json"
# Fields a seed may set; a later fixture version may carry more, which older migrations ignore.
SEED_FIELDS = ("name", "description", "amount", "unit", "source", "active")


def agency_time_zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "PROBITY_AGENCY_TIME_ZONE", "America/New_York"))


def due_at(rule: DeadlineRule, started_at: dt.datetime) -> dt.datetime:
    """When a clock started at `started_at` under `rule` runs out, in UTC.

    Calendar days and hours are elapsed time. Business days are counted on the agency's
    calendar: the clock ends at the very end of the Nth federal business day after the local
    date on which it started, so a referral sent late on a Wednesday evening in New York
    still counts from that Wednesday.
    """
    if started_at.tzinfo is None or started_at.utcoffset() is None:
        raise ValueError("started_at must be timezone-aware")
    if rule.unit == DeadlineUnit.CALENDAR_DAYS:
        return (started_at + dt.timedelta(days=rule.amount)).astimezone(dt.UTC)
    if rule.unit == DeadlineUnit.HOURS:
        return (started_at + dt.timedelta(hours=rule.amount)).astimezone(dt.UTC)
    if rule.unit == DeadlineUnit.BUSINESS_DAYS:
        zone = agency_time_zone()
        last_day = add_business_days(started_at.astimezone(zone).date(), rule.amount)
        return dt.datetime.combine(last_day, dt.time.max, tzinfo=zone).astimezone(dt.UTC)
    raise ValueError(f"Unknown deadline unit {rule.unit!r}")


def seed_rules(apps: Any, fixture: Path = RULES_FIXTURE) -> int:
    """Create the fixture's rules whose codes are missing; never touch existing rules.

    For data migrations (`apps` is the migration state), so an administrator's edits to a
    duration survive every later migrate. Returns how many rules were created.
    """
    rule_model = apps.get_model("core", "DeadlineRule")
    entries = json.loads(fixture.read_text(encoding="utf-8"))
    existing = set(rule_model.objects.values_list("code", flat=True))
    missing = []
    for entry in entries:
        fields = entry["fields"]
        if fields["code"] in existing:
            continue
        existing.add(fields["code"])
        missing.append(rule_model(code=fields["code"], **{k: fields[k] for k in SEED_FIELDS if k in fields}))
    rule_model.objects.bulk_create(missing)
    return len(missing)
