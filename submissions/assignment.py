"""Automatic reviewer assignment: k reviewers per submission, solved as a min-cost flow.

Pure Python, no models: the admin action turns submissions and reviewers into ``Paper`` and
``Reviewer`` values, calls ``assign_reviewers`` and saves ``result.added``.

The flow network (OR-Tools' ``SimpleMinCostFlow``, which must route every unit of supply):

    paper p     supply k - (reviewers p already has)
    p → r       capacity 1, one arc per allowed pair (no conflict, not already assigned),
                cost (W - match(p, r)) × M, W being the best match of any allowed pair
    reviewer r  supply -must_r, must_r = the part of min_load that existing pairs leave open
    r → sink    unit arcs, one per review r may take beyond must_r (up to max_load); the t-th
                costs base_r + t, base_r = max(min_load, existing load)
    sink        supply -(all paper supply - all reviewer needs)

Lower bounds are handled by node supplies, the textbook reduction: a reviewer node that must
absorb must_r units takes between must_r and must_r + (its sink arcs) reviews, which is exactly
[min_load, max_load] once the existing load is added back. No large negative "must" costs.

Objective, in this order:
1. Topic match, the score reported as ``topic_match``: the sum over all pairs, existing ones
   included, of ``len(paper.topics & reviewer.topics)``. Every feasible flow carries the same
   number of p → r units, so minimising ``(W - match) × M`` maximises the total match.
2. Spread: among assignments with the best match, the smallest sum of squared reviewer loads
   (the r → sink costs add up to (load² + load)/2 minus a constant). M exceeds the largest
   possible spread cost, so spread never buys a worse match.
3. Remaining ties are broken by the solver, which is deterministic for a given graph; the graph
   is built from papers and reviewers sorted by id and conflicts/existing used as sets, so the
   same instance in any order gives the same pairs (for a given OR-Tools version).

``Infeasible`` is raised instead of under-assigning. Simple counting reasons are checked before
solving; if the solver still finds no flow, two max-flow diagnostics name the culprits: a group
of submissions whose allowed reviewers cannot take enough reviews within their maximum loads, or
a group of reviewers whose minimum loads the submissions open to them cannot absorb. By
Hoffman's circulation theorem every infeasible instance violates one of these two cut
conditions, so the generic reason is only a safety net.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from ortools.graph.python import max_flow, min_cost_flow

__all__ = ["AssignmentResult", "Infeasible", "Paper", "Reviewer", "assign_reviewers"]


@dataclass(frozen=True, kw_only=True)
class Paper:
    id: int
    topics: frozenset[int]

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(self.topics))


@dataclass(frozen=True, kw_only=True)
class Reviewer:
    id: int
    topics: frozenset[int]
    min_load: int = 0
    max_load: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(self.topics))
        # A bound below the other one is the organiser's choice and reported as Infeasible;
        # a negative bound can only be a bug in the caller.
        if self.min_load < 0 or self.max_load < 0:
            raise ValueError(f"Reviewer {self.id}: loads must not be negative.")


@dataclass(frozen=True, kw_only=True)
class AssignmentResult:
    pairs: tuple[tuple[int, int], ...]  # (paper id, reviewer id), sorted, existing ones included
    added: tuple[tuple[int, int], ...]  # the pairs this call chose: pairs minus existing
    topic_match: int  # sum over pairs of len(paper.topics & reviewer.topics)
    loads: dict[int, int]  # reviewer id → number of pairs, for every reviewer, by id


class Infeasible(Exception):
    """No assignment meets the constraints; ``reasons`` says why, one sentence each."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


GENERIC_REASON = (
    "No assignment meets all the constraints at once (k reviewers per submission, the "
    "reviewers' load bounds, the conflicts); relax one of them."
)


