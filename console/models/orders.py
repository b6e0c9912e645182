"""Purchase history: orders, their lines, and the products a customer currently holds."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.models.base import Base
from console.models.catalog import Product

ORDER_CHANNELS = ("agence", "telephone", "web", "courrier", "conseiller_mobile")
PAYMENT_MODES = ("prelevement", "carte", "cheque", "virement", "especes")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    ordered_at: Mapped[datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(20))
    payment_mode: Mapped[Optional[str]] = mapped_column(String(20))
    shop: Mapped[Optional[str]] = mapped_column(String(60))
    total_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order",
                                                    cascade="all, delete-orphan")

    __table_args__ = (Index("ix_orders_customer_date", "customer_id", "ordered_at"),)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Holding(Base):
    """Current equipment: a product the customer holds, with its expected renewal date."""
    __tablename__ = "holdings"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    since: Mapped[date] = mapped_column(Date)
    renewal_date: Mapped[Optional[date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="actif")  # actif / resilie

    product: Mapped[Product] = relationship()
