"""The exact decimal column type: round trips, SQL arithmetic and SUM stay exact on SQLite and PostgreSQL."""
from __future__ import annotations

import os
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, func, insert, select, text, update
from sqlalchemy.exc import StatementError

from storefront.core.money_sql import Amount, InexactMoneySQL, Rate

URLS = ["sqlite://"] + ([os.environ["TEST_DATABASE_URL"]] if os.environ.get("TEST_DATABASE_URL") else [])

metadata = MetaData()
ledger = Table("money_sql_ledger", metadata, Column("id", Integer, primary_key=True), Column("amount", Amount()),
               Column("limit_", Amount()), Column("rate", Rate(24, 10)), Column("quantity", Integer))


@pytest.fixture(params=URLS, ids=lambda url: url.split(":")[0].split("+")[0])
def conn(request):
    """A connection with an empty ledger table, in a transaction rolled back afterwards."""
    engine = create_engine(request.param)
    with engine.connect() as connection:
        metadata.drop_all(connection)
        metadata.create_all(connection)
        connection.commit()
        yield connection
        connection.rollback()
        metadata.drop_all(connection)
        connection.commit()
    engine.dispose()


def store(conn, **values):
    return conn.execute(insert(ledger).returning(ledger.c.id), values).scalar_one()


def read(conn, column, row_id):
    return conn.execute(select(column).where(ledger.c.id == row_id)).scalar_one()


@pytest.mark.parametrize("value, expected", [
    (Decimal("0.1") + Decimal("0.2"), Decimal("0.3")),
    (Decimal("31.98"), Decimal("31.98")),
    (Decimal("10") ** 13, Decimal("10000000000000")),
    (Decimal("99999999999999.9999"), Decimal("99999999999999.9999")),
    (Decimal("-12.5"), Decimal("-12.5")),
    (1500, Decimal("1500")),                      # a JPY amount as an int
    (Decimal("0.00005"), Decimal("0.0001")),      # rounded half away from zero to 4 places, as PostgreSQL does
])
def test_amounts_come_back_exactly(conn, value, expected):
    row = store(conn, amount=value)
    got = read(conn, ledger.c.amount, row)
    assert got == expected and isinstance(got, Decimal) and got.as_tuple().exponent == -4


def test_rates_keep_ten_decimals(conn):
    row = store(conn, rate=Decimal("0.0000614321"))
    assert read(conn, ledger.c.rate, row) == Decimal("0.0000614321")


def test_sum_of_ten_thousand_cents_is_exactly_one_hundred(conn):
    conn.execute(insert(ledger), [{"amount": Decimal("0.01")} for _ in range(10_000)])
    assert conn.execute(select(func.sum(ledger.c.amount))).scalar_one() == Decimal("100.00")
    assert conn.execute(select(func.count()).where(ledger.c.amount == Decimal("0.01"))).scalar_one() == 10_000


def test_sum_of_large_amounts_is_exact(conn):
    conn.execute(insert(ledger), [{"amount": Decimal("10") ** 13 + Decimal("0.0001")} for _ in range(50)])
    assert conn.execute(select(func.sum(ledger.c.amount))).scalar_one() == Decimal("500000000000000.0050")


def test_guarded_update_compares_exactly(conn):
    # 13.90 + 17.48 > 31.38 in binary floats: the refund guard that once failed on SQLite
    row = store(conn, amount=Decimal("13.90"), limit_=Decimal("31.38"))
    guarded = (update(ledger).where(ledger.c.id == row, ledger.c.amount + Decimal("17.48") <= ledger.c.limit_)
               .values(amount=ledger.c.amount + Decimal("17.48")))
    assert conn.execute(guarded).rowcount == 1
    assert read(conn, ledger.c.amount, row) == Decimal("31.38")
    assert conn.execute(guarded).rowcount == 0  # and nothing more fits


def test_literals_are_scaled_like_the_column_and_whole_multipliers_are_not(conn):
    row = store(conn, amount=Decimal("2.50"), quantity=3)
    assert read(conn, ledger.c.amount - Decimal("0.01"), row) == Decimal("2.49")
    assert read(conn, ledger.c.amount * 2, row) == Decimal("5.00")
    assert read(conn, ledger.c.amount * ledger.c.quantity, row) == Decimal("7.50")
    assert conn.execute(select(ledger.c.id).where(ledger.c.amount.between(Decimal("2.5"), Decimal("2.5")))).all()


@pytest.mark.parametrize("build", [
    lambda: ledger.c.amount * ledger.c.rate,       # money x rate: scales add up (and overflow on SQLite)
    lambda: ledger.c.amount / 2,                   # integer division on SQLite
    lambda: ledger.c.amount * Decimal("1.1"),
    lambda: 0.5 * ledger.c.amount,
])
def test_sql_that_cannot_stay_exact_is_refused_when_built(build):
    with pytest.raises(InexactMoneySQL):
        build()


@pytest.mark.parametrize("value, error", [(0.1, TypeError), (Decimal("NaN"), ValueError),
                                          (Decimal("1e14"), ValueError), (Decimal("1e30"), ValueError)])
def test_floats_and_values_too_large_are_refused(conn, value, error):
    with pytest.raises(StatementError) as info:
        store(conn, amount=value)
    assert isinstance(info.value.orig, error)


def test_sqlite_stores_scaled_integers():
    engine = create_engine("sqlite://")
    with engine.begin() as connection:
        metadata.create_all(connection)
        store(connection, amount=Decimal("31.98"), rate=Decimal("1.085"))
        assert connection.execute(text("SELECT typeof(amount), amount, rate FROM money_sql_ledger")).one() == (
            "integer", 319800, 10850000000)
