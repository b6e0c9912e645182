"""Computed segmentation and value of each customer, and the offers made to them."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, utcnow


class ScoreRun(Base):
    """One batch computation: the population thresholds the scores were cut with.

    The incremental path scores one customer with the thresholds of the last run, which is
    what makes it give the same result as the batch."""
    __tablename__ = "score_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reference_date: Mapped[datetime] = mapped_column(DateTime)
    thresholds: Mapped[dict] = mapped_column(JSON)
    stats: Mapped[Optional[dict]] = mapped_column(JSON)


class CustomerScore(Base):
    __tablename__ = "customer_scores"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             primary_key=True)
    run_id: Mapped[Optional[int]] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revenue_period: Mapped[float] = mapped_column(Float, default=0)
    revenue_previous: Mapped[float] = mapped_column(Float, default=0)
    revenue_total: Mapped[float] = mapped_column(Float, default=0)
    purchases_period: Mapped[int] = mapped_column(Integer, default=0)
    purchases_total: Mapped[int] = mapped_column(Integer, default=0)
    recency_days: Mapped[Optional[int]] = mapped_column(Integer)
    r_score: Mapped[Optional[int]] = mapped_column(Integer)
    f_score: Mapped[Optional[int]] = mapped_column(Integer)
    m_score: Mapped[Optional[int]] = mapped_column(Integer)
    rfm_segment: Mapped[Optional[str]] = mapped_column(String(40), index=True)
    pareto: Mapped[bool] = mapped_column(Boolean, default=False)
    abc_class: Mapped[Optional[str]] = mapped_column(String(1), index=True)
    frat_frequency_days: Mapped[Optional[float]] = mapped_column(Float)
    frat_seniority_days: Mapped[Optional[int]] = mapped_column(Integer)
    frat_amount_ratio: Mapped[Optional[float]] = mapped_column(Float)
    frat_strategic_share: Mapped[Optional[float]] = mapped_column(Float)
    potentiel: Mapped[Optional[float]] = mapped_column(Float)
    performances: Mapped[Optional[float]] = mapped_column(Float)
    tcc: Mapped[Optional[float]] = mapped_column(Float)
    radar: Mapped[Optional[str]] = mapped_column(String(20))
    customer_type: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    actual_value: Mapped[float] = mapped_column(Float, default=0)
    strategic_value: Mapped[float] = mapped_column(Float, default=0)
    cost_to_serve: Mapped[float] = mapped_column(Float, default=0)
    value_rank: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    lifecycle_stage: Mapped[Optional[str]] = mapped_column(String(30), index=True)
    lifetime_value: Mapped[float] = mapped_column(Float, default=0)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[Optional[dict]] = mapped_column(JSON)   # notes, equipment, reasons


class OfferLog(Base):
    """An offer presented, accepted or refused: feeds the recommender back."""
    __tablename__ = "offer_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    status: Mapped[str] = mapped_column(String(12))  # presentee / acceptee / refusee
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    agent: Mapped[Optional[str]] = mapped_column(String(60))
    call_id: Mapped[Optional[str]] = mapped_column(String(64))

    __table_args__ = (Index("ix_offer_log_customer", "customer_id", "at"),)


class RecommenderModel(Base):
    """What the recommender learnt from all customers: association rules, popularity, the usual
    portfolio of each segment. Rebuilt with the scores."""
    __tablename__ = "recommender_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)
