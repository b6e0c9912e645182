"""Scores for every customer (batch) or for one (incremental), with the reasons shown on the
record's badges.

Batch: gather the facts of everyone, cut the population thresholds (quintiles, Pareto and
ABC revenue cuts, quadrant means), score each customer, store rows and the thresholds.
Incremental: gather one customer's facts and score them with the stored thresholds — the same
function as the batch, so both paths give the same result (tested).
"""
from __future__ import annotations

import time
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from tqdm import tqdm

from console.bulk import bulk_insert
from console.models import Alert, CustomerScore, ProductFamily, ScoreRun
from console.segmentation import methods as m
from console.segmentation.facts import Facts, gather


def _euros(x: float) -> str:
    return f"{x:,.0f} €".replace(",", " ")


def _bounds(values: Iterable[float]) -> list[float]:
    return m.quintile_bounds(list(values))


# ---- thresholds ------------------------------------------------------------------------------

def compute_thresholds(facts: dict[int, Facts], today: date, cfg, families: int) -> dict:
    seg = cfg.section("segmentation")
    buyers = [f for f in facts.values() if f.last_purchase is not None]
    revenues = {f.customer_id: f.revenue_period for f in facts.values()}
    positive = {k: v for k, v in revenues.items() if v > 0}
    pareto_ids = m.pareto(positive, seg["pareto_share"])
    classes = m.abc(revenues, seg["abc_cuts"])
    by_class: dict[str, list[float]] = {"A": [], "B": []}
    for cid, k in classes.items():
        if k in by_class:
            by_class[k].append(revenues[cid])
    thresholds = {
        "today": today.isoformat(),
        "recency": _bounds((today - f.last_purchase.date()).days for f in buyers),
        "frequency": _bounds(f.purchases_period for f in facts.values()),
        "monetary": _bounds(f.revenue_period for f in facts.values()),
        "revenue_total": _bounds(f.revenue_total for f in facts.values()),
        "tenure": _bounds((today - f.customer_since).days for f in facts.values()
                          if f.customer_since),
        "pareto_min": min((positive[i] for i in pareto_ids), default=float("inf")),
        "abc_a_min": min(by_class["A"], default=float("inf")),
        "abc_b_min": min(by_class["B"], default=float("inf")),
        "families": families,
        "revenue_sum": sum(revenues.values()),
    }
    # net value quintiles and the quadrant means need a first scoring pass
    partial = [_score(f, thresholds, cfg, first_pass=True) for f in facts.values()]
    thresholds["net_value"] = _bounds(r["actual_value"] - r["cost_to_serve"] for r in partial
                                      if r["actual_value"] - r["cost_to_serve"] >= 0)
    n = len(partial) or 1
    thresholds["potentiel_mean"] = sum(r["potentiel"] for r in partial) / n
    thresholds["performances_mean"] = sum(r["performances"] for r in partial) / n
    return thresholds


# ---- scoring one customer -------------------------------------------------------------------

def _notes(f: Facts, t: dict, cfg, today: date) -> tuple[dict, dict]:
    seg = cfg.section("segmentation")
    notes_cfg = seg["notes"]
    if f.kind == "company":
        sector = notes_cfg["attractivite_ape"].get((f.ape_code or "")[:2], 3)
        capacity = m.quintile_score(f.headcount or 0, notes_cfg["headcount_bands"])
    else:
        sector = notes_cfg["attractivite_csp"].get(f.csp or "", 3)
        capacity = 3
    web_share = f.web_orders / f.orders if f.orders else 0.0
    tenure = (today - f.customer_since).days if f.customer_since else 0
    families = max(1, t.get("families") or 1)
    potentiel = {"attractivite_secteur": sector,
                 "niveau_technologie": 1 + round(4 * web_share),
                 "ca_client": m.quintile_score(f.revenue_period, t["monetary"]),
                 "frequence_achat_12m": m.quintile_score(f.purchases_period, t["frequency"]),
                 "type_marche": notes_cfg["type_marche"][f.kind]}
    performances = {"ventes_realisees": m.quintile_score(f.revenue_total, t["revenue_total"]),
                    "anciennete": m.quintile_score(tenure, t["tenure"]),
                    "taux_equipement": 1 + round(4 * min(1.0, f.families_held / families)),
                    "capacite_production": capacity,
                    "difficulte_conditions": max(1, 5 - 2 * f.complaints_period)}
    return potentiel, performances


