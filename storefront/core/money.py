"""Money as Decimal plus an ISO 4217 code: never float, and mixing currencies raises."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, get_currency_precision

from .errors import InvalidInput
from .l10n import is_rtl


class CurrencyMismatch(ValueError):
    """Raised when two amounts in different currencies meet in arithmetic."""


def parse_amount(text: str | int | Decimal) -> Decimal:
    """Parse a positive-or-zero decimal amount from user or file input.

    :raises InvalidInput: when the text is not a finite, non-negative number.
    """
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("not a number") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput("must be zero or more")
    return value


def precision(currency: str) -> int:
    """Number of minor-unit digits used for a currency (JPY 0, USD 2...)."""
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(str(self.amount)))

    def _check(self, other: "Money") -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {getattr(other, 'currency', other)!r}")

    def __add__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> "Money":
        if isinstance(factor, float):
            raise TypeError("multiply money by int or Decimal, never float")
        return Money(self.amount * factor, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._check(other)
        return self.amount <= other.amount

    def quantize(self) -> "Money":
        """Round to the currency's minor unit, half up."""
        exp = Decimal(1).scaleb(-precision(self.currency))
        return Money(self.amount.quantize(exp, rounding=ROUND_HALF_UP), self.currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        """A zero amount of the currency."""
        return cls(Decimal(0), currency)


LRM = "\u200e"


def format_money(money: Money, locale: str) -> str:
    """Format with the CLDR pattern of a locale, regional ones included: 'R$ 139,34' for pt_BR, '$552.15'
    for MXN in es_MX, 'USD 29.99' for USD in es_MX, '‏29.99 US$' in Arabic.

    CLDR's regional symbols already say which dollar is meant ('$' is the local one, others read 'US$',
    'MX$' or 'USD'; tests/unit/test_regional_formats.py checks no two offered currencies share a symbol in
    any language and country). Two things CLDR asks for that Babel leaves out: a letter symbol next to a digit
    gets a no-break space (currency spacing: 'USD 29.99', not 'USD29.99'); and in right-to-left locales a
    Latin symbol is closed with a left-to-right mark, so 'US$' stays 'US$' in Arabic text instead of the
    bidi algorithm turning it into '$US'.
    """
    text = format_currency(money.quantize().amount, money.currency, locale=locale)
    symbol = _symbol_in(text, locale, money.currency)
    if symbol:
        text = _space_letter_symbol(text, symbol)
        if is_rtl(locale) and any(ch.isascii() and ch.isalpha() for ch in symbol):
            text = text.replace(symbol, symbol + LRM, 1)
    return text


@lru_cache(maxsize=1024)
def _symbol(locale: str, currency: str) -> str:
    """The locale's symbol for a currency (its ISO code when CLDR has none)."""
    return Locale.parse(locale).currency_symbols.get(currency, currency)


def _symbol_in(text: str, locale: str, currency: str) -> str | None:
    """The currency symbol (or code) as it appears in a formatted amount."""
    symbol = _symbol(locale, currency)
    if symbol in text:
        return symbol
    return currency if currency in text else None


def _space_letter_symbol(text: str, symbol: str) -> str:
    """CLDR currency spacing: a symbol ending (or starting) with a letter is kept off an adjacent digit."""
    at = text.find(symbol)
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and symbol[-1].isalpha():
        text = text[:end] + "\u00a0" + text[end:]
    if at > 0 and text[at - 1].isdigit() and symbol[0].isalpha():
        text = text[:at] + "\u00a0" + text[at:]
    return text
