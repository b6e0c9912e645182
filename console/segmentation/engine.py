"""Scores for every customer (batch) or for one (incremental), with the reasons shown on the
record's badges.

Batch: gather the facts of everyone, cut the population thresholds (quintiles, Pareto and
ABC revenue cuts, quadrant means), score everyone, store rows and the thresholds.
Incremental: gather one customer's facts and score them with the stored thresholds — the same
function as the batch, so both paths give the same result (tested).

Scoring works on columns (numpy arrays, one position per customer), not customer by customer:
at a million customers a per-customer Python function cost 150 s. The brief's methods
(console/segmentation/methods.py) take numbers or arrays alike, and the categorical ones
(RFM segment, type, RADAR) are looked up in tables computed from their definitions. The
reasons shown on the badges are worded when the record is read, from the stored numbers
(console/segmentation/badges.py), not written out a million times.
"""
from __future__ import annotations

import itertools
import json
import time
from datetime import date, datetime

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from tqdm import tqdm

from console.bulk import insert_rows
from console.db import id_batches
from console.models import Alert, CustomerScore, ProductFamily, ScoreRun
from console.segmentation import methods as m
from console.segmentation.badges import attrition_reason
from console.segmentation.facts import Facts, gather, gather_in_parallel


# ---- thresholds ------------------------------------------------------------------------------

def _whole_days(delta: np.ndarray) -> np.ndarray:
    """timedelta64 → whole days, rounded down like ``timedelta.days`` (NaT gives garbage,
    always masked by the caller)."""
    return delta // np.timedelta64(1, "D")


def _recency(facts: Facts, today: date) -> np.ndarray:
    return _whole_days(np.datetime64(today, "D") - facts.last_purchase.astype("datetime64[D]"))


def _tenure(facts: Facts, today: date) -> np.ndarray:
    known = ~np.isnat(facts.customer_since)
    return np.where(known, _whole_days(np.datetime64(today, "D") - facts.customer_since), 0)


def compute_thresholds(facts: Facts, today: date, cfg, families: int) -> dict:
    seg = cfg.section("segmentation")
    revenue, ids = facts.revenue_period, facts.customer_id
    buyers = ~np.isnat(facts.last_purchase)
    positive = revenue > 0
    ordered = revenue[positive][m.revenue_order(ids[positive], revenue[positive])]
    n_pareto = m.pareto_count(ordered, seg["pareto_share"])
    ranked = revenue[m.revenue_order(ids, revenue)]
    a_count, b_count = m.abc_counts(len(ranked), seg["abc_cuts"])
    thresholds = {
        "today": today.isoformat(),
        "recency": m.quintile_bounds(_recency(facts, today)[buyers]),
        "frequency": m.quintile_bounds(facts.purchases_period),
        "monetary": m.quintile_bounds(revenue),
        "revenue_total": m.quintile_bounds(facts.revenue_total),
        "tenure": m.quintile_bounds(_tenure(facts, today)[~np.isnat(facts.customer_since)]),
        "pareto_min": float(ordered[n_pareto - 1]) if n_pareto else float("inf"),
        "abc_a_min": float(ranked[a_count - 1]) if a_count else float("inf"),
        "abc_b_min": float(ranked[a_count + b_count - 1]) if b_count else float("inf"),
        "families": families,
        "revenue_sum": float(revenue.sum()),
        # what the reasons on the badges quote: the settings this run was computed with
        "parameters": {k: seg[k] for k in ("period_months", "pareto_share",
                                           "loyal_min_tcc_percent", "high_potential_min_score")},
    }
    # net value quintiles and the quadrant means need a first scoring pass
    first = score(facts, thresholds, cfg, first_pass=True)
    net = first["actual_value"] - first["cost_to_serve"]
    thresholds["net_value"] = m.quintile_bounds(net[net >= 0])
    thresholds["potentiel_mean"] = float(first["potentiel"].mean()) if len(facts) else 0.0
    thresholds["performances_mean"] = float(first["performances"].mean()) if len(facts) else 0.0
    return thresholds


# ---- scoring, a whole column at a time ----------------------------------------------------------

RELATIONSHIPS = np.array(["prospect", "inactive", "at_risk", "weak", "strong"], dtype=object)
_RADAR = np.array([[m.radar_action(high, r) for r in RELATIONSHIPS] for high in (False, True)],
                  dtype=object)
_TYPES = np.array([[m.customer_type(loyal, high) for high in (False, True)]
                   for loyal in (False, True)], dtype=object)


