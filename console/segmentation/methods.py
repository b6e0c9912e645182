"""The segmentation and value methods of the domain brief, as plain functions.

Each takes plain numbers (no database) so the brief's fixtures are tests as they stand; the
batch and the incremental paths (console/segmentation/engine.py) both call them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

# ---- Pareto 20/80 and ABC 10/30/60 ---------------------------------------------------------


def revenue_order(ids: np.ndarray, revenues: np.ndarray) -> np.ndarray:
    """Positions by decreasing revenue; equal revenues in id order (a stable, explainable rule)."""
    return np.lexsort((ids, -revenues))


def pareto_count(ordered_revenues: np.ndarray, share: float = 0.8) -> int:
    """How many of the biggest customers (revenues sorted decreasing, all positive) it takes
    for their cumulated revenue to reach ``share`` of the total."""
    total = float(ordered_revenues.sum())
    if total <= 0:
        return 0
    before = np.concatenate(([0.0], np.cumsum(ordered_revenues)[:-1]))
    return int(np.count_nonzero(before < share * total - 1e-9))


def abc_counts(n: int, cuts: Sequence[float] = (0.10, 0.30)) -> tuple[int, int]:
    """Sizes of class A (the first 10 % of customers by revenue) and B (the next 30 %)."""
    a_count = round(cuts[0] * n)
    return a_count, round((cuts[0] + cuts[1]) * n) - a_count


def _arrays(revenues: Mapping[int, float]) -> tuple[np.ndarray, np.ndarray]:
    return (np.fromiter(revenues.keys(), dtype=np.int64, count=len(revenues)),
            np.fromiter(revenues.values(), dtype=float, count=len(revenues)))


def pareto(revenues: Mapping[int, float], share: float = 0.8) -> list[int]:
    """The smallest set of customers whose cumulated revenue reaches ``share`` of the total,
    biggest first."""
    ids, values = _arrays(revenues)
    order = revenue_order(ids, values)
    return ids[order[:pareto_count(values[order], share)]].tolist()


def abc(revenues: Mapping[int, float], cuts: Sequence[float] = (0.10, 0.30)) -> dict[int, str]:
    """A = the first 10 % of customers by revenue, B = the next 30 %, C = the rest."""
    ids, values = _arrays(revenues)
    a_count, b_count = abc_counts(len(ids), cuts)
    ranked = ids[revenue_order(ids, values)].tolist()
    return {cid: "A" if i < a_count else "B" if i < a_count + b_count else "C"
            for i, cid in enumerate(ranked)}


def revenue_share(revenues: Mapping[int, float], ids: Iterable[int]) -> float:
    total = sum(revenues.values())
    return sum(revenues[i] for i in ids) / total if total else 0.0


# ---- quintiles (RFM and the notes of the weighted score) -----------------------------------


def quintile_bounds(values: Sequence[float]) -> list[float]:
    """The four cut points that split ``values`` into five groups of equal size."""
    ordered = np.sort(np.asarray(values, dtype=float))
    if not len(ordered):
        return [0.0, 0.0, 0.0, 0.0]
    n = len(ordered)
    return [float(ordered[min(n - 1, (k * n) // 5)]) for k in range(1, 5)]


def quintile_score(value, bounds: Sequence[float], higher_is_better: bool = True):
    """1 … 5 from the cut points (5 = best fifth); ``value`` a number or an array of them."""
    score = np.searchsorted(np.asarray(bounds, dtype=float), value, side="right") + 1
    return score if higher_is_better else 6 - score


RFM_SEGMENTS = [  # (name, test on r, f, m) — first match wins
    ("Champions", lambda r, f, m: r >= 4 and f >= 4 and m >= 4),
    ("Fidèles", lambda r, f, m: r >= 3 and f >= 4),
    ("À ne pas perdre", lambda r, f, m: r <= 2 and f >= 4 and m >= 4),
    ("À risque", lambda r, f, m: r <= 2 and f >= 3),
    ("Nouveaux clients", lambda r, f, m: r >= 4 and f <= 1),
    ("Prometteurs", lambda r, f, m: r >= 4 and f <= 3),
    ("Fidèles potentiels", lambda r, f, m: r >= 3 and f >= 2),
    ("À réveiller", lambda r, f, m: r == 3 and f <= 2),
    ("En sommeil", lambda r, f, m: r == 2),
    ("Perdus", lambda r, f, m: True),
]


def rfm_segment(r: int, f: int, m: int) -> str:
    return next(name for name, test in RFM_SEGMENTS if test(r, f, m))


_RFM_TABLE = np.array([[[rfm_segment(r, f, m) if min(r, f, m) else None for m in range(6)]
                        for f in range(6)] for r in range(6)], dtype=object)


def rfm_segments(r: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``rfm_segment`` over arrays of scores 1 … 5 (a lookup in the 125 answers)."""
    return _RFM_TABLE[r, f, m]


# ---- FRAT -------------------------------------------------------------------------------------


@dataclass
class Frat:
    frequency_days: float | None     # mean delay between purchases
    seniority_days: int              # first to last order ("récence" as ancienneté)
    amount_ratio: float | None       # last order / mean order
    strategic_share: float           # share of strategic products bought ("type")


