"""Per-customer facts the scores are computed from, gathered with a few GROUP BY queries into
columns (one numpy array per fact, one position per customer, by increasing id).

The same queries and the same columns serve the batch (every customer) and the incremental
path (one customer), so both score from the same numbers with the same code. Aggregation runs
in the database (SQLite or PostgreSQL alike); Python only copies the aggregated rows into
arrays, which the scoring (console/segmentation/engine.py) works on a whole column at a time.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.engine import Connection, Engine

from console.db import id_batches, make_engine
from console.models import (Complaint, Customer, Holding, Interaction, Order, Product)

NO_DAY = np.datetime64("NaT", "us")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # datetime64[D] day 0 as a date.toordinal()


@dataclass(slots=True)
class Facts:
    """One array per fact, one position per customer. The customer's own fields are given;
    the aggregates start at "nothing yet" (0, NaT, NaN) and gather() fills them."""
    customer_id: np.ndarray              # int64, increasing
    is_company: np.ndarray               # bool
    csp: np.ndarray                      # object: str or None
    ape_code: np.ndarray                 # object: str or None
    headcount: np.ndarray                # int64, 0 when unknown
    customer_since: np.ndarray           # datetime64[D], NaT when unknown
    has_origin: np.ndarray               # bool: a known prospect (where they came from)
    is_closed: np.ndarray                # bool
    revenue_period: np.ndarray = field(init=False)    # float64
    revenue_previous: np.ndarray = field(init=False)
    revenue_total: np.ndarray = field(init=False)
    purchases_period: np.ndarray = field(init=False)  # int64
    purchases_total: np.ndarray = field(init=False)
    first_purchase: np.ndarray = field(init=False)    # datetime64[us], NaT without purchase
    last_purchase: np.ndarray = field(init=False)
    last_purchase_amount: np.ndarray = field(init=False)  # float64, NaN without purchase
    web_orders: np.ndarray = field(init=False)        # int64
    holdings_active: np.ndarray = field(init=False)
    families_held: np.ndarray = field(init=False)
    strategic_held: np.ndarray = field(init=False)
    complaints_period: np.ndarray = field(init=False)
    contacts: dict = field(default_factory=dict)       # channel -> int64 counts
    complaint_days: dict = field(default_factory=dict)  # position -> date ordinals, ≥ 2 complaints

    _IDENTITY = ("customer_id", "is_company", "csp", "ape_code", "headcount", "customer_since",
                 "has_origin", "is_closed")

    def __len__(self) -> int:
        return len(self.customer_id)

    def __post_init__(self) -> None:
        n = len(self.customer_id)
        for name in ("revenue_period", "revenue_previous", "revenue_total"):
            setattr(self, name, np.zeros(n))
        for name in ("purchases_period", "purchases_total", "web_orders", "holdings_active",
                     "families_held", "strategic_held", "complaints_period"):
            setattr(self, name, np.zeros(n, dtype=np.int64))
        self.first_purchase = np.full(n, NO_DAY)
        self.last_purchase = np.full(n, NO_DAY)
        self.last_purchase_amount = np.full(n, np.nan)

    @classmethod
    def concat(cls, parts: list["Facts"]) -> "Facts":
        """The facts of consecutive id ranges, as one (positions follow the parts' order)."""
        arrays = {name: np.concatenate([getattr(p, name) for p in parts])
                  for name in cls.__dataclass_fields__
                  if name not in ("contacts", "complaint_days")}
        facts = cls(**{name: arrays[name] for name in cls._IDENTITY})
        for name, values in arrays.items():
            setattr(facts, name, values)
        offsets = np.cumsum([0] + [len(p) for p in parts]).tolist()
        for channel in sorted({c for p in parts for c in p.contacts}):
            facts.contacts[channel] = np.concatenate([
                p.contacts.get(channel, np.zeros(len(p), dtype=np.int64)) for p in parts])
        for offset, part in zip(offsets, parts):
            facts.complaint_days.update({offset + position: days
                                         for position, days in part.complaint_days.items()})
        return facts

    def positions(self, ids) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``ids`` in the columns, and which of them are known customers."""
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.searchsorted(self.customer_id, ids).clip(0, max(len(self) - 1, 0))
        known = (self.customer_id[pos] == ids) if len(self) else np.zeros(len(ids), bool)
        return pos[known], known


def _filter(column, ids):
    """``ids``: a list of customer ids, a (first, last) range of them, or None for all."""
    if ids is None:
        return True
    return column.between(*ids) if isinstance(ids, tuple) else column.in_(ids)


def _rows(conn: Connection, statement) -> list[tuple]:
    """The driver's own tuples. SQLAlchemy's row processing (Decimal and datetime objects for
    ten million orders) cost more than the aggregation itself; the conversions below take
    what either driver gives (ISO text or datetime, float or Decimal, 0/1 or bool)."""
    result = conn.execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _columns(rows: list, count: int) -> list[tuple]:
    return list(zip(*rows)) if rows else [()] * count


def _put(column: np.ndarray, pos: np.ndarray, known: np.ndarray, values) -> None:
    """Aggregated ``values`` (one per row, NULL as 0) into ``column`` at the customers'
    positions, rows of unknown customers left out."""
    column[pos] = np.array([v or 0 for v in values], dtype=column.dtype)[known]


def _days(values, unit: str) -> np.ndarray:
    """datetime/date objects (or ISO strings from SQLite aggregates) → datetime64, None → NaT."""
    return np.array([NO_DAY if v is None else v for v in values], dtype=f"datetime64[{unit}]")


def gather(conn: Connection, today: date, period_months: int,
           ids: list[int] | tuple[int, int] | None = None) -> Facts:
    """Facts for ``ids`` (a list, a (first, last) range, every customer when None), as of
    ``today``."""
    now = datetime.combine(today, datetime.min.time()) + timedelta(days=1)
    start = now - timedelta(days=round(period_months * 30.4375))
    previous = start - timedelta(days=round(period_months * 30.4375))
    c, o = Customer.__table__, Order.__table__
    # amount of the last purchase (FRAT amount ratio): one index seek per customer on
    # (customer_id, ordered_at); a ROW_NUMBER() window sorted every order (8x slower on SQLite)
    last_amount = (select(o.c.total_amount)
                   .where(o.c.customer_id == c.c.id, o.c.ordered_at < now)
                   .order_by(o.c.ordered_at.desc(), o.c.id.desc()).limit(1)
                   .scalar_subquery())
    rows = _rows(conn, select(c.c.id, c.c.kind, c.c.csp, c.c.ape_code, c.c.headcount,
                               c.c.customer_since, c.c.origin, c.c.is_closed,
                               last_amount.label("last_amount"))
                        .where(_filter(c.c.id, ids), c.c.is_deceased.is_(False))
                        .order_by(c.c.id))
    cid, kind, csp, ape, headcount, since, origin, closed, amount = _columns(rows, 9)
    facts = Facts(customer_id=np.array(cid, dtype=np.int64),
                  is_company=np.array([k == "company" for k in kind], dtype=bool),
                  csp=np.array(csp, dtype=object), ape_code=np.array(ape, dtype=object),
                  headcount=np.array([h or 0 for h in headcount], dtype=np.int64),
                  customer_since=_days(since, "D"),
                  has_origin=np.array([bool(x) for x in origin], dtype=bool),
                  is_closed=np.array([bool(x) for x in closed], dtype=bool))
    facts.last_purchase_amount = np.array([np.nan if a is None else float(a) for a in amount])

    # Every paid order is a purchase, yearly fees and premiums included: a customer who keeps
    # paying for their products is not an "ancien client". (Basket mining for cross-sell, in
    # console/recommend, leaves renewals out.)
    in_period = o.c.ordered_at >= start
    rows = _rows(conn,
        select(o.c.customer_id,
               func.sum(case((in_period, o.c.total_amount), else_=0)).label("rev_period"),
               func.sum(case((and_(o.c.ordered_at >= previous, o.c.ordered_at < start),
                              o.c.total_amount), else_=0)).label("rev_prev"),
               func.sum(o.c.total_amount).label("rev_total"),
               func.sum(case((in_period, 1), else_=0)).label("p_period"),
               func.min(o.c.ordered_at).label("first"),
               func.max(o.c.ordered_at).label("last"),
               func.sum(case((o.c.channel == "web", 1), else_=0)).label("web"),
               func.count().label("orders"))
        .where(_filter(o.c.customer_id, ids), o.c.ordered_at < now)
        .group_by(o.c.customer_id))
    who, rev_period, rev_prev, rev_total, p_period, first, last, web, orders = _columns(rows, 9)
    pos, known = facts.positions(who)
    for column, values in ((facts.revenue_period, rev_period),
                           (facts.revenue_previous, rev_prev), (facts.revenue_total, rev_total),
                           (facts.purchases_period, p_period), (facts.purchases_total, orders),
                           (facts.web_orders, web)):
        _put(column, pos, known, values)
    facts.first_purchase[pos] = _days(first, "us")[known]
    facts.last_purchase[pos] = _days(last, "us")[known]

    h, p = Holding.__table__, Product.__table__
    rows = _rows(conn,
        select(h.c.customer_id, func.count().label("n"),
               func.count(func.distinct(p.c.family_id)).label("families"),
               func.sum(case((p.c.is_strategic.is_(True), 1), else_=0)).label("strategic"))
        .join(p, p.c.id == h.c.product_id)
        .where(_filter(h.c.customer_id, ids), h.c.status == "actif")
        .group_by(h.c.customer_id))
    who, n, families, strategic = _columns(rows, 4)
    pos, known = facts.positions(who)
    for column, values in ((facts.holdings_active, n), (facts.families_held, families),
                           (facts.strategic_held, strategic)):
        _put(column, pos, known, values)

    i = Interaction.__table__
    rows = _rows(conn, select(i.c.customer_id, i.c.channel, func.count().label("n"))
                        .where(_filter(i.c.customer_id, ids), i.c.occurred_at >= start,
                               i.c.occurred_at < now)
                        .group_by(i.c.customer_id, i.c.channel))
    who, channel, n = _columns(rows, 3)
    who, channel = np.array(who, dtype=np.int64), np.array(channel, dtype=object)
    n = np.array(n, dtype=np.int64)
    for name in sorted(set(channel.tolist())):
        mine = channel == name
        pos, known = facts.positions(who[mine])
        counts = facts.contacts[name] = np.zeros(len(facts), dtype=np.int64)
        counts[pos] = n[mine][known]

    k = Complaint.__table__
    rows = _rows(conn, select(k.c.customer_id, func.count().label("n"),
                               func.sum(case((k.c.opened_at >= start, 1), else_=0),
                                        type_=Integer).label("recent"))
                        .where(_filter(k.c.customer_id, ids), k.c.opened_at < now)
                        .group_by(k.c.customer_id))
    who, n, recent = _columns(rows, 3)
    pos, known = facts.positions(who)
    _put(facts.complaints_period, pos, known, recent)
    several = facts.customer_id[pos[np.array(n, dtype=np.int64)[known] >= 2]].tolist()
    for batch in id_batches(several):
        rows = _rows(conn, select(k.c.customer_id, k.c.opened_at)
                     .where(k.c.customer_id.in_(batch), k.c.opened_at < now))
        who, opened = _columns(rows, 2)
        for position, day in zip(facts.positions(who)[0].tolist(),
                                 (_days(opened, "D").astype(np.int64)
                                            + EPOCH_ORDINAL).tolist()):
            facts.complaint_days.setdefault(position, []).append(day)
    return facts


def gather_in_parallel(engine: Engine, today: date, period_months: int, workers: int,
                       min_customers: int = 100_000) -> Facts:
    """Every customer's facts, the id range cut in ``workers`` parts gathered at once by as
    many processes (SQLite computes each query on one core; threads in one process were
    slower than one, fighting over the GIL row by row). Below ``min_customers`` one
    connection does it all: starting processes would cost more than it saves."""
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(Customer.id), func.max(Customer.id))).one()
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "",
                                                                             ":memory:")
    if first is None or workers <= 1 or in_memory or last - first < min_customers:
        with engine.connect() as conn:
            return gather(conn, today, period_months)
    cuts = np.linspace(first, last + 1, workers + 1).astype(np.int64).tolist()
    ranges = [(lo, hi - 1) for lo, hi in zip(cuts, cuts[1:]) if hi > lo]
    url = engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(max_workers=len(ranges),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = pool.map(_gather_part, [url] * len(ranges), [today] * len(ranges),
                         [period_months] * len(ranges), ranges)
        return Facts.concat(list(parts))


def _gather_part(url: str, today: date, period_months: int, ids: tuple[int, int]) -> Facts:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return gather(conn, today, period_months, ids=ids)
    finally:
        engine.dispose()
