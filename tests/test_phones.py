import pytest

from console.phones import InvalidPhoneNumber, classify_caller_id, format_national, normalize

SAME_MOBILE = ["0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
               "+33612345678", "+33 6 12 34 56 78", "0033612345678", "00 33 6 12 34 56 78",
               "33612345678", "+33 (0)6 12 34 56 78", " 06 12 34 56 78 "]


@pytest.mark.parametrize("raw", SAME_MOBILE)
def test_every_french_form_gives_the_same_e164(raw):
    assert normalize(raw) == "+33612345678"


def test_landline_and_foreign_numbers():
    assert normalize("01 45 67 89 01") == "+33145678901"
    assert normalize("+32 2 555 12 12") == "+3225551212"
    assert normalize("02 555 12 12", region="BE") == "+3225551212"
    assert format_national("+33612345678") == "06 12 34 56 78"


@pytest.mark.parametrize("raw", ["", "   ", "abc", "0612", "06123456789012", "+33 1"])
def test_invalid_numbers_raise(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalize(raw)


ANON = ["", "anonymous", "<unknown>", "Withheld", "unknown", "private"]


@pytest.mark.parametrize("raw", ANON + [None])
def test_anonymous_caller_ids(raw):
    assert classify_caller_id(raw, anonymous_values=ANON).kind == "anonymous"


def test_internal_extensions_are_not_numbers():
    assert classify_caller_id("1001").kind == "internal"
    assert classify_caller_id("204", internal_max_digits=3).kind == "internal"
    assert classify_caller_id("0612345678").kind == "external"
    assert classify_caller_id("0612345678").e164 == "+33612345678"
    assert classify_caller_id("99999999").kind == "invalid"
