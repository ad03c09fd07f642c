"""The test builders make what they say: an order in each status, moved there by the shop's own services."""
import pytest
from sqlalchemy import select

from storefront.orders.models import OrderEvent
from storefront.payments.models import Refund
from tests.builders import order_in


@pytest.mark.parametrize("status", ["awaiting_payment", "cancelled", "paid", "shipped", "delivered", "completed",
                                    "refunded"])
def test_an_order_in_any_status(app, session, stores, status):
    order = order_in(app, status)
    moves = session.scalars(select(OrderEvent.to_status).where(OrderEvent.order_id == order.id)
                            .order_by(OrderEvent.id)).all()
    assert order.status == status and (moves[-1] == status if moves else status == "awaiting_payment")
    refunds = session.scalars(select(Refund.amount).where(Refund.order_id == order.id)).all()
    assert refunds == ([order.total] if status == "refunded" else [])