def _notes(facts: Facts, t: dict, cfg, today: date) -> tuple[dict, dict]:
    notes_cfg = cfg.section("segmentation")["notes"]
    company = facts.is_company
    by_ape, by_csp = notes_cfg["attractivite_ape"], notes_cfg["attractivite_csp"]
    sector = np.array([by_ape.get((ape or "")[:2], 3) if is_company else by_csp.get(csp or "", 3)
                       for is_company, ape, csp in zip(company.tolist(), facts.ape_code.tolist(),
                                                       facts.csp.tolist())], dtype=np.int64)
    capacity = np.where(company, m.quintile_score(facts.headcount, notes_cfg["headcount_bands"]),
                        3)
    orders = facts.purchases_total
    web_share = np.divide(facts.web_orders, orders, out=np.zeros(len(facts)), where=orders > 0)
    families = max(1, t.get("families") or 1)
    market = notes_cfg["type_marche"]
    potentiel = {"attractivite_secteur": sector,
                 "niveau_technologie": 1 + np.rint(4 * web_share),
                 "ca_client": m.quintile_score(facts.revenue_period, t["monetary"]),
                 "frequence_achat_12m": m.quintile_score(facts.purchases_period, t["frequency"]),
                 "type_marche": np.where(company, market["company"], market["person"])}
    performances = {
        "ventes_realisees": m.quintile_score(facts.revenue_total, t["revenue_total"]),
        "anciennete": m.quintile_score(_tenure(facts, today), t["tenure"]),
        "taux_equipement": 1 + np.rint(4 * np.minimum(1.0, facts.families_held / families)),
        "capacite_production": capacity,
        "difficulte_conditions": np.maximum(1, 5 - 2 * facts.complaints_period)}
    return potentiel, performances


def _attrition(facts: Facts, window: int) -> dict[int, list[int]]:
    """The "sensibles" (a second complaint soon after a first): position -> the last such
    pair of complaint days."""
    last_pair = {}
    for position, days in facts.complaint_days.items():
        pairs = m.attrition_pairs(days, window)
        if pairs:
            last_pair[position] = list(pairs[-1])
    return last_pair


