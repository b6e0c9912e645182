"""Product catalog: families, ranges (gammes, ordered by level for up-sell) and products."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.models.base import Base


class ProductFamily(Base):
    __tablename__ = "product_families"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))


class ProductRange(Base):
    """A gamme within a family; ``level`` orders ranges from entry (1) to premium."""
    __tablename__ = "product_ranges"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("product_families.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer, default=1)


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    family_id: Mapped[int] = mapped_column(ForeignKey("product_families.id"), index=True)
    range_id: Mapped[Optional[int]] = mapped_column(ForeignKey("product_ranges.id"))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # strategic (innovation, high margin) vs tactical (basics): used by FRAT and offers
    is_strategic: Mapped[bool] = mapped_column(Boolean, default=False)
    for_companies: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[Optional[str]] = mapped_column(Text)
    pitch: Mapped[Optional[str]] = mapped_column(Text)  # argumentaire
    season: Mapped[Optional[list]] = mapped_column(JSON)  # 12 monthly weights (high season)

    family: Mapped[ProductFamily] = relationship()
    range: Mapped[Optional[ProductRange]] = relationship()
