"""Statistical disclosure control for report tables: small-count and complementary suppression.

Report offices receive counts per unit and period. A count of 1 to k-1 can point at a person
(one trafficking victim in a commune in March), so such counts are hidden (*primary*
suppression). Hiding them alone is not enough: totals, subtotals across units or periods and
percentages let a reader subtract their way back to a hidden count, so more cells are hidden
(*complementary* suppression) until no hidden count can be worked out.

The module is pure Python (no Flask, no database, no solver) so that the web layer, the CLI
exports and the tests all run the same rules, and so that a report server needs nothing extra.

Model
-----
A :class:`Table` is a set of cells (any hashable key -> non-negative int) plus additive
:class:`Constraint` s ``value[total] == sum(value[parts])``. Row, column and grand totals,
unit hierarchies (province = communes, commune = neighbourhoods), period sums
(year = quarters = months) and several linked tables of one report are all just constraints,
so one algorithm protects every combination. Everything published *together* must be in one
``Table``; two reports suppressed separately can be differenced against each other.

What is guaranteed
------------------
The reader is assumed to know every published value, every constraint and the rules of this
module: zeros are published and complements are never zero, so every hidden cell is known to
be >= 1. Let F be the set of real-valued tables that satisfy all constraints, agree with every
published cell and have every hidden cell >= 1 (F contains the true table). Then:

1. No published cell has a value in 1..k(key)-1.
2. Every hidden cell takes more than one value over F: its interval [min, max] has min < max.
   As F only grows when the bound is relaxed to >= 0, the same holds in that weaker model.
3. Every *primary* cell reaches at least k(key) somewhere in F, so its interval is never
   contained in 1..k-1: from the numbers alone a reader cannot even tell that it is small.
4. A share (percentage) is published only when both of its counts are, so a share adds nothing
   a reader could not compute from published cells.

Protection is checked exactly, in integer arithmetic, with a *sufficient* test (see
``_Suppressor._unprotected_cells``): a cell passes only if a concrete direction that moves it
within F is exhibited. The test can therefore over-suppress a little, never under-suppress;
the test-suite confirms every guarantee above with an LP solver on random tables.

Not guaranteed: intervals are those of the real (LP) relaxation; the ``hidden`` reasons say
which cells are primary, so they are for audit and must not be exported (a public export shows
one neutral marker for every hidden cell); a reader learns that a hidden cell is non-zero (the
price of publishing zeros); knowledge from outside the report is out of scope.
"""

from __future__ import annotations

import enum
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm
from types import MappingProxyType
from typing import TypeAlias

__all__ = [
    "DEFAULT_K",
    "TOTAL",
    "TRAFFICKING_K",
    "Constraint",
    "Key",
    "SuppressionError",
    "SuppressionResult",
    "Table",
    "hidden_shares",
    "share",
    "share_reason",
    "suppress",
]

Key: TypeAlias = Hashable
_Ratio: TypeAlias = "tuple[int, int] | None"

DEFAULT_K = 5
"""Counts 1..4 are hidden unless a stricter threshold applies."""

TRAFFICKING_K = 11
"""Trafficking victims are few and at risk of retaliation, so counts 1..10 are hidden."""

PRIMARY_REASON = "primary: count below k"
COMPLEMENTARY_REASON = "complementary: protects"

EXACT_CELLS = 400
"""Largest component checked by elimination when the witness search fails (``_unprotected``)."""
WITNESS_NODES = 60
WITNESS_DEPTH = 24
WITNESS_BRANCH = 3
"""Bounds of the witness search (``_Suppressor._witness``): cells tried, cycle length, fan-out."""
_LONG = 8
"""Equations with this many hidden members get the witness search's shortcut (same result)."""


class _Margin(enum.Enum):
    """Marker for a margin position in a key; an enum so it pickles and never equals a label."""

    TOTAL = "total"

    def __repr__(self) -> str:
        return "TOTAL"

    __str__ = __repr__


TOTAL = _Margin.TOTAL
"""Key component of margins built by :meth:`Table.from_grid`, e.g. ``(row, TOTAL)``."""


class SuppressionError(RuntimeError):
    """Suppression could not reach its guarantee.

    Unreachable for a consistent table (hiding every non-zero cell always protects; see
    ``_Suppressor._fix``); raised rather than publishing a table that might leak.
    """


@dataclass(frozen=True)
class Constraint:
    """``value[total] == sum(value[part] for part in parts)``, known to every reader."""

    total: Key
    parts: tuple[Key, ...]

    def __post_init__(self) -> None:
        # Callers pass lists; a tuple keeps the constraint hashable (tables de-duplicate them).
        object.__setattr__(self, "parts", tuple(self.parts))

    def coefficients(self) -> dict[Key, int]:
        """The equation ``total - sum(parts) = 0`` as key -> coefficient, zeros dropped."""
        coef: dict[Key, int] = defaultdict(int)
        coef[self.total] += 1
        for part in self.parts:
            coef[part] -= 1
        return {key: c for key, c in coef.items() if c}


def _pair(node: Hashable, column: Hashable) -> Key:
    return (node, column)


