"""Caller identification: from a telephony caller ID to the customer(s) it belongs to."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import bindparam, func, select
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


# Built once: re-using the same statement object lets SQLAlchemy reuse its compiled form and
# result metadata, which otherwise costs more than the query itself (measured: 1 ms → 0.3 ms).
_BY_E164 = (
    select(Customer.id, Customer.kind, Customer.civility, Customer.first_name,
           Customer.last_name, Customer.company_name, Customer.is_deceased,
           Phone.kind.label("phone_kind"), Phone.contact_id, Address.city, Address.postcode)
    .join(Phone, Phone.customer_id == Customer.id)
    .outerjoin(Address, Address.customer_id == Customer.id)
    .where(Phone.e164 == bindparam("e164"))
    .order_by(Customer.is_closed, Customer.id, Address.id)
    .limit(MAX_CANDIDATES * 4))
_CONTACT_NAMES = (
    select(Contact.id, func.trim(func.coalesce(Contact.first_name, "") + " " + Contact.last_name))
    .where(Contact.id.in_(bindparam("ids", expanding=True))))


def find_by_e164(session: Session, e164: str) -> list[Candidate]:
    """Customers owning this number, with their first address, in one indexed query of plain
    columns (this runs on every ring; measured in bench/customers.py)."""
    conn = session.connection()
    rows = conn.execute(_BY_E164, {"e164": e164}).all()
    contact_ids = [r.contact_id for r in rows if r.contact_id]
    contacts = dict(conn.execute(_CONTACT_NAMES, {"ids": contact_ids}).all()) \
        if contact_ids else {}
    seen: dict[int, Candidate] = {}
    for r in rows:
        if r.id in seen or r.is_deceased:
            continue
        if r.kind == "company":
            name = r.company_name or ""
        else:
            name = " ".join(p for p in (r.civility, r.first_name, r.last_name) if p)
        seen[r.id] = Candidate(r.id, name, r.kind, r.city, r.postcode,
                               contacts.get(r.contact_id), r.phone_kind)
        if len(seen) >= MAX_CANDIDATES:
            break
    return list(seen.values())
