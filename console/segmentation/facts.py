"""Per-customer facts the scores are computed from, gathered with a few GROUP BY queries.

The same queries serve the batch (every customer) and the incremental path (one customer),
so both score from the same numbers. Aggregation runs in the database (SQLite or PostgreSQL
alike); Python only walks the aggregated rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import DateTime, Integer, and_, case, func, select
from sqlalchemy.engine import Connection

from console.models import (Complaint, Customer, Holding, Interaction, Order, Product)


@dataclass(slots=True)
class Facts:
    customer_id: int
    kind: str
    csp: str | None
    ape_code: str | None
    headcount: int | None
    customer_since: date | None
    origin: str | None
    is_closed: bool
    revenue_period: float = 0.0
    revenue_previous: float = 0.0
    revenue_total: float = 0.0
    purchases_period: int = 0
    purchases_total: int = 0
    first_purchase: datetime | None = None
    last_purchase: datetime | None = None
    last_purchase_amount: float | None = None
    web_orders: int = 0
    orders: int = 0
    holdings_active: int = 0
    families_held: int = 0
    strategic_held: int = 0
    contacts: dict = field(default_factory=dict)
    complaints_period: int = 0
    complaint_days: list = field(default_factory=list)


def _day(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _filter(column, ids):
    return column.in_(ids) if ids is not None else True


def gather(conn: Connection, today: date, period_months: int,
           ids: list[int] | None = None) -> dict[int, Facts]:
    """Facts for ``ids`` (every customer when None), as of ``today``."""
    now = datetime.combine(today, datetime.min.time()) + timedelta(days=1)
    start = now - timedelta(days=round(period_months * 30.4375))
    previous = start - timedelta(days=round(period_months * 30.4375))
    facts: dict[int, Facts] = {}
    c, o = Customer.__table__, Order.__table__
    # amount of the last purchase (FRAT amount ratio): one index seek per customer on
    # (customer_id, ordered_at); a ROW_NUMBER() window sorted every order (8x slower on SQLite)
    last_amount = (select(o.c.total_amount)
                   .where(o.c.customer_id == c.c.id, o.c.ordered_at < now)
                   .order_by(o.c.ordered_at.desc(), o.c.id.desc()).limit(1)
                   .scalar_subquery())
    for r in conn.execute(select(c.c.id, c.c.kind, c.c.csp, c.c.ape_code, c.c.headcount,
                                 c.c.customer_since, c.c.origin, c.c.is_closed,
                                 last_amount.label("last_amount"))
                          .where(_filter(c.c.id, ids), c.c.is_deceased.is_(False))):
        f = facts[r.id] = Facts(r.id, r.kind, r.csp, r.ape_code, r.headcount,
                                r.customer_since if not isinstance(r.customer_since, str)
                                else date.fromisoformat(r.customer_since), r.origin,
                                bool(r.is_closed))
        if r.last_amount is not None:
            f.last_purchase_amount = float(r.last_amount)

    # Every paid order is a purchase, yearly fees and premiums included: a customer who keeps
    # paying for their products is not an "ancien client". (Basket mining for cross-sell, in
    # console/recommend, leaves renewals out.)
    in_period = o.c.ordered_at >= start
    for r in conn.execute(
            select(o.c.customer_id,
                   func.sum(case((in_period, o.c.total_amount), else_=0)).label("rev_period"),
                   func.sum(case((and_(o.c.ordered_at >= previous, o.c.ordered_at < start),
                                  o.c.total_amount), else_=0)).label("rev_prev"),
                   func.sum(o.c.total_amount).label("rev_total"),
                   func.sum(case((in_period, 1), else_=0)).label("p_period"),
                   func.min(o.c.ordered_at, type_=DateTime).label("first"),
                   func.max(o.c.ordered_at, type_=DateTime).label("last"),
                   func.sum(case((o.c.channel == "web", 1), else_=0)).label("web"),
                   func.count().label("orders"))
            .where(_filter(o.c.customer_id, ids), o.c.ordered_at < now)
            .group_by(o.c.customer_id)):
        f = facts.get(r.customer_id)
        if f is None:
            continue
        f.revenue_period, f.revenue_previous = float(r.rev_period or 0), float(r.rev_prev or 0)
        f.revenue_total, f.purchases_period = float(r.rev_total or 0), int(r.p_period or 0)
        f.purchases_total = int(r.orders)
        f.first_purchase, f.last_purchase = _day(r.first), _day(r.last)
        f.web_orders, f.orders = int(r.web or 0), int(r.orders)

    h, p = Holding.__table__, Product.__table__
    for r in conn.execute(
            select(h.c.customer_id, func.count().label("n"),
                   func.count(func.distinct(p.c.family_id)).label("families"),
                   func.sum(case((p.c.is_strategic.is_(True), 1), else_=0)).label("strategic"))
            .join(p, p.c.id == h.c.product_id)
            .where(_filter(h.c.customer_id, ids), h.c.status == "actif")
            .group_by(h.c.customer_id)):
        f = facts.get(r.customer_id)
        if f is not None:
            f.holdings_active, f.families_held = int(r.n), int(r.families)
            f.strategic_held = int(r.strategic or 0)

    i = Interaction.__table__
    for r in conn.execute(select(i.c.customer_id, i.c.channel, func.count().label("n"))
                          .where(_filter(i.c.customer_id, ids), i.c.occurred_at >= start,
                                 i.c.occurred_at < now)
                          .group_by(i.c.customer_id, i.c.channel)):
        f = facts.get(r.customer_id)
        if f is not None:
            f.contacts[r.channel] = int(r.n)

    k = Complaint.__table__
    for r in conn.execute(select(k.c.customer_id, func.count().label("n"),
                                 func.sum(case((k.c.opened_at >= start, 1), else_=0),
                                          type_=Integer).label("recent"))
                          .where(_filter(k.c.customer_id, ids), k.c.opened_at < now)
                          .group_by(k.c.customer_id)):
        f = facts.get(r.customer_id)
        if f is not None:
            f.complaints_period = int(r.recent or 0)
            if r.n >= 2:
                f.complaint_days = [-1]  # marker: fetch the dates below
    several = [cid for cid, f in facts.items() if f.complaint_days]
    for chunk in (several[i:i + 900] for i in range(0, len(several), 900)):
        for r in conn.execute(select(k.c.customer_id, k.c.opened_at)
                              .where(k.c.customer_id.in_(chunk), k.c.opened_at < now)):
            f = facts[r.customer_id]
            if f.complaint_days == [-1]:
                f.complaint_days = []
            f.complaint_days.append(_day(r.opened_at).date().toordinal())
    return facts