def assign_reviewers(
    *,
    papers: Sequence[Paper],
    reviewers: Sequence[Reviewer],
    k: int,
    conflicts: Collection[tuple[int, int]],
    existing: Collection[tuple[int, int]] = (),
) -> AssignmentResult:
    """Give every paper exactly k reviewers within load bounds and without conflicts.

    Maximise the topic match, then spread the load; keep ``existing`` pairs (they count toward
    k and the loads, and are allowed even if also listed as conflicts). Conflicts naming unknown
    ids are ignored. Raise ``Infeasible`` with reasons rather than assign fewer than k.
    """
    problem = _Problem(
        papers=papers, reviewers=reviewers, k=k, conflicts=conflicts, existing=existing
    )
    reasons = problem.counting_reasons()
    if reasons:
        raise Infeasible(reasons)
    chosen = problem.solve()
    if chosen is None:
        raise Infeasible(problem.flow_reasons() or [GENERIC_REASON])
    pairs = tuple(sorted(problem.existing | set(chosen)))
    loads = Counter(reviewer_id for _, reviewer_id in pairs)
    return AssignmentResult(
        pairs=pairs,
        added=tuple(sorted(chosen)),
        topic_match=sum(problem.match(paper_id, reviewer_id) for paper_id, reviewer_id in pairs),
        loads={r.id: loads[r.id] for r in problem.reviewers},
    )


