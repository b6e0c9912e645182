"""Offline evaluation of the recommender against a most-popular baseline (issue 3).

Demo data is generated into a fresh SQLite file; for each customer the last purchase is
hidden, the model is learnt from what remains, and the top offers are compared with the hidden
products: hit rate@3 and MRR (over the top 10), for the recommender and for "the most popular
products the customer does not own yet", in the same run (target: +20 % relative hit rate@3).
"""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.common import emit, note
from config import load_config
from console.db import make_engine, upgrade
from console.demo.loader import load_demo
from console.models import Customer, Product
from console.recommend import (Model, customer_profiles, customer_segments, learn, load_catalog,
                               purchase_history, recommend)
from console.segmentation.engine import recompute_all

TODAY = date(2026, 11, 1)


def _metrics(ranked: dict[int, list[int]], hidden: dict[int, set[int]]) -> tuple[float, float]:
    hits, rr = 0, 0.0
    for cid, offers in ranked.items():
        if set(offers[:3]) & hidden[cid]:
            hits += 1
        for rank, pid in enumerate(offers[:10], 1):
            if pid in hidden[cid]:
                rr += 1 / rank
                break
    n = len(ranked) or 1
    return hits / n, rr / n


def run(customers: int = 20000, **_) -> None:
    cfg = load_config()
    n = min(customers, cfg.get("recommendation.next_purchase_sample"))
    path = Path(tempfile.mkdtemp(prefix="relais-reco-")) / "reco.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    note(f"generating {n} customers…")
    load_demo(engine, n, seed=3, today=TODAY, progress=False)
    recompute_all(engine, cfg, today=TODAY, progress=False)
    with Session(engine) as s:
        history = purchase_history(s)
        hidden = {cid: set(orders[-1].lines) for cid, orders in history.items()}
        before = {cid: orders[:-1] for cid, orders in history.items()}
        train = {cid: {p for basket in orders for p in basket.lines}
                 for cid, orders in before.items()}
        model = Model(learn(before, customer_segments(s, TODAY), customer_profiles(s, TODAY),
                            s.scalars(select(Product)).all(), cfg))
        catalog = load_catalog(s)
        kinds = dict(s.execute(select(Customer.id, Customer.kind)).all())
        never = set(cfg.get("recommendation.never_offer", []))
        popular = sorted(model.popularity, key=lambda p: -model.popularity[p])
        evaluated = [cid for cid, owned in train.items()
                     if owned and hidden.get(cid, set()) - owned]
        reco, base = {}, {}
        note(f"evaluating {len(evaluated)} customers…")
        for cid in evaluated:
            owned = train[cid]
            hidden[cid] -= owned  # re-buying something held is not a discovery
            offers = recommend(s, cid, cfg, today=TODAY, owned=set(owned), model=model,
                               catalog=catalog, limit=10, customer_filters=False,
                               history=before[cid])
            reco[cid] = [o["product_id"] for o in offers]
            company = kinds[cid] == "company"
            base[cid] = [p for p in popular if p not in owned
                         and catalog.by_id[p].for_companies == company
                         and catalog.by_id[p].code not in never][:10]
    hit, mrr = _metrics(reco, hidden)
    bhit, bmrr = _metrics(base, hidden)
    emit("recommender.hit_rate_at_3", round(hit, 4), "ratio", customers=len(reco))
    emit("recommender.mrr_at_10", round(mrr, 4), "ratio")
    emit("baseline_popular.hit_rate_at_3", round(bhit, 4), "ratio")
    emit("baseline_popular.mrr_at_10", round(bmrr, 4), "ratio")
    emit("recommender.hit_rate_at_3.relative_gain", round(hit / bhit - 1, 4) if bhit else None,
         "ratio", target=0.20)