def _score(f: Facts, t: dict, cfg, first_pass: bool = False) -> dict:
    seg = cfg.section("segmentation")
    today = date.fromisoformat(t["today"])
    why: dict[str, str] = {}
    recency = (today - f.last_purchase.date()).days if f.last_purchase else None
    if recency is not None:
        r = m.quintile_score(recency, t["recency"], higher_is_better=False)
        fq = m.quintile_score(f.purchases_period, t["frequency"])
        mo = m.quintile_score(f.revenue_period, t["monetary"])
        segment = m.rfm_segment(r, fq, mo)
        why["rfm"] = (f"{f.purchases_period} achat{'s' if f.purchases_period > 1 else ''} sur "
                      f"{seg['period_months']} mois, dernier il y a {recency} jours, "
                      f"{_euros(f.revenue_period)} sur la période (R{r} F{fq} M{mo})")
    else:
        r = fq = mo = None
        segment = None
    notes_p, notes_perf = _notes(f, t, cfg, today)
    potentiel = m.weighted_score(notes_p, seg["potentiel"])
    performances = m.weighted_score(notes_perf, seg["performances"])
    if f.kind == "company":
        purchase_potential = (f.headcount or 1) * seg["potential_per_employee"]
    else:
        purchase_potential = seg["potential_by_csp"].get(f.csp or "",
                                                         seg["potential_default_person"])
    share = m.tcc(f.revenue_period, purchase_potential)
    costs = seg["cost_to_serve"]
    cost = sum(costs.get(ch, 0.0) * n for ch, n in f.contacts.items()) \
        + costs["reclamation"] * f.complaints_period
    actual = f.revenue_period * seg["margin_rate"]
    row = {"actual_value": actual, "cost_to_serve": cost, "potentiel": potentiel,
           "performances": performances}
    if first_pass:
        return row
    net = actual - cost
    rank = m.value_rank(net, t["net_value"])
    why["value_rank"] = (f"valeur nette {_euros(net)} = marge {_euros(actual)} − coût de service "
                         f"{_euros(cost)} sur {seg['period_months']} mois")
    pairs = m.attrition_pairs(f.complaint_days, seg["attrition_window_days"])
    sensitive = bool(pairs)
    if sensitive:
        a, b = pairs[-1]
        why["sensitive"] = (f"deuxième réclamation {b - a} jour{'s' if b - a > 1 else ''} après "
                            f"la première ({date.fromordinal(a):%d/%m} et "
                            f"{date.fromordinal(b):%d/%m}) : la première a été mal traitée")
    loyal = share is not None and share >= seg["loyal_min_tcc_percent"]
    high_potential = potentiel >= seg["high_potential_min_score"]
    ctype = m.customer_type(loyal, high_potential)
    why["type"] = (f"part de portefeuille {share or 0:.0f} % "
                   f"({'≥' if loyal else '<'} {seg['loyal_min_tcc_percent']} %), potentiel "
                   f"{potentiel:.1f}/5 ({'≥' if high_potential else '<'} "
                   f"{seg['high_potential_min_score']})")
    if f.purchases_total == 0:
        relationship = "prospect"
    elif recency is not None and recency > seg["inactive_after_days"]:
        relationship = "inactive"
    elif sensitive or f.complaints_period >= 2:
        relationship = "at_risk"
    else:
        relationship = "strong" if loyal else "weak"
    stage = m.lifecycle_stage(
        f.purchases_total, f.purchases_period, recency,
        (today - f.first_purchase.date()).days if f.first_purchase else None, share, 0,
        f.kind == "company" and f.families_held >= 4, f.is_closed and f.purchases_total == 0,
        bool(f.origin), seg)
    why["lifecycle"] = (f"{f.purchases_period} achat(s) sur {seg['period_months']} mois, "
                        f"{f.purchases_total} au total" if f.purchases_total else
                        "aucun achat enregistré")
    pareto = f.revenue_period > 0 and f.revenue_period >= t["pareto_min"]
    abc_class = ("A" if f.revenue_period >= t["abc_a_min"] else
                 "B" if f.revenue_period >= t["abc_b_min"] else "C")
    if pareto:
        why["pareto"] = (f"fait partie des clients qui réalisent {seg['pareto_share']:.0%} du "
                         f"chiffre d'affaires ({_euros(f.revenue_period)} sur la période)")
    why["abc"] = {"A": "parmi les 10 % de clients au plus fort chiffre d'affaires",
                  "B": "parmi les 30 % de clients suivants",
                  "C": "parmi les 60 % de clients au plus faible chiffre d'affaires"}[abc_class] \
        + f" ({_euros(f.revenue_period)})"
    mean_purchase = f.revenue_total / f.purchases_total if f.purchases_total else 0
    return {
        "customer_id": f.customer_id,
        "revenue_period": round(f.revenue_period, 2),
        "revenue_previous": round(f.revenue_previous, 2),
        "revenue_total": round(f.revenue_total, 2),
        "purchases_period": f.purchases_period, "purchases_total": f.purchases_total,
        "recency_days": recency, "r_score": r, "f_score": fq, "m_score": mo,
        "rfm_segment": segment, "pareto": pareto, "abc_class": abc_class,
        "frat_frequency_days": ((f.last_purchase - f.first_purchase).days
                                / (f.purchases_total - 1) if f.purchases_total > 1 else None),
        "frat_seniority_days": ((f.last_purchase - f.first_purchase).days
                                if f.first_purchase else 0),
        "frat_amount_ratio": (round(f.last_purchase_amount / mean_purchase, 3)
                              if f.last_purchase_amount and mean_purchase else None),
        "frat_strategic_share": (round(f.strategic_held / f.holdings_active, 3)
                                 if f.holdings_active else 0.0),
        "potentiel": round(potentiel, 3), "performances": round(performances, 3),
        "tcc": round(min(share, 100.0), 2) if share is not None else None,
        "radar": m.radar_action(rank in ("premier rang", "2ème rang"), relationship),
        "customer_type": ctype,
        "actual_value": round(actual, 2),
        "strategic_value": round(max(0.0, purchase_potential * seg["margin_rate"] - actual), 2),
        "cost_to_serve": round(cost, 2), "value_rank": rank, "lifecycle_stage": stage,
        "lifetime_value": round(m.lifetime_value(net, seg["ltv_retention"],
                                                 seg["ltv_discount"],
                                                 seg["ltv_horizon_years"]), 2),
        "sensitive": sensitive,
        "details": {"why": why, "notes_potentiel": notes_p, "notes_performances": notes_perf,
                    "purchase_potential": purchase_potential,
                    "bubble": round(m.bubble_diameter(
                        100 * f.revenue_period / t["revenue_sum"] if t["revenue_sum"] else 0),
                        4)},
    }


