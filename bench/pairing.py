"""Pairing benchmark: 10,000 people in 500 organisations, 4 rounds, and the quality of the
pairs against an exact maximum-weight matching (networkx) on cohorts small enough for it.

``run(smoke=True)`` is the small version the test suite runs so the benchmark never rots;
without networkx (the ``bench`` extra) the exact comparison is skipped and said so.
Run alone: ``python -m bench.pairing``.
"""

from __future__ import annotations

import json
import random
import time
from itertools import combinations
from typing import Any

from bot.domain.buddy_policy import BuddyPolicy
from bot.domain.pairing import pair
from bot.domain.pairing_rules import (
    Candidate,
    History,
    Weights,
    allowed,
    met_before,
    score,
    statistics,
    violations,
)

SECONDS_TARGET = 1.0
QUALITY_TARGET = 0.95


def cohort(people: int, organisations: int, rng: random.Random) -> list[Candidate]:
    """A national-looking cohort: organisations of uneven size (a few cities, many small
    municipalities, some counties), a gathering group per region, mostly Norwegian and
    Swedish writers with some English-only, about one in eight a coordinator."""
    policy = BuddyPolicy()
    regions = [f"region-{r}" for r in range(max(1, organisations // 35))]
    orgs = []
    for k in range(organisations):
        kind = "county" if k % 40 == 0 else "municipality"
        inhabitants = int(rng.paretovariate(1.1) * 2_500)
        size = policy.size_class(kind, inhabitants if kind == "municipality" else None)
        orgs.append((f"org-{k}", rng.choice(regions), size))
    weights = [rng.paretovariate(1.5) for _ in orgs]
    total = sum(weights)
    cap = max(1, people // 8)  # no organisation has more than an eighth of the cohort
    counts = [min(cap, max(1, round(people * w / total))) for w in weights]
    while sum(counts) > people:
        counts[counts.index(max(counts))] -= 1
    while sum(counts) < people:
        counts[rng.randrange(len(counts))] += 1
    found = []
    for (org, group, size), count in zip(orgs, counts, strict=True):
        for _ in range(count):
            locale = rng.choices(["nb", "nn", "sv", "en"], [45, 10, 40, 5])[0]
            roles = {"participant", "coordinator"} if rng.random() < 0.12 else {"participant"}
            found.append(Candidate(len(found) + 1, org, group, locale, frozenset(roles), size))
    return found


def _rounds(people: list[Candidate], rounds: int, weights: Weights, repeats: int) -> dict[str, Any]:
    """Each round timed ``repeats`` times (the best counts: the machine may be shared), wall
    clock and CPU."""
    by_id = {c.id: c for c in people}
    past: list[tuple[int, ...]] = []
    seconds, cpu, broken, unmatched, trios, rates = [], [], 0, 0, 0, {}
    for number in range(rounds):
        history = met_before(past)
        walls, cpus = [], []
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            found = pair(people, history, weights, seed=number)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - start_cpu)
        seconds.append(min(walls))
        cpu.append(min(cpus))
        broken += len(violations(found.groups, by_id, history))
        unmatched += len(found.unmatched)
        stats = statistics(found.groups, by_id, history, weights)
        trios += stats.trios
        rates = rates or {k: round(v, 3) for k, v in stats.hit_rates.items()}
        past += found.groups
    return {
        "seconds_per_round": [round(s, 4) for s in seconds],
        "seconds_max": round(max(seconds), 4),
        "cpu_seconds_per_round": [round(s, 4) for s in cpu],
        "violations": broken,
        "unmatched": unmatched,
        "trios": trios,
        "hit_rates_round_1": rates,
    }


def _optimum(people: list[Candidate], history: History, weights: Weights) -> tuple[int, float]:
    import networkx as nx  # the bench extra

    graph = nx.Graph()
    for a, b in combinations(people, 2):
        if allowed(a, b, history):
            graph.add_edge(a.id, b.id, weight=score(a, b, weights))
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return len(matching), sum(graph[a][b]["weight"] for a, b in matching)


def _quality(
    sizes: list[int], weights: Weights, organisations: list[int] | None = None
) -> dict[str, Any] | None:
    """Ours against the exact optimum, on cohorts of each size (with ``organisations``
    organisations each, or one per six people), three cohorts each, two rounds each."""
    try:
        import networkx  # noqa: F401
    except ImportError:
        return None
    ratios, short = [], 0
    for n in sizes:
        for seed, orgs in enumerate(organisations or [max(4, n // 6)] * 3):
            rng = random.Random(n * 100 + seed)
            people = cohort(n, orgs, rng)
            past: list[tuple[int, ...]] = []
            for number in range(2):  # a first round, and a second that must avoid the first
                history = met_before(past)
                found = pair(people, history, weights, seed=number)
                ours = statistics(found.groups, {c.id: c for c in people}, history, weights)
                pairs, best = _optimum(people, history, weights)
                short += len(found.groups) < pairs
                ratios.append(ours.score / best if best else 1.0)
                past += found.groups
    return {
        "instances": len(ratios),
        "people": sizes,
        "ratio_min": round(min(ratios), 4),
        "ratio_mean": round(sum(ratios) / len(ratios), 4),
        "below_target": sum(1 for r in ratios if r < QUALITY_TARGET),
        "fewer_pairs_than_optimum": short,
    }


def run(smoke: bool = False) -> dict[str, Any]:
    weights = Weights()
    people, organisations, rounds = (1_000, 50, 2) if smoke else (10_000, 500, 4)
    people_list = cohort(people, organisations, random.Random(2027))
    big = _rounds(people_list, rounds, weights, repeats=1 if smoke else 3)
    quality = _quality([40, 60] if smoke else [60, 100, 150, 200], weights)
    # regional cohorts: few organisations, so the rules leave few partners to choose from
    regional = _quality([18, 30] if smoke else [18, 30, 40, 60], weights, [3, 5, 8])
    figures: dict[str, Any] = {
        "people": people,
        "organisations": organisations,
        "rounds": rounds,
        **big,
        "exact": quality if quality is not None else "skipped: networkx is not installed",
        "exact_regional": regional if regional is not None else "skipped",
    }
    targets = [
        {
            "name": f"seconds per round ({people:,} people)",
            "value": big["seconds_max"],
            "target": f"< {SECONDS_TARGET:g} s",
            "pass": big["seconds_max"] < SECONDS_TARGET,
        },
        {
            "name": "rule violations",
            "value": float(big["violations"]),
            "target": "= 0",
            "pass": big["violations"] == 0,
        },
    ]
    if quality is not None:
        targets.append(
            {
                "name": "preference score vs exact optimum (worst instance)",
                "value": quality["ratio_min"],
                "target": f">= {QUALITY_TARGET:.0%}",
                "pass": quality["ratio_min"] >= QUALITY_TARGET
                and quality["fewer_pairs_than_optimum"] == 0,
            }
        )
    if regional is not None:
        targets.append(
            {
                "name": "preference score vs exact optimum, regional cohorts (worst)",
                "value": regional["ratio_min"],
                "target": f">= {QUALITY_TARGET:.0%}",
                "pass": regional["ratio_min"] >= QUALITY_TARGET
                and regional["fewer_pairs_than_optimum"] == 0,
            }
        )
    return {"name": "pairing", "figures": figures, "targets": targets}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
