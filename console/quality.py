"""Data quality rules: address normalisation (RNVP style), identifiers and name matching."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from rapidfuzz import fuzz

RNVP_LINE_MAX = 38  # AFNOR NF Z10-011: 38 characters a line
_ABBREVIATIONS = [("BOULEVARD", "BD"), ("AVENUE", "AV"), ("ALLEE", "ALL"), ("IMPASSE", "IMP"),
                  ("ROUTE", "RTE"), ("CHEMIN", "CHE"), ("PLACE", "PL"), ("FAUBOURG", "FG"),
                  ("RESIDENCE", "RES"), ("BATIMENT", "BAT"), ("SAINT", "ST"), ("SAINTE", "STE")]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_POSTCODE_FR = re.compile(r"^\d{5}$")


def strip_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalize_address_line(line: str | None) -> str | None:
    """Upper case, no accents or punctuation, single spaces, at most 38 characters."""
    if line is None:
        return None
    text = strip_accents(line).upper()
    text = re.sub(r"[^A-Z0-9 ]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    for long, short in _ABBREVIATIONS:
        if len(text) <= RNVP_LINE_MAX:
            break
        text = re.sub(rf"\b{long}\b", short, text)
    return text[:RNVP_LINE_MAX]


def valid_postcode(postcode: str, country: str = "FR") -> bool:
    return bool(_POSTCODE_FR.match(postcode)) if country == "FR" else bool(postcode)


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(email))


def _luhn_sum(digits: str, double_first: bool) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if (i % 2 == 0) == double_first:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total


def luhn_valid(digits: str) -> bool:
    """The SIREN/SIRET check."""
    return digits.isdigit() and _luhn_sum(digits, double_first=False) % 10 == 0


def luhn_complete(digits: str) -> str:
    """``digits`` followed by the check digit that makes them Luhn-valid."""
    return digits + str((10 - _luhn_sum(digits, double_first=True) % 10) % 10)


def valid_siret(siret: str) -> bool:
    return len(siret) == 14 and luhn_valid(siret)


def parse_date(text: str) -> date:
    """Accept 31/12/1980, 31-12-1980 and 1980-12-31."""
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date illisible : {text!r}")


def name_key(text: str) -> str:
    return re.sub(r"\s+", " ", strip_accents(text).lower().replace("-", " ")).strip()


def name_similarity(a: str, b: str) -> float:
    """0-100, order-insensitive ("Dupont Jean" ~ "Jean Dupont"), accent-insensitive."""
    return fuzz.token_sort_ratio(name_key(a), name_key(b))
