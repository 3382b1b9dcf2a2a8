"""A component's linear programs (disclosure.ComponentLP): probing certifies many targets at once and
leaves the program as it found it."""

from __future__ import annotations

import math

import pytest

from dagster_project.publish.disclosure import ComponentLP, Solver, System, _expr, _Seen, form_name


def cell(*streams: str):
    return ("E10000001", tuple(streams), 100, 100)


TOTAL, A, B, C, D, AD = cell("a", "b", "c"), cell("a"), cell("b"), cell("c"), cell("d"), cell("a", "d")
TRUTH = {A: 2.0, B: 3.0, C: 5.0, D: 4.0}


def program():
    """a + b + c = 10 shown; a, b, c, d and a + d hidden (each at least 1): d has no upper bound."""
    hidden = {f: True for f in (A, B, C, D, AD)}
    solver = Solver(System(shown={TOTAL: 10.0}, hidden=hidden, relations=[], extra_targets=[]))
    root = solver.root(A)
    assert solver.root(D) == root, "one component"
    targets = [(form_name(f), _expr(f)) for f in (A, B, C, D, AD)]
    lp = ComponentLP(solver, root, {TOTAL: 10.0}, hidden, [e for _, e in targets])
    known = {form_name(f): v for f, v in TRUTH.items()} | {form_name(AD): 6.0}
    seen = _Seen(lp.idx, known, 3)
    seen.add(targets)
    return lp, seen


@pytest.mark.parametrize("from_truth", [True, False])
def test_probing_certifies_targets_and_restores_the_program(from_truth):
    lp, seen = program()
    assert not seen.certified.any(), "the true values alone certify nothing"
    point = {v: value for f, value in TRUTH.items() for v in _expr(f)} if from_truth else None
    lp.probe(seen, point)
    names = [form_name(f) for f in (A, B, C, D, AD)]
    # a, b and c each range over [1, 8]: the two probes' points spread them by at least 3
    assert all(seen.certified[names.index(form_name(f))] for f in (A, B, C))
    # the columns' caps are gone: d's maximum is unbounded again, its minimum 1
    exact_only = _Seen(lp.idx, None, None)  # certifies nothing: both programs run
    exact_only.add([(form_name(D), _expr(D))])
    lo, hi, _, exact = lp.minmax(_expr(D), exact_only, 0, duals=False)
    assert exact and lo == 1 and hi == math.inf


def test_probing_one_open_target_solves_nothing():
    lp, seen = program()
    seen.certified[:] = True
    seen.certified[0] = False
    before = lp.h.getInfo().simplex_iteration_count
    lp.probe(seen)
    assert lp.h.getInfo().simplex_iteration_count == before
