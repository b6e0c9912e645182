"""Demo data: deterministic, coherent, with co-purchase structure and seasonality."""
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select, text

from console.caller_lookup import identify_caller
from console.demo.generator import DemoGenerator
from console.demo.loader import DatabaseNotEmpty, load_demo
from console.models import Customer
from console.phones import normalize
from console.quality import valid_siret

TODAY = date(2026, 11, 1)


def generate(n, seed=42):
    gen = DemoGenerator(seed=seed, today=TODAY)
    rows = {}
    for chunk in gen.chunks(n, chunk_size=500):
        for table, values in chunk.items():
            rows.setdefault(table, []).extend(values)
    return gen, rows


def test_same_seed_same_data_other_seed_other_data():
    _, a = generate(300)
    _, b = generate(300)
    _, c = generate(300, seed=7)
    assert a == b
    assert a["customers"] != c["customers"]


def test_records_are_coherent():
    gen, rows = generate(3000)
    customers = {c["id"]: c for c in rows["customers"]}
    assert len(customers) == 3000
    assert 0.10 < sum(c["kind"] == "company" for c in customers.values()) / 3000 < 0.20
    for c in customers.values():
        if c["kind"] == "company":
            assert valid_siret(c["siret"])
    for p in rows["phones"]:
        assert normalize(p["raw"]) == p["e164"]
    roles = Counter(c["role"] for c in rows["contacts"])
    assert set(roles) == {"decideur", "prescripteur", "acheteur", "utilisateur"}
    order_ids = {o["id"] for o in rows["orders"]}
    assert all(l["order_id"] in order_ids for l in rows["order_lines"])
    # several numbers per customer, and some numbers shared between customers
    per_customer = Counter(p["customer_id"] for p in rows["phones"])
    assert max(per_customer.values()) >= 2
    owners = Counter(p["e164"] for p in rows["phones"])
    assert sum(1 for n in owners.values() if n > 1) >= 3
    # about ten order lines per customer: the benchmark loads 10 M lines for 1 M customers
    assert 7 < len(rows["order_lines"]) / 3000 < 14


def test_purchases_have_co_purchase_structure_and_seasonality():
    gen, rows = generate(4000)
    code = {p["id"]: p["code"] for p in gen.catalog.products}
    by_customer: dict[int, set] = {}
    orders = {o["id"]: o for o in rows["orders"]}
    for line in rows["order_lines"]:
        by_customer.setdefault(orders[line["order_id"]]["customer_id"], set()).add(
            code[line["product_id"]])
    n = len(by_customer)
    support = lambda *codes: sum(1 for s in by_customer.values() if set(codes) <= s) / n  # noqa
    lift = support("CREDIT-IMMO", "ASS-HABITATION") / (support("CREDIT-IMMO")
                                                      * support("ASS-HABITATION"))
    assert lift > 2
    # the retirement plan is mostly taken out at the end of the year (tax deduction)
    per_month = Counter(orders[l["order_id"]]["ordered_at"].month for l in rows["order_lines"]
                        if code[l["product_id"]] == "PER"
                        and orders[l["order_id"]]["channel"] != "renouvellement")
    assert per_month[12] > 2 * per_month[6]


def test_load_into_database_and_find_the_capture_callers(engine, cfg):
    counts = load_demo(engine, 250, seed=3, today=TODAY, progress=False)
    assert counts["customers"] == 250
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 250
        lines = conn.execute(text("SELECT COUNT(*) FROM order_lines")).scalar_one()
    assert lines == counts["order_lines"]
    from sqlalchemy.orm import Session
    with Session(engine) as s:
        jean = identify_caller(s, "0612345678", cfg.section("phone"))
        assert (jean.status, jean.label) == ("identified", "M. Jean Dupont")
        marie = identify_caller(s, "0145678901", cfg.section("phone"))
        assert marie.label == "Mme Marie Curie"
        shared = identify_caller(s, "0388123456", cfg.section("phone"))
        assert shared.status == "ambiguous"
    with pytest.raises(DatabaseNotEmpty):
        load_demo(engine, 10, progress=False)
    again = load_demo(engine, 10, seed=3, today=TODAY, progress=False, reset=True)
    assert again["customers"] == 10


def test_every_job_title_the_generator_may_draw_fits_its_column():
    """Faker's French job titles run up to 126 characters; PostgreSQL refused the 1 M demo
    load at 100 (SQLite had stored them silently)."""
    from faker.providers.job.fr_FR import Provider
    from console.models import Customer
    assert max(len(job) for job in Provider.jobs) <= Customer.__table__.c.profession.type.length


def test_a_load_interrupted_after_the_catalogue_can_be_run_again(engine, monkeypatch):
    """A load that failed midway (here after the catalogue was committed) left rows behind;
    running it again must not collide with them."""
    import console.demo.loader as loader

    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")
    monkeypatch.setattr(loader, "bulk_insert", broken)
    with pytest.raises(RuntimeError):
        load_demo(engine, 20, seed=3, today=TODAY, progress=False)
    monkeypatch.undo()
    assert load_demo(engine, 20, seed=3, today=TODAY, progress=False)["customers"] == 20


def test_reset_keeps_accounts_audit_trail_and_knowledge_base_history(engine):
    from sqlalchemy.orm import Session
    from console.models import AuditEntry
    from console.users import create_user
    load_demo(engine, 20, seed=3, today=TODAY, progress=False)
    with Session(engine) as s:
        create_user(s, "sup", "un mot de passe solide", "Superviseur", role="supervisor")
        s.add(AuditEntry(actor="sup", action="view", customer_id=1))
        s.commit()
    load_demo(engine, 5, seed=4, today=TODAY, progress=False, reset=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM users")).scalars().all() == ["sup"]
        assert conn.execute(text("SELECT action FROM audit_log")).scalars().all() == ["view"]
        assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 5
