"""The badges shown on the record, each with the sentence that explains it.

The sentences are worded here, when a record is read, from the stored scores and the settings
of the run that computed them (so they quote what the scores were cut with, even after the
configuration changed)."""
from __future__ import annotations

import math
from datetime import date

from console.models import CustomerScore

SCORE_FIELDS = ("rfm_segment", "r_score", "f_score", "m_score", "pareto", "abc_class",
                "value_rank", "customer_type", "lifecycle_stage", "radar", "tcc", "potentiel",
                "performances", "actual_value", "strategic_value", "cost_to_serve",
                "lifetime_value", "revenue_period", "revenue_previous", "purchases_period",
                "recency_days", "sensitive", "frat_frequency_days", "frat_seniority_days",
                "frat_amount_ratio", "frat_strategic_share")

ABC_MEANING = {"A": "parmi les 10 % de clients au plus fort chiffre d'affaires",
               "B": "parmi les 30 % de clients suivants",
               "C": "parmi les 60 % de clients au plus faible chiffre d'affaires"}


def euros(x: float) -> str:
    """Whole euros, halves rounded up (24,50 € reads "25 €"), thousands spaced."""
    return f"{math.floor(x + 0.5):,} €".replace(",", " ")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def attrition_reason(pair: list[int]) -> str:
    """``pair``: the two complaint days (date ordinals), the second soon after the first."""
    a, b = pair
    return (f"deuxième réclamation {_plural(b - a, 'jour')} après la première "
            f"({date.fromordinal(a):%d/%m} et {date.fromordinal(b):%d/%m}) : "
            f"la première a été mal traitée")


def reasons(score: CustomerScore, parameters: dict) -> dict[str, str]:
    """Why each badge: one sentence per badge kind."""
    months = parameters["period_months"]
    revenue = score.revenue_period
    why = {}
    if score.rfm_segment:
        why["rfm"] = (f"{_plural(score.purchases_period, 'achat')} sur {months} mois, dernier "
                      f"il y a {score.recency_days} jours, {euros(revenue)} sur la période "
                      f"(R{score.r_score} F{score.f_score} M{score.m_score})")
    why["value_rank"] = (f"valeur nette {euros(score.actual_value - score.cost_to_serve)} = "
                         f"marge {euros(score.actual_value)} − coût de service "
                         f"{euros(score.cost_to_serve)} sur {months} mois")
    if score.sensitive and (score.details or {}).get("attrition"):
        why["sensitive"] = attrition_reason(score.details["attrition"])
    loyal = score.customer_type in ("trésor", "loyal")
    high = score.customer_type in ("trésor", "proie")
    why["type"] = (f"part de portefeuille {score.tcc or 0:.0f} % "
                   f"({'≥' if loyal else '<'} {parameters['loyal_min_tcc_percent']} %), "
                   f"potentiel {score.potentiel:.1f}/5 ({'≥' if high else '<'} "
                   f"{parameters['high_potential_min_score']})")
    why["lifecycle"] = (f"{score.purchases_period} achat(s) sur {months} mois, "
                        f"{score.purchases_total} au total" if score.purchases_total else
                        "aucun achat enregistré")
    if score.pareto:
        why["pareto"] = (f"fait partie des clients qui réalisent "
                         f"{parameters['pareto_share']:.0%} du chiffre d'affaires "
                         f"({euros(revenue)} sur la période)")
    why["abc"] = f"{ABC_MEANING.get(score.abc_class, '')} ({euros(revenue)})"
    return why


def scores_of(score: CustomerScore | None) -> dict | None:
    if score is None:
        return None
    return {f: getattr(score, f) for f in SCORE_FIELDS}


def badges_of(score: CustomerScore | None, parameters: dict | None) -> list[dict]:
    """``parameters``: the settings of the run that computed ``score`` (ScoreRun.thresholds);
    scores of older runs carry their sentences in ``details`` instead."""
    if score is None:
        return []
    why = reasons(score, parameters) if parameters else (score.details or {}).get("why", {})
    out = []
    if score.rfm_segment:
        out.append({"kind": "segment", "label": score.rfm_segment, "why": why.get("rfm", "")})
    out.append({"kind": "abc", "label": f"Classe {score.abc_class}", "why": why.get("abc", "")})
    if score.pareto:
        out.append({"kind": "pareto", "label": "20/80", "why": why.get("pareto", "")})
    out.append({"kind": "warn" if score.value_rank == "sous-zéro" else "value",
                "label": score.value_rank, "why": why.get("value_rank", "")})
    out.append({"kind": "type", "label": score.customer_type, "why": why.get("type", "")})
    if score.lifecycle_stage:
        out.append({"kind": "lifecycle", "label": score.lifecycle_stage,
                    "why": why.get("lifecycle", "")})
    if score.radar:
        out.append({"kind": "radar", "label": f"Action : {score.radar}",
                    "why": "RADAR : Réactiver, Acquérir, Développer, Accompagner, Retenir"})
    if score.sensitive:
        out.append({"kind": "warn", "label": "Client sensible", "why": why.get("sensitive", "")})
    return out
