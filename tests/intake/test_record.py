"""Recording an allegation: the seeded reference data, validation, numbering, storage and audit."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from probity.core import audit
from probity.core.models import AuditEvent, Deadline, DeadlineRule, NumberSequence
from probity.intake.models import (
    Allegation,
    AllegationCategory,
    AllegationPerson,
    ArrestCategory,
    Channel,
    Seriousness,
)
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from tests.conftest import Org
from tests.intake.conftest import MakeAllegation, Staff

SEED = importlib.import_module("probity.intake.migrations.0003_seed_reference_data")
SCRIPT = '<script>alert("x")</script><img src=x onerror="steal()"> & "quotes"'


# Reference data


REQUIRED_CATEGORIES = {
    "corruption-bribery",
    "excessive-force",
    "sexual-abuse",
    "sexual-harassment",
    "harassment-discrimination",
    "domestic-violence",
    "theft-embezzlement",
    "drug-alcohol",
    "system-misuse",
    "false-statements",
    "procurement-fraud",
    "off-duty-criminal",
    "smuggling",
    "unauthorized-disclosure",
    "misuse-of-position",
    "firearms-mishandling",
    "detainee-mistreatment",
    "retaliation",
    "workplace-violence",
    "ethics-outside-activity",
    "other-misconduct",
}


def test_the_migration_seeds_the_allegation_taxonomy_with_its_flags(
    categories: dict[str, AllegationCategory],
) -> None:
    assert set(categories) >= REQUIRED_CATEGORIES
    assert {code for code, c in categories.items() if c.prea} == {"sexual-abuse"}
    assert {code for code, c in categories.items() if c.use_of_force} == {
        "excessive-force",
        "firearms-mishandling",
    }
    assert all(c.default_seriousness in Seriousness.values for c in categories.values())
    assert all(c.active and c.name and c.description for c in categories.values())


def test_the_migration_seeds_sixteen_arrest_categories_marked_as_unconfirmed(db: None) -> None:
    arrests = list(ArrestCategory.objects.all())
    assert len(arrests) == 16
    assert all("not confirmed" in category.description for category in arrests)


@pytest.mark.parametrize(
    ("code", "amount", "unit"),
    [
        ("oig-referral-answer", 5, "business_days"),
        ("intake-triage-target", 3, "business_days"),
        ("prea-intake-notification", 24, "hours"),
        ("prea-contact-removal", 24, "hours"),
    ],
)
def test_intakes_deadline_rules_are_seeded(db: None, code: str, amount: int, unit: str) -> None:
    rule = DeadlineRule.objects.get(code=code)
    assert (rule.amount, rule.unit, rule.active) == (amount, unit, True)
    assert rule.source


def test_seeding_again_adds_nothing_and_keeps_an_administrators_edits(db: None) -> None:
    AllegationCategory.objects.filter(code="retaliation").update(name="Reprisal")
    DeadlineRule.objects.filter(code="intake-triage-target").update(amount=2)
    ArrestCategory.objects.filter(code="other-offenses").delete()
    counts = (AllegationCategory.objects.count(), DeadlineRule.objects.count())

    SEED.seed(apps, None)

    assert (AllegationCategory.objects.count(), DeadlineRule.objects.count()) == counts
    assert AllegationCategory.objects.get(code="retaliation").name == "Reprisal"
    assert DeadlineRule.objects.get(code="intake-triage-target").amount == 2
    assert ArrestCategory.objects.filter(code="other-offenses").exists()  # missing codes come back


# Validation


def test_every_problem_is_reported_at_once_and_nothing_is_written(staff: Staff, org: Org) -> None:
    data = AllegationInput(
        channel="carrier_pigeon",
        summary="   ",
        received_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        category_codes=("no-such-thing",),
        incident_place="x" * 301,
        arrest_category_code="nope",
        people=(PersonInput(role="subject"), PersonInput(role="bystander", name="A")),
    )
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        record_allegation(actor=staff.intake, data=data)

    problems = refused.value.message_dict
    assert problems["channel"] == ["Unknown channel 'carrier_pigeon'."]
    assert problems["summary"] == ["Give a short summary of the allegation."]
    assert problems["received_at"] == ["The time received cannot be in the future."]
    assert problems["categories"] == ["Unknown or retired categories: no-such-thing."]
    assert problems["incident_place"] == ["This must be 300 characters or fewer."]
    assert problems["arrest_category"] == ["Unknown arrest category 'nope'."]
    assert problems["people"] == [
        "Person 1: name the employee, or describe them or give a badge number.",
        "Person 2: unknown role 'bystander'.",
    ]
    assert not Allegation.objects.exists()
    assert not AllegationPerson.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not NumberSequence.objects.exists()


def test_a_time_received_without_a_time_zone_is_refused(staff: Staff) -> None:
    data = AllegationInput(channel=Channel.PHONE, summary="s", received_at=dt.datetime(2026, 1, 1, 9, 0))  # noqa: DTZ001
    with pytest.raises(ValidationError) as refused:
        record_allegation(actor=staff.intake, data=data)
    assert refused.value.message_dict == {"received_at": ["The time received must include a time zone."]}


def test_an_over_long_name_is_a_message_not_a_database_error(staff: Staff) -> None:
    data = AllegationInput(
        channel=Channel.PHONE,
        summary="s",
        people=(PersonInput(role="witness", name="n" * 201, badge_number="b" * 41),),
    )
    with pytest.raises(ValidationError) as refused:
        record_allegation(actor=staff.intake, data=data)
    assert refused.value.message_dict == {
        "people": [
            "Person 1: the name must be 200 characters or fewer.",
            "Person 1: the badge number must be 40 characters or fewer.",
        ]
    }


def test_a_retired_category_cannot_be_chosen(staff: Staff, categories: dict[str, AllegationCategory]) -> None:
    AllegationCategory.objects.filter(code="retaliation").update(active=False)
    data = AllegationInput(channel=Channel.PHONE, summary="s", category_codes=("retaliation",))
    with pytest.raises(ValidationError, match="retired"):
        record_allegation(actor=staff.intake, data=data)


def test_only_intake_staff_record_allegations(staff: Staff) -> None:
    data = AllegationInput(channel=Channel.PHONE, summary="s")
    for user in (staff.agent, staff.outsider):
        with pytest.raises(PermissionDenied):
            record_allegation(actor=user, data=data)
    assert not Allegation.objects.exists()


# Numbering


def test_numbers_run_in_sequence_by_the_agencys_year(make_allegation: MakeAllegation) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        first, second = make_allegation(), make_allegation()
    # 03:00 UTC on 1 January 2027 is still New Year's Eve in New York.
    with time_machine.travel(dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        third = make_allegation()
    with time_machine.travel(dt.datetime(2027, 1, 1, 6, 0, tzinfo=dt.UTC), tick=False):
        fourth = make_allegation()

    assert [a.number for a in (first, second, third, fourth)] == [
        "JIC-2026-000001",
        "JIC-2026-000002",
        "JIC-2026-000003",
        "JIC-2027-000001",
    ]


# What is stored


def test_a_script_in_the_narrative_is_stored_exactly_as_typed(make_allegation: MakeAllegation) -> None:
    allegation = make_allegation(narrative=SCRIPT, summary='He said "<b>stop</b>"')
    allegation.refresh_from_db()
    assert allegation.narrative == SCRIPT
    assert allegation.summary == 'He said "<b>stop</b>"'


def test_people_categories_and_flags_are_stored(
    make_allegation: MakeAllegation, staff: Staff, categories: dict[str, AllegationCategory]
) -> None:
    allegation = make_allegation(
        category_codes=["excessive-force", "detainee-mistreatment"],
        subjects=(staff.recused_employee,),
        people=[PersonInput(role="complainant", anonymous=True, contact=" caller@example.org ")],
    )
    assert allegation.use_of_force and not allegation.prea
    assert set(allegation.categories.values_list("code", flat=True)) == {
        "excessive-force",
        "detainee-mistreatment",
    }
    complainant = allegation.people.get(role="complainant")
    assert (complainant.anonymous, complainant.contact) == (True, "caller@example.org")
    assert allegation.people.get(role="subject").employee == staff.recused_employee


def test_recording_is_audited_with_what_was_recorded(
    make_allegation: MakeAllegation, staff: Staff, categories: dict[str, Any]
) -> None:
    allegation = make_allegation(category_codes=["system-misuse"], narrative="secret detail")

    event = AuditEvent.objects.get(
        action="create", object_type="intake.allegation", object_id=str(allegation.pk)
    )
    assert event.actor_id == staff.intake.pk
    assert event.changes["number"] == [None, allegation.number]
    assert event.changes["categories"] == [None, ["system-misuse"]]
    assert "secret detail" not in str(event.changes)


def test_the_system_may_record_without_a_person(make_allegation: MakeAllegation) -> None:
    allegation = make_allegation(channel=Channel.WEB, actor=None)
    assert Allegation.objects.get(pk=allegation.pk).created_by is None
    created = AuditEvent.objects.get(
        action="create", object_type="intake.allegation", object_id=str(allegation.pk)
    )
    assert created.actor_id is None


# Gathering the audit events for the caller


def test_a_caller_that_gathers_the_events_appends_them_itself_in_its_transaction(
    staff: Staff, org: Org
) -> None:
    events: list[audit.EventSpec] = []
    data = AllegationInput(channel=Channel.PHONE, summary="Cash taken", office_id=org.nogales_port.pk)
    before = AuditEvent.objects.count()

    with transaction.atomic():
        allegation = record_allegation(actor=staff.intake, data=data, events=events)
        assert AuditEvent.objects.count() == before  # nothing appended behind the caller's back
        audit.record_many(events)

    assert [e.obj for e in events] == [allegation, Deadline.objects.get()]
    created = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    assert [(e.object_type, e.actor_id) for e in created] == [
        ("intake.allegation", staff.intake.pk),
        ("core.deadline", staff.intake.pk),
    ]
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_gathering_the_events_outside_a_transaction_is_refused_and_writes_nothing() -> None:
    data = AllegationInput(channel=Channel.PHONE, summary="Cash taken")
    before = AuditEvent.objects.count()

    with pytest.raises(transaction.TransactionManagementError):
        record_allegation(actor=None, data=data, events=[])

    assert not Allegation.objects.exists() and AuditEvent.objects.count() == before


def test_a_prea_allegation_is_audited_before_its_prea_clocks_even_when_events_are_gathered(
    staff: Staff, categories: dict[str, AllegationCategory]
) -> None:
    events: list[audit.EventSpec] = []
    data = AllegationInput(
        channel=Channel.WEB, summary="Abuse in the hold room", category_codes=["sexual-abuse"]
    )
    before = AuditEvent.objects.count()

    with transaction.atomic():
        allegation = record_allegation(actor=None, data=data, events=events)
        audit.record_many(events)

    assert allegation.prea and events == []  # appended already, ahead of the PREA clocks' own
    created = AuditEvent.objects.filter(seq__gt=before).order_by("seq")
    kinds = [(e.object_type, e.changes.get("rule", [None, None])[1]) for e in created]
    assert kinds == [
        ("intake.allegation", None),
        ("core.deadline", "intake-triage-target"),
        ("core.deadline", "prea-intake-notification"),
        ("core.deadline", "prea-contact-removal"),
    ]


def test_a_switched_off_triage_rule_starts_no_clock_and_the_allegation_is_still_taken(
    make_allegation: MakeAllegation,
) -> None:
    DeadlineRule.objects.filter(code="intake-triage-target").update(active=False)

    allegation = make_allegation()

    assert Allegation.objects.filter(pk=allegation.pk).exists() and not Deadline.objects.exists()
