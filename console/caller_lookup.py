"""Caller identification: from a telephony caller ID to the customer(s) it belongs to."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Address, Contact, Customer, Phone
from console.phones import classify_caller_id

UNKNOWN_CALLER_LABEL = "appelant inconnu"
MAX_CANDIDATES = 20


@dataclass
class Candidate:
    customer_id: int
    display_name: str
    kind: str
    city: str | None
    postcode: str | None
    via_contact: str | None = None  # the company contact whose line this is
    phone_kind: str | None = None


@dataclass
class CallerIdentification:
    """status: ``identified`` (one customer), ``ambiguous`` (choose among candidates),
    ``not_found`` (a valid number nobody has), ``anonymous`` (no usable number),
    ``internal`` (an extension, not looked up)."""
    status: str
    raw: str
    e164: str | None
    label: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def customer_id(self) -> int | None:
        return self.candidates[0].customer_id if self.status == "identified" else None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["customer_id"] = self.customer_id
        return data


def identify_caller(session: Session, raw: str | None, phone_cfg: dict) -> CallerIdentification:
    caller = classify_caller_id(raw, phone_cfg.get("default_region", "FR"),
                                phone_cfg.get("internal_extension_max_digits", 6),
                                phone_cfg.get("anonymous_values", ()))
    if caller.kind == "internal":
        return CallerIdentification("internal", caller.raw, None, f"poste interne {caller.raw}")
    if caller.kind in ("anonymous", "invalid"):
        return CallerIdentification("anonymous", caller.raw, None, UNKNOWN_CALLER_LABEL)
    candidates = find_by_e164(session, caller.e164)
    if not candidates:
        return CallerIdentification("not_found", caller.raw, caller.e164, UNKNOWN_CALLER_LABEL)
    if len(candidates) == 1:
        return CallerIdentification("identified", caller.raw, caller.e164,
                                    candidates[0].display_name, candidates)
    return CallerIdentification("ambiguous", caller.raw, caller.e164,
                                f"{len(candidates)} clients partagent ce numéro", candidates)


def find_by_e164(session: Session, e164: str) -> list[Candidate]:
    rows = session.execute(
        select(Customer, Phone.kind, Contact)
        .join(Phone, Phone.customer_id == Customer.id)
        .outerjoin(Contact, Contact.id == Phone.contact_id)
        .where(Phone.e164 == e164)
        .order_by(Customer.is_closed, Customer.id)
        .limit(MAX_CANDIDATES * 2)
    ).all()
    seen: dict[int, Candidate] = {}
    for customer, phone_kind, contact in rows:
        if customer.id in seen or customer.is_deceased:
            continue
        address = session.scalars(select(Address).where(Address.customer_id == customer.id)
                                  .order_by(Address.id).limit(1)).first()
        via = " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else None
        seen[customer.id] = Candidate(customer.id, customer.display_name, customer.kind,
                                      address.city if address else None,
                                      address.postcode if address else None, via, phone_kind)
        if len(seen) >= MAX_CANDIDATES:
            break
    return list(seen.values())
