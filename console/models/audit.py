"""Audit trail: who saw and who changed customer data."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))  # view, create, update, merge, import…
    customer_id: Mapped[Optional[int]] = mapped_column(Integer)
    details: Mapped[Optional[dict]] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_customer", "customer_id", "at"),)


class ArticleRevision(Base):
    """Change history of the knowledge base: every creation, edit and deletion, with the text."""
    __tablename__ = "kb_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(90), index=True)
    action: Mapped[str] = mapped_column(String(12))  # create / update / delete
    author: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    content: Mapped[Optional[str]] = mapped_column(Text)