class Table:
    """Cells with non-negative integer counts and the additive constraints between them.

    Immutable: the builders return new tables, so a table handed to :func:`suppress` cannot
    change under it.

    :raise ValueError: a value is not a non-negative int, a constraint names an unknown cell,
        or a constraint does not add up (a report whose totals disagree is a bug upstream, and
        suppressing it would give a false sense of protection).
    """

    __slots__ = ("_values", "_constraints")

    def __init__(self, values: Mapping[Key, int], constraints: Iterable[Constraint] = ()) -> None:
        vals = dict(values)
        for key, value in vals.items():
            # bool is an int subclass; a True in a count table is a bug, not a 1.
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"cell {key!r}: count must be a non-negative int, got {value!r}")
        cons = tuple(dict.fromkeys(constraints))
        for con in cons:
            for key in (con.total, *con.parts):
                if key not in vals:
                    raise ValueError(f"constraint {con!r} names unknown cell {key!r}")
            parts_sum = sum(vals[p] for p in con.parts)
            if vals[con.total] != parts_sum:
                raise ValueError(
                    f"constraint {con!r} does not add up: {vals[con.total]} != {parts_sum}"
                )
        self._values = vals
        self._constraints = cons

    @property
    def values(self) -> Mapping[Key, int]:
        """Read-only view of every cell (true values: never export this)."""
        return MappingProxyType(self._values)

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        return self._constraints

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[Key]:
        return iter(self._values)

    def __getitem__(self, key: Key) -> int:
        return self._values[key]

    def __repr__(self) -> str:
        return f"Table({len(self._values)} cells, {len(self._constraints)} constraints)"

    @classmethod
    def from_grid(
        cls,
        rows: Sequence[Hashable],
        cols: Sequence[Hashable],
        values: Mapping[tuple[Hashable, Hashable], int],
        *,
        with_totals: bool = True,
        prefix: tuple[Hashable, ...] = (),
    ) -> Table:
        """A 2-D table keyed ``prefix + (row, col)``; missing cells are 0.

        With totals it adds ``prefix + (row, TOTAL)``, ``prefix + (TOTAL, col)`` and
        ``prefix + (TOTAL, TOTAL)`` and their constraints (the grand total both as the sum of
        row totals and of column totals, as a printed report shows both). ``prefix`` keeps the
        keys of several indicators apart so their tables can be merged into one report.

        :raise ValueError: ``values`` has a key outside ``rows`` x ``cols``.
        """
        grid = {(r, c) for r in rows for c in cols}
        stray = [key for key in values if key not in grid]
        if stray:
            raise ValueError(f"values outside the grid: {stray[:3]!r}")

        def key(r: Hashable, c: Hashable) -> Key:
            return (*prefix, r, c)

        cells = {key(r, c): values.get((r, c), 0) for r in rows for c in cols}
        constraints: list[Constraint] = []
        if with_totals:
            for r in rows:
                cells[key(r, TOTAL)] = sum(values.get((r, c), 0) for c in cols)
                constraints.append(Constraint(key(r, TOTAL), tuple(key(r, c) for c in cols)))
            for c in cols:
                cells[key(TOTAL, c)] = sum(values.get((r, c), 0) for r in rows)
                constraints.append(Constraint(key(TOTAL, c), tuple(key(r, c) for r in rows)))
            cells[key(TOTAL, TOTAL)] = sum(values.values())
            constraints.append(Constraint(key(TOTAL, TOTAL), tuple(key(r, TOTAL) for r in rows)))
            constraints.append(Constraint(key(TOTAL, TOTAL), tuple(key(TOTAL, c) for c in cols)))
        return cls(cells, constraints)

    def add_hierarchy(
        self,
        tree: Mapping[Hashable, Sequence[Hashable]],
        columns: Iterable[Hashable] = (None,),
        key: Callable[[Hashable, Hashable], Key] = _pair,
    ) -> Table:
        """Add ``key(parent, col) = sum(key(child, col))`` for every parent and column.

        ``tree`` maps a node to its children: units (province -> communes -> neighbourhoods)
        or periods (year -> quarters -> months). A parent cell that is absent is computed
        bottom-up from its children; one that is present must add up. Returns a new table.

        :raise ValueError: a leaf cell is missing, the tree has a cycle, or a given parent
            does not add up.
        """
        cells = dict(self._values)
        constraints = list(self._constraints)
        for col in columns:

            def value(node: Hashable, path: tuple[Hashable, ...], col: Hashable = col) -> int:
                if node in path:
                    raise ValueError(f"hierarchy has a cycle through {node!r}")
                cell = key(node, col)
                if cell in cells:
                    return cells[cell]
                if node not in tree:
                    raise ValueError(f"leaf cell {cell!r} is missing")
                cells[cell] = sum(value(child, (*path, node)) for child in tree[node])
                return cells[cell]

            for parent, children in tree.items():
                value(parent, ())
                constraints.append(
                    Constraint(key(parent, col), tuple(key(child, col) for child in children))
                )
        return Table(cells, constraints)

    def with_constraints(self, *constraints: Constraint) -> Table:
        """Add relations the builders do not know about (e.g. a cell shared by two tables)."""
        return Table(self._values, (*self._constraints, *constraints))

    @classmethod
    def merge(cls, *tables: Table) -> Table:
        """One table for a whole report, so a count cannot be recovered from a sibling table.

        :raise ValueError: two tables give one key different values.
        """
        cells: dict[Key, int] = {}
        constraints: list[Constraint] = []
        for table in tables:
            for k, v in table._values.items():
                if cells.setdefault(k, v) != v:
                    raise ValueError(f"cell {k!r} has two values: {cells[k]} and {v}")
            constraints.extend(table._constraints)
        return cls(cells, constraints)


