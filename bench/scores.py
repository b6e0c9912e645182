"""Full recompute of segments, value and the recommender model at scale (issue 3).

Runs on the bench database of bench/customers.py (``--reuse`` keeps it; otherwise it is
loaded first). Target: < 120 s and < 4 GB for 1 000 000 customers / ~10 000 000 order lines.
Engine: GROUP BY aggregation in the database (SQLite or PostgreSQL, no new dependency), the
aggregated rows copied into numpy columns and scored a column at a time; measured here.
Then the incremental path: one customer rescored after a new order (target < 50 ms).
"""
from __future__ import annotations

import random
import time
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import TreeMemory, emit, emit_latency, peak_rss_mb
from config import PROJECT_ROOT, load_config
from console.db import make_engine, upgrade
from console.models import Customer, Order, OrderLine


def run(customers: int = 1_000_000, database_url: str | None = None, reuse: bool = False,
        **_) -> None:
    from console.segmentation.engine import recompute_all
    if not reuse:
        from bench import customers as load_bench
        load_bench.run(customers=customers, database_url=database_url)
    cfg = load_config()
    engine = make_engine(database_url or f"sqlite:///{PROJECT_ROOT / 'var' / 'bench.db'}")
    upgrade(engine)
    with TreeMemory() as memory:
        result = recompute_all(engine, cfg, today=date.today(), progress=False)
    emit("scores.recompute.time", result["total_s"], "s", target=120,
         customers=result["customers"], gather_s=result["gather_s"],
         score_s=result["score_s"], write_s=result["write_s"], recommender_s=result["recommender_s"])
    emit("scores.recompute.peak_memory", round(memory.peak_mb), "MB", target=4096,
         measure="sum of PSS, this process and its gathering workers, sampled every 0.2 s")
    emit("scores.recompute.peak_rss_main", round(peak_rss_mb()), "MB")
    rescore_latency(engine, cfg)
    record_with_offers_latency(engine, cfg)


def rescore_latency(engine, cfg, samples: int = 300) -> None:
    """A new order for a random customer, then the incremental rescore, in one transaction
    rolled back (the bench database is left as it was)."""
    from console.segmentation.engine import rescore
    rnd = random.Random(5)
    timings = []
    with Session(engine) as s:
        top = s.scalar(select(func.max(Customer.id)))
        for cid in (rnd.randint(1, top) for _ in range(samples)):
            order = Order(customer_id=cid, ordered_at=datetime.now(), channel="telephone",
                          total_amount=Decimal("120"))
            order.lines = [OrderLine(product_id=1, quantity=1, unit_price=Decimal("120"),
                                     amount=Decimal("120"))]
            s.add(order)
            s.flush()
            t = time.perf_counter()
            rescore(s, cid, cfg)
            timings.append((time.perf_counter() - t) * 1000)
        s.rollback()
    emit_latency("scores.rescore", timings, target=50)


def record_with_offers_latency(engine, cfg, samples: int = 1000) -> None:
    """The whole record as the pop shows it, segments, badges and today's offers included
    (the record alone is measured by bench/customers.py)."""
    from console.record import build_record
    rnd = random.Random(6)
    timings = []
    with Session(engine) as s:
        top = s.scalar(select(func.max(Customer.id)))
        for cid in range(1, 50):
            build_record(s, cid, cfg.section("record"), cfg)     # model and catalogue loaded
        for cid in (rnd.randint(1, top) for _ in range(samples)):
            t = time.perf_counter()
            record = build_record(s, cid, cfg.section("record"), cfg)
            timings.append((time.perf_counter() - t) * 1000)
            s.expunge_all()
        assert record["badges"]
    emit_latency("record_with_offers", timings, target=20)
