"""The unified customer record ("vue unique du client") assembled in one call.

Returns plain JSON-ready data: this is what the console renders on a screen pop.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from console.models import (Address, Alert, Callback, Complaint, Consent, Contact, Customer,
                            CustomerScore, Holding, Interaction, Order, OrderLine, Phone, Product,
                            ProductFamily, ScoreRun)
from console.recommend import recommend
from console.segmentation.badges import badges_of, scores_of
from console.phones import format_national


class CustomerNotFound(LookupError):
    pass


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row(obj: Any, fields: tuple[str, ...]) -> dict:
    return {f: _json(getattr(obj, f)) for f in fields}


def _query(model, fields: tuple[str, ...], *where, order=(), limit: bool = False):
    """A statement built once, with the customer id (and the limit) as parameters: re-using
    the statement object spares SQLAlchemy most of its per-call work (the record is on the
    ring path; see bench/customers.py)."""
    stmt = select(*(getattr(model, f) for f in fields)).where(*where).order_by(*order)
    if limit:
        stmt = stmt.limit(bindparam("n"))
    return stmt, fields


def _rows(session: Session, query, **params) -> list[dict]:
    stmt, fields = query
    return [{n: _json(v) for n, v in zip(fields, r)}
            for r in session.connection().execute(stmt, params)]


CID = bindparam("cid")
Q_PHONES = _query(Phone, ("id", "kind", "raw", "e164", "is_primary", "contact_id"),
                  Phone.customer_id == CID, order=(Phone.is_primary.desc(), Phone.id))
Q_ADDRESSES = _query(Address, ("id", "kind", "line1", "line2", "postcode", "city", "country"),
                     Address.customer_id == CID, order=(Address.id,))
Q_CONTACTS = _query(Contact, ("id", "civility", "first_name", "last_name", "job_title", "role",
                              "email"), Contact.company_id == CID, order=(Contact.id,))
Q_CONSENTS = _query(Consent, ("channel", "purpose", "granted", "source", "recorded_at"),
                    Consent.customer_id == CID, order=(Consent.channel, Consent.purpose))
Q_COMPLAINTS = _query(Complaint, ("id", "opened_at", "closed_at", "channel", "subject",
                                  "status"), Complaint.customer_id == CID,
                      order=(Complaint.opened_at.desc(),), limit=True)
Q_INTERACTIONS = _query(Interaction, ("id", "channel", "occurred_at", "agent", "reason",
                                      "outcome", "notes", "queue", "wait_seconds",
                                      "talk_seconds"), Interaction.customer_id == CID,
                        order=(Interaction.occurred_at.desc(),), limit=True)
Q_CALLBACKS = _query(Callback, ("id", "scheduled_for", "reason", "agent", "campaign", "status"),
                     Callback.customer_id == CID, Callback.status == "a_faire",
                     order=(Callback.scheduled_for,))
Q_ALERTS = _query(Alert, ("id", "kind", "message", "raised_at"), Alert.customer_id == CID,
                  Alert.cleared_at.is_(None), order=(Alert.raised_at.desc(),))
Q_ORDERS = _query(Order, ("id", "ordered_at", "channel", "payment_mode", "shop", "total_amount"),
                  Order.customer_id == CID, order=(Order.ordered_at.desc(), Order.id.desc()),
                  limit=True)
Q_LINES = (select(OrderLine.order_id, OrderLine.product_id, OrderLine.quantity,
                  OrderLine.unit_price, OrderLine.amount, Product.name.label("product"))
           .join(Product, Product.id == OrderLine.product_id)
           .where(OrderLine.order_id.in_(bindparam("ids", expanding=True)))
           .order_by(OrderLine.id),
           ("order_id", "product_id", "quantity", "unit_price", "amount", "product"))
Q_HOLDINGS = (select(Holding.product_id, Holding.since, Holding.renewal_date, Holding.status,
                     Product.name, ProductFamily.name)
              .join(Product, Product.id == Holding.product_id)
              .join(ProductFamily, ProductFamily.id == Product.family_id)
              .where(Holding.customer_id == CID).order_by(Holding.since),
              ("product_id", "since", "renewal_date", "status", "product", "family"))


IDENTITY_FIELDS = ("id", "kind", "civility", "last_name", "first_name", "birth_date",
                   "family_status", "children_count", "profession", "csp", "company_name",
                   "siret", "ape_code", "legal_form", "headcount", "email", "preferred_language",
                   "preferred_channel", "origin", "lifecycle_stage", "customer_since",
                   "is_deceased", "is_closed", "has_moved", "on_bloctel")


def build_record(session: Session, customer_id: int, record_cfg: dict | None = None,
                 cfg=None) -> dict:
    """The whole record; with ``cfg`` (the full configuration) it also carries today's offers."""
    record_cfg = record_cfg or {}
    n_orders = int(record_cfg.get("recent_orders", 10))
    n_timeline = int(record_cfg.get("timeline_items", 50))

    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(f"client {customer_id} introuvable")

    identity = _row(customer, IDENTITY_FIELDS)
    identity["display_name"] = customer.display_name

    phones = _rows(session, Q_PHONES, cid=customer_id)
    for p in phones:
        p["display"] = format_national(p["e164"]) if p["e164"] else p["raw"]
    addresses = _rows(session, Q_ADDRESSES, cid=customer_id)
    contacts = _rows(session, Q_CONTACTS, cid=customer_id)
    consents = _rows(session, Q_CONSENTS, cid=customer_id)
    holdings = _rows(session, Q_HOLDINGS, cid=customer_id)
    orders = _recent_orders(session, customer_id, n_orders)
    complaints = _rows(session, Q_COMPLAINTS, cid=customer_id, n=n_timeline)
    interactions = _rows(session, Q_INTERACTIONS, cid=customer_id, n=n_timeline)
    timeline = sorted(
        [dict(i, type="interaction", at=i["occurred_at"]) for i in interactions]
        + [dict(c, type="reclamation", at=c["opened_at"], channel=c["channel"]) for c in complaints],
        key=lambda item: item["at"], reverse=True)[:n_timeline]
    callbacks = _rows(session, Q_CALLBACKS, cid=customer_id)
    alerts = _rows(session, Q_ALERTS, cid=customer_id)
    score = session.get(CustomerScore, customer_id)
    run = session.get(ScoreRun, score.run_id) if score is not None and score.run_id else None
    return {
        "customer": identity,
        "phones": phones,
        "addresses": addresses,
        "contacts": contacts,
        "consents": consents,
        "holdings": holdings,
        "recent_orders": orders,
        "complaints": complaints,
        "timeline": timeline,
        "callbacks": callbacks,
        "alerts": alerts,
        "scores": scores_of(score),
        "badges": badges_of(score, (run.thresholds or {}).get("parameters") if run else None),
        "offers": recommend(session, customer_id, cfg) if cfg is not None else [],
    }


def _recent_orders(session: Session, customer_id: int, limit: int) -> list[dict]:
    orders = _rows(session, Q_ORDERS, cid=customer_id, n=limit)
    if not orders:
        return []
    lines: dict[int, list[dict]] = {o["id"]: [] for o in orders}
    for line in _rows(session, Q_LINES, ids=list(lines)):
        lines[line.pop("order_id")].append(line)
    for o in orders:
        o["lines"] = lines[o["id"]]
    return orders
