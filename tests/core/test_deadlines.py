"""Clocks: rule arithmetic, starting and stopping deadlines, and who sees which deadline."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from probity.core import audit
from probity.core.deadlines import RULES_FIXTURE, due_at, seed_rules
from probity.core.models import AuditEvent, Deadline, DeadlineRule, OrgUnit, Role, User
from probity.core.queries.deadlines import my_open_deadlines, overdue_in_office
from probity.core.services.deadlines import cancel_deadline, meet_deadline, start_deadline
from probity.core.services.users import create_user
from tests.conftest import PASSWORD, Org, Personas
from tests.policyapp.models import Dossier, DossierPerson

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC
# Wednesday before Thanksgiving 2026, 10:00 in New York.
WEDNESDAY = dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dossier(org: Org) -> Dossier:
    return Dossier.objects.create(title="Tucson dossier", office=org.tucson)


def end_of_day_new_york(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 23, 59, 59, 999999, tzinfo=NEW_YORK).astimezone(UTC)


def titles(deadlines: object) -> set[str]:
    return {deadline.title for deadline in deadlines}  # type: ignore[attr-defined]


# Rule arithmetic ---------------------------------------------------------------------------


def test_five_business_days_from_the_wednesday_before_thanksgiving_end_on_the_next_thursday(
    db: None,
) -> None:
    rule = DeadlineRule(code="five", name="Five", amount=5, unit="business_days")
    due = due_at(rule, WEDNESDAY)
    assert due == end_of_day_new_york(2026, 12, 3)
    assert due == dt.datetime(2026, 12, 4, 4, 59, 59, 999999, tzinfo=UTC)
    assert due.tzinfo == UTC


def test_business_days_count_from_the_local_date_in_new_york_not_the_utc_date(db: None) -> None:
    rule = DeadlineRule(code="five", name="Five", amount=5, unit="business_days")
    # 22:00 on Wednesday in New York is already Thursday (Thanksgiving) in UTC.
    late_wednesday = dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert due_at(rule, late_wednesday) == end_of_day_new_york(2026, 12, 3)


def test_business_day_deadline_in_summer_ends_at_midnight_daylight_time(db: None) -> None:
    rule = DeadlineRule(code="two", name="Two", amount=2, unit="business_days")
    # Wednesday 1 July 2026: Thursday 2 counts, Friday 3 is the observed Independence Day.
    started = dt.datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    assert due_at(rule, started) == dt.datetime(2026, 7, 7, 3, 59, 59, 999999, tzinfo=UTC)


def test_business_days_follow_the_configured_agency_time_zone(db: None, settings: object) -> None:
    settings.PROBITY_AGENCY_TIME_ZONE = "America/Los_Angeles"  # type: ignore[attr-defined]
    rule = DeadlineRule(code="five", name="Five", amount=5, unit="business_days")
    assert due_at(rule, WEDNESDAY) == dt.datetime(2026, 12, 4, 7, 59, 59, 999999, tzinfo=UTC)


def test_calendar_days_and_hours_are_elapsed_time(db: None) -> None:
    days = DeadlineRule(code="d", name="D", amount=30, unit="calendar_days")
    hours = DeadlineRule(code="h", name="H", amount=12, unit="hours")
    assert due_at(days, WEDNESDAY) == dt.datetime(2026, 12, 25, 15, 0, tzinfo=UTC)
    assert due_at(hours, WEDNESDAY) == dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def test_a_naive_start_time_is_refused(db: None) -> None:
    rule = DeadlineRule(code="h", name="H", amount=12, unit="hours")
    with pytest.raises(ValueError, match="timezone-aware"):
        due_at(rule, dt.datetime(2026, 11, 25, 10, 0))  # noqa: DTZ001


# Seeding -----------------------------------------------------------------------------------


def test_the_migration_seeds_the_rules_from_the_fixture(db: None) -> None:
    rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
    assert rules["oig-referral-answer"].amount == 5
    assert rules["oig-referral-answer"].unit == "business_days"
    assert rules["giglio-response"].amount == 10
    assert rules["death-in-custody-notice"].unit == "hours"
    assert rules["death-in-custody-report-90"].amount == 90
    assert rules["investigation-target"].amount == 180


def test_every_rule_in_the_fixture_is_valid_and_named_once(db: None) -> None:
    entries = json.loads(RULES_FIXTURE.read_text(encoding="utf-8"))
    codes = [entry["fields"]["code"] for entry in entries]
    assert len(codes) == len(set(codes))
    for entry in entries:
        DeadlineRule(**entry["fields"]).full_clean(validate_unique=False)


def test_seeding_again_creates_missing_rules_and_keeps_an_administrators_edits(db: None) -> None:
    DeadlineRule.objects.filter(code="investigation-target").update(amount=120)
    DeadlineRule.objects.filter(code="giglio-response").delete()

    assert seed_rules(apps, RULES_FIXTURE) == 1
    assert seed_rules(apps, RULES_FIXTURE) == 0

    assert DeadlineRule.objects.get(code="investigation-target").amount == 120
    assert DeadlineRule.objects.get(code="giglio-response").amount == 10


# Services ----------------------------------------------------------------------------------


def test_starting_a_deadline_uses_the_rule_and_is_audited(
    frozen: object, personas: Personas, dossier: Dossier
) -> None:
    deadline = start_deadline(
        actor=personas.intake,
        rule="oig-referral-answer",
        record=dossier,
        title="OIG answer on the Tucson dossier",
        owner=personas.agent,
        office=dossier.office,
    )
    deadline.refresh_from_db()
    assert deadline.started_at == WEDNESDAY
    assert deadline.due_at == end_of_day_new_york(2026, 12, 3)
    assert deadline.is_open

    event = AuditEvent.objects.get(object_type="core.deadline", object_id=str(deadline.pk))
    assert event.action == "create"
    assert event.actor_id == personas.intake.pk
    assert event.changes["rule"] == [None, "oig-referral-answer"]
    assert event.changes["record"] == [None, f"policyapp.dossier:{dossier.pk}"]
    assert event.changes["owner"] == [None, "agent"]


def test_a_rule_row_may_be_given_and_the_event_gathered_for_the_callers_own_append(
    frozen: object, personas: Personas, dossier: Dossier
) -> None:
    rule = DeadlineRule.objects.get(code="oig-referral-answer")
    events: list[audit.EventSpec] = []

    with transaction.atomic():
        deadline = start_deadline(
            actor=personas.intake, rule=rule, record=dossier, title="OIG answer", events=events
        )
        assert not AuditEvent.objects.filter(object_type="core.deadline").exists()
        audit.record_many(events)

    assert deadline.due_at == end_of_day_new_york(2026, 12, 3)
    event = AuditEvent.objects.get(object_type="core.deadline", object_id=str(deadline.pk))
    assert event.changes["rule"] == [None, "oig-referral-answer"]


def test_a_switched_off_rule_row_is_refused_like_its_code(personas: Personas, dossier: Dossier) -> None:
    rule = DeadlineRule.objects.get(code="oig-referral-answer")
    rule.active = False

    with pytest.raises(ValidationError, match="switched off"):
        start_deadline(actor=None, rule=rule, record=dossier, title="OIG answer")

    assert not Deadline.objects.exists()


def test_the_duration_is_read_from_the_rule_row_not_from_code(
    frozen: object, personas: Personas, dossier: Dossier
) -> None:
    DeadlineRule.objects.filter(code="investigation-target").update(amount=90)
    deadline = start_deadline(actor=None, rule="investigation-target", record=dossier, title="Target")
    assert deadline.due_at == WEDNESDAY + dt.timedelta(days=90)


def test_an_hours_rule_is_due_that_many_hours_after_the_start(frozen: object, dossier: Dossier) -> None:
    deadline = start_deadline(actor=None, rule="death-in-custody-notice", record=dossier, title="Notice")
    assert deadline.due_at == WEDNESDAY + dt.timedelta(hours=12)


def test_an_unknown_rule_is_a_clear_error_and_writes_nothing(personas: Personas, dossier: Dossier) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="no deadline rule with the code 'no-such-rule'"):
        start_deadline(actor=personas.intake, rule="no-such-rule", record=dossier, title="Nothing")
    assert not Deadline.objects.exists()
    assert AuditEvent.objects.count() == before


def test_an_inactive_rule_is_a_clear_error_and_writes_nothing(personas: Personas, dossier: Dossier) -> None:
    DeadlineRule.objects.filter(code="giglio-response").update(active=False)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="switched off"):
        start_deadline(actor=personas.intake, rule="giglio-response", record=dossier, title="Giglio")
    assert not Deadline.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_deadline_needs_a_title(dossier: Dossier) -> None:
    with pytest.raises(ValidationError, match="needs a title"):
        start_deadline(actor=None, rule="giglio-response", record=dossier, title="   ")
    assert not Deadline.objects.exists()


def test_meeting_a_deadline_records_when_and_whether_it_was_late(
    frozen: time_machine.Traveller, personas: Personas, dossier: Dossier
) -> None:
    deadline = start_deadline(actor=None, rule="death-in-custody-notice", record=dossier, title="Notice")
    frozen.shift(dt.timedelta(hours=13))
    meet_deadline(actor=personas.agent, deadline=deadline)

    deadline.refresh_from_db()
    assert deadline.met_at == WEDNESDAY + dt.timedelta(hours=13)
    assert not deadline.is_open
    event = AuditEvent.objects.filter(object_type="core.deadline", action="transition").get()
    assert event.actor_id == personas.agent.pk
    assert event.detail == {"rule": "death-in-custody-notice", "late": True}
    assert event.changes["met_at"][0] is None


def test_meeting_a_deadline_twice_is_a_clear_error_and_changes_nothing(
    frozen: time_machine.Traveller, personas: Personas, dossier: Dossier
) -> None:
    deadline = start_deadline(actor=None, rule="death-in-custody-notice", record=dossier, title="Notice")
    meet_deadline(actor=personas.agent, deadline=deadline)
    events = AuditEvent.objects.count()
    frozen.shift(dt.timedelta(hours=1))

    with pytest.raises(ValidationError, match="already met"):
        meet_deadline(actor=personas.agent, deadline=deadline)
    deadline.refresh_from_db()
    assert deadline.met_at == WEDNESDAY
    assert AuditEvent.objects.count() == events


def test_cancelling_needs_a_reason_and_a_cancelled_deadline_cannot_be_met(
    frozen: object, personas: Personas, dossier: Dossier
) -> None:
    deadline = start_deadline(actor=None, rule="giglio-response", record=dossier, title="Giglio")
    with pytest.raises(ValidationError, match="Say why"):
        cancel_deadline(actor=personas.supervisor, deadline=deadline, reason=" ")
    deadline.refresh_from_db()
    assert deadline.cancelled_at is None

    cancel_deadline(
        actor=personas.supervisor, deadline=deadline, reason="Request withdrawn by the prosecutor"
    )
    event = AuditEvent.objects.filter(object_type="core.deadline", action="transition").get()
    assert event.detail["reason"] == "Request withdrawn by the prosecutor"

    with pytest.raises(ValidationError, match="cancelled"):
        meet_deadline(actor=personas.agent, deadline=deadline)
    deadline.refresh_from_db()
    assert deadline.met_at is None


# Queries and views -------------------------------------------------------------------------


def supervisor_of(name: str, scope: OrgUnit) -> User:
    return create_user(
        actor=None, username=name, password=PASSWORD, roles=[Role.SUPERVISOR], office_scope=scope
    )


@pytest.fixture
def overdue_setup(frozen: time_machine.Traveller, org: Org, personas: Personas) -> dict[str, Deadline]:
    """Deadlines started on Wednesday; the clock then moves to the Friday after (one is overdue
    in Tucson, one in El Paso, one is due later, one was met, one was cancelled)."""
    tucson = Dossier.objects.create(title="Tucson", office=org.tucson)
    el_paso = Dossier.objects.create(title="El Paso", office=org.el_paso)

    def start(rule: str, record: Dossier, title: str) -> Deadline:
        return start_deadline(
            actor=None, rule=rule, record=record, title=title, owner=personas.agent, office=record.office
        )

    made = {
        "tucson": start("death-in-custody-notice", tucson, "Tucson notice"),
        "el_paso": start("death-in-custody-notice", el_paso, "El Paso notice"),
        "later": start("investigation-target", tucson, "Tucson target"),
        "met": start("death-in-custody-notice", tucson, "Tucson met"),
        "cancelled": start("death-in-custody-notice", tucson, "Tucson cancelled"),
    }
    meet_deadline(actor=None, deadline=made["met"])
    cancel_deadline(actor=None, deadline=made["cancelled"], reason="Opened in error")
    frozen.move_to(dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    return made


def test_overdue_in_office_lists_open_past_due_deadlines_in_the_scope_subtree(
    overdue_setup: dict[str, Deadline], org: Org, personas: Personas
) -> None:
    assert titles(overdue_in_office(personas.supervisor)) == {"Tucson notice", "El Paso notice"}
    assert titles(overdue_in_office(supervisor_of("sup-tucson", org.tucson))) == {"Tucson notice"}
    assert titles(overdue_in_office(supervisor_of("sup-nogales", org.nogales_port))) == set()


def test_my_open_deadlines_excludes_met_cancelled_and_other_peoples_deadlines(
    overdue_setup: dict[str, Deadline], personas: Personas
) -> None:
    # The agent's scope is Tucson, so the El Paso dossier (and its deadline) is hidden.
    assert [d.title for d in my_open_deadlines(personas.agent)] == ["Tucson notice", "Tucson target"]
    assert list(my_open_deadlines(personas.supervisor)) == []


def test_deadlines_on_records_hidden_by_the_access_policy_are_not_shown(
    frozen: object, org: Org, personas: Personas
) -> None:
    recusing = Dossier.objects.create(title="Names the agent", office=org.tucson)
    DossierPerson.objects.create(dossier=recusing, employee=personas.recused_employee, relation="subject")
    visible = Dossier.objects.create(title="Ordinary", office=org.tucson)
    for record, title in ((recusing, "Secret subject deadline"), (visible, "Ordinary deadline")):
        start_deadline(
            actor=None, rule="giglio-response", record=record, title=title, owner=personas.recused_agent
        )
    # A deadline on a record kind that is not sensitive (an office) is shown as it is.
    start_deadline(
        actor=None,
        rule="corrective-action-due",
        record=org.tucson,
        title="Office deadline",
        owner=personas.recused_agent,
    )

    assert titles(my_open_deadlines(personas.recused_agent)) == {"Ordinary deadline", "Office deadline"}


def test_the_office_view_is_not_found_for_an_agent_and_leaks_nothing(
    overdue_setup: dict[str, Deadline], client: Client, personas: Personas
) -> None:
    client.force_login(personas.agent)
    response = client.get("/deadlines/office/")
    assert response.status_code == 404
    assert b"Tucson notice" not in response.content


def test_the_office_view_shows_a_supervisor_the_overdue_deadlines(
    overdue_setup: dict[str, Deadline], client: Client, personas: Personas
) -> None:
    client.force_login(personas.supervisor)
    response = client.get("/deadlines/office/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tucson notice" in body
    assert "El Paso notice" in body
    assert "Tucson target" not in body
    assert "Overdue" in body


def test_the_office_view_shows_an_overdue_deadline_nobody_owns_as_unassigned(
    frozen: time_machine.Traveller, org: Org, client: Client, personas: Personas
) -> None:
    dossier = Dossier.objects.create(title="Tucson", office=org.tucson)
    start_deadline(
        actor=None, rule="death-in-custody-notice", record=dossier, title="Nobody's notice", office=org.tucson
    )
    frozen.move_to(dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC))

    client.force_login(personas.supervisor)
    response = client.get("/deadlines/office/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Nobody&#x27;s notice" in body or "Nobody's notice" in body
    assert "Unassigned" in body


def test_my_deadlines_page_highlights_the_overdue_ones(
    overdue_setup: dict[str, Deadline], client: Client, personas: Personas
) -> None:
    client.force_login(personas.agent)
    response = client.get("/deadlines/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="probity-overdue"') == 1
    assert "Tucson notice" in body
    assert "Tucson target" in body
    assert "El Paso notice" not in body
    assert "Tucson met" not in body
    # The target started Wednesday runs 180 days: from Friday it is due in about six months.
    assert re.search(r"Due in 5\xa0months", body), body


def test_the_dashboard_shows_my_deadlines_to_everyone_and_overdue_to_supervisors(
    overdue_setup: dict[str, Deadline], client: Client, personas: Personas
) -> None:
    client.force_login(personas.agent)
    agent_page = client.get("/").content.decode()
    assert "My deadlines" in agent_page
    assert "You have <strong>2</strong> open deadlines" in agent_page
    assert "Overdue in my office" not in agent_page
    assert "/deadlines/office/" not in agent_page

    client.force_login(personas.supervisor)
    supervisor_page = client.get("/").content.decode()
    assert "Overdue in my office" in supervisor_page
    assert "<strong>2</strong> deadlines are overdue" in supervisor_page
    assert 'href="/deadlines/office/"' in supervisor_page


@pytest.mark.parametrize("extra", [0, 5])
def test_my_deadlines_page_runs_a_fixed_number_of_queries(
    extra: int,
    overdue_setup: dict[str, Deadline],
    client: Client,
    personas: Personas,
    django_assert_num_queries: object,
) -> None:
    tucson = overdue_setup["tucson"].office
    for n in range(extra):
        record = Dossier.objects.create(title=f"More {n}", office=tucson)
        start_deadline(
            actor=None,
            rule="giglio-response",
            record=record,
            title=f"More {n}",
            owner=personas.agent,
            office=tucson,
        )
    client.force_login(personas.agent)
    client.get("/deadlines/")  # warm the content-type cache
    # Session, user, roles, office scope, the deadlines (one statement), and the session save (3).
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get("/deadlines/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr") == 3 + extra


@pytest.mark.parametrize("extra", [0, 5])
def test_office_page_runs_a_fixed_number_of_queries(
    extra: int,
    overdue_setup: dict[str, Deadline],
    client: Client,
    personas: Personas,
    django_assert_num_queries: object,
) -> None:
    el_paso = overdue_setup["el_paso"].office
    started = dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    for n in range(extra):
        record = Dossier.objects.create(title=f"More {n}", office=el_paso)
        start_deadline(
            actor=None,
            rule="death-in-custody-notice",
            record=record,
            title=f"More {n}",
            owner=personas.intake,
            office=el_paso,
            started_at=started,
        )
    client.force_login(personas.supervisor)
    client.get("/deadlines/office/")
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get("/deadlines/office/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr") == 3 + extra


def test_a_deadline_can_be_given_its_own_due_time_but_not_one_before_it_starts(
    frozen: object, org: Org
) -> None:
    start = WEDNESDAY
    chosen = dt.datetime(2027, 1, 15, 22, 0, tzinfo=UTC)

    deadline = start_deadline(
        actor=None, rule="corrective-action-due", record=org.tucson, title="Board's date", due_at=chosen
    )

    assert (deadline.started_at, deadline.due_at) == (start, chosen)
    event = AuditEvent.objects.filter(object_type="core.deadline", object_id=str(deadline.pk)).get()
    assert str(event.changes["due_at"][1]).startswith("2027-01-15T22:00")
    with pytest.raises(ValidationError, match="before it starts"):
        start_deadline(
            actor=None,
            rule="corrective-action-due",
            record=org.tucson,
            title="Backwards",
            due_at=start - dt.timedelta(days=1),
        )
    assert Deadline.objects.filter(title="Backwards").count() == 0
