"""Small-number suppression: the one place every published output passes through.

Primary: a count from 1 to the threshold (default 4; some NHS publications use 5) is hidden,
with every value derived from it; a proportion whose denominator, or denominator minus
numerator, is small hides its numerator too. Zero is never suppressed.

Secondary, judged as a whole: every published count is a cell of the linear model in
`disclosure.py` (one cell however many period types or tables show it). First, within each
stream, every path of shown counts that would give a hidden one back by addition and subtraction
is cut at minimum cost (rows blanked). Then hidden cells are bounded by linear programming over
every relation: while some hidden cell (or the complement of a hidden proportion) can be narrowed
to a range narrower than the protection interval, the shown cell whose equality binds that bound
most cheaply (fewest rows blanked, then the smallest non-zero count) is hidden too, and that
component is bounded again.
Flags are then hidden wherever they compare with a hidden value. The warehouse keeps the true
values; only published copies are suppressed. Why this method: docs/decisions.md,
"Disclosure control judged as a whole".
"""

from __future__ import annotations

import functools
import heapq
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..cld_return.export import write_private
from .disclosure import (
    BREAKDOWN_TABLES,
    FORECASTS,
    RATIO_TABLES,
    SPC_COLUMNS,
    ComponentLP,
    Model,
    Solver,
    System,
    _expr,
    _lin,
    _Seen,
    _UnionFind,
    build_model,
    each_component,
    first_hidden_month,
    forecast_input_keys,
    forecast_uses_hidden,
    form_name,
    form_vars,
    month_index,
    month_indexes,
    spc_uses_hidden,
)

# Columns hidden with a row's value, per published table.
DERIVED: dict[str, tuple[str, ...]] = {
    "indicator_values": ("value", "display_value", "rag"),
    "ascof": ("value", "display_value", "rag", "family_group_rank", "england_quartile", "family_group_avg"),
    "admissions_rolling_12m": ("rate_per_100k",),
    "dtoc_monthly": ("rate_per_100k",),
}


# Published copies of another published table's rows (key columns -> that table's suppressed row):
# hidden exactly where the source is, never suppressed apart. The audit reads them as the same cells.
COPIES: dict[str, str] = {"dashboard": "indicator_values"}
# Published tables computed from indicator_values' monthly values without counts of their own
# (the SPC chart series): hidden where the SPC would use a hidden value (`hide_spc`).
SPC_SERIES = frozenset({"spc_series"})
# Published tables computed from indicator_values' year-to-date and outturn values (the year-end
# forecast): hidden where they use a hidden value (`hide_forecast`, disclosure.FORECASTS).
FORECAST_TABLES = frozenset(FORECASTS)
HIDDEN_INTERVAL = "earlier years' errors it is sized from include suppressed small numbers"
# Published tables that hold no count of people (definitions, the risk register, load-log and CLD
# submission record counts): published as they are. A mart in none of these sets is refused.
NO_PEOPLE_COUNTS = frozenset(
    {
        "indicator_catalogue",
        "cld_indicator_crosswalk",
        "risk_register",
        "risk_register_changes",
        "data_quality",
        "cld_data_quality",
    }
)


def suppressed_tables() -> set[str]:
    """Tables suppressed as a whole: their counts are cells of the disclosure model."""
    return set(_derived()) | {"exceptions"}


def _derived() -> dict[str, tuple[str, ...]]:
    # a breakdown table's rows are counts alone: nothing derived to hide beside them
    return {**DERIVED, **{spec.name: spec.derived for spec in RATIO_TABLES}, **{s.name: () for s in BREAKDOWN_TABLES}}


def is_small(count: pd.Series, threshold: int) -> pd.Series:
    c = pd.to_numeric(count, errors="coerce")
    return (c >= 1) & (c <= threshold)


