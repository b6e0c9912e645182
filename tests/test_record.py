"""The unified record assembled in one call (SQLite and PostgreSQL)."""
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from console.models import (Alert, Callback, Complaint, Consent, Contact, Holding, Interaction,
                            Order, OrderLine)
from console.record import CustomerNotFound, build_record
from tests.factories import company, person, product


def test_record_carries_every_part(session):
    jean = person(session, email="jean.dupont@example.fr", phones=("0612345678", "0145678901"))
    livret = product(session, "LIVRET-A", "Livret A")
    carte = product(session, "CB", "Carte Visa", family="comptes")
    t0 = datetime(2026, 1, 10, 10, 0)
    for i in range(12):  # more orders than the record shows
        order = Order(customer_id=jean.id, ordered_at=t0 + timedelta(days=i), channel="web",
                      total_amount=Decimal("30.00"))
        order.lines = [OrderLine(product_id=livret.id, quantity=1, unit_price=Decimal("10"),
                                 amount=Decimal("10")),
                       OrderLine(product_id=carte.id, quantity=2, unit_price=Decimal("10"),
                                 amount=Decimal("20"))]
        session.add(order)
    session.add_all([
        Holding(customer_id=jean.id, product_id=livret.id, since=date(2020, 1, 1)),
        Consent(customer_id=jean.id, channel="sms", purpose="prospection", granted=False,
                source="appel (verbal)", recorded_at=t0),
        Interaction(customer_id=jean.id, channel="email", occurred_at=t0 + timedelta(days=3),
                    reason="Relevé"),
        Interaction(customer_id=jean.id, channel="appel_entrant",
                    occurred_at=t0 + timedelta(days=30), reason="Opposition carte",
                    agent="Sophie Bernard"),
        Complaint(customer_id=jean.id, opened_at=t0 + timedelta(days=20), channel="courrier",
                  subject="Frais contestés"),
        Callback(customer_id=jean.id, scheduled_for=t0 + timedelta(days=40), reason="Suivi"),
        Callback(customer_id=jean.id, scheduled_for=t0, reason="Fait", status="fait"),
        Alert(customer_id=jean.id, kind="attrition", message="2e réclamation"),
        Alert(customer_id=jean.id, kind="old", message="levée", cleared_at=t0),
    ])
    other = person(session, "Marie", "Curie", phones=("0611111111",))
    session.add(Interaction(customer_id=other.id, channel="sms", occurred_at=t0))
    session.flush()

    record = build_record(session, jean.id, {"recent_orders": 10, "timeline_items": 50})
    json.dumps(record)  # JSON-ready
    assert record["customer"]["display_name"] == "M. Jean Dupont"
    assert record["customer"]["email"] == "jean.dupont@example.fr"
    assert [p["display"] for p in record["phones"]] == ["06 12 34 56 78", "01 45 67 89 01"]
    assert record["addresses"][0]["postcode"] == "75009"
    assert len(record["recent_orders"]) == 10
    newest = record["recent_orders"][0]
    assert newest["ordered_at"].startswith("2026-01-21")
    assert [(l["product"], l["quantity"], l["amount"]) for l in newest["lines"]] == [
        ("Livret A", 1, 10.0), ("Carte Visa", 2, 20.0)]
    assert record["holdings"][0]["product"] == "Livret A"
    assert record["consents"] == [{"channel": "sms", "purpose": "prospection", "granted": False,
                                   "source": "appel (verbal)",
                                   "recorded_at": t0.isoformat()}]
    # timeline merges channels and complaints, newest first, and only this customer's
    assert [(i["type"], i["channel"]) for i in record["timeline"]] == [
        ("interaction", "appel_entrant"), ("reclamation", "courrier"), ("interaction", "email")]
    assert [c["reason"] for c in record["callbacks"]] == ["Suivi"]
    assert [a["kind"] for a in record["alerts"]] == ["attrition"]


def test_company_record_lists_contacts_with_roles(session):
    firm = company(session)
    session.add_all([Contact(company_id=firm.id, first_name="Paul", last_name="Martin",
                             role="decideur"),
                     Contact(company_id=firm.id, first_name="Léa", last_name="Roux",
                             role="acheteur")])
    session.flush()
    record = build_record(session, firm.id)
    assert record["customer"]["kind"] == "company"
    assert record["customer"]["siret"] == "73282932000074"
    assert [(c["first_name"], c["role"]) for c in record["contacts"]] == [
        ("Paul", "decideur"), ("Léa", "acheteur")]


def test_unknown_customer(session):
    with pytest.raises(CustomerNotFound):
        build_record(session, 424242)
