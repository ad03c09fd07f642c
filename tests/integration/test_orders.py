"""Who may see an order: its buyer (account or the browser that placed it as a guest), nobody else."""
from datetime import date

import pytest
from sqlalchemy import select, update

from storefront.orders.models import Order
from tests.factories import add_listing
from tests.builders import buyer, check_out

def buy(client, session):
    """Ana, a guest, buys the one listing by bank transfer; returns the place response."""
    return check_out(client, "EB-1", address=buyer(full_name="Ana", email="ana@example.com",
                                                   payment_method="bank_transfer"), locale="en")


@pytest.fixture
def listing(app, session):
    app.config["TODAY"] = date(2026, 11, 27)
    add_listing(session, variants=[{"sku": "EB-1", "price": "10.00", "currency": "USD", "stock": 5}])


def test_guest_sees_own_order_and_others_get_404(app, client, session, listing):
    confirmation = buy(client, session).headers["Location"]
    number = session.scalar(select(Order.number))
    assert client.get(confirmation).status_code == 200
    assert client.get(f"/en/orders/{number}").status_code == 200
    stranger = app.test_client()
    assert stranger.get(confirmation).status_code == 404
    assert stranger.get(f"/en/orders/{number}").status_code == 404
    assert stranger.post(confirmation + "/pay").status_code == 404


def test_account_lists_its_orders_and_not_others(app, client, session, listing):
    client.post("/en/account/register", data={"name": "Ana", "email": "ana@example.com", "password": "kettle-moss-harbour-71",
                                              "confirm": "kettle-moss-harbour-71"})
    buy(client, session)
    number = session.scalar(select(Order.number))
    assert number in client.get("/en/orders/").data.decode()
    other = app.test_client()
    other.post("/en/account/register", data={"name": "Eve", "email": "eve@example.com", "password": "kettle-moss-harbour-71",
                                             "confirm": "kettle-moss-harbour-71"})
    assert number not in other.get("/en/orders/").data.decode()
    assert other.get(f"/en/orders/{number}").status_code == 404
    assert app.test_client().get("/en/orders/").status_code == 302  # login first


def test_sold_counts_follow_payment_cancellation_and_the_demo_recount(app, session):
    """'N sold' counts units of paid orders: payment adds them, a cancellation takes them back, and
    recount_sold() (run after seeding) agrees with what transition() kept."""
    from storefront.catalog.models import Product
    from storefront.orders.services import recount_sold
    from storefront.orders.fulfilment import cancel_by_seller
    from storefront.orders.models import Order
    from tests.builders import buy

    add_listing(session, handling_days=3, variants=[{"sku": "EB-1", "options": {}, "price": "10.00",
                                                     "currency": "USD", "stock": 9}])
    product_id = session.scalar(select(Product.id))

    def sold() -> int:
        session.rollback()
        return session.get(Product, product_id).orders_count

    assert sold() == 0
    unpaid = buy(app, "EB-1", 2, pay=False)
    assert sold() == 0  # placed but not paid: not sold
    paid = buy(app, "EB-1", 3)
    assert sold() == 3
    order = session.scalar(select(Order).where(Order.number == paid))
    cancel_by_seller(session, app.extensions["payment_gateway"], order, reason="out_of_stock", actor="seller:1",
                     now=order.paid_at)
    assert sold() == 0
    buy(app, "EB-1", 1)
    assert sold() == 1 and unpaid
    session.execute(update(Product).values(orders_count=77))
    recount_sold(session)
    session.commit()
    assert sold() == 1