def score(facts: Facts, t: dict, cfg, first_pass: bool = False) -> dict[str, np.ndarray]:
    """Every score of every customer in ``facts``, as columns; None where a score does not
    apply (no purchase yet, …) is NaN or None in the column."""
    seg = cfg.section("segmentation")
    today = date.fromisoformat(t["today"])
    n = len(facts)
    notes_p, notes_perf = _notes(facts, t, cfg, today)
    potentiel = m.weighted_score(notes_p, seg["potentiel"])
    performances = m.weighted_score(notes_perf, seg["performances"])
    costs = seg["cost_to_serve"]
    cost = costs["reclamation"] * facts.complaints_period.astype(float)
    for channel, counts in facts.contacts.items():
        cost = cost + costs.get(channel, 0.0) * counts
    actual = facts.revenue_period * seg["margin_rate"]
    out = {"actual_value": actual, "cost_to_serve": cost,
           "potentiel": np.broadcast_to(potentiel, n).astype(float),
           "performances": np.broadcast_to(performances, n).astype(float)}
    if first_pass:
        return out

    bought = ~np.isnat(facts.last_purchase)
    recency = np.where(bought, _recency(facts, today), -1)
    r = m.quintile_score(recency, t["recency"], higher_is_better=False)
    fq = m.quintile_score(facts.purchases_period, t["frequency"])
    mo = m.quintile_score(facts.revenue_period, t["monetary"])
    potential = np.where(
        facts.is_company, np.where(facts.headcount > 0, facts.headcount, 1)
        * seg["potential_per_employee"],
        [seg["potential_by_csp"].get(csp or "", seg["potential_default_person"])
         for csp in facts.csp.tolist()]).astype(float)
    has_share = potential != 0
    # to the hundredth, as stored and shown: "35 %" is never told "< 35 %"
    share = np.round(np.divide(100.0 * facts.revenue_period, potential, out=np.zeros(n),
                               where=has_share), 2)
    net = actual - cost
    rank = m.value_rank(net, t["net_value"])
    last_pair = _attrition(facts, seg["attrition_window_days"])
    sensitive = np.zeros(n, dtype=bool)
    sensitive[list(last_pair)] = True
    loyal = has_share & (share >= seg["loyal_min_tcc_percent"])
    high_potential = out["potentiel"] >= seg["high_potential_min_score"]
    relationship = np.select(
        [facts.purchases_total == 0, bought & (recency > seg["inactive_after_days"]),
         sensitive | (facts.complaints_period >= 2)], [0, 1, 2], np.where(loyal, 4, 3))
    span = np.where(bought, _whole_days(facts.last_purchase - facts.first_purchase), 0)
    since_first = _whole_days(np.datetime64(today, "D")
                              - facts.first_purchase.astype("datetime64[D]"))
    partner = facts.is_company & (facts.families_held >= 4)
    disqualified = facts.is_closed & (facts.purchases_total == 0)
    stage = [m.lifecycle_stage(total, recent, days if has else None, first if has else None,
                               sh if ok else None, 0, pa, dq, origin, seg)
             for total, recent, days, first, sh, ok, pa, dq, origin, has in zip(
                 facts.purchases_total.tolist(), facts.purchases_period.tolist(),
                 recency.tolist(), since_first.tolist(), share.tolist(), has_share.tolist(),
                 partner.tolist(), disqualified.tolist(), facts.has_origin.tolist(),
                 bought.tolist())]
    revenue = facts.revenue_period
    abc_class = np.where(revenue >= t["abc_a_min"], "A",
                         np.where(revenue >= t["abc_b_min"], "B", "C")).astype(object)
    total = facts.purchases_total
    mean_purchase = np.divide(facts.revenue_total, total, out=np.zeros(n), where=total > 0)
    amount = facts.last_purchase_amount
    has_ratio = ~np.isnan(amount) & (amount != 0) & (mean_purchase != 0)
    value_high = (rank == "premier rang") | (rank == "2ème rang")
    details = np.full(n, None, dtype=object)
    for position, pair in last_pair.items():
        details[position] = {"attrition": pair}
    out.update({
        "customer_id": facts.customer_id,
        "revenue_period": np.round(revenue, 2),
        "revenue_previous": np.round(facts.revenue_previous, 2),
        "revenue_total": np.round(facts.revenue_total, 2),
        "purchases_period": facts.purchases_period, "purchases_total": total,
        "recency_days": _missing(recency, ~bought),
        "r_score": _missing(r, ~bought), "f_score": _missing(fq, ~bought),
        "m_score": _missing(mo, ~bought),
        "rfm_segment": np.where(bought, m.rfm_segments(r, fq, mo), None),
        "pareto": (revenue > 0) & (revenue >= t["pareto_min"]),
        "abc_class": abc_class,
        "frat_frequency_days": _missing(np.divide(span, total - 1, out=np.zeros(n),
                                                  where=total > 1), total <= 1),
        "frat_seniority_days": span,
        "frat_amount_ratio": _missing(np.round(np.divide(amount, mean_purchase, out=np.zeros(n),
                                                         where=has_ratio), 3), ~has_ratio),
        "frat_strategic_share": np.round(np.divide(
            facts.strategic_held, facts.holdings_active, out=np.zeros(n),
            where=facts.holdings_active > 0), 3),
        "potentiel": np.round(out["potentiel"], 3),
        "performances": np.round(out["performances"], 3),
        "tcc": _missing(np.minimum(share, 100.0), ~has_share),
        "radar": _RADAR[value_high.astype(int), relationship],
        "customer_type": _TYPES[loyal.astype(int), high_potential.astype(int)],
        "actual_value": np.round(actual, 2),
        "strategic_value": np.round(np.maximum(0.0, potential * seg["margin_rate"] - actual), 2),
        "cost_to_serve": np.round(cost, 2), "value_rank": rank,
        "lifecycle_stage": np.array(stage, dtype=object),
        "lifetime_value": np.round(m.lifetime_value(net, seg["ltv_retention"],
                                                    seg["ltv_discount"],
                                                    seg["ltv_horizon_years"]), 2),
        "sensitive": sensitive,
        "details": details,
    })
    return out


