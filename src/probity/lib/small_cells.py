"""Small-cell suppression for public count tables: no count below a threshold is published, and
none can be worked out from the figures that are.

A table of counts is published with its row totals, column totals and grand total. Laid out as
one (rows + 1) x (columns + 1) grid, the totals in the last row and column:

1. Primary suppression: every count (cell or total) from 1 to `min_cell - 1` is shown as
   "fewer than N" (`SMALL`). Zeros are shown: a zero names no one.
2. Complementary suppression: a reader knows every shown figure exactly, that a small one lies
   between 1 and N - 1, that a withheld cell is at least N (only cells of N or more are ever
   withheld), that a withheld total is at least 1 (a small total may be withheld too), and that
   rows and columns add up to their totals. A small count is safe when a second table exists
   that fits all of that and differs in that count. We look for the simplest such table: one
   that adds and takes away 1 around a cycle of hidden figures (a rectangle, or a longer
   alternating cycle, through the totals too), each staying within what the reader knows of
   it. When a small count has no such cycle, the cheapest cycle through it is completed by
   withholding figures (fewest first, then the smallest, so that little is lost): shown counts,
   or a small total, which is then shown as "withheld" rather than "fewer than N". Withholding
   more never undoes an earlier protection, so one pass over the small counts ends with all of
   them protected.
3. If no cycle can be completed at all (only with a threshold of 2, where "fewer than 2" can
   only mean 1), the whole table is withheld.

Pure Python and deterministic: the same counts always give the same published table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

Entry = tuple[int, int]


class FigureState(StrEnum):
    SHOWN = "shown"
    SMALL = "small"  # 1 to min_cell - 1: "fewer than N"
    WITHHELD = "withheld"  # hidden so that a small count cannot be worked out


@dataclass(frozen=True)
class ProtectedTable:
    """The grid (cells, then each row's total in the last column, the column totals in the last
    row, the grand total in the corner) with the state of each figure."""

    values: tuple[tuple[int, ...], ...]
    states: tuple[tuple[FigureState, ...], ...]
    min_cell: int
    all_withheld: bool = False

    @property
    def rows(self) -> int:
        return len(self.values) - 1

    @property
    def columns(self) -> int:
        return len(self.values[0]) - 1

    def state(self, row: int, column: int) -> FigureState:
        return self.states[row][column]

    def published(self, row: int, column: int) -> int | None:
        """The figure a reader may see, or None when it is hidden."""
        if self.states[row][column] is FigureState.SHOWN:
            return self.values[row][column]
        return None


def grid_with_totals(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The cells with a total column, a total row and the grand total."""
    if not cells or not cells[0]:
        raise ValueError("a table needs at least one row and one column")
    width = len(cells[0])
    if any(len(row) != width for row in cells):
        raise ValueError("every row needs the same number of cells")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("counts cannot be negative")
    grid = [[*row, sum(row)] for row in cells]
    grid.append([sum(row[j] for row in grid) for j in range(width + 1)])
    return grid


def protect(cells: Sequence[Sequence[int]], min_cell: int) -> ProtectedTable:
    """Suppress the small counts of `cells` and whatever else would reveal them."""
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    grid = grid_with_totals(cells)
    states = [
        [FigureState.SMALL if 0 < value < min_cell else FigureState.SHOWN for value in row] for row in grid
    ]
    search = _Search(grid, states, min_cell)
    all_withheld = False
    for entry in search.small_entries():
        if search.protected(entry):
            continue
        needed = search.cheapest_completion(entry)
        if needed is None:
            all_withheld = True
            break
        for row, column in needed:
            states[row][column] = FigureState.WITHHELD
    if all_withheld:
        states = [[FigureState.WITHHELD for _ in row] for row in grid]
    return ProtectedTable(
        values=tuple(tuple(row) for row in grid),
        states=tuple(tuple(row) for row in states),
        min_cell=min_cell,
        all_withheld=all_withheld,
    )


