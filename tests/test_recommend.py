"""Cross-sell and up-sell offers: reasons, exclusions and feedback (real database)."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.demo.loader import load_demo
from console.models import Consent, Customer, CustomerScore, Holding, OfferLog, Product
from console.recommend import recommend, record_offer_answers
from console.record import build_record
from console.segmentation.engine import recompute_all

TODAY = date(2026, 11, 1)


@pytest.fixture
def world(engine, cfg):
    load_demo(engine, 400, seed=21, today=TODAY, progress=False)
    recompute_all(engine, cfg, today=TODAY, progress=False)
    with Session(engine) as s:
        yield s


def _person_with_offers(s, cfg):
    for c in s.scalars(select(Customer).where(Customer.kind == "person").order_by(Customer.id)):
        offers = recommend(s, c.id, cfg, today=TODAY)
        if len(offers) == 3:
            return c, offers
    raise AssertionError("no customer with offers")


def test_offers_have_reason_pitch_and_are_not_owned(world, cfg):
    customer, offers = _person_with_offers(world, cfg)
    owned = set(world.scalars(select(Holding.product_id).where(
        Holding.customer_id == customer.id)))
    assert len({o["product_id"] for o in offers}) == 3
    for o in offers:
        assert o["product_id"] not in owned
        assert o["reason"] and o["argumentaire"].startswith(("Madame", "Monsieur"))
        product = world.get(Product, o["product_id"])
        assert not product.for_companies
        assert o["product_code"] not in cfg.get("recommendation.never_offer")
    scores = [o["score"] for o in offers]
    assert scores == sorted(scores, reverse=True)
    record = build_record(world, customer.id, cfg.section("record"), cfg)
    assert [o["product_id"] for o in record["offers"]] == [o["product_id"] for o in offers]


def test_refused_offer_is_not_proposed_again_for_a_while(world, cfg):
    customer, offers = _person_with_offers(world, cfg)
    first = offers[0]
    record_offer_answers(world, customer.id, [{"product": first["product_code"],
                                               "answer": "refusee"}], "Agent", "c1")
    world.flush()
    again = recommend(world, customer.id, cfg, today=TODAY)
    assert first["product_id"] not in [o["product_id"] for o in again]
    # after the quiet period it may come back
    world.execute(OfferLog.__table__.update().values(at=datetime(2025, 1, 1)))
    later = recommend(world, customer.id, cfg, today=TODAY)
    assert first["product_id"] in [o["product_id"] for o in later]
    # the same answer sent twice for a call is kept once
    assert record_offer_answers(world, customer.id, [{"product": first["product_code"],
                                                      "answer": "refusee"}], "A", "c1") == 0


def test_no_offer_without_consent_or_to_sous_zero_customers(world, cfg):
    customer, _ = _person_with_offers(world, cfg)
    world.query(Consent).filter_by(customer_id=customer.id, channel="telephone").delete()
    world.add(Consent(customer_id=customer.id, channel="telephone", purpose="prospection",
                      granted=False, source="appel (verbal)", recorded_at=datetime(2026, 1, 1)))
    world.flush()
    assert recommend(world, customer.id, cfg, today=TODAY) == []
    other, _ = _person_with_offers(world, cfg)
    world.get(CustomerScore, other.id).value_rank = "sous-zéro"
    world.flush()
    assert recommend(world, other.id, cfg, today=TODAY) == []


def test_life_event_age_40_and_up_sell(world, cfg):
    customer, _ = _person_with_offers(world, cfg)
    customer.birth_date = TODAY.replace(year=TODAY.year - 41) - timedelta(days=100)
    customer.children_count = 0
    world.flush()
    offers = recommend(world, customer.id, cfg, today=TODAY, limit=10)
    reasons = " ".join(o["reason"] for o in offers)
    assert "41 ans : le bon moment pour préparer la retraite" in reasons
    classic = world.scalar(select(Product).where(Product.code == "CB-ESSENTIEL"))
    premier = world.scalar(select(Product).where(Product.code == "CB-CONFORT"))
    offers = recommend(world, customer.id, cfg, today=TODAY, limit=40, owned={classic.id})
    assert premier.id in [o["product_id"] for o in offers]  # the next range of the card


def reference_learn(baskets, segments, cfg):
    """Learning as the definitions say it, basket by basket (what the matrix version must give)."""
    import itertools
    from collections import Counter, defaultdict
    rc = cfg.section("recommendation")
    n = len(baskets) or 1
    single, pairs = Counter(), Counter()
    for products in baskets.values():
        single.update(products)
        pairs.update(itertools.permutations(sorted(products), 2))
    rules = []
    for (a, b), count in pairs.items():
        support, confidence = count / n, count / single[a]
        lift = confidence / (single[b] / n)
        if support >= rc["min_support"] and confidence >= rc["min_confidence"] \
                and lift >= rc["min_lift"]:
            rules.append([a, b, round(support, 5), round(confidence, 4), round(lift, 3)])
    by_segment, size = defaultdict(Counter), Counter()
    for cid, products in baskets.items():
        seg = segments.get(cid, "particulier")
        size[seg] += 1
        by_segment[seg].update(products)
    portfolios = {seg: {str(p): round(c / size[seg], 4) for p, c in counts.items()
                        if c / size[seg] >= rc["portfolio_min_share"]}
                  for seg, counts in by_segment.items()}
    return {"customers": len(baskets), "rules": sorted(rules),
            "popularity": {str(p): round(c / n, 5) for p, c in single.items()},
            "portfolios": portfolios}


def test_matrix_learning_gives_the_basket_by_basket_result(world, cfg):
    from console.recommend import (customer_profiles, customer_segments, learn,
                                   learn_from_pairs, purchase_history, purchase_pairs)
    history = purchase_history(world)
    segments = customer_segments(world, TODAY)
    everything = {cid: {p for basket in orders for p in basket.lines}
                  for cid, orders in history.items()}
    # the batch path (pairs read from the database) and the offline evaluation's (histories
    # with the last order hidden: some customers have nothing left, and still count)
    before = {cid: orders[:-1] for cid, orders in history.items()}
    training = {cid: {p for basket in orders for p in basket.lines}
                for cid, orders in before.items()}
    assert any(not products for products in training.values())
    learnt = learn(before, segments, customer_profiles(world, TODAY),
                   world.scalars(select(Product)).all(), cfg)
    for got, baskets in ((learn_from_pairs(*purchase_pairs(world), segments, cfg), everything),
                         (learnt, training)):
        expected = reference_learn(baskets, segments, cfg)
        assert expected["rules"] and got["customers"] == expected["customers"]
        assert sorted(got["rules"]) == expected["rules"]
        assert got["popularity"] == expected["popularity"]
        shares = list(got["popularity"].values())
        assert shares == sorted(shares, reverse=True)          # most popular first
        assert got["portfolios"] == expected["portfolios"]


def test_the_batch_learns_the_next_purchase_model_from_a_sample(world, cfg):
    from console.recommend import current_model
    model = current_model(world)
    assert model.next_purchase is not None and model.next_purchase.ready
    assert model.data["next_purchase"]["examples"] > 100
    customer, offers = _person_with_offers(world, cfg)
    # the offers' likelihoods are the model's probabilities, tilted at most by the business
    # rules' weights and the season (never above 1.5 × a probability)
    assert all(0 < o["score"] <= 1.5 for o in offers)
