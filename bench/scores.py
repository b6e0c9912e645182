"""Full recompute of segments, value and the recommender model at scale (issue 3).

Runs on the bench database of bench/customers.py (``--reuse`` keeps it; otherwise it is
loaded first). Target: < 120 s and < 4 GB for 1 000 000 customers / ~10 000 000 order lines.
Engine: GROUP BY aggregation in the database (SQLite or PostgreSQL, no new dependency) and one
pass of Python over the aggregated rows; measured here.
"""
from __future__ import annotations

from datetime import date

from bench.common import emit, peak_rss_mb
from config import PROJECT_ROOT, load_config
from console.db import make_engine, upgrade


def run(customers: int = 1_000_000, database_url: str | None = None, reuse: bool = False,
        **_) -> None:
    from console.segmentation.engine import recompute_all
    if not reuse:
        from bench import customers as load_bench
        load_bench.run(customers=customers, database_url=database_url)
    cfg = load_config()
    engine = make_engine(database_url or f"sqlite:///{PROJECT_ROOT / 'var' / 'bench.db'}")
    upgrade(engine)
    result = recompute_all(engine, cfg, today=date.today(), progress=False)
    emit("scores.recompute.time", result["total_s"], "s", target=120,
         customers=result["customers"], gather_s=result["gather_s"],
         score_s=result["score_s"], write_s=result["write_s"], recommender_s=result["recommender_s"])
    emit("scores.recompute.peak_rss", round(peak_rss_mb()), "MB", target=4096)