class SuppressionResult:
    """What may leave the building: published counts, plus which cells are hidden and why.

    It holds no hidden value, so nothing derived from it can leak one. The reasons are for
    audit and for the statistician who checks the run; an export should print the same neutral
    marker for every hidden cell, because "primary" says the count is 1..k-1.
    """

    __slots__ = ("_published", "_hidden", "_constraints")

    def __init__(
        self,
        published: Mapping[Key, int | None],
        hidden: Mapping[Key, str],
        constraints: tuple[Constraint, ...],
    ) -> None:
        # published keeps the table's key order, with None for hidden cells.
        self._published = MappingProxyType(dict(published))
        self._hidden = MappingProxyType(dict(hidden))
        self._constraints = constraints

    @property
    def hidden(self) -> Mapping[Key, str]:
        """Hidden cell -> reason (``"primary: ..."`` or ``"complementary: protects <key>"``)."""
        return self._hidden

    @property
    def constraints(self) -> tuple[Constraint, ...]:
        return self._constraints

    @property
    def primary(self) -> frozenset[Key]:
        return frozenset(k for k, r in self._hidden.items() if r.startswith(PRIMARY_REASON))

    @property
    def complementary(self) -> frozenset[Key]:
        return frozenset(k for k in self._hidden if k not in self.primary)

    def published(self, key: Key) -> int | None:
        """The count to print, or None when hidden.

        :raise KeyError: unknown key (a typo must not look like a suppressed cell).
        """
        return self._published[key]

    def is_hidden(self, key: Key) -> bool:
        """:raise KeyError: unknown key."""
        if key not in self._published:
            raise KeyError(key)
        return key in self._hidden

    def cells(self) -> dict[Key, int | None]:
        """Every cell in table order, None where hidden: the shape an export writes."""
        return dict(self._published)

    def __contains__(self, key: object) -> bool:
        return key in self._published

    def __repr__(self) -> str:
        return f"SuppressionResult({len(self._published)} cells, {len(self._hidden)} hidden)"


def share_reason(result: SuppressionResult, numerator: Key, denominator: Key) -> str | None:
    """Why the share numerator/denominator cannot be published, or None if it can.

    A share is published only when both counts are: with a published denominator, a share
    of a hidden numerator gives the numerator back by one multiplication (and vice versa).

    :raise KeyError: unknown key.
    """
    if result.is_hidden(numerator):
        return f"numerator hidden: {numerator!r}"
    if result.is_hidden(denominator):
        return f"denominator hidden: {denominator!r}"
    if result.published(denominator) == 0:
        return "denominator is zero"
    return None


def share(result: SuppressionResult, numerator: Key, denominator: Key) -> float | None:
    """``numerator / denominator`` from published counts, or None when it must not be shown.

    :raise KeyError: unknown key.
    """
    if share_reason(result, numerator, denominator) is not None:
        return None
    num, den = result.published(numerator), result.published(denominator)
    assert num is not None and den is not None  # share_reason checked both
    return num / den


def hidden_shares(
    result: SuppressionResult, pairs: Iterable[tuple[Key, Key]]
) -> dict[tuple[Key, Key], str]:
    """(numerator, denominator) -> reason, for each share of ``pairs`` that is withheld.

    :raise KeyError: unknown key.
    """
    out: dict[tuple[Key, Key], str] = {}
    for num, den in pairs:
        reason = share_reason(result, num, den)
        if reason is not None:
            out[(num, den)] = reason
    return out


def suppress(table: Table, k: int | Callable[[Key], int] = DEFAULT_K) -> SuppressionResult:
    """Hide small counts and enough other cells that none can be worked out.

    ``k`` is one threshold or a function of the key (e.g. ``TRAFFICKING_K`` for keys that
    mark trafficking cases). Deterministic: the same table gives the same result.

    :raise ValueError: a threshold is not an int >= 1.
    :raise SuppressionError: see :class:`SuppressionError` (not expected).
    """
    return _Suppressor(table, k).run()


