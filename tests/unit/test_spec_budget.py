"""Spec analysis is linear in the document and bounded in time, whatever the document.

Work is counted rather than timed where possible (``$ref`` lookups, resolver
calls, walk steps): a count does not depend on the machine, and comparing two
sizes shows the growth (linear: 4x for 4x the links; the old engine: 16x or
64x). Where time is the point (a deadline), the bounds are generous.
"""

from __future__ import annotations

import itertools
import json
import pickle
import random
import time
from typing import Any

import pytest

from auditor.spec.analyse import NEEDS_PROCESS, OVER_BUDGET, analyse_spec
from auditor.spec.budget import Deadline, OverBudget
from auditor.spec.detect import detect_format
from auditor.spec.refs import LocalResolver, RefError
from auditor.spec.tag_tree import tag_cycles
from auditor.spec.validate import reference_verdict, validate_document


def chain_document(links: int, *, allof: bool = False, ring: bool = False) -> dict[str, Any]:
    """``S0 -> S1 -> … -> Sn``: each schema a ``$ref`` to the next (or ``allOf`` it)."""
    prefix = "#/components/schemas/S"

    def link(i: int) -> dict[str, Any]:
        target = {"$ref": f"{prefix}{(i + 1) % links if ring else i + 1}"}
        if not allof:
            return target
        return {"allOf": [target], "required": ["a"], "properties": {"a": {"type": "string"}}}

    schemas = {f"S{i}": link(i) for i in range(links)}
    if not ring:
        schemas[f"S{links}"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    media = {"application/json": {"schema": {"$ref": f"{prefix}0"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "chain", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"description": "ok", "content": media}}}}},
        "components": {"schemas": schemas},
    }


class CountingResolver(LocalResolver):
    lookups = 0

    def lookup(self, ref: str) -> Any:
        self.lookups += 1
        return super().lookup(ref)


def test_each_link_of_a_ref_chain_is_looked_up_once() -> None:
    # from every link, as the validator and the inventory do: the old resolver walked the
    # rest of the chain each time (n²/2 lookups) and searched a list at every hop (n³)
    for links in (1_000, 4_000):
        schemas = chain_document(links)["components"]["schemas"]
        refs = CountingResolver(chain_document(links))
        for schema in schemas.values():
            assert refs.deref(schema) == {"type": "object", "properties": {"a": {"type": "string"}}}
        assert refs.lookups == links


def test_a_ref_chain_is_analysed_in_linear_time() -> None:
    def seconds(links: int) -> float:
        data = json.dumps(chain_document(links)).encode()
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            report = analyse_spec(data)
            best = min(best, time.perf_counter() - started)
            assert report.valid is True
        return best

    small, large = seconds(2_000), seconds(8_000)
    # 4x the links: ~4x the time (the old engine: ~64x, and 5,000 links took 8 minutes)
    assert large < 12 * small + 0.05, (small, large)
    assert large < 5.0


def test_cycles_are_reported_from_each_start_and_cut_when_long() -> None:
    doc = chain_document(3, ring=True)
    refs = LocalResolver(doc)
    schemas = doc["components"]["schemas"]
    with pytest.raises(RefError, match=r"circular \$ref chain: #/components/schemas/S1 -> "
                       r"#/components/schemas/S2 -> #/components/schemas/S0 -> "
                       r"#/components/schemas/S1$"):  # fmt: skip
        refs.deref(schemas["S0"])
    long_ring = chain_document(500, ring=True)
    with pytest.raises(RefError) as caught:
        LocalResolver(long_ring).deref(long_ring["components"]["schemas"]["S7"])
    assert len(str(caught.value)) < 2_000 and str(caught.value).endswith(" -> …")


def test_a_chain_into_a_cycle_or_nowhere_fails_from_every_link() -> None:
    doc = chain_document(50)
    schemas = doc["components"]["schemas"]
    schemas["S50"] = {"$ref": "#/components/schemas/S49"}  # the end loops back
    refs = LocalResolver(doc)
    for name in ("S0", "S30", "S49", "S0"):
        with pytest.raises(RefError, match="circular"):
            refs.deref(schemas[name])
    schemas["S50"] = {"$ref": "#/nowhere"}
    refs = LocalResolver(doc)
    for name in ("S10", "S0", "S10"):
        with pytest.raises(RefError, match="unresolvable \\$ref '#/nowhere'"):
            refs.deref(schemas[name])


class CountingDeref(LocalResolver):
    calls = 0

    def deref(self, node: Any) -> Any:
        self.calls += 1
        return super().deref(node)


