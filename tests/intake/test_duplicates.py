"""The duplicate matcher on planted truth: what it suggests, why, to whom, and at what cost."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from probity.core.models import AuditEvent, Employee, Role
from probity.core.services.users import create_user
from probity.intake import duplicates, hooks
from probity.intake.duplicates import MatchConfig, Profile, score_pair, suggest_for, visible_suggestions
from probity.intake.models import Allegation, Channel, DatePrecision, DuplicateSuggestion, SuggestionStatus
from probity.intake.services.links import dismiss_suggestion
from probity.intake.services.record import AllegationInput, PersonInput, record_allegation
from tests.conftest import PASSWORD, Org, Personas, make_employee

NARRATIVE = (
    "At the Nogales port on the morning of 2 March, officer Diaz took my wallet during secondary "
    "inspection, removed two hundred dollars in cash and threatened to seize my car if I complained."
)
NARRATIVE_RETOLD = (
    "On the morning of March 2 at Nogales port, Officer Diaz took the wallet during secondary "
    "inspection, removed two hundred dollars cash and threatened to seize the car if we complained."
)
UNRELATED = (
    "A supervisor at the El Paso station has been using the agency vehicle for personal errands "
    "on weekends for several months, according to a colleague who asked not to be named."
)

Record = Callable[..., Allegation]


@pytest.fixture
def diaz(org: Org) -> Employee:
    return make_employee("E104233", "Daniel", "Diaz", org.nogales_port, law_enforcement=True)


@pytest.fixture
def record(personas: Personas, django_capture_on_commit_callbacks: Any) -> Record:
    """Record through the service, running the after-commit hooks as production does."""

    def _record(**fields: Any) -> Allegation:
        people = fields.pop("people", ())
        data = AllegationInput(
            channel=fields.pop("channel", Channel.PHONE),
            summary=fields.pop("summary", "Cash taken during secondary inspection"),
            people=tuple(people),
            **fields,
        )
        with django_capture_on_commit_callbacks(execute=True):
            return record_allegation(actor=personas.intake, data=data)

    return _record


def subject(employee: Employee) -> PersonInput:
    return PersonInput(role="subject", employee_id=employee.pk)


def pairs() -> set[tuple[int, int]]:
    return set(DuplicateSuggestion.objects.values_list("allegation_id", "candidate_id"))


def test_the_matcher_runs_when_an_allegation_is_recorded() -> None:
    assert duplicates.match_recorded in hooks.on_recorded


def test_planted_duplicate_is_suggested_with_its_reasons_and_a_high_score(
    record: Record, org: Org, diaz: Employee
) -> None:
    first = record(
        narrative=NARRATIVE,
        incident_date=dt.date(2026, 3, 2),
        office_id=org.nogales_port.pk,
        people=[subject(diaz), PersonInput(role="complainant", name="Ana Ruiz")],
    )
    second = record(
        channel=Channel.WEB,
        narrative=NARRATIVE_RETOLD,
        incident_date=dt.date(2026, 3, 2),
        office_id=org.nogales_port.pk,
        people=[subject(diaz), PersonInput(role="complainant", name="ANA  RUIZ")],
    )

    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.allegation_id, suggestion.candidate_id) == (second.pk, first.pk)
    assert suggestion.score >= 0.95
    assert suggestion.method == "tfidf-char-v1"
    assert suggestion.status == SuggestionStatus.SUGGESTED
    assert suggestion.reasons[:4] == [
        "same subject employee (E104233)",
        "same complainant name",
        "incident dates overlap (2026-03-02)",
        "same office (Nogales Port of Entry)",
    ]
    assert suggestion.reasons[4].startswith("narrative similarity 0.")
    assert float(suggestion.reasons[4].split()[-1]) >= 0.6
    assert AuditEvent.objects.filter(
        object_type="intake.duplicatesuggestion", object_id=str(suggestion.pk), action="create"
    ).exists()


def test_unrelated_allegations_in_the_same_office_are_not_suggested(
    record: Record, org: Org, diaz: Employee
) -> None:
    other = make_employee("E200001", "Olga", "Other", org.nogales_port)
    record(
        narrative=NARRATIVE,
        incident_date=dt.date(2026, 1, 5),
        office_id=org.nogales_port.pk,
        people=[subject(diaz)],
    )
    record(
        summary="Vehicle misuse",
        narrative=UNRELATED,
        incident_date=dt.date(2026, 3, 20),
        office_id=org.nogales_port.pk,
        people=[subject(other)],
    )

    assert pairs() == set()


def test_the_same_employee_in_another_incident_months_apart_is_not_suggested(
    record: Record, org: Org, diaz: Employee
) -> None:
    record(
        narrative=NARRATIVE,
        incident_date=dt.date(2025, 10, 1),
        office_id=org.nogales_port.pk,
        people=[subject(diaz)],
    )
    record(
        summary="Rude to a traveller",
        narrative=UNRELATED,
        incident_date=dt.date(2026, 3, 2),
        office_id=org.nogales_port.pk,
        people=[subject(diaz)],
    )

    assert pairs() == set()


def test_the_same_employee_a_few_days_apart_is_suggested_with_the_gap(record: Record, diaz: Employee) -> None:
    first = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    second = record(incident_date=dt.date(2026, 3, 4), people=[subject(diaz)])

    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.allegation_id, suggestion.candidate_id) == (second.pk, first.pk)
    assert suggestion.reasons == [
        "same subject employee (E104233)",
        "incident dates 2 days apart (2026-03-02 and 2026-03-04)",
    ]


def test_a_date_known_to_the_month_alone_with_the_employee_is_not_enough(
    record: Record, diaz: Employee
) -> None:
    month = dict(incident_date=dt.date(2026, 3, 1), incident_date_precision=DatePrecision.MONTH)
    record(**month, people=[subject(diaz)])
    record(incident_date=dt.date(2026, 3, 17), people=[subject(diaz)])

    assert pairs() == set()  # 0.60: the employee and "some day in March"


def test_a_date_known_to_the_month_overlaps_a_day_within_it_but_weighs_less(
    record: Record, org: Org, diaz: Employee
) -> None:
    month = record(
        incident_date=dt.date(2026, 3, 1),
        incident_date_precision=DatePrecision.MONTH,
        office_id=org.nogales_port.pk,
        people=[subject(diaz)],
    )
    day = record(incident_date=dt.date(2026, 3, 17), office_id=org.nogales_port.pk, people=[subject(diaz)])

    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.allegation_id, suggestion.candidate_id) == (day.pk, month.pk)
    assert "incident dates overlap (2026-03-17)" in suggestion.reasons
    assert suggestion.score == pytest.approx(1 - 0.5 * (1 - 0.4 * 0.5) * 0.8)


def test_a_retold_narrative_alone_links_two_anonymous_reports_in_one_office(record: Record, org: Org) -> None:
    record(channel=Channel.WEB, narrative=NARRATIVE, office_id=org.nogales_port.pk)
    record(channel=Channel.EMAIL, narrative=NARRATIVE_RETOLD, office_id=org.nogales_port.pk)

    suggestion = DuplicateSuggestion.objects.get()
    assert suggestion.reasons[0] == "same office (Nogales Port of Entry)"
    assert suggestion.reasons[1].startswith("narrative similarity")


def test_allegations_received_outside_the_window_are_not_considered(
    record: Record, org: Org, diaz: Employee, settings: Any
) -> None:
    settings.PROBITY_DUPLICATE_WINDOW_DAYS = 30
    record(
        narrative=NARRATIVE,
        incident_date=dt.date(2025, 1, 2),
        office_id=org.nogales_port.pk,
        people=[subject(diaz)],
        received_at=dt.datetime(2025, 1, 3, tzinfo=dt.UTC),
    )
    record(
        narrative=NARRATIVE,
        incident_date=dt.date(2025, 1, 2),
        office_id=org.nogales_port.pk,
        people=[subject(diaz)],
        received_at=dt.datetime(2025, 3, 3, tzinfo=dt.UTC),
    )

    assert pairs() == set()


def test_the_threshold_is_configuration(record: Record, diaz: Employee, settings: Any) -> None:
    settings.PROBITY_DUPLICATE_THRESHOLD = 0.75
    record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])  # scores 0.70

    assert pairs() == set()


def test_suggestions_show_on_both_allegations(record: Record, personas: Personas, diaz: Employee) -> None:
    first = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    second = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])

    from_first = visible_suggestions(personas.intake, first)
    from_second = visible_suggestions(personas.intake, second)

    assert [s.other.pk for s in from_first] == [second.pk]
    assert [s.other.pk for s in from_second] == [first.pk]
    assert from_first[0].can_decide
    assert from_first[0].score_percent == 70


def test_suggestions_never_show_an_allegation_the_viewer_may_not_see(
    record: Record, org: Org, personas: Personas, diaz: Employee
) -> None:
    # An intake specialist who is herself a witness in the second report is recused from it.
    recused_employee = make_employee("E300003", "Wendy", "Witness", org.nogales_port)
    recused_intake = create_user(
        actor=None,
        username="recused-intake",
        password=PASSWORD,
        roles=[Role.INTAKE],
        employee=recused_employee,
    )
    first = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    second = record(
        incident_date=dt.date(2026, 3, 2),
        people=[subject(diaz), PersonInput(role="witness", employee_id=recused_employee.pk)],
    )
    assert pairs() == {(second.pk, first.pk)}

    assert visible_suggestions(recused_intake, first) == []
    assert [s.other.pk for s in visible_suggestions(personas.intake, first)] == [second.pk]
    assert visible_suggestions(personas.outsider, first) == []


def test_a_dismissed_pair_is_not_suggested_again(record: Record, personas: Personas, diaz: Employee) -> None:
    first = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    second = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    dismiss_suggestion(actor=personas.intake, suggestion=DuplicateSuggestion.objects.get())

    assert suggest_for(second) == []
    assert suggest_for(first) == []
    assert list(DuplicateSuggestion.objects.values_list("status", flat=True)) == [SuggestionStatus.DISMISSED]
    assert visible_suggestions(personas.intake, first) == []


def test_matching_either_side_of_a_pair_stores_it_once_newer_first(record: Record, diaz: Employee) -> None:
    with duplicates.suspended():
        first = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
        second = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    assert pairs() == set()

    created = suggest_for(first)

    assert [(s.allegation_id, s.candidate_id) for s in created] == [(second.pk, first.pk)]
    assert suggest_for(second) == []
    assert pairs() == {(second.pk, first.pk)}


def test_a_failing_matcher_does_not_break_recording(
    record: Record,
    diaz: Employee,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    settings: Any,
) -> None:
    settings.PROBITY_DUPLICATE_MATCHING = "inline"  # in "task" mode a failure is the worker's

    def broken(allegation: Allegation, **_: Any) -> list[DuplicateSuggestion]:
        raise RuntimeError("matcher exploded")

    monkeypatch.setattr(duplicates, "suggest_for", broken)
    with caplog.at_level(logging.ERROR, logger="probity.intake.duplicates"):
        allegation = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])

    assert Allegation.objects.filter(pk=allegation.pk, number=allegation.number).exists()
    assert "duplicate matching failed" in caplog.text
    assert pairs() == set()


@pytest.mark.parametrize(("mode", "expected"), [("task", 1), ("off", 0)])
def test_matching_can_run_as_a_background_task_or_not_at_all(
    mode: str, expected: int, record: Record, diaz: Employee, settings: Any
) -> None:
    settings.PROBITY_DUPLICATE_MATCHING = mode  # the test settings run tasks at once
    record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])

    assert DuplicateSuggestion.objects.count() == expected


def test_an_allegation_sharing_no_blocking_key_is_never_loaded_even_with_the_same_text(
    record: Record, org: Org
) -> None:
    # Blocking is the price of speed: text alone, in another office, at another time, is not compared.
    record(narrative=NARRATIVE, office_id=org.el_paso.pk, incident_date=dt.date(2025, 6, 1))
    record(narrative=NARRATIVE, office_id=org.nogales_port.pk, incident_date=dt.date(2026, 3, 2))

    assert pairs() == set()


def test_matching_costs_the_same_queries_however_many_candidates(
    record: Record, org: Org, diaz: Employee
) -> None:
    def queries_to_match(extra_candidates: int) -> int:
        with duplicates.suspended():
            for n in range(extra_candidates):
                record(
                    narrative=f"{NARRATIVE} ({n})",
                    incident_date=dt.date(2026, 3, 2),
                    office_id=org.nogales_port.pk,
                    people=[subject(diaz)],
                )
            target = record(
                narrative=NARRATIVE_RETOLD,
                incident_date=dt.date(2026, 3, 2),
                office_id=org.nogales_port.pk,
                people=[subject(diaz)],
            )
        with CaptureQueriesContext(connection) as captured:
            created = suggest_for(target)
        assert len(created) == Allegation.objects.count() - 1
        return len(captured.captured_queries)

    few = queries_to_match(2)
    many = queries_to_match(12)

    assert few == many
    assert many <= 20


def test_showing_suggestions_costs_the_same_queries_however_many(
    record: Record, personas: Personas, diaz: Employee
) -> None:
    first = record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    with CaptureQueriesContext(connection) as one:
        assert len(visible_suggestions(personas.intake, first)) == 1
    for _ in range(5):
        record(incident_date=dt.date(2026, 3, 2), people=[subject(diaz)])
    with CaptureQueriesContext(connection) as six:
        assert len(visible_suggestions(personas.intake, first)) == 6

    assert len(one.captured_queries) == len(six.captured_queries)


# Scoring on its own: the documented weights.


def profile(pk: int, **fields: Any) -> Profile:
    fields.setdefault("incident_span", None)
    return Profile(pk=pk, received_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC), **fields)


DAY = (dt.date(2026, 3, 2), dt.date(2026, 3, 2))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (
            {"subject_employees": {1: "E1"}, "incident_span": DAY},
            {"subject_employees": {1: "E1"}, "incident_span": DAY},
            0.70,
        ),
        ({"subject_employees": {1: "E1"}}, {"subject_employees": {1: "E1"}}, 0.50),
        (
            {"subject_employees": {1: "E1"}, "office_id": 7},
            {"subject_employees": {1: "E1"}, "office_id": 7},
            0.60,
        ),
        ({"office_id": 7, "incident_span": DAY}, {"office_id": 7, "incident_span": DAY}, 0.52),
        ({"subject_badges": frozenset({"4521"})}, {"subject_badges": frozenset({"4521"})}, 0.50),
        ({"subject_names": frozenset({"j smith"})}, {"subject_names": frozenset({"j smith"})}, 0.30),
        ({"place_key": "lane 3", "place": "Lane 3"}, {"place_key": "lane 3"}, 0.35),
        (
            {"office_id": 7, "incident_span": DAY, "place_key": "lane 3"},
            {"office_id": 7, "incident_span": DAY, "place_key": "lane 3"},
            0.688,
        ),
        ({}, {}, 0.0),
    ],
)
def test_documented_weights_combine_as_a_noisy_or(
    a: dict[str, Any], b: dict[str, Any], expected: float
) -> None:
    match = score_pair(profile(1, **a), profile(2, **b), None, MatchConfig())
    assert match.score == pytest.approx(expected, abs=0.001)


def test_text_below_the_noise_floor_adds_nothing_and_identical_text_adds_its_full_weight() -> None:
    config = MatchConfig()
    assert score_pair(profile(1), profile(2), 0.25, config).score == 0.0
    full = score_pair(profile(1), profile(2), 1.0, config)
    assert full.score == pytest.approx(0.75)
    assert full.reasons == ["narrative similarity 1.00"]


def test_text_similarity_is_tfidf_cosine_and_skips_texts_too_short_to_compare() -> None:
    similarities = duplicates.text_similarities(
        NARRATIVE, [NARRATIVE, NARRATIVE_RETOLD, UNRELATED, "too short"], min_chars=50
    )
    same, retold, unrelated, short = similarities
    assert same == pytest.approx(1.0)
    assert retold is not None and unrelated is not None
    assert retold > 0.6
    assert unrelated < 0.3
    assert short is None
