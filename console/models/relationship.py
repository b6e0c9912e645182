"""Relationship history: interactions in every channel, complaints, consents, callbacks, alerts."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, utcnow

CHANNELS = ("appel_entrant", "appel_sortant", "email", "courrier", "sms", "visite", "web")
CONSENT_CHANNELS = ("telephone", "email", "sms", "courrier")
CONSENT_PURPOSES = ("prospection", "partage_tiers", "enquete", "information")


class Interaction(Base):
    """One contact with the customer in any channel.

    ``call_id`` (the telephony Linkedid) is unique, so a call is logged exactly once however
    many times the wrap-up is submitted.
    """
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    agent: Mapped[Optional[str]] = mapped_column(String(60))
    reason: Mapped[Optional[str]] = mapped_column(String(100))
    outcome: Mapped[Optional[str]] = mapped_column(String(100))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    call_id: Mapped[Optional[str]] = mapped_column(String(64))
    caller_number: Mapped[Optional[str]] = mapped_column(String(20))  # E.164 when known
    queue: Mapped[Optional[str]] = mapped_column(String(60))
    wait_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    talk_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    hold_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    wrapup_seconds: Mapped[Optional[int]] = mapped_column(Integer)
    details: Mapped[Optional[dict]] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_interactions_customer_date", "customer_id", "occurred_at"),
        UniqueConstraint("call_id", name="uq_interactions_call_id"),
    )


class Complaint(Base):
    """Réclamation."""
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(12), default="ouverte")


class Consent(Base):
    """Consent per channel and purpose, with its source and date (GDPR, loi Informatique et Libertés)."""
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    channel: Mapped[str] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40))  # formulaire web, appel (verbal), courrier…
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Callback(Base):
    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    scheduled_for: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[Optional[str]] = mapped_column(String(200))
    agent: Mapped[Optional[str]] = mapped_column(String(60))
    campaign: Mapped[Optional[str]] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="a_faire")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Alert(Base):
    """An open alert on the record (attrition, sensible customer, moved, …)."""
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(String(300))
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cleared_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
