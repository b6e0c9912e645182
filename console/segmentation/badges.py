"""The badges shown on the record, each with the sentence that explains it."""
from __future__ import annotations

from console.models import CustomerScore

SCORE_FIELDS = ("rfm_segment", "r_score", "f_score", "m_score", "pareto", "abc_class",
                "value_rank", "customer_type", "lifecycle_stage", "radar", "tcc", "potentiel",
                "performances", "actual_value", "strategic_value", "cost_to_serve",
                "lifetime_value", "revenue_period", "revenue_previous", "purchases_period",
                "recency_days", "sensitive", "frat_frequency_days", "frat_seniority_days",
                "frat_amount_ratio", "frat_strategic_share")


def scores_of(score: CustomerScore | None) -> dict | None:
    if score is None:
        return None
    return {f: getattr(score, f) for f in SCORE_FIELDS}


def badges_of(score: CustomerScore | None) -> list[dict]:
    if score is None:
        return []
    why = (score.details or {}).get("why", {})
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