class _Problem:
    """One instance in canonical order, with what the solver and the reasons both need."""

    def __init__(
        self,
        *,
        papers: Sequence[Paper],
        reviewers: Sequence[Reviewer],
        k: int,
        conflicts: Collection[tuple[int, int]],
        existing: Collection[tuple[int, int]],
    ) -> None:
        self.papers = sorted(papers, key=attrgetter("id"))
        self.reviewers = sorted(reviewers, key=attrgetter("id"))
        self.k = k
        self.existing = set(existing)
        _check_ids(self.papers, self.reviewers, self.existing)
        self.paper_by_id = {p.id: p for p in self.papers}
        self.reviewer_by_id = {r.id: r for r in self.reviewers}
        conflicted = set(conflicts) - self.existing  # existing pairs are always allowed

        self.has = Counter(paper_id for paper_id, _ in self.existing)
        self.load = Counter(reviewer_id for _, reviewer_id in self.existing)
        # Still to place: reviews per paper, and the part of each minimum load not yet met.
        self.need = {p.id: max(0, k - self.has[p.id]) for p in self.papers}
        self.must = {r.id: max(0, r.min_load - self.load[r.id]) for r in self.reviewers}
        self.room = {r.id: max(0, r.max_load - self.load[r.id]) for r in self.reviewers}
        # Pairs the solver may add, in canonical (paper, reviewer) order.
        self.open_pairs = [
            (p.id, r.id)
            for p in self.papers
            for r in self.reviewers
            if (p.id, r.id) not in conflicted and (p.id, r.id) not in self.existing
        ]
        self.open_per_paper = Counter(paper_id for paper_id, _ in self.open_pairs)
        self.open_per_reviewer = Counter(reviewer_id for _, reviewer_id in self.open_pairs)

    def match(self, paper_id: int, reviewer_id: int) -> int:
        return len(self.paper_by_id[paper_id].topics & self.reviewer_by_id[reviewer_id].topics)

    def counting_reasons(self) -> list[str]:
        """Return the reasons that simple counting shows, before any solving."""
        k, n = self.k, len(self.papers)
        if k < 1:
            return [f"Each submission needs at least one reviewer; k is {k}."]
        reasons = []
        needed = k * n
        total_max = sum(r.max_load for r in self.reviewers)
        if total_max < needed:
            reasons.append(
                f"The reviewers can take at most {_n(total_max, 'review')} in all; "
                f"{k} × {_n(n, 'submission')} need{'s' if n == 1 else ''} {needed}."
            )
        total_min = sum(r.min_load for r in self.reviewers)
        if total_min > needed:
            reasons.append(
                f"The reviewers' minimum loads add up to {total_min}, more than the "
                f"{_n(needed, 'review')} needed."
            )
        for p in self.papers:
            if self.has[p.id] > k:
                reasons.append(
                    f"Submission {p.id} already has {_n(self.has[p.id], 'reviewer')} assigned; "
                    f"only {k} {_is(k)} needed."
                )
            available = self.has[p.id] + self.open_per_paper[p.id]
            if available < k:
                reasons.append(
                    f"Submission {p.id} has {_only(available, 'reviewer')} without a conflict; "
                    f"{k} {_is(k)} needed."
                )
        for r in self.reviewers:
            available = self.load[r.id] + self.open_per_reviewer[r.id]
            if r.min_load > r.max_load:
                reasons.append(
                    f"Reviewer {r.id}'s minimum load ({r.min_load}) is above their maximum "
                    f"load ({r.max_load})."
                )
            elif self.load[r.id] > r.max_load:
                reasons.append(
                    f"Reviewer {r.id} already has {_n(self.load[r.id], 'review')} assigned, "
                    f"more than their maximum load of {r.max_load}."
                )
            elif available < r.min_load:
                reasons.append(
                    f"Reviewer {r.id} has {_only(available, 'submission')} without a conflict; "
                    f"their minimum load is {r.min_load}."
                )
        return reasons

    def solve(self) -> list[tuple[int, int]] | None:
        """Return the pairs to add, or None if the solver finds no feasible flow."""
        papers = [p.id for p in self.papers if self.need[p.id]]
        paper_node = {paper_id: i for i, paper_id in enumerate(papers)}
        reviewer_node = {r.id: len(papers) + j for j, r in enumerate(self.reviewers)}
        sink = len(papers) + len(self.reviewers)
        demand = sum(self.need.values())
        free = demand - sum(self.must.values())  # units that reach the sink

        # The r → sink unit arcs: how many per reviewer, and the largest cost among them.
        extra = {
            r.id: max(
                0,
                min(
                    self.room[r.id] - self.must[r.id],
                    self.open_per_reviewer[r.id] - self.must[r.id],
                    free,
                ),
            )
            for r in self.reviewers
        }
        base = {r.id: self.load[r.id] + self.must[r.id] for r in self.reviewers}
        top = max((base[rid] + extra[rid] for rid in extra if extra[rid]), default=0)
        spread_weight = max(free, 0) * top + 1  # above any difference in total spread cost
        arcs = [(p, r) for p, r in self.open_pairs if p in paper_node]
        best = max((self.match(p, r) for p, r in arcs), default=0)

        flow = min_cost_flow.SimpleMinCostFlow()
        pair_arcs = {}
        for paper_id, reviewer_id in arcs:
            cost = (best - self.match(paper_id, reviewer_id)) * spread_weight
            arc = flow.add_arc_with_capacity_and_unit_cost(
                paper_node[paper_id], reviewer_node[reviewer_id], 1, cost
            )
            pair_arcs[arc] = (paper_id, reviewer_id)
        for r in self.reviewers:
            for t in range(1, extra[r.id] + 1):
                flow.add_arc_with_capacity_and_unit_cost(
                    reviewer_node[r.id], sink, 1, base[r.id] + t
                )
        for paper_id, node in paper_node.items():
            flow.set_node_supply(node, self.need[paper_id])
        for reviewer_id, node in reviewer_node.items():
            flow.set_node_supply(node, -self.must[reviewer_id])
        flow.set_node_supply(sink, -free)

        status = flow.solve()
        if status in (flow.INFEASIBLE, flow.UNBALANCED):
            return None
        if status != flow.OPTIMAL:
            raise RuntimeError(f"The min-cost flow solver failed with status {status!r}.")
        return [pair for arc, pair in pair_arcs.items() if flow.flow(arc)]

    def flow_reasons(self) -> list[str]:
        """Return the groups of submissions or reviewers that a max-flow min cut shows stuck."""
        reasons = []
        papers = [p.id for p in self.papers]
        reviewers = [r.id for r in self.reviewers]
        still = " still" if self.existing else ""

        # Fill every paper, respecting maximum loads only.
        cut = _min_cut(papers, reviewers, self.open_pairs, self.need, self.room)
        if cut is not None:
            stuck, full = cut
            wanted = sum(self.need[p] for p in stuck)
            reachable = sum(self.room[r] for r in full) + sum(
                1 for p, r in self.open_pairs if p in stuck and r not in full
            )
            many = len(stuck) > 1
            reasons.append(
                f"{_subject('Submission', sorted(stuck))}{still} {'need' if many else 'needs'} "
                f"{_n(wanted, 'review')}{' between them' if many else ''}, but the reviewers "
                f"without a conflict can take at most {reachable} of them within their maximum "
                "loads."
            )

        # Meet every minimum load, with no paper taking more reviewers than it still needs.
        flipped = [(r, p) for p, r in self.open_pairs]
        cut = _min_cut(reviewers, papers, flipped, self.must, self.need)
        if cut is not None:
            stuck, open_papers = cut
            wanted = sum(self.must[r] for r in stuck)
            room = sum(self.need[p] for p in open_papers) + sum(
                1 for r, p in flipped if r in stuck and p not in open_papers
            )
            many = len(stuck) > 1
            reasons.append(
                f"{_subject('Reviewer', sorted(stuck))} must{still} take at least "
                f"{_n(wanted, 'review')}{' between them' if many else ''}, but the submissions "
                f"they can review without a conflict have room for only {room}."
            )
        return reasons


