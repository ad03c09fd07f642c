"""Steps the after-sale journeys share: logging in, buying from a given store, paying, running the timers."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from storefront.demo.seed import DEMO_PASSWORD
from storefront.orders.models import Order
from storefront.payments.models import Payout

CARD_OK = "4242424242424242"


def query(db_url: str, sql: str, **params):
    """The first row of `sql` on the live server's database."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(text(sql), params).first()
    engine.dispose()
    return row


def all_rows(db_url: str, sql: str, **params) -> list:
    """Every row of `sql` on the live server's database."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    engine.dispose()
    return rows


def order_money(db_url: str, number: str) -> tuple[Decimal, Decimal, Decimal | None]:
    """An order's total, refunded total and payout amount, read through the models' exact money columns
    (on SQLite the stored values are scaled integers: raw SQL would not read them as amounts)."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        total, refunded = session.execute(select(Order.total, Order.refunded_total)
                                          .where(Order.number == number)).one()
        payout = session.scalar(select(Payout.amount).join(Order, Order.id == Payout.order_id)
                                .where(Order.number == number))
    engine.dispose()
    return total, refunded, payout


def log_in(page: Page, base: str, email: str, locale: str = "es") -> None:
    page.goto(f"{base}/{locale}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/login"))


def in_stock_product_of(db_url: str, owner_email: str, skip: int = 0) -> int:
    """A product sold only by the store `owner_email` owns, with stock; `skip` picks another one, so
    journeys do not buy the same units."""
    row = query(db_url, """
        SELECT DISTINCT o.product_id FROM offers o JOIN sellers s ON s.id = o.seller_id JOIN users u ON u.id = s.owner_id
        JOIN products p ON p.id = o.product_id JOIN variants v ON v.offer_id = o.id
        WHERE u.email = :email AND p.offer_count = 1 AND v.stock > 3 AND o.is_published
        ORDER BY o.product_id LIMIT 1 OFFSET :skip""", email=owner_email, skip=skip)
    return row[0]


def pay_with(page: Page, number: str = CARD_OK, name: str = "Ana Souza") -> None:
    page.locator("input[name=number]").fill(number)
    page.locator("input[name=expiry]").fill("12/34")
    page.locator("input[name=cvc]").fill("123")
    page.locator("input[name=name]").fill(name)
    page.locator("button[type=submit]").first.click()


def buy_and_pay(page: Page, base: str, product_id: int, *, locale: str = "es", guest_email: str | None = None) -> str:
    """Add one unit to the cart, check out to a Spanish address, pay by card; returns the order number."""
    page.goto(f"{base}/{locale}/p/{product_id}")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    page.goto(f"{base}/{locale}/checkout/")
    if guest_email:
        page.get_by_test_id("email").fill(guest_email)
    if page.get_by_test_id("full_name").count():
        if page.get_by_test_id("country").input_value() != "ES":
            page.get_by_test_id("country").select_option("ES")  # the address fields are swapped for Spain's
            page.wait_for_load_state("networkidle")
        page.get_by_test_id("full_name").fill("Lucía Gómez")
        page.get_by_test_id("line1").fill("Calle Mayor 1")
        page.get_by_test_id("city").fill("Madrid")
        page.get_by_test_id("postal_code").fill("28013")
    page.get_by_test_id("to-review").click()
    page.get_by_test_id("place-order").click()
    pay_with(page, name="Lucía Gómez")
    expect(page.get_by_test_id("payment-state")).to_be_visible()
    expect(page.get_by_test_id("order-number")).to_have_count(1)
    return page.get_by_test_id("order-number").inner_text().strip()


def ship(browser: Browser, browser_context_args, base: str, number: str, tracking: str) -> Page:
    """The demo seller marks the order shipped from their phone; returns their page."""
    seller = browser.new_context(**browser_context_args).new_page()
    log_in(seller, base, "seller@demo.test")
    seller.goto(f"{base}/es/seller/orders/{number}")
    seller.get_by_test_id("ship-form").locator("select[name=carrier]").select_option("cainiao")
    seller.get_by_test_id("ship-form").locator("input[name=tracking_number]").fill(tracking)
    seller.get_by_test_id("ship-submit").click()
    expect(seller.get_by_test_id("order-status")).to_have_text("Enviado")
    return seller


def write_review(page: Page, text: str, stars: int = 5) -> None:
    """On the review form: the product's stars and text, and the same stars for the three seller ratings."""
    page.locator(f"[data-testid=rating] input[value='{stars}']").check()
    page.fill("textarea[name=text]", text)
    for name in ("item_as_described", "communication", "shipping_speed"):
        page.locator(f"[data-testid={name}] input[value='{stars}']").check()
    page.get_by_test_id("submit-review").click()


def travel(app, to: datetime) -> None:
    """Move the live shop's clock (pages, payment sandbox, timers) to `to`; the e2e conftest puts it back."""
    app.config["CLOCK_OFFSET"] = to - datetime.now(timezone.utc)


def tick(app, now: datetime) -> str:
    """Move the shop's clock to `now` and run `flask orders tick` there, as the scheduler would; returns its
    output. Pages the journey opens afterwards see the same time as the timers did."""
    travel(app, now)
    result = app.test_cli_runner().invoke(args=["orders", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def stored_time(db_url: str, sql: str, **params) -> datetime:
    """A time from the live server's database, with its time zone (SQLite hands back text or naive UTC)."""
    value = query(db_url, sql, **params)[0]
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def outbox_messages(db_url: str) -> list[str]:
    """The emails the live server wrote to its mail outbox (what the mail job sends), whole."""
    engine = create_engine(db_url)
    with engine.connect() as connection:
        messages = list(connection.scalars(text("SELECT message FROM mail_outbox ORDER BY id")))
    engine.dispose()
    return messages


__all__ = ["outbox_messages", "query", "log_in", "ship", "in_stock_product_of", "pay_with", "buy_and_pay", "tick", "travel", "write_review", "stored_time", "timedelta"]
