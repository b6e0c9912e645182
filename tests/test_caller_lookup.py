"""Caller identification against a real database (runs on SQLite and PostgreSQL)."""
import pytest

from console.caller_lookup import UNKNOWN_CALLER_LABEL, identify_caller
from console.models import Contact, Phone
from tests.factories import company, person


@pytest.fixture
def phone_cfg(cfg):
    return cfg.section("phone")


@pytest.mark.parametrize("raw", ["0612345678", "06 12 34 56 78", "06.12.34.56.78",
                                 "+33612345678", "+336 12 34 56 78", "0033612345678",
                                 "33612345678"])
def test_every_form_finds_the_same_customer(session, phone_cfg, raw):
    jean = person(session)
    person(session, "Marie", "Curie", phones=("0145678901",))
    result = identify_caller(session, raw, phone_cfg)
    assert result.status == "identified"
    assert result.customer_id == jean.id
    assert result.label == "M. Jean Dupont"
    assert result.e164 == "+33612345678"


@pytest.mark.parametrize("raw", ["", None, "anonymous", "<unknown>", "Withheld", "  "])
def test_anonymous_callers_are_unknown(session, phone_cfg, raw):
    person(session)
    result = identify_caller(session, raw, phone_cfg)
    assert result.status == "anonymous"
    assert result.label == UNKNOWN_CALLER_LABEL
    assert result.candidates == []


def test_valid_number_nobody_has(session, phone_cfg):
    person(session)
    result = identify_caller(session, "07 81 22 33 44", phone_cfg)
    assert (result.status, result.label, result.e164) == ("not_found", UNKNOWN_CALLER_LABEL,
                                                          "+33781223344")


def test_internal_extension_is_not_looked_up(session, phone_cfg):
    # even if a customer had a number that reads like the extension, no lookup happens
    person(session)
    result = identify_caller(session, "1001", phone_cfg)
    assert result.status == "internal"
    assert result.candidates == []


def test_shared_number_returns_candidates(session, phone_cfg):
    a = person(session, "Hélène", "Lefèvre", phones=("0611223344", "0298765432"))
    b = person(session, "Éric", "Lefèvre", phones=("0298765432",))
    company(session, "Boulangerie Martin", "0388123456")
    company(session, "Atelier Martin Frères", "03 88 12 34 56")
    household = identify_caller(session, "02.98.76.54.32", phone_cfg)
    assert household.status == "ambiguous"
    assert {c.customer_id for c in household.candidates} == {a.id, b.id}
    assert household.customer_id is None
    switchboard = identify_caller(session, "+33388123456", phone_cfg)
    assert [c.display_name for c in switchboard.candidates] == ["Boulangerie Martin",
                                                                "Atelier Martin Frères"]
    assert switchboard.candidates[0].city == "STRASBOURG"


def test_company_contact_direct_line_finds_the_company(session, phone_cfg):
    firm = company(session)
    contact = Contact(company_id=firm.id, first_name="Paul", last_name="Martin",
                      role="decideur")
    session.add(contact)
    session.flush()
    session.add(Phone(customer_id=firm.id, contact_id=contact.id, raw="0699887766",
                      e164="+33699887766", kind="mobile"))
    session.flush()
    result = identify_caller(session, "0699887766", phone_cfg)
    assert result.status == "identified"
    assert result.customer_id == firm.id
    assert result.candidates[0].via_contact == "Paul Martin"


def test_deceased_customers_are_not_offered(session, phone_cfg):
    person(session, is_deceased=True)
    assert identify_caller(session, "0612345678", phone_cfg).status == "not_found"
