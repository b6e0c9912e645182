"""Identification: the customer (person or company), its contacts, phones and addresses."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from console.models.base import Base, utcnow

CUSTOMER_KINDS = ("person", "company")
CONTACT_ROLES = ("decideur", "prescripteur", "acheteur", "utilisateur")
PHONE_KINDS = ("mobile", "fixe", "standard", "fax")
PROSPECT_ORIGINS = ("salon", "parrainage", "campagne", "site_web", "agence", "autre")


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="person")
    # Person
    civility: Mapped[Optional[str]] = mapped_column(String(10))
    last_name: Mapped[Optional[str]] = mapped_column(String(100))
    first_name: Mapped[Optional[str]] = mapped_column(String(100))
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    family_status: Mapped[Optional[str]] = mapped_column(String(30))
    children_count: Mapped[Optional[int]] = mapped_column(Integer)
    profession: Mapped[Optional[str]] = mapped_column(String(200))
    csp: Mapped[Optional[str]] = mapped_column(String(60))
    # Company
    company_name: Mapped[Optional[str]] = mapped_column(String(200))
    siret: Mapped[Optional[str]] = mapped_column(String(14), index=True)
    ape_code: Mapped[Optional[str]] = mapped_column(String(6))
    legal_form: Mapped[Optional[str]] = mapped_column(String(30))
    headcount: Mapped[Optional[int]] = mapped_column(Integer)
    # Shared
    email: Mapped[Optional[str]] = mapped_column(String(200), index=True)
    preferred_language: Mapped[str] = mapped_column(String(5), default="fr")
    preferred_channel: Mapped[Optional[str]] = mapped_column(String(20))
    origin: Mapped[Optional[str]] = mapped_column(String(20))
    lifecycle_stage: Mapped[Optional[str]] = mapped_column(String(30))
    customer_since: Mapped[Optional[date]] = mapped_column(Date)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # Data quality flags
    is_deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    has_moved: Mapped[bool] = mapped_column(Boolean, default=False)
    on_bloctel: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    contacts: Mapped[list["Contact"]] = relationship(back_populates="company",
                                                     cascade="all, delete-orphan")
    phones: Mapped[list["Phone"]] = relationship(back_populates="customer",
                                                 cascade="all, delete-orphan")
    addresses: Mapped[list["Address"]] = relationship(back_populates="customer",
                                                      cascade="all, delete-orphan")

    __table_args__ = (Index("ix_customers_name", "last_name", "first_name"),)

    @property
    def display_name(self) -> str:
        if self.kind == "company":
            return self.company_name or ""
        return " ".join(p for p in (self.civility, self.first_name, self.last_name) if p)

    @property
    def display_name_plain(self) -> str:
        """The name without civility, for matching."""
        if self.kind == "company":
            return self.company_name or ""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Contact(Base):
    """A person at a company customer, with their buying role."""
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                            index=True)
    civility: Mapped[Optional[str]] = mapped_column(String(10))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[Optional[str]] = mapped_column(String(100))
    job_title: Mapped[Optional[str]] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # one of CONTACT_ROLES
    email: Mapped[Optional[str]] = mapped_column(String(200))

    company: Mapped[Customer] = relationship(back_populates="contacts")


class Phone(Base):
    """A phone number of a customer (or of one of its contacts); several per customer.

    ``e164`` is the normalised form used for caller identification; ``raw`` keeps what was
    entered. The same e164 may belong to several customers (a company switchboard, a household).
    """
    __tablename__ = "phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    contact_id: Mapped[Optional[int]] = mapped_column(ForeignKey("contacts.id",
                                                                 ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10), default="mobile")
    raw: Mapped[str] = mapped_column(String(40))
    e164: Mapped[Optional[str]] = mapped_column(String(20), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="phones")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(15), default="principale")
    line1: Mapped[str] = mapped_column(String(38))
    line2: Mapped[Optional[str]] = mapped_column(String(38))
    postcode: Mapped[Optional[str]] = mapped_column(String(10), index=True)
    city: Mapped[Optional[str]] = mapped_column(String(38))
    country: Mapped[str] = mapped_column(String(2), default="FR")

    customer: Mapped[Customer] = relationship(back_populates="addresses")
