"""The methods of the domain brief with its fixtures, exact expected results."""
import itertools
import random

import numpy as np
import pytest

from console.segmentation.methods import (abc, attrition_pairs, bubble_diameter, customer_type,
                                          frat, lifetime_value, pareto, quintile_bounds,
                                          quintile_score, radar_action, revenue_share,
                                          rfm_segment, rfm_segments, tcc, value_rank,
                                          weighted_score, questionnaire_class)

PARETO = [225000, 175000, 30000, 40000, 5000, 20000, 10000, 15000, 15000, 5000, 8000, 5000,
          5000, 5000, 20000, 225000, 2000, 5000, 10000, 175000]
ABC = [6000, 80000, 35000, 11000, 250000, 9000, 8000, 30000, 60000, 5000, 1500, 7000, 20000,
       8000, 40000, 70000, 3000, 4500, 350000, 2000]


def fixture(values):
    return {i: v for i, v in enumerate(values, 1)}


def test_pareto_fixture():
    revenues = fixture(PARETO)
    assert sum(PARETO) == 1_000_000
    top = pareto(revenues)
    assert set(top) == {1, 16, 2, 20}
    assert len(top) / len(revenues) == 0.20
    assert revenue_share(revenues, top) == pytest.approx(0.80)


def test_abc_fixture():
    revenues = fixture(ABC)
    classes = abc(revenues)
    a = {c for c, k in classes.items() if k == "A"}
    b = {c for c, k in classes.items() if k == "B"}
    c = {c for c, k in classes.items() if k == "C"}
    assert a == {19, 5}
    assert b == {2, 16, 9, 15, 3, 8}
    assert len(c) == 12
    assert revenue_share(revenues, a) == pytest.approx(0.60)
    assert revenue_share(revenues, b) == pytest.approx(0.315)
    assert revenue_share(revenues, c) == pytest.approx(0.085)


def test_tcc_fixture():
    assert tcc(30, 160) == pytest.approx(18.75)
    assert tcc(30, 0) is None


def test_weighted_score_default_potentiel_criteria():
    coefs = {"attractivite_secteur": 2, "niveau_technologie": 1, "ca_client": 3,
             "frequence_achat_12m": 3, "type_marche": 1}
    notes = {"attractivite_secteur": 4, "niveau_technologie": 2, "ca_client": 5,
             "frequence_achat_12m": 3, "type_marche": 1}
    # (2·4 + 1·2 + 3·5 + 3·3 + 1·1) / 10 = 3.5
    assert weighted_score(notes, coefs) == pytest.approx(3.5)
    assert weighted_score({"ca_client": 5}, coefs) == 5  # only criteria with a note count
    assert bubble_diameter(16) == 2.0


def test_quintiles_and_rfm_segments():
    values = list(range(1, 101))
    bounds = quintile_bounds(values)
    assert [quintile_score(v, bounds) for v in (1, 20, 21, 40, 41, 60, 61, 80, 81, 100)] == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert quintile_score(100, bounds, higher_is_better=False) == 1
    assert rfm_segment(5, 5, 5) == "Champions"
    assert rfm_segment(1, 5, 5) == "À ne pas perdre"
    assert rfm_segment(5, 1, 1) == "Nouveaux clients"
    assert rfm_segment(1, 1, 1) == "Perdus"


def test_array_forms_answer_like_the_definitions_one_value_at_a_time():
    """The batch scores a whole column at once: same answers as value by value, including on
    the cut points themselves and for ties."""
    rnd = random.Random(4)
    values = [rnd.choice([0, 5, 10, 20, 30, 40, 50]) + rnd.choice([0, 0.5]) for _ in range(400)]
    bounds = quintile_bounds(values)
    column = np.array(values)
    assert quintile_score(column, bounds).tolist() == [
        1 + sum(b <= v for b in bounds) for v in values]          # 5 = best fifth
    assert quintile_score(column, bounds, higher_is_better=False).tolist() == [
        5 - sum(b <= v for b in bounds) for v in values]
    nets = column - 15
    assert value_rank(nets, bounds).tolist() == [value_rank(v, bounds) for v in nets.tolist()]
    assert value_rank(-0.01, bounds) == "sous-zéro" and value_rank(0, [0, 1, 2, 3]) == "4ème rang"
    scores = list(itertools.product(range(1, 6), repeat=3))
    r, f, m = (np.array(column) for column in zip(*scores))
    assert rfm_segments(r, f, m).tolist() == [rfm_segment(*rfm) for rfm in scores]
    margins = np.array([100.0, -40.0, 0.0])
    assert lifetime_value(margins, 0.8, 0.10, 2).tolist() == pytest.approx(
        [lifetime_value(v, 0.8, 0.10, 2) for v in margins.tolist()])


def test_frat():
    f = frat([(0, 100.0, False), (30, 100.0, True), (90, 400.0, True)])
    assert f.frequency_days == 45
    assert f.seniority_days == 90
    assert f.amount_ratio == pytest.approx(2.0)
    assert f.strategic_share == pytest.approx(2 / 3)


def test_types_radar_value_ranks_ltv():
    assert customer_type(True, True) == "trésor"
    assert customer_type(True, False) == "loyal"
    assert customer_type(False, True) == "proie"
    assert customer_type(False, False) == "douteux"
    assert radar_action(True, "inactive") == "Réactiver"
    assert radar_action(True, "weak") == "Développer"
    assert radar_action(False, "prospect") == "Acquérir"
    assert value_rank(-1, [10, 20, 30, 40]) == "sous-zéro"
    assert value_rank(50, [10, 20, 30, 40]) == "premier rang"
    assert value_rank(5, [10, 20, 30, 40]) == "5ème rang"
    # 100 a year, 80 % retention, 10 % discount, 2 years: 100·0.8/1.1 + 100·0.64/1.21
    assert lifetime_value(100, 0.8, 0.10, 2) == pytest.approx(72.727272 + 52.892562, rel=1e-6)


def test_attrition_second_complaint_shortly_after_the_first():
    # the brief's example: complaints on 12 and 15 October
    assert attrition_pairs([285, 288], window_days=30) == [(285, 288)]
    assert attrition_pairs([100, 288], window_days=30) == []


def test_questionnaire_scoring():
    rules = [{"question": "nb_personnes", "at_least": 4, "points": 3},
             {"question": "proprietaire", "equals": True, "points": 2},
             {"question": "revenus", "equals": "eleves", "points": 3}]
    bands = {"gros": 6, "moyen": 3}
    assert questionnaire_class({"nb_personnes": 5, "proprietaire": True, "revenus": "eleves"},
                               rules, bands) == ("gros consommateur", 8)
    assert questionnaire_class({"proprietaire": True, "nb_personnes": 4}, rules, bands)[0] == \
        "moyen consommateur"
    assert questionnaire_class({}, rules, bands) == ("petit consommateur", 0)
