"""Exact decimal columns for money and exchange rates, on every database.

PostgreSQL's NUMERIC is exact already. SQLite has no decimal type: a NUMERIC column holds a binary
float, so sums, comparisons and the guarded refund UPDATE were computed in doubles. On SQLite these
columns therefore hold the value scaled by 10**scale in a 64-bit INTEGER: storing, comparing, adding,
subtracting and SUM() stay exact in SQL, and reading gives back the same Decimal PostgreSQL gives.

A Python number compared with, added to or subtracted from such a column is given the column's type,
so it is scaled too. Multiplying or dividing two such columns in SQL (money x rate) would mix scales
and overflow on SQLite, so it raises: sum in SQL, then multiply in Python (see metrics.queries).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator, TypeEngine

INT64_MAX = 2**63 - 1

# Operators whose literal takes the column's type (hence its scale on SQLite).
_SAME_SCALE = frozenset({operators.add, operators.sub, operators.eq, operators.ne, operators.lt, operators.le,
                         operators.gt, operators.ge, operators.between_op, operators.not_between_op,
                         operators.in_op, operators.not_in_op})
# Operators that would make a scaled integer wrong: only "times a whole number" is exact.
_SCALING = frozenset({operators.mul, operators.truediv, operators.floordiv, operators.mod})


class InexactMoneySQL(TypeError):
    """Raised when SQL is built that cannot be exact on every database (e.g. money x rate)."""


def _refuse_inexact(op, others: tuple) -> None:
    """Allow `exact column * whole number` only; anything else scales by a non-integer or mixes scales."""
    if op not in _SCALING:
        return
    for other in others:
        if op is operators.mul and (isinstance(other, int) and not isinstance(other, bool)):
            continue
        other_type = getattr(other, "type", None)
        if op is operators.mul and isinstance(other_type, Integer):
            continue
        raise InexactMoneySQL(f"{op.__name__} of an exact decimal column by {other!r} cannot stay exact in SQL "
                              "on every database: select the sums and compute in Python")


class _ExactComparator(TypeDecorator.Comparator, Numeric.Comparator):
    """Numeric's SQL operators, minus the ones that cannot be exact on a scaled integer."""

    def operate(self, op, *other: Any, **kwargs: Any):
        _refuse_inexact(op, other)
        return super().operate(op, *other, **kwargs)

    def reverse_operate(self, op, other: Any, **kwargs: Any):
        _refuse_inexact(op, (other,))
        return super().reverse_operate(op, other, **kwargs)


class ExactDecimal(TypeDecorator):
    """A decimal column exact in SQL on every database: NUMERIC(p, s), or a scaled BIGINT on SQLite.

    Values are rounded half away from zero to `scale` digits when stored, as PostgreSQL does.
    Floats are refused: money and rates are Decimal (or int) from end to end.
    """

    impl = Numeric
    cache_ok = True
    comparator_factory = _ExactComparator

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision, self.scale = precision, scale
        self._unit = Decimal(1).scaleb(-scale)
        self._limit = Decimal(10) ** (precision - scale)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.precision}, {self.scale})"

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        """A scaled BIGINT on SQLite, NUMERIC(p, s) elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def coerce_compared_value(self, op, value: Any) -> TypeEngine:
        """A literal added to or compared with the column is scaled like it; a multiplier is not."""
        if op in _SCALING:
            return Integer()
        return self

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Decimal or int in, rounded to the scale; on SQLite the scaled integer.

        :raises TypeError: for a float or anything that is not a number.
        :raises ValueError: for a value that is not finite or does not fit the column.
        """
        if value is None:
            return None
        exact = self.exact(value)
        if dialect.name != "sqlite":
            return exact
        scaled = int(exact.scaleb(self.scale))
        if abs(scaled) > INT64_MAX:
            raise ValueError(f"{value} does not fit an exact decimal column with scale {self.scale} on SQLite")
        return scaled

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """The Decimal back, with `scale` digits, on every database.

        :raises TypeError: when SQLite hands back a float (an inexact aggregate such as AVG).
        """
        if value is None:
            return None
        if dialect.name != "sqlite":
            return value if isinstance(value, Decimal) else Decimal(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"an exact decimal column came back from SQLite as {type(value).__name__} {value!r}: "
                            "an inexact SQL expression was used on it (sum in SQL, divide in Python)")
        return Decimal(value).scaleb(-self.scale)

    def exact(self, value: Any) -> Decimal:
        """The value as a Decimal rounded to the column's scale, checked against its precision.

        :raises TypeError: for a float or a non-number.
        :raises ValueError: for a value that is not finite or has too many integer digits.
        """
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise TypeError(f"exact decimal columns take Decimal or int, not {type(value).__name__} {value!r}")
        value = Decimal(value)
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite amount")
        if abs(value) >= self._limit or abs(rounded := value.quantize(self._unit, rounding=ROUND_HALF_UP)) >= self._limit:
            raise ValueError(f"{value} has more than {self.precision - self.scale} integer digits")
        return rounded


def Amount() -> ExactDecimal:  # noqa: N802  (reads like a column type)
    """An amount of money in its row's currency: 14 integer digits, 4 decimals (any ISO 4217 minor unit)."""
    return ExactDecimal(18, 4)


def Rate(precision: int = 24, scale: int = 10) -> ExactDecimal:  # noqa: N802
    """An exchange rate (units of one currency per unit of another), exact like money."""
    return ExactDecimal(precision, scale)