# ---- storing --------------------------------------------------------------------------------

def _families(conn) -> int:
    return conn.execute(select(func.count()).select_from(ProductFamily)).scalar_one()


def recompute_all(engine: Engine, cfg, today: date | None = None, progress: bool = True,
                  chunk: int = 20000) -> dict:
    """Batch: every customer, new thresholds. Returns timings and counts."""
    today = today or date.today()
    timings = {}
    t0 = time.perf_counter()
    with engine.connect() as conn:
        facts = gather(conn, today, cfg.get("segmentation.period_months"))
        families = _families(conn)
    timings["gather_s"] = round(time.perf_counter() - t0, 2)
    t1 = time.perf_counter()
    thresholds = compute_thresholds(facts, today, cfg, families)
    timings["thresholds_s"] = round(time.perf_counter() - t1, 2)
    t2 = time.perf_counter()
    table = CustomerScore.__table__
    now = datetime.now()
    with engine.begin() as conn:
        run_id = conn.execute(ScoreRun.__table__.insert().values(
            computed_at=now, reference_date=datetime.combine(today, datetime.min.time()),
            thresholds=thresholds, stats={"customers": len(facts)})).inserted_primary_key[0]
        conn.execute(delete(table))
        raw = conn.connection.dbapi_connection
        bar = tqdm(total=len(facts), unit="clients", disable=not progress, desc="Scores")
        rows, sensitive = [], []
        for f in facts.values():
            row = _score(f, thresholds, cfg)
            row.update(run_id=run_id, computed_at=now)
            rows.append(row)
            if row["sensitive"]:
                sensitive.append((f.customer_id, row["details"]["why"]["sensitive"]))
            if len(rows) >= chunk:
                bulk_insert(raw, engine.dialect.name, table, rows)
                bar.update(len(rows))
                rows = []
        bulk_insert(raw, engine.dialect.name, table, rows)
        bar.update(len(rows))
        bar.close()
    with Session(engine) as session:
        _raise_attrition_alerts(session, sensitive)
        session.commit()
    timings["score_write_s"] = round(time.perf_counter() - t2, 2)
    count = len(facts)
    del facts, rows       # a million Facts: freed before the recommender's matrices
    t3 = time.perf_counter()
    with Session(engine) as session:
        from console.recommend import rebuild_model
        rules = len(rebuild_model(session, cfg, today).data["rules"])
        session.commit()
    timings["recommender_s"] = round(time.perf_counter() - t3, 2)
    timings["rules"] = rules
    timings["total_s"] = round(time.perf_counter() - t0, 2)
    return {"customers": count, "run_id": run_id, **timings}


def _raise_attrition_alerts(session: Session, sensitive: list[tuple[int, str]]) -> None:
    if not sensitive:
        return
    ids = [cid for cid, _ in sensitive]
    open_alerts = set()
    for i in range(0, len(ids), 900):
        open_alerts |= set(session.scalars(select(Alert.customer_id).where(
            Alert.customer_id.in_(ids[i:i + 900]), Alert.kind == "attrition",
            Alert.cleared_at.is_(None))))
    for cid, why in sensitive:
        if cid not in open_alerts:
            session.add(Alert(customer_id=cid, kind="attrition",
                              message=f"Client sensible, risque d'attrition : {why}. "
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
    if customer_id not in facts:
        return None
    row = _score(facts[customer_id], run.thresholds, cfg)
    row.update(run_id=run.id, computed_at=datetime.now())
    existing = session.get(CustomerScore, customer_id)
    if existing is None:
        session.add(CustomerScore(**row))
    else:
        for key, value in row.items():
            setattr(existing, key, value)
    if row["sensitive"]:
        _raise_attrition_alerts(session, [(customer_id, row["details"]["why"]["sensitive"])])
    session.flush()
    return row