def _check_ids(
    papers: list[Paper], reviewers: list[Reviewer], existing: set[tuple[int, int]]
) -> None:
    for kind, items in (("paper", papers), ("reviewer", reviewers)):
        repeated = sorted(i for i, count in Counter(x.id for x in items).items() if count > 1)
        if repeated:
            raise ValueError(f"Duplicate {kind} ids: {repeated}.")
    paper_ids = {p.id for p in papers}
    reviewer_ids = {r.id for r in reviewers}
    unknown = sorted((p, r) for p, r in existing if p not in paper_ids or r not in reviewer_ids)
    if unknown:
        raise ValueError(f"Existing pairs name unknown papers or reviewers: {unknown}.")


def _min_cut(
    left: list[int],
    right: list[int],
    edges: Iterable[tuple[int, int]],
    supply: dict[int, int],
    capacity: dict[int, int],
) -> tuple[set[int], set[int]] | None:
    """Push ``supply`` from left to right through unit edges into ``capacity``.

    Return None if all of it gets through, else the left and the right nodes on the source
    side of a minimum cut: a group of left nodes with more supply than can leave it.
    """
    node = {("l", x): i + 1 for i, x in enumerate(left)}
    node |= {("r", y): len(left) + 1 + j for j, y in enumerate(right)}
    source, sink = 0, len(node) + 1
    flow = max_flow.SimpleMaxFlow()
    for x in left:
        flow.add_arc_with_capacity(source, node["l", x], supply[x])
    for x, y in edges:
        flow.add_arc_with_capacity(node["l", x], node["r", y], 1)
    for y in right:
        flow.add_arc_with_capacity(node["r", y], sink, capacity[y])
    if flow.solve(source, sink) != flow.OPTIMAL:
        raise RuntimeError("The max-flow solver failed.")
    if flow.optimal_flow() == sum(supply[x] for x in left):
        return None
    side = set(flow.get_source_side_min_cut())
    return (
        {x for x in left if node["l", x] in side},
        {y for y in right if node["r", y] in side},
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _only(count: int, noun: str) -> str:
    return f"no {noun}" if count == 0 else f"only {_n(count, noun)}"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def _subject(noun: str, ids: list[int]) -> str:
    """Return "Submission 3" or "Submissions 3, 5 and 8", shortened past eight ids."""
    if len(ids) == 1:
        return f"{noun} {ids[0]}"
    shown = [str(i) for i in ids[:8]]
    tail = f"{len(ids) - 8} more" if len(ids) > 8 else shown.pop()
    return f"{noun}s {', '.join(shown)} and {tail}"
