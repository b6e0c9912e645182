"""Figures for the supervisor: customers by segment, class and rank; the bubble chart."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.models import Customer, CustomerScore
from console.segmentation.engine import latest_run
from console.segmentation.methods import bubble_diameter


def distributions(session: Session) -> dict[str, list[tuple[str, int]]]:
    out = {}
    for title, column in (("Segment RFM", CustomerScore.rfm_segment),
                          ("Classe ABC", CustomerScore.abc_class),
                          ("Rang de valeur", CustomerScore.value_rank),
                          ("Type de client", CustomerScore.customer_type),
                          ("Cycle de vie", CustomerScore.lifecycle_stage)):
        rows = session.execute(select(column, func.count()).group_by(column)
                               .order_by(func.count().desc())).all()
        out[title] = [(label or "—", n) for label, n in rows]
    return out


def bubbles(session: Session, limit: int = 150) -> dict:
    """The biggest customers by revenue: x = performances, y = potentiel, quadrant lines at the
    population means, diameter d = ½·√n (n = the customer's % of revenue)."""
    run = latest_run(session)
    if run is None:
        return {"points": [], "x_mean": 0, "y_mean": 0}
    rows = session.execute(
        select(CustomerScore.customer_id, CustomerScore.performances, CustomerScore.potentiel,
               CustomerScore.revenue_period, Customer.kind,
               Customer.company_name, Customer.first_name, Customer.last_name)
        .join(Customer, Customer.id == CustomerScore.customer_id)
        .order_by(CustomerScore.revenue_period.desc()).limit(limit)).all()
    total = run.thresholds.get("revenue_sum") or 0
    points = [{"id": r.customer_id, "x": r.performances, "y": r.potentiel,
               "d": round(bubble_diameter(100 * r.revenue_period / total if total else 0), 4),
               "revenue": r.revenue_period,
               "name": r.company_name if r.kind == "company" else
               f"{r.first_name or ''} {r.last_name or ''}".strip()} for r in rows]
    return {"points": points, "x_mean": run.thresholds.get("performances_mean", 0),
            "y_mean": run.thresholds.get("potentiel_mean", 0)}
