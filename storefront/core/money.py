"""Money as Decimal plus an ISO 4217 code: never float, and mixing currencies raises."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

from .errors import InvalidInput


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


def format_money(money: Money, locale: str) -> str:
    """Format for display in a locale, e.g. 'R$ 12,50' for pt-BR or 'US$12.50' for es."""
    return format_currency(money.quantize().amount, money.currency, locale=locale)