def semantic_derefs(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> int:
    made: list[CountingDeref] = []

    def counting(root: Any, deadline: Deadline | None = None) -> CountingDeref:
        made.append(CountingDeref(root, deadline))
        return made[-1]

    monkeypatch.setattr("auditor.spec.validate.LocalResolver", counting)
    verdict = validate_document(document, detect_format(document))
    assert verdict.valid is True, verdict.errors
    return sum(r.calls for r in made)


def test_allof_chains_are_checked_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # each schema requires a property: the check gathers what its allOf members define;
    # the old walk went down the whole rest of the chain from every link (50 s for 4,000)
    small = semantic_derefs(chain_document(500, allof=True), monkeypatch)
    large = semantic_derefs(chain_document(2_000, allof=True), monkeypatch)
    assert large < 6 * small, (small, large)


def test_allof_chain_verdicts_match_the_reference() -> None:
    document = chain_document(60, allof=True)
    document["components"]["schemas"]["S0"]["required"] = ["a", "missing"]
    fmt = detect_format(document)
    fast = validate_document(json.loads(json.dumps(document)), fmt)
    assert fast.valid is False
    assert any("['missing']" in e for e in fast.errors)
    assert reference_verdict(json.loads(json.dumps(document)), fmt).valid is False
    # a ring: the reference crashes (RecursionError, upstream #400), auditor notes it once
    ring = chain_document(60, allof=True, ring=True)
    fast = validate_document(ring, detect_format(ring))
    assert fast.valid is True
    assert [n for n in fast.notes if "recursive schema composition" in n] == [
        "responses/200/application/json: recursive schema composition (openapi-spec-validator "
        "0.9 fails with RecursionError here, upstream #400)"
    ]


def old_tag_cycles(parents: dict[str, str | None], seen: set[str]) -> list[str]:
    """The reference's walk (openapi-spec-validator 0.9, as semantic.py had it)."""
    found: list[str] = []
    for start in parents:
        trail: list[str] = []
        current: str | None = start
        while current is not None:
            if current in trail:
                cycle = " -> ".join([*trail[trail.index(current) :], current])
                if cycle not in found:
                    found.append(cycle)
                break
            trail.append(current)
            parent = parents.get(current)
            current = parent if parent in seen else None
    return found


def test_tag_cycles_match_the_reference_walk_in_linear_steps() -> None:
    rng = random.Random(7)
    for _ in range(300):
        names = [f"t{i}" for i in range(rng.randint(1, 12))]
        parents: dict[str, str | None] = {
            n: rng.choice([*names, None, "ghost"]) for n in rng.sample(names, len(names))
        }
        assert list(tag_cycles(parents, set(parents), lambda: None)) == old_tag_cycles(
            parents, set(parents)
        )
    steps = itertools.count()
    chain: dict[str, str | None] = {f"t{i}": f"t{i + 1}" for i in range(20_000)}
    chain["t20000"] = "t0"  # one cycle through every tag, entered from each start
    cycles = tag_cycles(chain, set(chain), lambda: next(steps))
    assert next(cycles).startswith("t0 -> t1 -> ")
    assert next(steps) < 50_000


def test_deadline_raises_past_its_time_and_pickles() -> None:
    Deadline().check()  # unbounded: never
    deadline = Deadline(0.0)
    deadline.stage = "summary"
    with pytest.raises(OverBudget, match=r"exceeded its 0s budget \(summary\)"):
        deadline.check()
    copy = pickle.loads(pickle.dumps(OverBudget(2.5, "parsing")))
    assert (copy.seconds, copy.stage, str(copy)) == (
        2.5,
        "parsing",
        str(OverBudget(2.5, "parsing")),
    )


def test_an_analysis_past_its_budget_says_so_and_is_not_reusable() -> None:
    ring = json.dumps(chain_document(3_000, allof=True, ring=True)).encode()
    started = time.perf_counter()
    report = analyse_spec(ring, budget=0.3)
    assert time.perf_counter() - started < 3.0  # unbounded: ~20 s
    assert report.valid is None and report.format_known is True
    assert report.note is not None and report.note.startswith("analysis failed: ")
    assert "exceeded its 0.3s budget (validation: semantic checks)" in report.note
    assert report.extra[OVER_BUDGET] == "validation: semantic checks"
    assert report.quality is None
    stopped = analyse_spec(b"a: [" + b"1, " * 300_000 + b"1]\n", budget=0.0)
    assert stopped.extra == {"analysis_failed": True, OVER_BUDGET: "parsing"}


REDOS = {
    "openapi": "3.0.3",
    "info": {"title": "backtracking", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {"S": {"type": "string", "pattern": "^(a+)+$", "default": "a" * 40 + "!"}}
    },
}


def test_a_regex_against_a_value_is_left_to_a_killable_process() -> None:
    # ^(a+)+$ against 40 a's and a "!" backtracks for hours with the GIL held: no deadline
    # can stop it in a thread, so an analysis that may not escalate never reaches it here
    report = analyse_spec(json.dumps(REDOS).encode(), 2_000_000, 512, 5.0, True)
    assert report.extra == {NEEDS_PROCESS: True}
    assert report.valid is None
    harmless = dict(REDOS, components={"schemas": {"S": {"type": "string", "default": "x"}}})
    assert analyse_spec(json.dumps(harmless).encode(), 2_000_000, 512, 5.0, True).valid is True