class _Suppressor:
    """One suppression run; cells are numbered in table order so choices are deterministic."""

    def __init__(self, table: Table, k: int | Callable[[Key], int]) -> None:
        self.keys: list[Key] = list(table.values)
        index = {key: i for i, key in enumerate(self.keys)}
        self.x: list[int] = [table.values[key] for key in self.keys]
        self.k: list[int] = [self._threshold(k, key) for key in self.keys]
        self.constraints = table.constraints
        # Each equation as cell -> coefficient; duplicates (e.g. the two grand-total
        # equations of a square grid) are harmless for every step below.
        self.eqs: list[dict[int, int]] = [
            {index[key]: c for key, c in con.coefficients().items()} for con in table.constraints
        ]
        self.eqs_of: list[list[int]] = [[] for _ in self.keys]
        for e, eq in enumerate(self.eqs):
            for cell in eq:
                self.eqs_of[cell].append(e)
        self.is_total = [False] * len(self.keys)
        for con in table.constraints:
            self.is_total[index[con.total]] = True
        self.hidden: dict[int, str] = {}
        self.primary: set[int] = set()
        # Hidden cells with a witness: a direction that moves them (and lets a primary cell
        # reach k). A witness stays valid when more cells are hidden (its equations do not
        # change and its cells stay hidden), so a cell is proven once and never re-checked.
        self.certified: set[int] = set()
        self.hidden_in: list[list[int]] = [[] for _ in self.eqs]  # hidden members per equation
        # The same as (cell, coefficient) pairs, and each cell's equations as (equation,
        # coefficient) pairs: the witness search reads nothing else, many million times.
        self.hidden_co: list[list[tuple[int, int]]] = [[] for _ in self.eqs]
        self.coefs_of: list[tuple[tuple[int, int], ...]] = [
            tuple((e, self.eqs[e][cell]) for e in es) for cell, es in enumerate(self.eqs_of)
        ]
        self.minus_coefs_of: list[tuple[tuple[int, int], ...]] = [
            tuple((e, -c) for e, c in pairs) for pairs in self.coefs_of
        ]
        # For the search on long equations: which have only ±1 coefficients, the cells two
        # equations share (key e * len(eqs) + f, filled in when first needed), and each one's
        # hidden members as (number of equations, cell, coefficient), sorted, kept until a
        # member is added.
        self.unit: list[bool] = [all(c in (1, -1) for c in eq.values()) for eq in self.eqs]
        self.shared: dict[int, Set[int]] = {}
        self.ranked: list[list[tuple[int, int, int]] | None] = [None] * len(self.eqs)
        # (number of hidden members, equation) as one int, for the search's choice of equation.
        self.eq_order: list[int] = list(range(len(self.eqs)))
        # Cost rank of each non-zero cell (see ``_cheapest``), and each equation's non-zero
        # members by rank with a cursor past the hidden ones: cells are only ever hidden, so
        # an equation's cheapest candidate is found without scanning its members each time.
        nonzero = sorted(
            (c for c, value in enumerate(self.x) if value > 0),
            key=lambda c: (self.is_total[c], self.x[c], c),
        )
        self.rank: list[int] = [-1] * len(self.keys)
        for r, c in enumerate(nonzero):
            self.rank[c] = r
        self.by_rank: list[list[int]] = [
            sorted((c for c in eq if self.x[c] > 0), key=self.rank.__getitem__) for eq in self.eqs
        ]
        self.cursor: list[int] = [0] * len(self.eqs)
        self.res: list[int] = [0] * len(self.eqs)  # the witness search's residuals, kept zero
        self.exact: dict[tuple[int, ...], list[int]] = {}  # ``_unprotected_cells`` results
        # Failed witness searches: target -> (equations the search chose to balance, their
        # hidden members in all). See ``_witness`` for why that is all a search depends on.
        self.failed_search: dict[int, tuple[tuple[int, ...], int]] = {}
        self.closed: set[int] = set()  # hidden cells of components with no candidate left
        # Hidden cells of components too large for elimination: components only ever grow
        # (cells are hidden, never published again), so a cell stays in this set.
        self.large: set[int] = set()

    @staticmethod
    def _threshold(k: int | Callable[[Key], int], key: Key) -> int:
        value = k(key) if callable(k) else k
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"threshold for {key!r} must be an int >= 1, got {value!r}")
        return value

    def run(self) -> SuppressionResult:
        for cell, value in enumerate(self.x):
            if 0 < value < self.k[cell]:
                self.primary.add(cell)
                self._hide(cell, f"{PRIMARY_REASON}={self.k[cell]}")
        self._close(e for cell in self.hidden for e in self.eqs_of[cell])
        while failing := self._unprotected():
            # Every round hides at least one more cell or proves one (exactly, over its whole
            # component), so the loop ends.
            if not self._fix_round(failing) and not self._prove_exactly(failing):
                raise SuppressionError(f"cannot protect {self.keys[failing[0]]!r}")
        hidden = {self.keys[c]: reason for c, reason in self.hidden.items()}
        published = {
            key: (None if i in self.hidden else self.x[i]) for i, key in enumerate(self.keys)
        }
        return SuppressionResult(published, hidden, self.constraints)

    def _hide(self, cell: int, reason: str) -> None:
        if cell not in self.hidden:
            self.hidden[cell] = reason
            n = len(self.eqs)
            for e, c in self.coefs_of[cell]:
                self.hidden_in[e].append(cell)
                self.hidden_co[e].append((cell, c))
                self.eq_order[e] += n

    def _cheapest(self, cells: Iterable[int]) -> int | None:
        """The published non-zero cell that costs least to hide.

        Zeros are never chosen: a zero is published as 0 everywhere else in the report, so
        hiding it would protect nothing and would mark "hidden" as possibly zero only here.
        Detail cells come before totals (a hidden total blanks a whole line of a report),
        then the smallest count (least information lost), then table order.
        """
        candidates = [c for c in cells if c not in self.hidden and self.x[c] > 0]
        if not candidates:
            return None
        return min(candidates, key=self.rank.__getitem__)

    def _cheapest_in(self, equations: Iterable[int]) -> int | None:
        """``_cheapest`` over every member of ``equations``, from the per-equation cursors."""
        hidden, by_rank, cursor, rank = self.hidden, self.by_rank, self.cursor, self.rank
        best: int | None = None
        best_rank = -1
        for e in equations:
            members = by_rank[e]
            i = cursor[e]
            n = len(members)
            while i < n and members[i] in hidden:
                i += 1
            cursor[e] = i
            if i < n:
                c = members[i]
                if best is None or rank[c] < best_rank:
                    best, best_rank = c, rank[c]
        return best

    def _close(self, equations: Iterable[int]) -> None:
        """Until stable: an equation with exactly one hidden member gets a second one.

        Cheap and catches the common case (a lone hidden cell in a row, column or subtotal
        is its total minus the rest); the exact check in ``_unprotected`` does the rest.
        """
        queue = deque(dict.fromkeys(equations))
        while queue:
            e = queue.popleft()
            lone = self.hidden_in[e]
            if len(lone) != 1:
                continue
            # A consistent equation with one hidden (hence non-zero) member always has
            # another non-zero member: the total if the lone cell is a part, else a part.
            candidate = self._cheapest_in((e,))
            if candidate is None:
                raise SuppressionError(f"no complement for {self.keys[lone[0]]!r}")
            self._hide(candidate, f"{COMPLEMENTARY_REASON} {self.keys[lone[0]]!r}")
            queue.extend(self.eqs_of[candidate])

    def _fix_round(self, failing: list[int]) -> bool:
        """Fix several unprotected cells at once; True if anything was hidden.

        Re-checking after every single extra cell is what costs time on tables full of small
        counts, yet fixing every failing cell blindly over-suppresses: one new hidden cell
        often frees its neighbours too. The middle way fixes a cell only if none of its
        equations gained a hidden cell for a neighbour earlier in this round (the equation
        both share); the others wait for the next check, which sees the new freedom.
        """
        grown = False
        touched: set[int] = set()
        for cell in failing:
            if touched.intersection(self.eqs_of[cell]):
                continue
            candidate = self._fix(cell)
            if candidate is not None:
                grown = True
                # Only the equations the new cell shares with the failing one wait: a
                # report's long column equations would otherwise allow one fix per round.
                shared = set(self.eqs_of[cell]).intersection(self.eqs_of[candidate])
                touched.update(shared or self.eqs_of[candidate])
        return grown

    def _fix(self, cell: int) -> int | None:
        """Hide one more cell next to an unprotected one, to give it room to move.

        Returns the newly hidden cell, or None when there is nothing left to hide around the
        cell's component (an earlier fix of the round may have hidden it). Candidates are
        looked for around the cell first, then ring by ring through the hidden cells linked
        to it, so the extra cell is as close as possible. When nothing is found, ``run``
        checks the component exactly: with no published non-zero member, its equations are
        homogeneous and scaling the true values up protects every cell. Hence the loop ends
        with, at worst, every non-zero cell hidden.
        """
        candidate = self._unblocking(cell) if cell in self.primary else None
        if candidate is None:
            candidate = self._cheapest_in(self.eqs_of[cell])
        if candidate is None:
            candidate = self._nearest(cell)
        if candidate is None:
            return None
        self._hide(candidate, f"{COMPLEMENTARY_REASON} {self.keys[cell]!r}")
        self._close(self.eqs_of[candidate])
        return candidate

    def _unblocking(self, cell: int) -> int | None:
        """For a primary cell held below k by one equation alone, the cell to hide next.

        Readers know hidden cells are >= 1, so a part of a published total is at most the
        total minus the published parts minus 1 per other hidden part. A commune total of 5
        split into hidden 3 and 2 proves both are below 5, however much else is hidden: that
        equation itself needs a new hidden member. The cheapest one that lifts the bound to
        k is chosen (a total lifts it entirely, a part by its value minus 1); the plain
        cheapest-neighbour rule would often pick a cell that cannot help.
        """
        k = self.k[cell]
        for e in self.eqs_of[cell]:
            eq = self.eqs[e]
            ci = eq[cell]
            if ci > 0 or any(c > 0 and m in self.hidden for m, c in eq.items() if m != cell):
                continue  # x[cell] is not bounded above by this equation alone
            # ci * x = -sum(c * x_m): largest x with every other hidden part at 1.
            rest = sum(
                c * (1 if m in self.hidden else self.x[m]) for m, c in eq.items() if m != cell
            )
            room = Fraction(rest, -ci)
            if room >= k:
                continue
            lifting = [
                m
                for m, c in eq.items()
                if m not in self.hidden
                and self.x[m] > 0
                and (c > 0 or room + Fraction(-c * (self.x[m] - 1), -ci) >= k)
            ]
            if lifting:
                return self._cheapest(lifting)
        return None

    def _nearest(self, seed: int) -> int | None:
        """The cheapest candidate among the nearest equations (through hidden cells) with one.

        None means that no equation of the seed's component has a candidate: nothing around
        it can ever be hidden again, so the component is closed for good and remembered.
        """
        if seed in self.closed:
            return None
        hidden_in, eqs_of, exhausted = self.hidden_in, self.eqs_of, self._exhausted
        seen_eqs = set(eqs_of[seed])
        seen_cells = {seed}
        layer = list(eqs_of[seed])
        while layer:
            if not all(map(exhausted, layer)):
                return self._cheapest_in(layer)
            nxt: list[int] = []
            for e in layer:
                for m in hidden_in[e]:
                    if m in seen_cells:
                        continue
                    seen_cells.add(m)
                    for f in eqs_of[m]:
                        if f not in seen_eqs:
                            seen_eqs.add(f)
                            nxt.append(f)
            layer = nxt
        self.closed.update(seen_cells)
        return None

    def _exhausted(self, e: int) -> bool:
        """True if equation ``e`` has no published non-zero member left (moves its cursor)."""
        members = self.by_rank[e]
        i = self.cursor[e]
        n = len(members)
        hidden = self.hidden
        while i < n and members[i] in hidden:
            i += 1
        self.cursor[e] = i
        return i == n

    def _rings(self, seed: int) -> Iterator[list[int]]:
        """Hidden cells linked to ``seed`` through shared equations, by distance from it."""
        hidden = self.hidden
        seen_cells = {seed}
        seen_eqs: set[int] = set()
        ring = [seed]
        while ring:
            yield ring
            nxt: list[int] = []
            for cell in ring:
                for e in self.eqs_of[cell]:
                    if e in seen_eqs:
                        continue
                    seen_eqs.add(e)
                    for member in self.eqs[e]:
                        if member in hidden and member not in seen_cells:
                            seen_cells.add(member)
                            nxt.append(member)
            ring = nxt

    def _neighbourhood(self, seed: int, limit: int | None) -> tuple[list[int], bool]:
        """Up to ``limit`` hidden cells nearest ``seed``; True if that is its whole component."""
        cells: list[int] = []
        for ring in self._rings(seed):
            if limit is not None and len(cells) + len(ring) > limit:
                cells.extend(ring[: limit - len(cells)])
                return sorted(cells), False
            cells.extend(ring)
        return sorted(cells), True

    def _unprotected(self) -> list[int]:
        """Hidden cells not yet proven protected that fail the check, in hiding order.

        First a cheap search for a witness through nearby hidden cells (``_witness``); a
        cell it cannot prove is checked by elimination over its whole component when that is
        small (``EXACT_CELLS``), exactly as a small table always was. On a large component
        a cell the search cannot prove is treated as unprotected and gets another hidden
        neighbour: over-suppression at worst, never a leak. Eliminating a report's one big
        component (thousands of cells) every round is what made a province report take
        minutes.
        """
        pending = [c for c in self.hidden if c not in self.certified]
        failed: set[int] = set()
        large = self.large
        for cell in pending:
            if cell in self.certified or cell in failed:
                continue
            self._witness(cell)
            if cell in self.certified:
                continue
            if cell in large:
                failed.add(cell)
                continue
            cells, whole = self._neighbourhood(cell, EXACT_CELLS)
            if not whole:
                large.update(self._neighbourhood(cell, None)[0])
                failed.add(cell)
                continue
            bad = self._unprotected_cells(cells)
            bad_set = set(bad)
            self.certified.update(c for c in cells if c not in bad_set)
            failed.update(bad)
        return [c for c in pending if c in failed]

    def _witness(self, target: int) -> None:
        """Look for a small direction that moves ``target``; certify every cell it proves.

        A depth-first search assigns +1 or -1 to hidden cells, starting with +1 on
        ``target``, until every equation touching an assigned cell adds up to zero: the
        +δ/−δ cycles of a table (a rectangle of four hidden cells in a grid, repeated in the
        parts of a measure where it has parts). Cells going down must keep room to move
        (value - 1 >= 1, or the room a primary target needs to reach k). The search is
        bounded (``WITNESS_NODES``); failing proves nothing either way.

        At each step the search balances the unbalanced equation with the fewest hidden
        members and tries at most ``WITNESS_BRANCH`` of its unassigned members: those that
        balance the most equations first (net of the ones they unbalance), then in table
        order. The loops are written out by hand: this is the hot spot of a large report.

        A failed search is remembered with the equations it chose to balance. It read nothing
        else that can change: its residuals are its own, and another unbalanced equation only
        counted through its number of hidden members, which can only grow and so never
        displaces the one chosen. While the chosen equations keep their hidden members a new
        search would take the same steps and fail again, so it is skipped: the result is
        exactly that of searching every time.
        """
        coefs_of, minus_coefs_of = self.coefs_of, self.minus_coefs_of
        eqs, unit, shared, ranked_of = self.eqs, self.unit, self.shared, self.ranked
        hidden = self.hidden
        n_eqs = len(eqs)
        hidden_co, hidden_in, x = self.hidden_co, self.hidden_in, self.x
        previous = self.failed_search.get(target)
        if previous is not None and sum(len(hidden_in[e]) for e in previous[0]) == previous[1]:
            return  # it would take the same steps and fail again
        eq_order = self.eq_order.__getitem__
        chosen: set[int] = set()
        need = max(1, self.k[target] - x[target]) if target in self.primary else 1
        v: dict[int, int] = {}
        res = self.res  # all zero between searches
        unbalanced: set[int] = set()
        add, discard = unbalanced.add, unbalanced.discard
        nodes = 0

        def search(depth: int) -> bool:
            nonlocal nodes
            if not unbalanced:
                return True
            if depth == 0 or nodes >= WITNESS_NODES:
                return False
            e0 = min(unbalanced, key=eq_order)
            chosen.add(e0)
            r0 = res[e0]
            options: list[tuple[int, int, int]] = []
            members = hidden_co[e0]
            if len(members) >= _LONG and unit[e0]:
                # A long equation: only the members that share an unbalanced equation with
                # it need their gain computed; every other one balances e0 or not (the same
                # for all, as coefficients are ±1) and unbalances each of its other
                # equations, so they rank by their number of equations, then table order.
                touched: set[int] = set()
                base = e0 * n_eqs
                for e in unbalanced:
                    if e != e0:
                        cells = shared.get(base + e)
                        if cells is None:
                            cells = shared[base + e] = eqs[e0].keys() & eqs[e].keys()
                        touched.update(cells)
                ranked = ranked_of[e0]
                if ranked is None or len(ranked) != len(members):
                    ranked = ranked_of[e0] = sorted((len(coefs_of[m]), m, cm) for m, cm in members)
                loss0 = -1 if r0 == 1 or r0 == -1 else 0
                taken = 0
                for size, m, cm in ranked:
                    if m in touched or m in v:
                        continue
                    if r0 * cm > 0:
                        if x[m] <= need:
                            continue
                        options.append((size - 1 + loss0, m, -1))
                    else:
                        options.append((size - 1 + loss0, m, 1))
                    taken += 1
                    if taken == WITNESS_BRANCH:
                        break
                eq0 = eqs[e0]
                members = [(m, eq0[m]) for m in touched if m in hidden]
            for m, cm in members:
                if m in v:
                    continue
                if r0 * cm > 0:
                    if x[m] <= need:  # no room to go down
                        continue
                    sign = -1
                    moves = minus_coefs_of[m]
                else:
                    sign = 1
                    moves = coefs_of[m]
                # Minus the gain: equations unbalanced by the move minus those it balances.
                loss = 0
                for e, d in moves:
                    r = res[e]
                    if not r:
                        loss += 1
                    elif r == -d:
                        loss -= 1
                options.append((loss, m, sign))
            if len(options) > 1:
                options.sort()
                del options[WITNESS_BRANCH:]
            for loss, cell, sign in options:
                nodes += 1
                moves = coefs_of[cell] if sign > 0 else minus_coefs_of[cell]
                if depth == 1 or nodes >= WITNESS_NODES:
                    # The deeper call could only report whether this move balances every
                    # equation: that is, it balances all of its own and nothing else is left.
                    if loss != -len(moves) or len(unbalanced) != len(moves):
                        continue
                    v[cell] = sign
                    for e, d in moves:
                        res[e] += d
                    unbalanced.clear()
                    return True
                v[cell] = sign
                for e, d in moves:
                    r = res[e] + d
                    res[e] = r
                    if r:
                        add(e)
                    else:
                        discard(e)
                if search(depth - 1):
                    return True
                del v[cell]
                for e, d in moves:
                    r = res[e] - d
                    res[e] = r
                    if r:
                        add(e)
                    else:
                        discard(e)
            return False

        v[target] = 1
        for e, c in coefs_of[target]:
            res[e] = c
            add(e)
        found = search(WITNESS_DEPTH)
        for cell in v:  # back to all zeros for the next search
            for e, _ in coefs_of[cell]:
                res[e] = 0
        if not found:
            es = tuple(chosen)
            self.failed_search[target] = (es, sum(len(hidden_in[e]) for e in es))
            return
        order = list(v)
        local = {i: v[cell] for i, cell in enumerate(order)}
        lo, hi = self._t_range(local, order)
        free = lo is None or hi is None or lo[0] < 0 or hi[0] > 0
        if not free:
            return
        for cell, vi in v.items():
            if cell in self.primary:
                end = hi if vi > 0 else lo
                if end is not None and x[cell] * end[1] + end[0] * vi < self.k[cell] * end[1]:
                    continue
            self.certified.add(cell)

    def _prove_exactly(self, failing: list[int]) -> bool:
        """Check the components of ``failing`` whole; True if that proved any cell."""
        proved = False
        done: set[int] = set()
        for cell in failing:
            if cell in done:
                continue
            component, _ = self._neighbourhood(cell, None)
            done.update(component)
            bad = set(self._unprotected_cells(component))
            new = [c for c in component if c not in bad and c not in self.certified]
            self.certified.update(new)
            proved = proved or any(c in failing for c in new)
        return proved

    def _unprotected_cells(self, component: list[int]) -> list[int]:
        """The hidden cells of ``component`` without the guaranteed freedom.

        Unknowns are the given hidden cells (a whole component, or part of one); the equations
        touching them, with every other cell moved to the right-hand side, must all stay
        true. Any direction found this way is zero elsewhere, so it is a direction of the
        whole system too. A direction ``v`` with ``A v = 0`` keeps every
        equation true, so ``x + t v`` is in F for every ``t`` that keeps each hidden cell
        >= 1; along it a cell moves iff ``v[cell] != 0`` and the range of ``t`` is not just
        {0}, and a primary cell reaches k iff the end of the range allows it. A cell passes
        if some candidate direction shows this. Candidates are the null-space basis (from an
        exact integer elimination, so no rounding) plus, when the published side is all
        zeros, the true values themselves (scaling the whole component up).

        A basis vector is a sufficient witness only, never a necessary one: a cell may fail
        here yet be safe; it then costs one extra hidden cell, never a leak.

        The answer depends on nothing but the cells of ``component`` (the equations and values
        are fixed), so it is kept: a component a round left unchanged is not eliminated again.
        """
        key = tuple(component)
        known = self.exact.get(key)
        if known is None:
            known = self.exact[key] = self._eliminated(component)
        return list(known)

    def _eliminated(self, component: list[int]) -> list[int]:
        """``_unprotected_cells`` without the memo."""
        # Primary cells last, so the elimination tends to leave them free: the basis vector
        # of a free cell moves that cell, which is the witness we are looking for.
        order = sorted(component, key=lambda c: (c in self.primary, c))
        local = {cell: i for i, cell in enumerate(order)}
        rows: list[dict[int, int]] = []
        homogeneous = True
        for e in sorted({e for cell in order for e in self.eqs_of[cell]}):
            row: dict[int, int] = {}
            for member, coef in self.eqs[e].items():
                if member in local:
                    row[local[member]] = coef
                elif self.x[member]:
                    homogeneous = False
            rows.append(row)
        directions = _null_basis(rows, len(order))
        if homogeneous:
            directions.append({i: self.x[cell] for i, cell in enumerate(order)})

        moves = [False] * len(order)
        reaches_k = [False] * len(order)
        for v in directions:
            lo, hi = self._t_range(v, order)
            free = lo is None or hi is None or lo[0] < 0 or hi[0] > 0
            for i, vi in v.items():
                if free:
                    moves[i] = True
                end = hi if vi > 0 else lo
                cell = order[i]
                # x + (num / den) * vi >= k, with den > 0
                if end is None or self.x[cell] * end[1] + end[0] * vi >= self.k[cell] * end[1]:
                    reaches_k[i] = True
        return sorted(
            cell
            for i, cell in enumerate(order)
            if not moves[i] or (cell in self.primary and not reaches_k[i])
        )

    def _t_range(self, v: dict[int, int], order: list[int]) -> tuple[_Ratio, _Ratio]:
        """[lo, hi] of t keeping every hidden cell of ``x + t v`` >= 1; None is unbounded.

        Bounds are exact ratios (numerator, positive denominator) compared by
        cross-multiplication: Fraction objects made this the hot spot of a whole report.
        """
        lo: _Ratio = None
        hi: _Ratio = None
        for i, vi in v.items():
            slack = self.x[order[i]] - 1  # hidden cells are >= 1, so slack >= 0
            if vi > 0:  # t >= -slack / vi
                if lo is None or -slack * lo[1] > lo[0] * vi:
                    lo = (-slack, vi)
            elif vi < 0:  # t <= slack / -vi
                if hi is None or slack * hi[1] < hi[0] * -vi:
                    hi = (slack, -vi)
        return lo, hi