@dataclass
class Protection:
    hidden: set  # forms hidden everywhere they appear
    primary: int
    rounds: int  # secondary cells chosen by linear programming (after the cuts by graph)
    unprotectable: list[str]
    carried: int = 0  # hidden because the last publication hid them with the same value
    values: dict = field(default_factory=dict)  # form -> true value of every hidden one (the next memory)
    seconds: float | None = None  # wall time of the suppression (publish/database.py's disclosure_audit)


@functools.cache
def _complement(num, den) -> tuple[str, dict]:
    expr: dict = {}
    _lin(den, 1.0, expr)
    _lin(num, -1.0, expr)
    return f"complement of {form_name(num)}", expr


def _complement_targets(pairs, hidden) -> list:
    """den - num of each proportion with a hidden part: a count too (e.g. not at home after 91 days)."""
    return [_complement(num, den) for num, den in pairs if num in hidden or den in hidden]


def _min_cut(edges: dict, s, t) -> set | None:
    """Edges (u, v) -> capacity of an undirected graph; the edges of a minimum s-t cut (Edmonds-Karp),
    or None when every cut is infinite."""
    from collections import deque

    cap: dict = defaultdict(lambda: defaultdict(float))
    for (u, v), c in edges.items():
        cap[u][v] += c
        cap[v][u] += c
    flow: dict = defaultdict(lambda: defaultdict(float))
    while True:
        parent = {s: None}
        q = deque([s])
        while q and t not in parent:
            u = q.popleft()
            for v, c in cap[u].items():
                if v not in parent and c - flow[u][v] > 1e-9:
                    parent[v] = u
                    q.append(v)
        if t not in parent:
            break
        path, v = [], t
        while parent[v] is not None:
            path.append((parent[v], v))
            v = parent[v]
        push = min(cap[u][v] - flow[u][v] for u, v in path)
        if math.isinf(push):
            return None
        for u, v in path:
            flow[u][v] += push
            flow[v][u] -= push
    side = set(parent)
    return {e for e in edges if (e[0] in side) != (e[1] in side)}


def _separate(values: dict, hidden: set, weight: dict) -> set:
    """Equalities first, by graph: within one stream every published count is a difference of two
    running totals (a window from month a to b is S(b) - S(a-1)), so a hidden count is recoverable
    from shown ones exactly when its two ends are joined by shown counts. Cut each such path at
    minimum cost (rows blanked), never through a zero (zeros are shown)."""
    streams: dict = defaultdict(list)
    for f in values:
        if len(f[1]) == 1:
            streams[(f[0], f[1][0])].append(f)
    added: set = set()
    for forms in streams.values():
        if not any(f in hidden for f in forms):
            continue
        for _ in range(len(forms)):
            edges = {}
            for f in forms:
                if f not in hidden and f not in added:
                    edges[(f[2] - 1, f[3])] = weight[f] if values[f] > 0 else math.inf
            uf = _UnionFind()
            for u, v in edges:
                uf.union((u, v))
            joined = [
                f
                for f in forms
                if (f in hidden or f in added)
                and (f[2] - 1) in uf.p
                and f[3] in uf.p
                and uf.find(f[2] - 1) == uf.find(f[3])
            ]
            if not joined:
                break
            f = min(joined, key=form_name)
            cut = _min_cut(edges, f[2] - 1, f[3])
            if not cut:
                break  # only zeros join it: the LP stage reports it
            by_edge = {(g[2] - 1, g[3]): g for g in forms}
            added |= {by_edge[e] for e in cut}
    return added


