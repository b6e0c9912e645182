"""Phone number normalisation to E.164 and classification of telephony caller IDs.

Built on ``phonenumbers`` (Google's libphonenumber). Accepts the forms agents and PBXs
produce: ``06 12 34 56 78``, ``06.12.34.56.78``, ``+33 6 12…``, ``0033 6…``, ``33612…``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

import phonenumbers

_SEPARATORS = re.compile(r"[\s.\-/()]")


class InvalidPhoneNumber(ValueError):
    """The text cannot be read as a valid phone number."""


def normalize(raw: str | None, region: str = "FR") -> str:
    """Return the E.164 form of ``raw`` or raise :class:`InvalidPhoneNumber`."""
    # "+33 (0)6 …" writes the trunk prefix in brackets; it is not part of the number.
    text = _SEPARATORS.sub("", (raw or "").strip().replace("(0)", ""))
    if not text:
        raise InvalidPhoneNumber("numéro vide")
    if text.startswith("00"):
        text = "+" + text[2:]
    candidates = [text]
    # A bare international number without "+" or "00" (e.g. 33612345678, as some PBXs send).
    if text.isdigit() and not text.startswith("0"):
        candidates.append("+" + text)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidPhoneNumber(f"numéro invalide : {raw!r}")


def try_normalize(raw: str | None, region: str = "FR") -> str | None:
    try:
        return normalize(raw, region)
    except InvalidPhoneNumber:
        return None


def format_national(e164: str) -> str:
    """``+33612345678`` → ``06 12 34 56 78`` (display form for French agents)."""
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@dataclass(frozen=True)
class CallerId:
    """What a telephony caller ID is, before any customer lookup.

    kind: ``anonymous`` (withheld/unknown/empty), ``internal`` (an extension),
    ``external`` (a real number, ``e164`` set) or ``invalid`` (digits that are no number).
    """
    kind: str
    raw: str
    e164: str | None = None


def classify_caller_id(raw: str | None, region: str = "FR", internal_max_digits: int = 6,
                       anonymous_values: Iterable[str] = ()) -> CallerId:
    text = (raw or "").strip()
    anonymous = {v.lower() for v in anonymous_values} | {""}
    if text.lower() in anonymous:
        return CallerId("anonymous", text)
    compact = _SEPARATORS.sub("", text)
    if compact.isdigit() and len(compact) <= internal_max_digits:
        return CallerId("internal", text)
    e164 = try_normalize(text, region)
    if e164 is None:
        return CallerId("invalid", text)
    return CallerId("external", text, e164)