def _missing(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """``values`` as Python objects, None where ``missing``."""
    column = np.array(values.tolist(), dtype=object)
    column[missing] = None
    return column


def score_rows(columns: dict[str, np.ndarray], names: list[str]):
    """The scored columns as row tuples of plain Python values, in the order of ``names``."""
    return zip(*(columns[name].tolist() for name in names))


# ---- storing --------------------------------------------------------------------------------

def _families(conn) -> int:
    return conn.execute(select(func.count()).select_from(ProductFamily)).scalar_one()


def _score_columns() -> list[str]:
    return [c.name for c in CustomerScore.__table__.columns
            if c.name not in ("run_id", "computed_at")]


def recompute_all(engine: Engine, cfg, today: date | None = None, progress: bool = True,
                  chunk: int = 50000) -> dict:
    """Batch: every customer, new thresholds. Returns timings and counts."""
    today = today or date.today()
    timings = {}
    t0 = time.perf_counter()
    steps = tqdm(total=4, desc="Recalcul", unit="étape", disable=not progress)
    steps.set_postfix_str("données des clients")
    facts = gather_in_parallel(engine, today, cfg.get("segmentation.period_months"),
                               cfg.get("segmentation.batch_workers", 1))
    with engine.connect() as conn:
        families = _families(conn)
    timings["gather_s"] = round(time.perf_counter() - t0, 2)
    steps.update()
    steps.set_postfix_str("seuils et scores")
    t1 = time.perf_counter()
    thresholds = compute_thresholds(facts, today, cfg, families)
    columns = score(facts, thresholds, cfg)
    timings["score_s"] = round(time.perf_counter() - t1, 2)
    steps.update()
    steps.set_postfix_str("enregistrement")
    t2 = time.perf_counter()
    names = _score_columns()
    now = datetime.now()
    with engine.begin() as conn:
        run_id = conn.execute(ScoreRun.__table__.insert().values(
            computed_at=now, reference_date=datetime.combine(today, datetime.min.time()),
            thresholds=thresholds, stats={"customers": len(facts)})).inserted_primary_key[0]
        conn.execute(delete(CustomerScore.__table__))
        raw = conn.connection.dbapi_connection
        sensitive = [(cid, details["attrition"]) for cid, details in zip(
            columns["customer_id"].tolist(), columns["details"].tolist()) if details]
        columns["details"] = np.array([None if d is None else json.dumps(d)
                                       for d in columns["details"].tolist()], dtype=object)
        rows = score_rows(columns, names)
        while batch := [row + (run_id, now) for row in itertools.islice(rows, chunk)]:
            insert_rows(raw, engine.dialect.name, CustomerScore.__tablename__,
                        names + ["run_id", "computed_at"], batch)
    with Session(engine) as session:
        _raise_attrition_alerts(session, sensitive)
        session.commit()
    timings["write_s"] = round(time.perf_counter() - t2, 2)
    steps.update()
    steps.set_postfix_str("modèle de recommandation")
    count = len(facts)
    del facts, columns    # a million customers' columns: freed before the recommender's matrices
    t3 = time.perf_counter()
    with Session(engine) as session:
        from console.recommend import rebuild_model
        rules = len(rebuild_model(session, cfg, today).data["rules"])
        session.commit()
    timings["recommender_s"] = round(time.perf_counter() - t3, 2)
    steps.update()
    steps.close()
    timings["rules"] = rules
    timings["total_s"] = round(time.perf_counter() - t0, 2)
    return {"customers": count, "run_id": run_id, **timings}


def _raise_attrition_alerts(session: Session, sensitive: list[tuple[int, list[int]]]) -> None:
    """One open attrition alert per sensitive customer (``sensitive``: id and the two
    complaint days, as date ordinals)."""
    if not sensitive:
        return
    ids = [cid for cid, _ in sensitive]
    open_alerts = set()
    for batch in id_batches(ids):
        open_alerts |= set(session.scalars(select(Alert.customer_id).where(
            Alert.customer_id.in_(batch), Alert.kind == "attrition",
            Alert.cleared_at.is_(None))))
    for cid, pair in sensitive:
        if cid not in open_alerts:
            session.add(Alert(customer_id=cid, kind="attrition",
                              message=f"Client sensible, risque d'attrition : "
                                      f"{attrition_reason(pair)}. "
                                      f"Action de fidélisation à mener."))


def latest_run(session: Session) -> ScoreRun | None:
    return session.scalar(select(ScoreRun).order_by(ScoreRun.id.desc()).limit(1))


def rescore(session: Session, customer_id: int, cfg) -> dict | None:
    """Incremental: one customer with the thresholds of the last batch (target < 50 ms).

    Called when an order, a complaint or an interaction is recorded, so the record shown on
    the next call is current. Without a batch yet, nothing to compare with: returns None."""
    run = latest_run(session)
    if run is None:
        return None
    today = date.fromisoformat(run.thresholds["today"])
    facts = gather(session.connection(), today, cfg.get("segmentation.period_months"),
                   ids=[customer_id])
    if not len(facts):
        return None
    columns = score(facts, run.thresholds, cfg)
    row = {name: columns[name].tolist()[0] for name in _score_columns()}
    row.update(run_id=run.id, computed_at=datetime.now())
    existing = session.get(CustomerScore, customer_id)
    if existing is None:
        session.add(CustomerScore(**row))
    else:
        for key, value in row.items():
            setattr(existing, key, value)
    if row["sensitive"]:
        _raise_attrition_alerts(session, [(customer_id, row["details"]["attrition"])])
    session.flush()
    return row