def _partners(partitions, bundles, values: dict, hidden: set, weight: dict) -> set:
    """A lone hidden part of a shown total is the total minus the other parts: hide the cheapest other
    non-zero part beside it, group by group until none is alone (the linear programs then only confirm,
    instead of finding one such group per round). A bundle (a measure that is the sum of two others,
    e.g. MSP achieved = fully + partially, every one of them published over many windows) is hidden
    whole: any one follows from the other two along too many paths to cut one by one."""
    added: set = set()
    for _ in range(len(partitions) + len(bundles) + 1):
        changed = False
        for bundle in bundles:
            if any(f in hidden or f in added for f in bundle):
                new = {f for f in bundle if f not in hidden and f not in added and values.get(f, 0) > 0}
                added |= new
                changed |= bool(new)
        for total, parts in partitions:
            gone = hidden | added
            if total in gone or sum(p in gone for p in parts) != 1:
                continue
            others = [p for p in parts if p not in gone and values.get(p, 0) > 0]
            if others:
                added.add(min(others, key=lambda p: (weight[p], values[p], form_name(p))))
                changed = True
        if not changed:
            break
    return added


def _hideable(forms, shown: dict, hidden: set, dens_of: dict) -> list:
    """Shown counts that may be hidden next in place of `forms` (the shown cells that bind a failing
    bound). A shown zero may go only as a numerator whose denominator is hidden (zeros are otherwise
    never hidden); a zero numerator beside a shown denominator offers that denominator instead, e.g. a
    year to date of 0 that pins the zero months of a numerator hidden with their small denominators."""
    out = []
    for g in forms:
        if g not in shown:
            continue
        dens = dens_of.get(g, ())
        if shown[g] > 0 or any(d in hidden for d in dens):
            out.append(g)
        else:
            out += [d for d in dens if d in shown and shown[d] > 0]
    return out


# What a blanked cell costs: one per row it blanks, and this much more per row the committee reads
# first (the dashboard's period type, and financial years: the ASCOF outturns).
HEADLINE_COST = 10


