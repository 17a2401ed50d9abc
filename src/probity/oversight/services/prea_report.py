"""The annual PREA report (6 CFR 115.88): allegations of the year by facility type and outcome,
compared with the year before.

Counted: the PREA tracks whose allegation was received in the calendar year (agency time),
by the track's facility type and its outcome so far ("pending" while none is recorded). The
report holds counts and labels only: no number, name, facility or date of any allegation.

For the public (`suppress=True`, the default) each year's table is protected on its own by
`probity.lib.small_cells`: counts of 1 to PROBITY_PUBLIC_MIN_CELL - 1 show as "fewer than N"
and other figures are withheld where the totals would otherwise reveal them; a suppressed
figure's value is not even kept in the result. Year-on-year changes are given only where both
years' figures are published, so they reveal nothing the tables do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from probity.core.deadlines import agency_time_zone
from probity.lib.small_cells import FigureState, ProtectedTable, grid_with_totals, protect
from probity.oversight.models import FacilityType, PreaOutcome, PreaTrack

PENDING = "pending"
OUTCOMES: tuple[tuple[str, str], ...] = (*PreaOutcome.choices, (PENDING, "Investigation not finished"))
FACILITIES: tuple[tuple[str, str], ...] = tuple(FacilityType.choices)
FIRST_YEAR = 2000  # earlier years are not reports anyone can ask for


def min_cell() -> int:
    return int(getattr(settings, "PROBITY_PUBLIC_MIN_CELL", 5))


@dataclass(frozen=True)
class Figure:
    """One published number: its value, or None when it is suppressed (then `state` says how)."""

    value: int | None
    state: str  # FigureState
    min_cell: int
    column: str = ""  # the outcome (or "Total") the figure is counted under

    @property
    def text(self) -> str:
        if self.state == FigureState.SMALL:
            return f"fewer than {self.min_cell}"
        if self.state == FigureState.WITHHELD:
            return "withheld"
        return f"{self.value:,}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class ReportRow:
    code: str
    label: str
    cells: list[Figure]  # one per outcome, in OUTCOMES order
    total: Figure


@dataclass(frozen=True)
class YearTable:
    year: int
    rows: list[ReportRow]  # one per facility type, in FACILITIES order
    totals: list[Figure]  # one per outcome
    grand_total: Figure
    suppressed: int  # how many figures are not shown exactly

    @property
    def all_figures(self) -> list[Figure]:
        return [*(f for row in self.rows for f in (*row.cells, row.total)), *self.totals, self.grand_total]


@dataclass(frozen=True)
class Change:
    label: str
    current: Figure
    previous: Figure

    @property
    def difference(self) -> int | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value


@dataclass(frozen=True)
class PreaAnnualReport:
    year: int
    complete: bool  # the year is over
    public: bool  # small cells suppressed
    min_cell: int
    outcomes: list[str]  # column labels
    current: YearTable
    previous: YearTable
    changes: list[Change]  # the grand total, each facility type, each outcome


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the agency's calendar year and of the next, in UTC."""
    zone = agency_time_zone()
    start = dt.datetime(year, 1, 1, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone).astimezone(dt.UTC)
    return start, end


def agency_year_now() -> int:
    return timezone.now().astimezone(agency_time_zone()).year


def counts(year: int, tracks: QuerySet[PreaTrack]) -> list[list[int]]:
    """The year's counts: a row per facility type, a column per outcome (one query)."""
    start, end = year_bounds(year)
    grouped = (
        tracks.filter(allegation__received_at__gte=start, allegation__received_at__lt=end)
        .order_by()
        .values_list("facility_type", "outcome")
        .annotate(n=Count("pk"))
    )
    rows = {code: index for index, (code, _) in enumerate(FACILITIES)}
    columns = {code: index for index, (code, _) in enumerate(OUTCOMES)}
    table = [[0] * len(OUTCOMES) for _ in FACILITIES]
    for facility, outcome, n in grouped:
        row = rows.get(facility, rows[FacilityType.OTHER])
        table[row][columns.get(outcome or PENDING, columns[PENDING])] += n
    return table


def _figure(table: ProtectedTable | None, grid: list[list[int]], i: int, j: int, threshold: int) -> Figure:
    column = OUTCOMES[j][1] if j < len(OUTCOMES) else "Total"
    if table is None:
        return Figure(grid[i][j], FigureState.SHOWN, threshold, column)
    return Figure(table.published(i, j), table.state(i, j), threshold, column)


def year_table(year: int, tracks: QuerySet[PreaTrack], *, suppress: bool, threshold: int) -> YearTable:
    cells = counts(year, tracks)
    grid = grid_with_totals(cells)
    protected = protect(cells, threshold) if suppress else None
    last_row, last_column = len(FACILITIES), len(OUTCOMES)
    rows = [
        ReportRow(
            code=code,
            label=label,
            cells=[_figure(protected, grid, i, j, threshold) for j in range(last_column)],
            total=_figure(protected, grid, i, last_column, threshold),
        )
        for i, (code, label) in enumerate(FACILITIES)
    ]
    totals = [_figure(protected, grid, last_row, j, threshold) for j in range(last_column)]
    grand = _figure(protected, grid, last_row, last_column, threshold)
    table = YearTable(year, rows, totals, grand, suppressed=0)
    hidden = sum(1 for figure in table.all_figures if figure.value is None)
    return YearTable(year, rows, totals, grand, suppressed=hidden)


def prea_annual_report(
    year: int,
    *,
    suppress: bool = True,
    tracks: QuerySet[PreaTrack] | None = None,
    threshold: int | None = None,
) -> PreaAnnualReport:
    """The report for `year` and the year before: suppressed for the public by default.

    `tracks` narrows what is counted (the staff page counts the tracks its reader may see);
    by default every track counts, as the public report must.
    """
    if year < FIRST_YEAR:
        raise ValueError(f"There is no PREA report before {FIRST_YEAR}.")
    source = tracks if tracks is not None else PreaTrack.objects.all()
    cutoff = threshold if threshold is not None else min_cell()
    current = year_table(year, source, suppress=suppress, threshold=cutoff)
    previous = year_table(year - 1, source, suppress=suppress, threshold=cutoff)
    changes = [Change("All facilities", current.grand_total, previous.grand_total)]
    changes += [
        Change(row.label, row.total, before.total)
        for row, before in zip(current.rows, previous.rows, strict=True)
    ]
    changes += [
        Change(label, now, before)
        for (_, label), now, before in zip(OUTCOMES, current.totals, previous.totals, strict=True)
    ]
    return PreaAnnualReport(
        year=year,
        complete=year < agency_year_now(),
        public=suppress,
        min_cell=cutoff,
        outcomes=[label for _, label in OUTCOMES],
        current=current,
        previous=previous,
        changes=changes,
    )


def report_years(tracks: QuerySet[PreaTrack] | None = None, *, complete_only: bool = True) -> list[int]:
    """The years a report can be asked for, newest first: from the first allegation with a track
    to the last complete year (or this one)."""
    source = tracks if tracks is not None else PreaTrack.objects.all()
    first = (
        source.order_by("allegation__received_at").values_list("allegation__received_at", flat=True).first()
    )
    this_year = agency_year_now()
    last = this_year - 1 if complete_only else this_year
    if first is None:
        return []
    start = max(FIRST_YEAR, first.astimezone(agency_time_zone()).year)
    return list(range(last, start - 1, -1))
