"""Exchange rates: load the bundled snapshot, refresh from the ECB, convert money for display."""
from __future__ import annotations

import json
import logging
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from defusedxml import ElementTree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import CURRENCIES
from ..core.errors import DomainError
from ..core.money import Money
from .models import ExchangeRate

log = logging.getLogger(__name__)
SNAPSHOT = Path(__file__).parent / "snapshot"
ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
ECB_SOURCE = "European Central Bank"


class RatesUnavailable(DomainError):
    """The rate provider could not be read or returned nothing usable."""


@dataclass(frozen=True)
class PublishedRate:
    """One currency's rate as a provider published it."""

    currency: str
    per_eur: Decimal
    as_of: date
    source: str


@dataclass(frozen=True)
class Rates:
    """A set of rates against the euro, for converting between any two of them."""

    per_eur: dict[str, Decimal] = field(default_factory=dict)
    as_of: date | None = None

    def convert(self, money: Money, to: str) -> Money | None:
        """`money` in currency `to`, unrounded, or None when either rate is missing."""
        if money.currency == to:
            return money
        source, target = self.per_eur.get(money.currency), self.per_eur.get(to)
        if not source or not target:
            return None
        return Money(money.amount * target / source, to)


def parse_ecb_xml(data: bytes) -> list[PublishedRate]:
    """Parse the ECB's eurofxref-daily.xml format.

    :raises RatesUnavailable: when the document is not in that format or holds no rates.
    """
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several parse and security errors
        raise RatesUnavailable(f"unreadable rates document: {exc}") from None
    out: list[PublishedRate] = []
    for day in root.iter(f"{ECB_NS}Cube"):
        when = day.get("time")
        if not when:
            continue
        try:
            as_of = date.fromisoformat(when)
        except ValueError:
            raise RatesUnavailable(f"bad date {when!r}") from None
        for cube in day.findall(f"{ECB_NS}Cube"):
            try:
                rate = Decimal(cube.get("rate", ""))
            except InvalidOperation:
                continue
            if rate.is_finite() and rate > 0 and cube.get("currency"):
                out.append(PublishedRate(cube.get("currency"), rate, as_of, ECB_SOURCE))
        break  # the daily file has one day; the first is the newest in the history files
    if not out:
        raise RatesUnavailable("no rates in document")
    return out


def snapshot_rates() -> list[PublishedRate]:
    """The bundled, dated rates: an ECB daily file plus the supplementary currencies."""
    rates = parse_ecb_xml((SNAPSHOT / "eurofxref-daily.xml").read_bytes())
    extra = json.loads((SNAPSHOT / "supplementary.json").read_text())["rates"]
    for code, row in extra.items():
        rates.append(PublishedRate(code, Decimal(row["per_eur"]), date.fromisoformat(row["as_of"]), row["source"]))
    return rates


def store_rates(session: Session, rates: list[PublishedRate]) -> int:
    """Upsert the offered currencies' rates (EUR is 1 by definition); returns how many were written."""
    wanted = {r.currency: r for r in rates if r.currency in CURRENCIES}
    if wanted:
        newest = max(r.as_of for r in wanted.values())
        wanted.setdefault("EUR", PublishedRate("EUR", Decimal(1), newest, wanted[next(iter(wanted))].source))
    existing = {row.currency: row for row in session.scalars(select(ExchangeRate))}
    for code, rate in wanted.items():
        row = existing.get(code) or ExchangeRate(currency=code)
        row.per_eur, row.as_of, row.source = rate.per_eur, rate.as_of, rate.source
        session.add(row)
    _cache.clear()
    return len(wanted)


def load_snapshot(session: Session, only_missing: bool = True) -> int:
    """Store the bundled snapshot (by default only for currencies without a rate yet)."""
    rates = snapshot_rates()
    if only_missing:
        have = set(session.scalars(select(ExchangeRate.currency)))
        rates = [r for r in rates if r.currency not in have]
    return store_rates(session, rates)


def fetch_ecb(url: str, timeout: float = 15.0) -> list[PublishedRate]:
    """Download and parse the ECB reference rates.

    :raises RatesUnavailable: on any network, HTTP or format problem.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (configured URL)
            data = response.read(1_000_000)
    except Exception as exc:
        raise RatesUnavailable(f"could not fetch {url}: {exc}") from None
    return parse_ecb_xml(data)


def refresh_rates(session: Session, url: str) -> int:
    """Replace stored rates with the ECB's; on failure nothing changes and RatesUnavailable is raised."""
    return store_rates(session, fetch_ecb(url))


_cache: dict[str, tuple[float, Rates]] = {}
CACHE_SECONDS = 60.0


def rates_from_rows(rows: list[ExchangeRate]) -> Rates:
    """Build Rates from stored rows; as_of is the oldest date among them (what the shopper is told)."""
    if not rows:
        return Rates()
    return Rates({r.currency: Decimal(r.per_eur) for r in rows}, min(r.as_of for r in rows))


def current_rates() -> Rates:
    """The stored rates, cached for a minute per process (16 rows, read on every page)."""
    from ..extensions import db

    key = str(db.engine.url)
    hit = _cache.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    rates = rates_from_rows(list(db.session.scalars(select(ExchangeRate))))
    _cache[key] = (now, rates)
    return rates