class _Search:
    """Cycles of +1/-1 moves through the grid that keep every row and column adding up."""

    def __init__(self, grid: list[list[int]], states: list[list[FigureState]], min_cell: int) -> None:
        self.grid = grid
        self.states = states  # shared with `protect`, which withholds as it goes
        self.min_cell = min_cell
        self.last_row = len(grid) - 1
        self.last_column = len(grid[0]) - 1

    def small_entries(self) -> list[Entry]:
        return [
            (i, j)
            for i, row in enumerate(self.states)
            for j, state in enumerate(row)
            if state is FigureState.SMALL
        ]

    def _sign(self, entry: Entry) -> int:
        # Totals enter their row's and column's sums with a minus sign (cells - total = 0); the
        # grand total enters the total row and column with a plus sign.
        i, j = entry
        is_total_row, is_total_column = i == self.last_row, j == self.last_column
        return -1 if is_total_row != is_total_column else 1

    def _is_total(self, entry: Entry) -> bool:
        return entry[0] == self.last_row or entry[1] == self.last_column

    def _bounds(self, entry: Entry, state: FigureState) -> tuple[int, int | None]:
        value = self.grid[entry[0]][entry[1]]
        if state is FigureState.SMALL:
            return 1, self.min_cell - 1
        if state is FigureState.WITHHELD:
            return (1 if self._is_total(entry) else self.min_cell), None
        return value, value

    def _fits(self, entry: Entry, step: int, state: FigureState) -> bool:
        low, high = self._bounds(entry, state)
        moved = self.grid[entry[0]][entry[1]] + self._sign(entry) * step
        return moved >= low and (high is None or moved <= high)

    def _movable(self, entry: Entry, step: int, *, completing: bool) -> bool:
        """Whether the entry may move by `step` (in its signed sense) and stay plausible; when
        `completing`, also after withholding it."""
        state = self.states[entry[0]][entry[1]]
        if state is not FigureState.SHOWN and self._fits(entry, step, state):
            return True
        return completing and self._may_withhold(entry) and self._fits(entry, step, FigureState.WITHHELD)

    def _needs_withholding(self, entry: Entry, step: int) -> bool:
        state = self.states[entry[0]][entry[1]]
        return state is FigureState.SHOWN or (
            state is FigureState.SMALL and not self._fits(entry, step, state)
        )

    def _may_withhold(self, entry: Entry) -> bool:
        # A shown count other than zero (a hidden zero would have to pass for at least 1), or a
        # small total; a small cell keeps its "fewer than N".
        state = self.states[entry[0]][entry[1]]
        if state is FigureState.SHOWN:
            return self.grid[entry[0]][entry[1]] > 0
        return state is FigureState.SMALL and self._is_total(entry)

    def _cycles(self, entry: Entry, *, completing: bool) -> Iterator[list[tuple[Entry, int]]]:
        """Every simple alternating cycle through `entry` whose moves all stay plausible."""
        for direction in (1, -1):
            if not self._movable(entry, direction, completing=completing):
                continue
            yield from self._extend([(entry, direction)], entry[1], completing=completing)

    def _extend(
        self, path: list[tuple[Entry, int]], column: int, *, completing: bool
    ) -> Iterator[list[tuple[Entry, int]]]:
        # At `column`, which gained the starting direction: take it back in another row, then
        # give it to another column of that row (or close the cycle in the starting row).
        (start_row, _), direction = path[0]
        rows = {entry[0] for entry, _ in path}
        columns = {entry[1] for entry, _ in path}
        for row in range(self.last_row + 1):
            if row in rows or not self._movable((row, column), -direction, completing=completing):
                continue
            for next_column in range(self.last_column + 1):
                if next_column in columns:
                    continue
                if not self._movable((row, next_column), direction, completing=completing):
                    continue
                closing = (start_row, next_column)
                step = [*path, ((row, column), -direction), ((row, next_column), direction)]
                if self._movable(closing, -direction, completing=completing):
                    yield [*step, (closing, -direction)]
                yield from self._extend(step, next_column, completing=completing)

    def protected(self, entry: Entry) -> bool:
        return next(self._cycles(entry, completing=False), None) is not None

    def cheapest_completion(self, entry: Entry) -> list[Entry] | None:
        """The figures to withhold so that `entry` sits on a plausible cycle: fewest, then
        smallest in total, then first in the grid (so the choice is deterministic)."""
        best: tuple[int, int, list[Entry]] | None = None
        for cycle in self._cycles(entry, completing=True):
            needed = sorted({e for e, step in cycle if self._needs_withholding(e, step)})
            cost = (len(needed), sum(self.grid[i][j] for i, j in needed), needed)
            if best is None or cost < best:
                best = cost
        return None if best is None else best[2]
