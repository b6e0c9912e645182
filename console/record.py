"""The unified customer record ("vue unique du client") assembled in one call.

Returns plain JSON-ready data: this is what the console renders on a screen pop.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import (Address, Alert, Callback, Complaint, Consent, Contact, Customer,
                            Holding, Interaction, Order, OrderLine, Phone, Product, ProductFamily)
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


IDENTITY_FIELDS = ("id", "kind", "civility", "last_name", "first_name", "birth_date",
                   "family_status", "children_count", "profession", "csp", "company_name",
                   "siret", "ape_code", "legal_form", "headcount", "email", "preferred_language",
                   "preferred_channel", "origin", "lifecycle_stage", "customer_since",
                   "is_deceased", "is_closed", "has_moved", "on_bloctel")


def build_record(session: Session, customer_id: int, record_cfg: dict | None = None) -> dict:
    record_cfg = record_cfg or {}
    n_orders = int(record_cfg.get("recent_orders", 10))
    n_timeline = int(record_cfg.get("timeline_items", 50))

    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(f"client {customer_id} introuvable")

    identity = _row(customer, IDENTITY_FIELDS)
    identity["display_name"] = customer.display_name

    phones = [dict(_row(p, ("id", "kind", "raw", "e164", "is_primary", "contact_id")),
                   display=format_national(p.e164) if p.e164 else p.raw)
              for p in session.scalars(select(Phone).where(Phone.customer_id == customer_id)
                                       .order_by(Phone.is_primary.desc(), Phone.id))]
    addresses = [_row(a, ("id", "kind", "line1", "line2", "postcode", "city", "country"))
                 for a in session.scalars(select(Address).where(Address.customer_id == customer_id)
                                          .order_by(Address.id))]
    contacts = [_row(c, ("id", "civility", "first_name", "last_name", "job_title", "role", "email"))
                for c in session.scalars(select(Contact).where(Contact.company_id == customer_id)
                                         .order_by(Contact.id))]
    consents = [_row(c, ("channel", "purpose", "granted", "source", "recorded_at"))
                for c in session.scalars(select(Consent).where(Consent.customer_id == customer_id)
                                         .order_by(Consent.channel, Consent.purpose))]
    holdings = [dict(_row(h, ("product_id", "since", "renewal_date", "status")),
                     product=name, family=family)
                for h, name, family in session.execute(
                    select(Holding, Product.name, ProductFamily.name)
                    .join(Product, Product.id == Holding.product_id)
                    .join(ProductFamily, ProductFamily.id == Product.family_id)
                    .where(Holding.customer_id == customer_id).order_by(Holding.since))]

    orders = _recent_orders(session, customer_id, n_orders)
    complaints = [_row(c, ("id", "opened_at", "closed_at", "channel", "subject", "status"))
                  for c in session.scalars(select(Complaint)
                                           .where(Complaint.customer_id == customer_id)
                                           .order_by(Complaint.opened_at.desc()).limit(n_timeline))]
    interactions = [_row(i, ("id", "channel", "occurred_at", "agent", "reason", "outcome", "notes",
                             "queue", "wait_seconds", "talk_seconds"))
                    for i in session.scalars(select(Interaction)
                                             .where(Interaction.customer_id == customer_id)
                                             .order_by(Interaction.occurred_at.desc())
                                             .limit(n_timeline))]
    timeline = sorted(
        [dict(i, type="interaction", at=i["occurred_at"]) for i in interactions]
        + [dict(c, type="reclamation", at=c["opened_at"], channel=c["channel"]) for c in complaints],
        key=lambda item: item["at"], reverse=True)[:n_timeline]
    callbacks = [_row(c, ("id", "scheduled_for", "reason", "agent", "campaign", "status"))
                 for c in session.scalars(select(Callback)
                                          .where(Callback.customer_id == customer_id,
                                                 Callback.status == "a_faire")
                                          .order_by(Callback.scheduled_for))]
    alerts = [_row(a, ("id", "kind", "message", "raised_at"))
              for a in session.scalars(select(Alert).where(Alert.customer_id == customer_id,
                                                            Alert.cleared_at.is_(None))
                                       .order_by(Alert.raised_at.desc()))]
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
    }


def _recent_orders(session: Session, customer_id: int, limit: int) -> list[dict]:
    orders = session.scalars(select(Order).where(Order.customer_id == customer_id)
                             .order_by(Order.ordered_at.desc(), Order.id.desc()).limit(limit)).all()
    if not orders:
        return []
    lines: dict[int, list[dict]] = {o.id: [] for o in orders}
    for line, name in session.execute(
            select(OrderLine, Product.name).join(Product, Product.id == OrderLine.product_id)
            .where(OrderLine.order_id.in_(lines)).order_by(OrderLine.id)):
        lines[line.order_id].append(dict(_row(line, ("product_id", "quantity", "unit_price",
                                                     "amount")), product=name))
    return [dict(_row(o, ("id", "ordered_at", "channel", "payment_mode", "shop", "total_amount")),
                 lines=lines[o.id]) for o in orders]
