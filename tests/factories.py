"""Small helpers to put a customer with its record pieces in a test database."""
from __future__ import annotations

from decimal import Decimal

from console.models import Address, Customer, Phone, Product, ProductFamily
from console.phones import normalize


def person(session, first="Jean", last="Dupont", phones=("0612345678",), postcode="75009",
           city="PARIS", email=None, **extra) -> Customer:
    c = Customer(kind="person", civility="M.", first_name=first, last_name=last, email=email,
                 **extra)
    for i, raw in enumerate(phones):
        c.phones.append(Phone(raw=raw, e164=normalize(raw), is_primary=i == 0,
                              kind="mobile" if normalize(raw).startswith("+336") else "fixe"))
    c.addresses.append(Address(line1="1 RUE DE LA PAIX", postcode=postcode, city=city))
    session.add(c)
    session.flush()
    return c


def company(session, name="Boulangerie Martin", standard="0388123456") -> Customer:
    c = Customer(kind="company", company_name=name, siret="73282932000074")
    c.phones.append(Phone(raw=standard, e164=normalize(standard), kind="standard",
                          is_primary=True))
    c.addresses.append(Address(line1="2 PLACE KLEBER", postcode="67000", city="STRASBOURG"))
    session.add(c)
    session.flush()
    return c


def product(session, code="LIVRET-A", name="Livret A", family="epargne") -> Product:
    fam = session.query(ProductFamily).filter_by(code=family).one_or_none()
    if fam is None:
        fam = ProductFamily(code=family, name=family.title())
        session.add(fam)
        session.flush()
    p = Product(code=code, name=name, family_id=fam.id, unit_price=Decimal("15"))
    session.add(p)
    session.flush()
    return p
