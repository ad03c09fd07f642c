"""Country-aware address rules: which fields a country uses, what they are called, postcode shapes."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class AddressFormat:
    """How addresses look in one country."""

    postal_label: object = _l("Postal code")
    postal_pattern: str | None = None
    postal_example: str = ""
    postal_required: bool = True
    region_label: object = _l("State / Province / Region")
    region_required: bool = False


ZIP = _l("ZIP code")
POSTCODE = _l("Postcode")
STATE = _l("State")
PROVINCE = _l("Province")

FORMATS: dict[str, AddressFormat] = {
    "US": AddressFormat(ZIP, r"\d{5}(-\d{4})?", "94103", True, STATE, True),
    "CA": AddressFormat(_l("Postal code"), r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d", "K1A 0B1", True, PROVINCE, True),
    "GB": AddressFormat(POSTCODE, r"[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}", "SW1A 1AA", True, _l("County"), False),
    "AU": AddressFormat(POSTCODE, r"\d{4}", "2000", True, STATE, True),
    "BR": AddressFormat(_l("CEP"), r"\d{5}-?\d{3}", "01310-100", True, STATE, True),
    "MX": AddressFormat(_l("Postal code"), r"\d{5}", "06600", True, STATE, True),
    "DE": AddressFormat(_l("Postal code"), r"\d{5}", "10115"),
    "ES": AddressFormat(_l("Postal code"), r"\d{5}", "28013", True, PROVINCE, False),
    "FR": AddressFormat(_l("Postal code"), r"\d{5}", "75001"),
    "IT": AddressFormat(_l("Postal code"), r"\d{5}", "00184", True, PROVINCE, False),
    "CN": AddressFormat(_l("Postal code"), r"\d{6}", "100000", True, PROVINCE, True),
    "IN": AddressFormat(_l("PIN code"), r"\d{6}", "110001", True, STATE, True),
    "JP": AddressFormat(_l("Postal code"), r"\d{3}-?\d{4}", "100-0001", True, _l("Prefecture"), True),
    "KR": AddressFormat(_l("Postal code"), r"\d{5}", "03187"),
    "RU": AddressFormat(_l("Postal code"), r"\d{6}", "101000", True, _l("Region"), False),
    "TR": AddressFormat(_l("Postal code"), r"\d{5}", "34000", True, PROVINCE, True),
    "SA": AddressFormat(_l("Postal code"), r"\d{5}(-\d{4})?", "11564"),
    "EG": AddressFormat(_l("Postal code"), r"\d{5}", "11511", False, _l("Governorate"), True),
    "AE": AddressFormat(_l("Postal code"), None, "", False, _l("Emirate"), True),
    "HK": AddressFormat(_l("Postal code"), None, "", False, _l("District"), False),
    "IE": AddressFormat(_l("Eircode"), r"[A-Za-z]\d[\dWw] ?[A-Za-z\d]{4}", "D02 X285", False, _l("County"), False),
}

def address_format(country: str) -> AddressFormat:
    """The rules for `country`; other countries get an optional, free-form postcode field."""
    return FORMATS.get(country) or AddressFormat(postal_required=False)


def postal_code_ok(country: str, value: str) -> bool:
    """True when `value` fits the country's postcode shape (or the country has no fixed shape)."""
    fmt = address_format(country)
    if not value:
        return not fmt.postal_required
    return fmt.postal_pattern is None or re.fullmatch(fmt.postal_pattern, value.strip()) is not None
