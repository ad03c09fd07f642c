"""The ECB reference-rate parser, on a saved copy of the real daily file."""
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from storefront.config import CURRENCIES
from storefront.currency.services import RatesUnavailable, parse_ecb_xml, snapshot_rates

FIXTURE = Path(__file__).parent.parent / "fixtures" / "eurofxref-daily.xml"


def test_parses_the_real_ecb_format():
    rates = {r.currency: r for r in parse_ecb_xml(FIXTURE.read_bytes())}
    assert rates["USD"].per_eur == Decimal("1.0823")
    assert rates["JPY"].as_of == date(2024, 3, 1)
    assert len(rates) == 30


@pytest.mark.parametrize("data", [b"", b"<html>oops</html>", b"<not xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'])
def test_garbage_raises_rates_unavailable(data):
    with pytest.raises(RatesUnavailable):
        parse_ecb_xml(data)


def test_bundled_snapshot_covers_every_offered_currency():
    codes = {r.currency for r in snapshot_rates()} | {"EUR"}
    assert set(CURRENCIES) <= codes