def choose_hidden(
    model: Model,
    threshold: int,
    interval: int,
    headline: set | None = None,
    remembered: dict | None = None,
    workers: int | None = None,
) -> Protection:
    """Primary suppression, then secondary suppression until no hidden cell (or complement) can be
    narrowed below `interval` by the structural relations (values and flags are hidden with their
    counts, so they add nothing). `headline`: (table, row) of rows to keep shown where a choice exists.
    `remembered`: form -> value of the cells the last publication hid; each still holding that
    (non-zero) value is hidden again, so no cell is shown tonight that last night's protection needed
    (an analyst holding both copies could otherwise difference them). `workers`: see
    `disclosure.each_component`."""
    values: dict = {}
    for a in model.appearances:
        if a.value is not None:
            values.setdefault(a.form, a.value)
    hidden = {f for f, v in values.items() if 1 <= v <= threshold}
    for num, den in sorted(model.pairs, key=lambda p: (form_name(p[0]), form_name(p[1]))):
        n, d = values.get(num), values.get(den)
        if d is not None and 1 <= d <= threshold:
            hidden |= {num, den}
        if n is not None and d is not None and 1 <= d - n <= threshold:
            hidden.add(num)
    hidden &= set(values)
    primary = len(hidden)
    carried = {f for f, v in (remembered or {}).items() if v > 0 and values.get(f) == v} - hidden
    hidden |= carried
    weight: dict = defaultdict(int)
    for a in model.appearances:
        weight[a.form] += 1 + (HEADLINE_COST if headline and (a.table, a.row) in headline else 0)
    for _ in range(20):  # each can leave work for the other: a cut path may leave a lone part
        before = len(hidden)
        hidden |= _partners(model.partitions, model.bundles, values, hidden, weight)
        hidden |= _separate(values, hidden, weight)
        if len(hidden) == before:
            break
    pairs = sorted(model.pairs, key=lambda p: (form_name(p[0]), form_name(p[1])))
    solver = Solver(
        System(
            shown=values, hidden={}, relations=model.relations, extra_targets=_complement_targets(pairs, set(values))
        )
    )
    dens_of: dict = {}
    for num, den in pairs:
        dens_of.setdefault(num, set()).add(den)
    # the true values: a feasible point of every component's system, which spares most linear programs
    known = {form_name(f): v for f, v in values.items()}
    known |= {
        _complement(num, den)[0]: values[den] - values[num] for num, den in pairs if num in values and den in values
    }
    # the true value of each base count (one stream, one month): the point `ComponentLP.probe` starts from
    truth = {vs[0]: v for f, v in values.items() if len(vs := form_vars(f)) == 1}
    # each component's system, kept up to date as cells are hidden
    pairs_of: dict = defaultdict(list)
    for num, den in pairs:
        pairs_of[num].append((num, den))
        pairs_of[den].append((num, den))
    shown = {f: v for f, v in values.items() if f not in hidden}
    hid: dict = {}  # hidden -> at least 1: zeros are never hidden, except a numerator hidden with its denominator
    extra: dict = {}  # name -> expression of each complement of a proportion with a hidden part

    def hide(cells) -> tuple[list, list]:
        """Hide these cells: (forms whose row changed, new targets (name, form or None, expr))."""
        changed, targets = [], []
        for g in cells:
            shown.pop(g, None)
        for g in cells:
            hid[g] = not any(d in hidden for d in dens_of.get(g, ()))
            changed.append(g)
            targets.append((form_name(g), g, _expr(g)))
            for num, den in pairs_of.get(g, ()):
                if num in hid and num != g:
                    hid[num] = not any(d in hidden for d in dens_of[num])
                    changed.append(num)
                name, expr = _complement(num, den)
                if name not in extra:
                    extra[name] = expr
                    targets.append((name, None, expr))
        return changed, targets

    _, targets = hide(hidden)
    by_root: dict = defaultdict(list)
    for t in targets:
        by_root[solver.uf.find(next(iter(t[2])))].append(t)
    unprotectable: list[str] = []
    chosen = 0
    # Components share no base count or relation: each is protected on its own, its program built once.
    # Targets are bounded in name order (the same publication from the same data); a failing one hides
    # the cheapest shown cell that binds its bound and is bounded again. Hiding only relaxes the system
    # (an equality becomes 'at least 1', which the true value meets), so a target once wide enough
    # stays so, and every point seen stays feasible.
    roots = sorted(by_root, key=lambda r: min(t[0] for t in by_root[r]))

    def component(i: int) -> tuple[list, list[str]]:
        """Protect one component in place: (the cells it hid, in order; its unprotectable targets)."""
        root = roots[i]
        ts, chosen, unprotectable = by_root[root], [], []
        lp = ComponentLP(solver, root, shown, hid, [e for _, _, e in ts])
        seen = _Seen(lp.idx, known, interval)
        seen.add([(name, e) for name, _, e in ts])
        lp.probe(seen, truth)
        queue = [(name, k) for k, (name, _, _) in enumerate(ts)]
        heapq.heapify(queue)
        while queue:
            name, k = heapq.heappop(queue)
            if seen.certified[k]:
                continue
            e = ts[k][2]
            got = lp.minmax(e, seen, k, duals=True)
            if got is None:
                raise RuntimeError(
                    f"disclosure model is inconsistent with the data (a wrong alias or relation?): {name}"
                )
            lo, hi, binds, exact = got
            if not exact or hi - lo >= interval:
                continue
            cands = _hideable(binds, shown, hidden, dens_of)
            if not cands:  # narrowed by inequalities: hide a shown count that shares a base count
                cands = _hideable(
                    (g for g in solver.forms_by_root[root] if set(e) & set(_expr(g))), shown, hidden, dens_of
                )
            if not cands:
                unprotectable.append(name)
                continue
            g = min(cands, key=lambda g: (weight[g], shown[g], form_name(g)))
            hidden.add(g)
            chosen.append(g)
            changed, new = hide([g])
            for c in changed:
                lp.hide(c, hid[c])
            # a complement over a count nothing else constrains is unbounded: never narrow
            new = [t for t in new if all(v in lp.idx for v in t[2])]
            seen.add([(n, x) for n, _, x in new])
            for t in new:
                heapq.heappush(queue, (t[0], len(ts)))
                ts.append(t)
            heapq.heappush(queue, (name, k))
        return chosen, unprotectable

    # Forked workers protect components apart (their own copies of hidden, shown, ...): what each hid
    # is added here. In one process the same function has already added it.
    sizes = [len(solver.forms_by_root.get(r, ())) + len(by_root[r]) for r in roots]
    for cells, failed in each_component(component, sizes, workers):
        hidden.update(cells)
        chosen += len(cells)
        unprotectable += failed
    return Protection(hidden, primary, chosen, unprotectable, len(carried), {f: values[f] for f in hidden})


