"""Automatic reviewer assignment: properties on random instances, exact reasons on examples.

Pure tests, no database. Random instances are small; on tiny ones a brute force enumerates every
assignment and the solver must agree with it on feasibility and on the optimum.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import event, given, settings, strategies as st

from submissions.assignment import (
    GENERIC_REASON,
    AssignmentResult,
    Infeasible,
    Paper,
    Reviewer,
    assign_reviewers,
)

topic_sets = st.frozensets(st.integers(min_value=0, max_value=5), max_size=3)


@st.composite
def instances(draw, *, max_papers=12, max_reviewers=10, max_k=3, max_load=None):
    """Draw papers, reviewers, k, conflicts and existing pairs; often infeasible."""
    n = draw(st.integers(min_value=1, max_value=max_papers))
    m = draw(st.integers(min_value=1, max_value=max_reviewers))
    k = draw(st.integers(min_value=1, max_value=max_k))
    ids = st.integers(min_value=1, max_value=500)
    paper_ids = draw(st.lists(ids, min_size=n, max_size=n, unique=True))
    reviewer_ids = draw(st.lists(ids, min_size=m, max_size=m, unique=True))
    fair = -(-k * n // m)  # loads around the average keep many instances feasible
    top = fair + 2 if max_load is None else max_load
    papers = [Paper(id=i, topics=draw(topic_sets)) for i in paper_ids]
    reviewers = [
        Reviewer(
            id=i,
            topics=draw(topic_sets),
            min_load=draw(st.integers(min_value=0, max_value=max(fair - 1, 0))),
            max_load=draw(st.integers(min_value=0, max_value=top)),
        )
        for i in reviewer_ids
    ]
    pairs = [(p, r) for p in paper_ids for r in reviewer_ids]
    conflicts = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs) // 3))
    allowed = [pair for pair in pairs if pair not in conflicts]
    existing = draw(st.sets(st.sampled_from(allowed), max_size=n)) if allowed else set()
    return {
        "papers": papers,
        "reviewers": reviewers,
        "k": k,
        "conflicts": conflicts,
        "existing": existing,
    }


@st.composite
def feasible_instances(draw):
    """Draw an instance built around a planted assignment, so a solution surely exists."""
    m = draw(st.integers(min_value=1, max_value=10))
    k = draw(st.integers(min_value=1, max_value=min(3, m)))
    n = draw(st.integers(min_value=1, max_value=12))
    reviewer_ids = list(range(100, 100 + m))
    planted = {(p, r) for p in range(1, n + 1) for r in draw(st.permutations(reviewer_ids))[:k]}
    load = Counter(r for _, r in planted)
    papers = [Paper(id=p, topics=draw(topic_sets)) for p in range(1, n + 1)]
    reviewers = [
        Reviewer(
            id=r,
            topics=draw(topic_sets),
            min_load=draw(st.integers(min_value=0, max_value=load[r])),
            max_load=load[r] + draw(st.integers(min_value=0, max_value=3)),
        )
        for r in reviewer_ids
    ]
    others = sorted({(p.id, r) for p in papers for r in reviewer_ids} - planted)
    conflicts = draw(st.sets(st.sampled_from(others))) if others else set()
    existing = draw(st.sets(st.sampled_from(sorted(planted))))
    instance = {
        "papers": papers,
        "reviewers": reviewers,
        "k": k,
        "conflicts": conflicts,
        "existing": existing,
    }
    return instance, planted


def assert_valid(result: AssignmentResult, instance: dict) -> None:
    """Check every rule the result must keep."""
    k, existing = instance["k"], set(instance["existing"])
    conflicts = set(instance["conflicts"]) - existing
    assert list(result.pairs) == sorted(set(result.pairs))  # sorted, no duplicates
    per_paper = Counter(p for p, _ in result.pairs)
    assert {p.id: per_paper[p.id] for p in instance["papers"]} == {
        p.id: k for p in instance["papers"]
    }
    load = Counter(r for _, r in result.pairs)
    assert result.loads == {r.id: load[r.id] for r in instance["reviewers"]}
    for r in instance["reviewers"]:
        assert r.min_load <= result.loads[r.id] <= r.max_load
    assert not set(result.pairs) & conflicts
    assert existing <= set(result.pairs)
    assert result.added == tuple(sorted(set(result.pairs) - existing))
    topics = {p.id: p.topics for p in instance["papers"]}
    reviewer_topics = {r.id: r.topics for r in instance["reviewers"]}
    assert result.topic_match == sum(len(topics[p] & reviewer_topics[r]) for p, r in result.pairs)


def solve(instance: dict) -> AssignmentResult | Infeasible:
    try:
        return assign_reviewers(**instance)
    except Infeasible as exc:
        return exc


def spread(result_pairs, reviewers) -> int:
    load = Counter(r for _, r in result_pairs)
    return sum(load[r.id] ** 2 for r in reviewers)


def brute_force(instance: dict) -> tuple[int, int] | None:
    """Return the best (topic match, -sum of squared loads) over all assignments, or None."""
    k, existing = instance["k"], set(instance["existing"])
    conflicts = set(instance["conflicts"]) - existing
    papers, reviewers = instance["papers"], instance["reviewers"]
    choices = []
    for p in papers:
        need = k - sum(1 for q, _ in existing if q == p.id)
        if need < 0:
            return None
        open_reviewers = [r.id for r in reviewers if (p.id, r.id) not in conflicts | existing]
        choices.append(
            [[(p.id, r) for r in combo] for combo in itertools.combinations(open_reviewers, need)]
        )
    topics = {p.id: p.topics for p in papers}
    reviewer_topics = {r.id: r.topics for r in reviewers}
    best = None
    for picked in itertools.product(*choices):
        pairs = existing.union(*picked)
        load = Counter(r for _, r in pairs)
        if all(r.min_load <= load[r.id] <= r.max_load for r in reviewers):
            match = sum(len(topics[p] & reviewer_topics[r]) for p, r in pairs)
            score = (match, -spread(pairs, reviewers))
            best = score if best is None else max(best, score)
    return best


@settings(max_examples=300, deadline=None)
@given(instances())
def test_result_keeps_every_rule_or_infeasibility_has_reasons(instance):
    outcome = solve(instance)
    event(type(outcome).__name__)
    if isinstance(outcome, Infeasible):
        assert outcome.reasons
        assert all(reason.endswith(".") for reason in outcome.reasons)
        assert str(outcome) == " ".join(outcome.reasons)
        assert GENERIC_REASON not in outcome.reasons  # a specific reason is always found
    else:
        assert_valid(outcome, instance)


@settings(max_examples=200, deadline=None)
@given(feasible_instances())
def test_planted_assignment_is_found_and_matched_at_least(drawn):
    instance, planted = drawn
    result = assign_reviewers(**instance)
    assert_valid(result, instance)
    topics = {p.id: p.topics for p in instance["papers"]}
    reviewer_topics = {r.id: r.topics for r in instance["reviewers"]}
    assert result.topic_match >= sum(len(topics[p] & reviewer_topics[r]) for p, r in planted)


@settings(max_examples=300, deadline=None)
@given(instances(max_papers=4, max_reviewers=4, max_k=2, max_load=4))
def test_tiny_instances_agree_with_brute_force(instance):
    best = brute_force(instance)
    outcome = solve(instance)
    event(type(outcome).__name__)
    if best is None:
        assert isinstance(outcome, Infeasible)
        assert GENERIC_REASON not in outcome.reasons
    else:
        assert isinstance(outcome, AssignmentResult), outcome.reasons
        assert (outcome.topic_match, -spread(outcome.pairs, instance["reviewers"])) == best


@settings(max_examples=150, deadline=None)
@given(instances(), st.randoms(use_true_random=False))
def test_same_instance_in_any_order_gives_the_same_outcome(instance, rnd):
    shuffled = {
        key: rnd.sample(list(value), len(value)) if key != "k" else value
        for key, value in instance.items()
    }
    first, again, reordered = solve(instance), solve(instance), solve(shuffled)
    if isinstance(first, Infeasible):
        assert first.reasons == again.reasons == reordered.reasons
    else:
        assert first == again == reordered


def reviewers_with(ids, **loads):
    return [Reviewer(id=i, topics=frozenset(), **loads) for i in ids]


def papers_with(ids):
    return [Paper(id=i, topics=frozenset()) for i in ids]


def reasons_for(**instance) -> list[str]:
    with pytest.raises(Infeasible) as caught:
        assign_reviewers(**instance)
    return caught.value.reasons


def test_submission_with_too_few_reviewers_without_a_conflict():
    papers = papers_with(range(10, 14))
    reviewers = reviewers_with([1, 2, 3], max_load=10)
    assert reasons_for(
        papers=papers, reviewers=reviewers, k=3, conflicts={(12, 1), (12, 2), (13, 1)}
    ) == [
        "Submission 12 has only 1 reviewer without a conflict; 3 are needed.",
        "Submission 13 has only 2 reviewers without a conflict; 3 are needed.",
    ]
    assert reasons_for(
        papers=papers, reviewers=reviewers, k=1, conflicts={(10, 1), (10, 2), (10, 3)}
    ) == ["Submission 10 has no reviewer without a conflict; 1 is needed."]


def test_total_capacity_and_total_minimum_are_reported_with_their_numbers():
    papers = papers_with(range(1, 16))
    assert reasons_for(
        papers=papers, reviewers=reviewers_with(range(1, 9), max_load=5), k=3, conflicts=()
    ) == ["The reviewers can take at most 40 reviews in all; 3 × 15 submissions need 45."]
    assert reasons_for(
        papers=papers,
        reviewers=reviewers_with(range(1, 11), min_load=5, max_load=8),
        k=3,
        conflicts=(),
    ) == ["The reviewers' minimum loads add up to 50, more than the 45 reviews needed."]


def test_bad_k_and_bad_bounds_are_reported():
    assert reasons_for(
        papers=papers_with([1]), reviewers=reviewers_with([1], max_load=1), k=0, conflicts=()
    ) == ["Each submission needs at least one reviewer; k is 0."]
    reviewers = [
        Reviewer(id=7, topics=frozenset(), min_load=3, max_load=2),
        *reviewers_with([8, 9], max_load=5),
    ]
    assert reasons_for(papers=papers_with([1, 2]), reviewers=reviewers, k=2, conflicts=()) == [
        "Reviewer 7's minimum load (3) is above their maximum load (2).",
    ]


def test_existing_pairs_beyond_k_or_beyond_a_maximum_load_are_reported():
    reviewers = [*reviewers_with([1, 2], max_load=1), *reviewers_with([3], max_load=5)]
    assert reasons_for(
        papers=papers_with([1, 2]),
        reviewers=reviewers,
        k=1,
        conflicts=(),
        existing={(1, 1), (1, 2), (2, 3)},
    ) == ["Submission 1 already has 2 reviewers assigned; only 1 is needed."]
    assert reasons_for(
        papers=papers_with([1, 2]),
        reviewers=reviewers,
        k=1,
        conflicts=(),
        existing={(1, 1), (2, 1)},
    ) == ["Reviewer 1 already has 2 reviews assigned, more than their maximum load of 1."]


def test_reviewer_whose_minimum_the_open_submissions_cannot_meet():
    reviewers = [
        Reviewer(id=7, topics=frozenset(), min_load=2, max_load=3),
        *reviewers_with([8], max_load=5),
    ]
    assert reasons_for(
        papers=papers_with([1, 2, 3]), reviewers=reviewers, k=1, conflicts={(1, 7), (2, 7)}
    ) == ["Reviewer 7 has only 1 submission without a conflict; their minimum load is 2."]


def test_group_of_submissions_whose_reviewers_are_too_busy():
    # Submissions 1–3 each have two reviewers without a conflict, but the same two, who can
    # take four reviews between them: no single count shows it, the min cut does.
    reviewers = [*reviewers_with([10, 11], max_load=2), *reviewers_with([12, 13], max_load=9)]
    conflicts = {(p, r) for p in (1, 2, 3) for r in (12, 13)}
    assert reasons_for(
        papers=papers_with([1, 2, 3, 4]), reviewers=reviewers, k=2, conflicts=conflicts
    ) == [
        "Submissions 1, 2 and 3 need 6 reviews between them, but the reviewers without a "
        "conflict can take at most 4 of them within their maximum loads."
    ]


def test_long_groups_are_shortened_and_existing_pairs_make_it_still():
    reviewers = [*reviewers_with([10], max_load=5), *reviewers_with([11], max_load=10)]
    conflicts = {(p, 11) for p in range(1, 11)}
    assert reasons_for(
        papers=papers_with(range(1, 12)),
        reviewers=reviewers,
        k=1,
        conflicts=conflicts,
        existing={(1, 10)},
    ) == [
        "Submissions 2, 3, 4, 5, 6, 7, 8, 9 and 1 more still need 9 reviews between them, but "
        "the reviewers without a conflict can take at most 4 of them within their maximum loads."
    ]


def test_group_of_reviewers_whose_minimum_loads_cannot_be_met():
    reviewers = [
        *reviewers_with([10, 11], min_load=1, max_load=2),
        *reviewers_with([12], max_load=5),
    ]
    conflicts = {(p, r) for p in (2, 3) for r in (10, 11)}
    assert reasons_for(
        papers=papers_with([1, 2, 3]), reviewers=reviewers, k=1, conflicts=conflicts
    ) == [
        "Reviewers 10 and 11 must take at least 2 reviews between them, but the submissions "
        "they can review without a conflict have room for only 1."
    ]


def test_prefers_matching_topics_and_spreads_the_load():
    papers = [Paper(id=p, topics=frozenset({p % 2})) for p in range(1, 9)]
    reviewers = [Reviewer(id=r, topics=frozenset({r % 2}), max_load=8) for r in (20, 21, 22, 23)]
    result = assign_reviewers(papers=papers, reviewers=reviewers, k=1, conflicts=())
    assert all(p % 2 == r % 2 for p, r in result.pairs)
    assert result.topic_match == 8
    assert result.loads == {20: 2, 21: 2, 22: 2, 23: 2}


def test_existing_pairs_are_kept_even_if_listed_as_conflicts():
    reviewers = [Reviewer(id=r, topics=frozenset({1}), max_load=2) for r in (1, 2, 3)]
    papers = [Paper(id=p, topics=frozenset({1})) for p in (1, 2, 3)]
    result = assign_reviewers(
        papers=papers, reviewers=reviewers, k=2, conflicts={(1, 1), (2, 3)}, existing={(1, 1)}
    )
    assert (1, 1) in result.pairs
    assert (1, 1) not in result.added
    assert (2, 3) not in result.pairs
    assert sorted(Counter(p for p, _ in result.pairs).values()) == [2, 2, 2]


def test_empty_call_and_unusable_input():
    assert assign_reviewers(
        papers=[], reviewers=reviewers_with([1], max_load=3), k=2, conflicts=()
    ) == AssignmentResult(pairs=(), added=(), topic_match=0, loads={1: 0})
    with pytest.raises(ValueError, match="Duplicate paper ids"):
        assign_reviewers(
            papers=papers_with([1, 1]), reviewers=reviewers_with([1], max_load=3), k=1, conflicts=()
        )
    with pytest.raises(ValueError, match="unknown"):
        assign_reviewers(
            papers=papers_with([1]),
            reviewers=reviewers_with([1], max_load=3),
            k=1,
            conflicts=(),
            existing={(1, 2)},
        )
    with pytest.raises(ValueError, match="negative"):
        Reviewer(id=1, topics=frozenset(), max_load=-1)


def test_realistic_instance_is_feasible_and_deterministic():
    rnd = random.Random(2024)
    papers = [
        Paper(id=i, topics=frozenset(rnd.sample(range(6), rnd.randint(1, 2)))) for i in range(300)
    ]
    reviewers = [
        Reviewer(id=1000 + j, topics=frozenset(rnd.sample(range(6), 2)), min_load=15, max_load=25)
        for j in range(45)
    ]
    conflicts = {(p.id, r.id) for p in papers for r in reviewers if rnd.random() < 0.03}
    instance = {
        "papers": papers,
        "reviewers": reviewers,
        "k": 3,
        "conflicts": conflicts,
        "existing": (),
    }
    result = assign_reviewers(**instance)
    assert_valid(result, instance)
    assert assign_reviewers(**instance | {"papers": papers[::-1]}) == result
