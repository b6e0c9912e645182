"""Customer data at scale: load time and memory, caller lookup and record assembly latency.

Targets (issue 2): at 1 000 000 customers / about 10 000 000 order lines, caller lookup
p99 < 2 ms and whole-record assembly p99 < 20 ms.
"""
from __future__ import annotations

import random
import time

from sqlalchemy import func, select, text

from bench.common import emit, emit_latency, note, peak_rss_mb
from config import PROJECT_ROOT, load_config
from console.caller_lookup import identify_caller
from console.db import make_engine, make_session_factory, upgrade
from console.demo.loader import load_demo
from console.models import Customer, Phone
from console.record import build_record


def run(customers: int = 1_000_000, database_url: str | None = None, reuse: bool = False,
        **_) -> None:
    cfg = load_config()
    url = database_url or f"sqlite:///{PROJECT_ROOT / 'var' / 'bench.db'}"
    if url.startswith("sqlite:///") and not reuse:
        path = url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm"):
            try:
                (PROJECT_ROOT / path if not path.startswith("/") else __import__("pathlib").Path(
                    path + suffix)).unlink()
            except FileNotFoundError:
                pass
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        existing = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    if not (reuse and existing):
        start = time.perf_counter()
        counts = load_demo(engine, customers, seed=1, reset=bool(existing))
        elapsed = time.perf_counter() - start
        emit("customers.load.time", round(elapsed, 1), "s", customers=customers,
             order_lines=counts["order_lines"], database=engine.dialect.name)
        emit("customers.load.rows_per_s", round(sum(counts.values()) / elapsed), "rows/s")
        emit("customers.load.peak_rss", round(peak_rss_mb()), "MB")
    with engine.begin() as conn:          # the loader does it too; a reused base may predate it
        conn.execute(text("ANALYZE"))
    factory = make_session_factory(engine)
    rnd = random.Random(7)
    with factory() as s:
        n_phones = s.scalar(select(func.max(Phone.id)))
        n_customers = s.scalar(select(func.max(Customer.id)))
        ids = [rnd.randint(1, n_phones) for _ in range(3000)]
        numbers = [r for r in s.scalars(select(Phone.raw).where(Phone.id.in_(ids)))]
        phone_cfg = cfg.section("phone")
        for raw in numbers[:100]:
            identify_caller(s, raw, phone_cfg)  # warm-up
        lookups = []
        for raw in numbers:
            t = time.perf_counter()
            result = identify_caller(s, raw, phone_cfg)
            lookups.append((time.perf_counter() - t) * 1000)
            assert result.status in ("identified", "ambiguous"), result
        emit_latency("caller_lookup", lookups, target=2.0, digits=3)
        records = []
        record_cfg = cfg.section("record")
        for cid in (rnd.randint(1, n_customers) for _ in range(2000)):
            t = time.perf_counter()
            build_record(s, cid, record_cfg)
            records.append((time.perf_counter() - t) * 1000)
            s.expunge_all()
        emit_latency("record", records, target=20.0, digits=3)
    note(f"bench database: {url}")
