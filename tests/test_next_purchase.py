"""The next-purchase model: its features, and that it learns what customers buy next."""
import random
from datetime import date, timedelta

import pytest

from console.next_purchase import Basket, FeatureSpace, NextPurchase, Profile, learn

A, B, C, D, PRO = 11, 12, 13, 14, 20
PRODUCTS = [A, B, C, D, PRO]
PRICES = [100.0, 50.0, 80.0, 1000.0, 300.0]
FOR_COMPANIES = [False, False, False, False, True]


def space():
    return FeatureSpace(PRODUCTS, PRICES, ["Cadres", "Ouvriers"], recent_days=400)


def test_features_say_what_was_bought_lately_and_who_the_customer_is():
    s = space()
    history = [Basket(date(2023, 1, 10), {A: 100.0}),
               Basket(date(2025, 6, 1), {B: 50.0, D: 2000.0}),   # D at twice its list price
               Basket(date(2025, 9, 1), {C: 80.0})]
    x, owned = s.row(history, Profile(company=False, age=41, children=True, csp="Ouvriers"))
    n = len(PRODUCTS)
    assert owned.tolist() == [True, True, True, True, False]
    assert x[n:2 * n].tolist() == [0, 0, 1, 0, 0]          # the last purchase
    assert x[2 * n:3 * n].tolist() == [0, 1, 1, 1, 0]      # within 400 days of the last one
    assert x[3 * n:3 * n + 6].tolist() == [0, 0, 1, 0, 0, 0]   # 30-44 years old
    assert x[3 * n + 6:3 * n + 8].tolist() == [0, 1]       # Ouvriers
    company, children, mean_ticket, max_ticket, purchases, bias = x[-6:]
    assert (company, children, bias) == (0, 1, 1)
    assert max_ticket == pytest.approx(0.6931, abs=1e-4)    # log 2
    assert mean_ticket == pytest.approx(0.6931 / 4, abs=1e-4)
    assert purchases == pytest.approx(1.3863, abs=1e-4)    # log(1 + 3)
    empty, nothing = s.row([], Profile(company=True, age=None, children=False, csp=None))
    assert not nothing.any() and empty[3 * n] == 1 and empty[-6] == 1   # age unknown, company


def _world(n=600, seed=2):
    """Everyone opens with A. Then parents buy B, the others C; whoever has B or C may take D
    (a long-standing customer's purchase)."""
    rnd = random.Random(seed)
    histories, profiles = {}, {}
    for cid in range(1, n + 1):
        parent = rnd.random() < 0.5
        start = date(2020, 1, 1) + timedelta(days=rnd.randint(0, 300))
        history = [Basket(start, {A: 100.0}),
                   Basket(start + timedelta(days=rnd.randint(30, 300)),
                          {B if parent else C: 60.0})]
        if rnd.random() < 0.5:
            history.append(Basket(history[-1].day + timedelta(days=200), {D: 900.0}))
        histories[cid] = history
        profiles[cid] = Profile(False, rnd.randint(25, 60), parent, None)
    return histories, profiles


def test_learns_what_comes_next_and_never_offers_what_is_owned(cfg):
    histories, profiles = _world()
    data = learn(histories, profiles, space(), FOR_COMPANIES, cfg)
    assert data["examples"] > 500
    model = NextPurchase(data)
    opened = [Basket(date(2024, 1, 1), {A: 100.0})]
    parent = model.probabilities(opened, Profile(False, 35, True, None), excluded={A, PRO})
    other = model.probabilities(opened, Profile(False, 35, False, None), excluded={A, PRO})
    assert max(parent, key=parent.get) == B and max(other, key=other.get) == C
    assert set(parent) <= {B, C, D} and sum(parent.values()) == pytest.approx(1.0)
    later = opened + [Basket(date(2024, 6, 1), {B: 60.0})]
    probabilities = model.probabilities(later, Profile(False, 35, True, None),
                                        excluded={A, B, PRO})
    assert max(probabilities, key=probabilities.get) == D
    assert model.probabilities(later, Profile(False, 35, True, None),
                               excluded=set(PRODUCTS)) == {}


def test_the_latest_purchase_teaches_more_than_the_earlier_ones(cfg):
    """Early on customers bought C after A, lately they buy B after A: with earlier purchases
    at a small weight the model follows the recent behaviour."""
    histories, profiles = {}, {}
    for cid in range(1, 301):
        day = date(2021, 1, 1)
        early = [Basket(day, {A: 100.0}), Basket(day + timedelta(days=30), {C: 80.0})] \
            if cid % 3 else []
        histories[cid] = early + [Basket(day + timedelta(days=400), {A: 100.0}),
                                  Basket(day + timedelta(days=500), {B: 60.0})]
        profiles[cid] = Profile(False, 40, False, None)
    model = NextPurchase(learn(histories, profiles, space(), FOR_COMPANIES, cfg))
    p = model.probabilities([Basket(date(2024, 1, 1), {A: 100.0})],
                            Profile(False, 40, False, None), excluded={A, PRO})
    assert p[B] > p[C]


def test_without_examples_nothing_is_learnt(cfg):
    data = learn({1: [Basket(date(2024, 1, 1), {A: 1.0})]}, {1: Profile(False, 30, False, None)},
                 space(), FOR_COMPANIES, cfg)
    assert data["examples"] == 0
    assert NextPurchase(data).probabilities([], Profile(False, 30, False, None), set()) == {}


def test_the_offers_of_the_day_are_not_two_halves_of_one_basket(cfg):
    """A loan and its insurance are bought together: once the loan is offered, the insurance
    adds little, and the next slot goes to another need."""
    from console.models import Product
    from console.recommend import Candidate, Model, _distinct_baskets
    histories = {cid: [Basket(date(2024, 1, 1), {A: 100.0, B: 50.0}),
                       Basket(date(2024, 3, 1), {C: 80.0})] for cid in range(1, 40)}
    together = learn(histories, {cid: Profile(False, 40, False, None) for cid in histories},
                     space(), FOR_COMPANIES, cfg)["together"]
    assert together[0][1] == 1.0 and together[0][2] == 0.0     # A always with B, never with C
    model = Model({"rules": [], "popularity": {}, "portfolios": {},
                   "next_purchase": {"products": PRODUCTS, "list_prices": PRICES, "csps": [],
                                     "recent_days": 400, "together": together}})
    ranked = [Candidate(Product(id=pid, code=str(pid)), score, "", "cross")
              for pid, score in ((A, 0.4), (B, 0.39), (C, 0.2), (D, 0.01))]
    offers = _distinct_baskets(ranked, model, 3)
    assert [o.product.id for o in offers] == [A, C, D]
    assert [o.score for o in offers] == sorted((o.score for o in offers), reverse=True)
