"""The annual PREA report: counts by facility type and outcome against the year before, small
cells suppressed so that no total or complement reveals them (checked by an independent
integer-programming attacker), nothing that identifies anyone on the public page, which anyone
may read; the unsuppressed figures only for program managers."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from scipy.optimize import Bounds, LinearConstraint, milp

from probity.core.models import AuditEvent
from probity.intake.models import Channel
from probity.lib.small_cells import FigureState, ProtectedTable, protect
from probity.oversight.models import FacilityType, PreaOutcome, PreaTrack
from probity.oversight.services import prea, prea_report
from tests.conftest import Org
from tests.oversight.conftest import Overseers
from tests.oversight.prea_setup import START, PreaPeople, people_for, prea_allegation

pytestmark = pytest.mark.django_db

H: str = FacilityType.HOLDING
D: str = FacilityType.DETENTION
OTHER: str = FacilityType.OTHER
S: str = PreaOutcome.SUBSTANTIATED
U: str = PreaOutcome.UNSUBSTANTIATED
F: str = PreaOutcome.UNFOUNDED
PENDING = ""
# (facility, outcome) -> how many allegations received in each year
YEAR_2025 = {(H, S): 6, (H, U): 7, (H, F): 2, (D, U): 5, (D, F): 5, (D, PENDING): 1}
YEAR_2024 = {(H, S): 9, (H, U): 3, (D, S): 5, (OTHER, F): 1}


# An attacker who knows how the method works


def attacker_range(table: ProtectedTable, row: int, column: int) -> tuple[int, int]:
    """The least and greatest value a reader can give one figure from everything published:
    the shown figures, "fewer than N" (1 to N - 1), a withheld cell (N or more), a withheld
    total (1 or more), and that every row and column adds up to its total."""
    rows, columns = table.rows + 1, table.columns + 1
    size = rows * columns

    def index(i: int, j: int) -> int:
        return i * columns + j

    low, high = np.zeros(size), np.full(size, np.inf)
    for i in range(rows):
        for j in range(columns):
            state, value, k = table.state(i, j), table.values[i][j], index(i, j)
            is_total = i == table.rows or j == table.columns
            if table.all_withheld:
                continue
            if state is FigureState.SHOWN:
                low[k] = high[k] = value
            elif state is FigureState.SMALL:
                low[k], high[k] = 1, table.min_cell - 1
            else:
                low[k] = 1 if is_total else table.min_cell
    sums = []
    for i in range(rows):  # each row's cells minus its total
        line = np.zeros(size)
        line[[index(i, j) for j in range(table.columns)]] = 1
        line[index(i, table.columns)] = -1
        sums.append(line)
    for j in range(columns):  # each column's cells minus its total
        line = np.zeros(size)
        line[[index(i, j) for i in range(table.rows)]] = 1
        line[index(table.rows, j)] = -1
        sums.append(line)
    constraints = LinearConstraint(np.array(sums), 0, 0)
    found = []
    for sign in (1, -1):
        objective = np.zeros(size)
        objective[index(row, column)] = sign
        result = milp(objective, constraints=constraints, bounds=Bounds(low, high), integrality=np.ones(size))
        assert result.success
        found.append(round(sign * result.fun))
    return found[0], found[1]


def assert_no_small_figure_is_revealed(table: ProtectedTable) -> None:
    for i in range(table.rows + 1):
        for j in range(table.columns + 1):
            if table.state(i, j) is FigureState.SMALL:
                least, greatest = attacker_range(table, i, j)
                assert least < greatest, f"figure ({i}, {j}) is revealed as {least}: {table}"
                assert least <= table.values[i][j] <= greatest


# The method on its own


def test_small_counts_are_shown_as_fewer_than_n_and_zeros_and_large_counts_as_they_are() -> None:
    table = protect([[12, 0, 30], [9, 8, 7]], 5)
    assert [state for row in table.states for state in row] == [FigureState.SHOWN] * 12
    small = protect([[12, 3, 30], [9, 8, 7]], 5)
    assert small.state(0, 1) is FigureState.SMALL
    assert small.published(0, 1) is None
    assert small.state(1, 1) is not FigureState.SMALL  # 8 is not small
    assert_no_small_figure_is_revealed(small)


def test_one_small_cell_in_a_row_cannot_be_worked_out_from_the_row_total() -> None:
    table = protect([[12, 3, 30], [9, 8, 7]], 5)
    # with the row's and the column's totals shown, 3 = total - 12 - 30: so more is hidden
    hidden = [(i, j) for i in range(3) for j in range(4) if table.state(i, j) is not FigureState.SHOWN]
    assert len(hidden) >= 4
    assert_no_small_figure_is_revealed(table)


def test_a_row_of_ones_whose_small_total_would_pin_them_is_protected() -> None:
    # four cells of 1 with a total of 4 (itself "fewer than 5") would each have to be 1
    table = protect([[1, 1, 1, 1], [9, 3, 2, 20], [9, 0, 1, 12]], 5)
    assert table.state(0, 4) is FigureState.WITHHELD
    assert not table.all_withheld
    assert_no_small_figure_is_revealed(table)


def test_a_table_of_small_counts_only_is_still_protected() -> None:
    table = protect([[1, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 1]], 5)
    assert [table.state(i, 4) for i in range(3)] == [FigureState.SMALL] * 3  # row totals 3, 1, 1
    assert table.state(3, 4) is not FigureState.SMALL  # the grand total is 5
    assert_no_small_figure_is_revealed(table)


@pytest.mark.parametrize("threshold", [3, 5, 11])
def test_no_total_or_complement_reveals_a_small_cell_in_any_of_many_tables(threshold: int) -> None:
    rng = random.Random(f"small-cells-{threshold}")
    values = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20, 35]
    for _ in range(30):
        cells = [[rng.choice(values) for _ in range(4)] for _ in range(3)]
        table = protect(cells, threshold)
        assert not table.all_withheld
        assert_no_small_figure_is_revealed(table)


def test_the_method_is_deterministic() -> None:
    cells = [[1, 7, 0, 2], [5, 4, 6, 1], [0, 0, 3, 9]]
    assert protect(cells, 5) == protect(cells, 5)


def test_a_threshold_of_one_suppresses_nothing() -> None:
    table = protect([[1, 2], [0, 3]], 1)
    assert all(state is FigureState.SHOWN for row in table.states for state in row)


# The report from PREA tracks


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(overseers: Overseers, org: Org) -> PreaPeople:
    return people_for(overseers, org)


def make_tracks(people: PreaPeople, org: Org, year: int, spec: dict[tuple[str, str], int]) -> list[PreaTrack]:
    """Imported PREA allegations received in `year`, each with its track, facility and outcome
    set through the services (imports start no clocks and run no hook)."""
    made = []
    day = 0
    for (facility, outcome), count in spec.items():
        for _ in range(count):
            day += 1
            received = dt.datetime(year, 2, 1, 15, tzinfo=dt.UTC) + dt.timedelta(days=day)
            allegation = prea_allegation(people, org, channel=Channel.IMPORT, received_at=received)
            track = prea.open_track(actor=None, allegation=allegation)
            prea.update_facility(
                actor=people.manager, track=track, facility_type=facility, facility_name="Secret Hold Room 7"
            )
            if outcome:
                prea.record_outcome(
                    actor=people.manager, track=track, outcome=outcome, at=received + dt.timedelta(days=30)
                )
            made.append(track)
    return made


@pytest.fixture
def tracks(people: PreaPeople, org: Org, categories: Any, clock: Any) -> list[PreaTrack]:
    return make_tracks(people, org, 2025, YEAR_2025) + make_tracks(people, org, 2024, YEAR_2024)


def figures(table: prea_report.YearTable) -> dict[tuple[str, str], Any]:
    codes = [code for code, _ in prea_report.OUTCOMES]
    found = {
        (row.code, code): figure for row in table.rows for code, figure in zip(codes, row.cells, strict=True)
    }
    found.update({(row.code, "total"): row.total for row in table.rows})
    found.update({("all", code): figure for code, figure in zip(codes, table.totals, strict=True)})
    found["all", "total"] = table.grand_total
    return found


def test_the_staff_report_counts_every_allegation_by_facility_type_and_outcome(
    tracks: list[PreaTrack],
) -> None:
    report = prea_report.prea_annual_report(2025, suppress=False)
    counted = figures(report.current)
    assert counted[H, S].value == 6 and counted[H, F].value == 2 and counted[D, "pending"].value == 1
    assert (
        counted[H, "total"].value == 15
        and counted[D, "total"].value == 11
        and counted[OTHER, "total"].value == 0
    )
    assert counted["all", "total"].value == 26
    assert figures(report.previous)["all", "total"].value == 18
    assert report.changes[0].difference == 8  # all facilities: 26 against 18
    assert {change.label: change.difference for change in report.changes}["Holding facility (CBP)"] == 3


def test_the_public_report_suppresses_small_cells_and_keeps_no_value_for_them(
    tracks: list[PreaTrack],
) -> None:
    report = prea_report.prea_annual_report(2025)
    counted = figures(report.current)
    assert (counted[H, F].text, counted[H, F].value) == ("fewer than 5", None)
    assert (counted[D, "pending"].text, counted[D, "pending"].value) == ("fewer than 5", None)
    assert counted[H, S].text in ("6", "withheld")
    assert counted[OTHER, "total"].text == "0"
    # only shown figures carry a value, and what is published reveals neither small count
    assert all((f.value is None) == (f.state != FigureState.SHOWN) for f in report.current.all_figures)
    exact = prea_report.counts(2025, PreaTrack.objects.all())
    assert exact == [[6, 7, 2, 0], [0, 5, 5, 1], [0, 0, 0, 0]]
    assert_no_small_figure_is_revealed(protect(exact, 5))


def test_a_change_is_given_only_where_both_years_are_published(tracks: list[PreaTrack]) -> None:
    report = prea_report.prea_annual_report(2025)
    for change in report.changes:
        if change.current.value is None or change.previous.value is None:
            assert change.difference is None
        else:
            assert change.difference == change.current.value - change.previous.value
    other = next(change for change in report.changes if change.label == "Other")
    assert other.current.text == "0" and other.previous.text == "fewer than 5" and other.difference is None


def test_the_threshold_is_a_setting(tracks: list[PreaTrack], settings: Any) -> None:
    settings.PROBITY_PUBLIC_MIN_CELL = 3
    counted = figures(prea_report.prea_annual_report(2025).current)
    assert counted[H, F].text == "fewer than 3"
    assert counted[D, "pending"].text == "fewer than 3"


def test_anyone_may_read_the_public_report_and_it_shows_nothing_internal(
    tracks: list[PreaTrack], people: PreaPeople, org: Org, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        response = Client().get(reverse("transparency-prea-report", args=[2025]))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    page = response.content.decode()
    assert "Annual PREA report 2025" in page and "fewer than 5" in page
    identifying = [
        *(track.allegation.number for track in tracks),
        "JIC-",
        "Adam",
        "Accused",
        people.accused.employee_number,
        "Secret Hold Room",
        org.nogales_port.name,
    ]
    internal = ["Sign out", "For official use only", "/oversight/", "/api/"]
    for text in identifying + internal:
        assert text not in page, text
    assert not AuditEvent.objects.filter(action="view", object_type="oversight.preatrack").exists()


def test_the_public_index_lists_finished_years_only(tracks: list[PreaTrack]) -> None:
    page = Client().get(reverse("transparency-prea")).content.decode()
    assert reverse("transparency-prea-report", args=[2025]) in page
    assert reverse("transparency-prea-report", args=[2024]) in page
    assert reverse("transparency-prea-report", args=[2026]) not in page


@pytest.mark.parametrize("year", [2026, 2027, 1999, 999999])
def test_no_public_report_for_a_year_not_over_or_out_of_range(
    tracks: list[PreaTrack], year: int, clock: Any
) -> None:
    assert Client().get(f"/transparency/prea/{year}/").status_code == 404


def test_program_managers_see_every_figure_and_others_do_not(
    tracks: list[PreaTrack], people: PreaPeople
) -> None:
    url = reverse("prea-report-staff", args=[2025])
    manager = Client()
    manager.force_login(people.manager)
    response = manager.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "do not publish them" in page
    current = page.split('id="prea-current"')[1].split("</table>")[0]
    assert "fewer than" not in current and "withheld" not in current
    assert 'data-state="shown">2</td>' in current  # the two unfounded at holding facilities
    assert AuditEvent.objects.filter(
        action="view", object_type="oversight.preaannualreport", object_id="2025"
    ).exists()
    supervisor = Client()
    supervisor.force_login(people.supervisor)
    assert supervisor.get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the sign-in page