def frat(orders: Sequence[tuple[int, float, bool]]) -> Frat:
    """``orders``: (day number, amount, has a strategic product), in any order."""
    if not orders:
        return Frat(None, 0, None, 0.0)
    ordered = sorted(orders)
    days = [o[0] for o in ordered]
    gaps = [b - a for a, b in zip(days, days[1:])]
    mean_amount = sum(o[1] for o in ordered) / len(ordered)
    return Frat(sum(gaps) / len(gaps) if gaps else None, days[-1] - days[0],
                ordered[-1][1] / mean_amount if mean_amount else None,
                sum(1 for o in ordered if o[2]) / len(ordered))


# ---- weighted score Potentiel / Performances ---------------------------------------------------


def weighted_score(notes: Mapping[str, float], coefficients: Mapping[str, float]) -> float:
    """score = Σ(coef × note) / Σ coef over the criteria that have a note (1 … 5)."""
    used = [c for c in coefficients if notes.get(c) is not None]
    total = sum(coefficients[c] for c in used)
    if not total:
        return 0.0
    return sum(coefficients[c] * notes[c] for c in used) / total


def bubble_diameter(revenue_share_percent: float) -> float:
    """d = ½·√n, n = the client's percentage of revenue."""
    return 0.5 * revenue_share_percent ** 0.5


# ---- share of wallet, RADAR, the four types ---------------------------------------------------


def tcc(our_revenue: float, purchase_potential: float) -> float | None:
    """Taux de contribution compétitif, in %: our revenue / the client's purchase potential."""
    if not purchase_potential:
        return None
    return 100.0 * our_revenue / purchase_potential


def radar_action(value_high: bool, relationship: str) -> str:
    """RADAR: Réactiver, Acquérir, Développer (équiper), Accompagner, Retenir/fidéliser.

    relationship: "inactive" (no recent purchase), "prospect", "weak" (low share of wallet),
    "strong" (high share of wallet), "at_risk" (complaints, attrition)."""
    if relationship == "prospect":
        return "Acquérir"
    if relationship == "inactive":
        return "Réactiver"
    if relationship == "at_risk":
        return "Retenir"
    if relationship == "weak":
        return "Développer" if value_high else "Accompagner"
    return "Retenir" if value_high else "Accompagner"


def customer_type(loyal: bool, high_potential: bool) -> str:
    """Loyalty × potential: trésors, loyaux, proies, douteux."""
    if loyal:
        return "trésor" if high_potential else "loyal"
    return "proie" if high_potential else "douteux"


# ---- value ranks, lifetime value ------------------------------------------------------------


VALUE_RANKS = np.array(["sous-zéro", "5ème rang", "4ème rang", "3ème rang", "2ème rang",
                        "premier rang"], dtype=object)


def value_rank(net_value, bounds: Sequence[float]):
    """premier rang … 5ème rang by net value (actual value minus cost to serve); "sous-zéro"
    when the customer costs more than they bring. ``net_value`` a number or an array."""
    score = np.where(np.asarray(net_value) < 0, 0, quintile_score(net_value, bounds))
    return VALUE_RANKS[score]


def lifetime_value(annual_margin, retention: float, discount: float, horizon_years: int):
    """Expected future margin: Σ_{t=1..H} margin · r^t / (1+d)^t (a number or an array)."""
    return annual_margin * sum(retention ** t / (1 + discount) ** t
                               for t in range(1, horizon_years + 1))


# ---- lifecycle and attrition -----------------------------------------------------------------


def lifecycle_stage(orders_total: int, orders_recent: int, days_since_last: int | None,
                    days_since_first: int | None, tcc_percent: float | None, referrals: int,
                    is_company_partner: bool, disqualified: bool, known_prospect: bool,
                    cfg: Mapping) -> str:
    """suspect → prospect (or prospect disqualifié) → client débutant → client régulier →
    client (exclusif) → avocat → partenaire; inactif / ancien client when purchases stop."""
    if orders_total == 0:
        if disqualified:
            return "prospect disqualifié"
        return "prospect" if known_prospect else "suspect"
    if days_since_last is not None and days_since_last > cfg["inactive_after_days"]:
        return "ancien client" if days_since_last > cfg["former_after_days"] else "inactif"
    if is_company_partner:
        return "partenaire"
    if referrals >= 1:
        return "avocat"
    if tcc_percent is not None and tcc_percent >= cfg["exclusive_tcc_percent"]:
        return "client exclusif"
    if orders_recent >= cfg["regular_min_orders"]:
        return "client régulier"
    return "client débutant"


def attrition_pairs(complaint_days: Sequence[int], window_days: int) -> list[tuple[int, int]]:
    """Pairs of complaints where the second came within ``window_days`` of the first
    (the first one was badly handled: the customer is "sensible")."""
    days = sorted(complaint_days)
    return [(a, b) for a, b in zip(days, days[1:]) if b - a <= window_days]


def questionnaire_class(answers: Mapping[str, object], rules: Sequence[Mapping],
                        bands: Mapping[str, float]) -> tuple[str, int]:
    """Rule-based points from qualification answers → gros / moyen / petit consommateur."""
    points = 0
    for rule in rules:
        value = answers.get(rule["question"])
        if value is None:
            continue
        if "equals" in rule and value == rule["equals"]:
            points += rule["points"]
        elif "at_least" in rule and isinstance(value, (int, float)) and value >= rule["at_least"]:
            points += rule["points"]
    if points >= bands["gros"]:
        return "gros consommateur", points
    if points >= bands["moyen"]:
        return "moyen consommateur", points
    return "petit consommateur", points