def _chain_hidden(frame: pd.DataFrame, hidden_row: pd.Series, keys: list[str], order: str, back: int) -> pd.Series:
    """True where this row or any of the `back` rows before it (in its series) is hidden."""
    h = hidden_row.reindex(frame.index).fillna(False).astype(bool)
    ordered = frame.sort_values(keys + [order])
    hs = h.loc[ordered.index]
    groups = hs.groupby([ordered[k] for k in keys], sort=False)
    out = hs.copy()
    for k in range(1, back + 1):
        out |= groups.shift(k).fillna(False).astype(bool)
    return out.reindex(frame.index)


def _year_before_hidden(frame: pd.DataFrame, hidden_row: pd.Series, keys: list[str], period: str) -> pd.Series:
    """True where the same period a year before is hidden."""
    months = month_indexes(frame[period])
    h = hidden_row.reindex(frame.index).fillna(False).astype(bool)
    hidden_keys = set(zip(*(frame.loc[h, k] for k in keys), months[h]))
    prev = zip(*(frame[k] for k in keys), months - 12)
    return pd.Series([key in hidden_keys for key in prev], index=frame.index)


def apply(
    tables: dict[str, pd.DataFrame], model: Model, hidden: set, catalogue: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The published copies: hidden cells blanked everywhere they appear, with their derived values
    and every flag that compares with a hidden value."""
    out = {k: v.copy() for k, v in tables.items()}
    uncertain = set()
    for f in hidden:
        uncertain.update(form_vars(f))
    row_hidden: dict[str, set] = {}
    cells: dict[tuple, list] = defaultdict(list)
    for a in model.appearances:
        if a.form in hidden:
            cells[(a.table, a.column)].append(a.row)
            row_hidden.setdefault(a.table, set()).add(a.row)
    for (table, column), rows in cells.items():
        out[table].loc[rows, column] = None
    for (table, row), rf in model.row_forms.items():
        # a DToC window's value is a weighted mean of monthly counts: hidden when any of them is
        if rf.kind == "dtoc" and rf.num[2] != rf.num[3] and any(v in uncertain for v in form_vars(rf.num)):
            row_hidden.setdefault(table, set()).add(row)
    for table, frame in out.items():
        rows = sorted(row_hidden.get(table, ()))
        cols = [c for c in _derived().get(table, ()) if c in frame]
        if table in _derived():
            frame["suppressed"] = frame.index.isin(rows)
        if rows and cols:
            frame.loc[rows, cols] = None

    iv = out.get("indicator_values")
    if iv is not None and len(iv):
        keys = ["la_code", "indicator_code", "period_type"]
        h = iv["suppressed"]
        prev = _chain_hidden(iv, h, keys, "period_end", 1)
        iv.loc[prev, "direction_prev"] = None
        iv.loc[h | _year_before_hidden(iv, h, keys, "period_end"), "direction_yoy"] = None
        if "watch" in iv:
            iv["watch"] = iv["watch"].astype(object)
            iv.loc[_chain_hidden(iv, h, keys, "period_end", 3), "watch"] = None
        out["indicator_values"] = hide_spc(iv, "indicator_values", iv)
    ascof = out.get("ascof")
    if ascof is not None and len(ascof):
        keys = ["la_code", "indicator_code"]
        h = ascof["suppressed"]
        before = _year_before_hidden(ascof, h, keys, "financial_year")
        ascof.loc[h | before, "direction_of_travel"] = None
        if "previous_year_value" in ascof:
            ascof.loc[before, "previous_year_value"] = None
    exc = out.get("exceptions")
    if exc is not None and len(exc) and iv is not None:
        out["exceptions"] = _exceptions(exc, iv, catalogue)
    return out


def hide_spc(frame: pd.DataFrame, table: str, iv: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its SPC columns (disclosure.SPC_COLUMNS) blanked wherever they use a monthly value
    that the published (suppressed) indicator_values hides."""
    monthly = iv[(iv["period_type"] == "month") & iv["suppressed"].astype(bool)]
    first = first_hidden_month(zip(monthly["la_code"], monthly["indicator_code"], month_indexes(monthly["period_end"])))
    cols = [c for c in SPC_COLUMNS[table][1] if c in frame]
    if not first or not cols or not len(frame):
        return frame
    out = frame.copy()
    uses = spc_uses_hidden(out, table, first)
    out[cols] = out[cols].astype(object)
    out.loc[uses, cols] = None
    return out


def hide_forecast(frame: pd.DataFrame, table: str, iv: pd.DataFrame) -> pd.DataFrame:
    """`frame` with each forecast that uses a value the published (suppressed) indicator_values hides
    blanked with its rating and interval (`suppressed` true), each hidden input blanked, and each
    interval sized from errors that may involve a hidden value blanked. A forecast is a ratio or sum
    of its inputs, so showing it beside a hidden one would give that one back."""
    out = frame.copy()
    out["suppressed"] = False
    if not len(out):
        return out
    hidden_iv = iv[iv["suppressed"].astype(bool)]
    hidden = {
        (la, code, ptype, month_index(end))
        for la, code, ptype, end in zip(
            hidden_iv["la_code"], hidden_iv["indicator_code"], hidden_iv["period_type"], hidden_iv["period_end"]
        )
    }
    derived, interval_cols = FORECASTS[table]
    own, interval = forecast_uses_hidden(out, hidden)
    cols = list(dict.fromkeys(derived + interval_cols))
    out[cols] = out[cols].astype(object)
    out.loc[own, list(derived)] = None
    out.loc[interval, list(interval_cols)] = None
    if "interval_note" in out:
        out["interval_note"] = out["interval_note"].astype(object)
        out.loc[interval & ~own & out["forecast"].notna(), "interval_note"] = HIDDEN_INTERVAL
    blanked: dict[str, list] = defaultdict(list)
    for i, r in zip(out.index, out.itertuples(index=False)):
        for col, key in forecast_input_keys(r).items():
            if key in hidden:
                blanked[col].append(i)
    for col, rows in blanked.items():  # a column at a time: one cell at a time took seconds at 10 councils
        out.loc[rows, col] = None
    out["suppressed"] = own
    return out


def _exceptions(exc: pd.DataFrame, iv: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """An exception may rest only on what is shown: with the value hidden, 'off target' and RAG go;
    with any of the last four values hidden, 'deteriorating' goes; a row left with no reason is
    dropped. Its presence then depends on published facts only (budget flag, linked risks)."""
    ivk = iv.assign(_m=month_indexes(iv["period_end"]))
    hidden = ivk.set_index(["la_code", "indicator_code", "period_type", "_m"])["suppressed"]
    ex = exc.copy()
    vm = month_indexes(ex["value_period_end"])
    ex["_pt"] = ex["value_period_type"]  # the dashboard's period type (marts.dashboard, via the mart)

    def hid(la, code, pt, m):
        return bool(hidden.get((la, code, pt, m), False))

    value_hidden = [hid(la, c, pt, m) for la, c, pt, m in zip(ex["la_code"], ex["indicator_code"], ex["_pt"], vm)]
    chain_hidden = [
        any(hid(la, c, pt, m - j) for j in range(4))
        for la, c, pt, m in zip(ex["la_code"], ex["indicator_code"], ex["_pt"], vm)
    ]
    ex["suppressed"] = value_hidden
    vh = pd.Series(value_hidden, index=ex.index)
    ch = pd.Series(chain_hidden, index=ex.index)
    ex["off_target"] = ex["off_target"].astype(object)
    ex["deteriorating"] = ex["deteriorating"].astype(object)
    ex.loc[vh, ["value", "rag", "off_target"]] = None
    ex.loc[ch, "deteriorating"] = None
    if "display_value" in ex:
        ex.loc[vh, "display_value"] = None
    # reasons are listed in the order of their flags; keep those whose flag still stands
    flags = ["off_target", "deteriorating", "affects_budget", "linked_risks"]
    reasons, keep = [], []
    for i in ex.index:
        parts = iter(exc.at[i, "reasons"].split("; ")) if _truthy(exc.at[i, "reasons"]) else iter(())
        kept = [
            part
            for flag in flags
            if _truthy(exc.at[i, flag])
            for part in [next(parts, None)]
            if _truthy(ex.at[i, flag]) and part
        ]
        reasons.append("; ".join(kept))
        keep.append(bool(kept))
    ex["reasons"] = reasons
    return ex[keep].drop(columns=["_pt"]).reset_index(drop=True)


def _truthy(v) -> bool:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return False
    return v != "" if isinstance(v, str) else bool(v)


def _headline_rows(tables: dict[str, pd.DataFrame], catalogue: pd.DataFrame) -> set:
    iv = tables.get("indicator_values")
    rows = set()
    if iv is not None and len(iv) and "dashboard_period_type" in catalogue:
        dashboard = iv["indicator_code"].map(catalogue.set_index("indicator_code")["dashboard_period_type"])
        rows |= {
            ("indicator_values", i)
            for i in iv.index[(iv["period_type"] == dashboard) | (iv["period_type"] == "financial_year")]
        }
    for name in ("ascof", "admissions_rolling_12m"):  # the ASCOF table and the dashboard's admissions
        if name in tables:
            rows |= {(name, i) for i in tables[name].index}
    return rows


def protect(
    tables: dict[str, pd.DataFrame],
    catalogue: pd.DataFrame,
    threshold: int,
    interval: int,
    remembered: dict | None = None,
    workers: int | None = None,
) -> tuple[dict[str, pd.DataFrame], Protection]:
    """Suppress the published tables as a whole (true values in, published copies out); `remembered`
    and `workers`: see `choose_hidden`."""
    marked = {k: (v.assign(suppressed=False) if k in _derived() or k == "exceptions" else v) for k, v in tables.items()}
    model = build_model(marked, catalogue, threshold)
    protection = choose_hidden(
        model, threshold, interval, headline=_headline_rows(marked, catalogue), remembered=remembered, workers=workers
    )
    return apply(marked, model, protection.hidden, catalogue), protection


def read_memory(path: Path | None) -> dict:
    """The last publication's hidden cells (form -> value), or none when there is no memory yet. An
    unreadable memory is an error, not a fresh start: a fresh start could show what it protected."""
    if path is None or not path.exists():
        return {}
    try:
        return {(la, tuple(streams), a, b): v for la, streams, a, b, v in json.loads(path.read_text())["hidden"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{path}: the last publication's suppression memory is unreadable ({exc}); restore it from a backup "
            "of the home, or delete it knowingly (the next publication may then show cells the last one hid)"
        ) from exc


def write_memory(path: Path, protection: Protection) -> None:
    """Remember tonight's hidden cells for the next publication: replaced whole, atomically, and readable
    by its owner only, since it holds the true values of hidden counts."""
    rows = sorted([la, list(streams), int(a), int(b), float(v)] for (la, streams, a, b), v in protection.values.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, json.dumps({"hidden": rows}))