def _eliminate(row: dict[int, int], pivot_row: dict[int, int], col: int) -> dict[int, int]:
    """``row`` with ``col`` cancelled by an integer multiple of ``pivot_row``, gcd-reduced.

    Integers rather than floats so "determined" never depends on rounding, and rather than
    Fractions because they are several times faster and stay small after the gcd step.
    The result may come out negated (``_null_basis`` does not depend on a row's sign): with
    the ±1 coefficients of a report the two rows are then merged without scaling either.
    """
    a, b = pivot_row[col], row[col]
    if a == b:  # row - pivot_row, or its negative: the shorter one is negated
        if len(row) <= len(pivot_row):
            left, right = pivot_row, {c: -v for c, v in row.items()}
        else:
            left, right = row, {c: -v for c, v in pivot_row.items()}
    elif a == -b:  # row + pivot_row
        left, right = pivot_row, row
    else:
        left, right = {c: a * v for c, v in row.items()}, {c: -b * v for c, v in pivot_row.items()}
    if len(left) < len(right):
        left, right = right, left
    out = dict(left)
    get = left.get
    for c, v in right.items():
        nv = get(c, 0) + v
        if nv:
            out[c] = nv
        else:
            del out[c]
    g = gcd(*out.values()) if out else 1
    if g > 1:
        out = {c: v // g for c, v in out.items()}
    return out


def _null_basis(rows: list[dict[int, int]], n: int) -> list[dict[int, int]]:
    """Integer basis of {v in Q^n : row . v = 0 for every row}, as sparse vectors.

    Reduced row echelon form built one row at a time: each pivot column appears in its own
    pivot row only. Each free column f then gives the vector with v[f] = L and every pivot
    solved for, L being the lcm of the pivots involved so that all entries are integers.

    The reduced form does not depend on the order the rows come in (each pivot row, reduced
    by its gcd, is the same up to its sign, which cancels out of the basis), so rows are
    taken shortest first: on a report's largest component that keeps the rows sparse and is
    five times faster than taking them in equation order.
    """
    pivots: dict[int, dict[int, int]] = {}
    for original in sorted(rows, key=len):
        row = dict(original)
        for col in [c for c in row if c in pivots]:
            # Pivot rows hold no other pivot column, so this never brings one back.
            row = _eliminate(row, pivots[col], col)
        if not row:
            continue
        g = gcd(*row.values())
        if g > 1:  # a row no elimination touched; the others are reduced already
            row = {c: v // g for c, v in row.items()}
        p = min(row)
        for col, prow in pivots.items():
            if p in prow:
                pivots[col] = _eliminate(prow, row, p)
        pivots[p] = row
    rows_with: dict[int, list[int]] = defaultdict(list)
    for col, prow in pivots.items():
        for c in prow:
            if c != col:
                rows_with[c].append(col)
    basis: list[dict[int, int]] = []
    for free in range(n):
        if free in pivots:
            continue
        involved = rows_with.get(free, [])
        scale = lcm(*(pivots[col][col] for col in involved)) if involved else 1
        v = {free: scale}
        for col in involved:
            prow = pivots[col]
            v[col] = -prow[free] * scale // prow[col]
        basis.append(v)
    return basis
