"""Refunds at the test gateway: full, partial, never more than was paid, each announced by a webhook."""
from __future__ import annotations

from decimal import Decimal

import pytest

from storefront.core.money import Money
from storefront.payments.gateway import PaymentError
from storefront.payments.testgateway.delivery import deliver_pending
from tests.integration.payments.merchant import pay


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


@pytest.fixture
def payment(merchant, client):
    """A succeeded USD 25.00 payment whose webhook has been delivered: (reference, provider_ref)."""
    reference, start = merchant.start("25.00", "USD")
    pay(client, start, "4242424242424242").close()
    merchant.webhooks.clear()
    return reference, start.provider_ref


def test_full_refund(merchant, payment):
    reference, provider_ref = payment
    refund_id = merchant.gateway.refund(provider_ref, usd("25.00"), reference)
    assert refund_id.startswith("re_")
    row = merchant.provider_session(provider_ref)
    assert row.refunded_amount == Decimal("25.00") and row.status == "succeeded"
    assert deliver_pending(merchant.app).delivered == 1
    [webhook] = merchant.webhooks
    assert (webhook.status, webhook.reference, webhook.provider_ref, webhook.amount) == (
        "refunded", reference, provider_ref, usd("25.00"))


def test_partial_refunds_add_up_and_over_refund_is_refused(merchant, payment):
    reference, provider_ref = payment
    first = merchant.gateway.refund(provider_ref, usd("10.00"), reference)
    second = merchant.gateway.refund(provider_ref, usd("15.00"), reference)
    assert first != second
    with pytest.raises(PaymentError, match="more than the 0.00 USD left to refund"):
        merchant.gateway.refund(provider_ref, usd("0.01"), reference)
    assert merchant.provider_session(provider_ref).refunded_amount == Decimal("25.00")
    deliver_pending(merchant.app)
    assert [w.amount for w in merchant.webhooks] == [usd("10.00"), usd("15.00")]


def test_refund_larger_than_the_payment_is_refused(merchant, payment):
    reference, provider_ref = payment
    with pytest.raises(PaymentError, match="more than the 25.00 USD left"):
        merchant.gateway.refund(provider_ref, usd("25.01"), reference)
    assert merchant.provider_session(provider_ref).refunded_amount == 0
    assert len(merchant.events()) == 1  # only the payment's own event


@pytest.mark.parametrize("amount, reference, message", [
    (usd("0"), None, "more than zero"),
    (usd("-1"), None, "more than zero"),
    (Money(Decimal("5"), "EUR"), None, "does not match the payment's USD"),
    (usd("5"), "pay_other", "reference does not match"),
])
def test_refund_rules(merchant, payment, amount, reference, message):
    with pytest.raises(PaymentError, match=message):
        merchant.gateway.refund(payment[1], amount, reference or payment[0])


@pytest.mark.parametrize("number", [None, "4000000000000002"])
def test_only_succeeded_payments_can_be_refunded(merchant, client, number):
    reference, start = merchant.start()
    if number:
        pay(client, start, number).close()
    with pytest.raises(PaymentError, match="only a succeeded payment"):
        merchant.gateway.refund(start.provider_ref, usd("1.00"), reference)


def test_unknown_payment_cannot_be_refunded(merchant):
    with pytest.raises(PaymentError, match="no such payment"):
        merchant.gateway.refund("tgs_unknown", usd("1.00"), "pay_1")


def test_refund_while_the_provider_is_down_is_refused(merchant, payment):
    merchant.app.config["TEST_GATEWAY_DOWN"] = "true"
    with pytest.raises(PaymentError, match="provider unavailable"):
        merchant.gateway.refund(payment[1], usd("1.00"), payment[0])


def test_refund_made_during_a_shop_request_is_announced_after_its_response(merchant, payment, client):
    reference, provider_ref = payment
    response = client.post(f"/merchant/refund/{provider_ref}", data={"amount": "7.50", "reference": reference})
    assert response.status_code == 200 and response.json["refund_id"].startswith("re_")
    assert merchant.webhooks == []
    response.close()
    assert [(w.status, w.amount) for w in merchant.webhooks] == [("refunded", usd("7.50"))]
    refused = client.post(f"/merchant/refund/{provider_ref}", data={"amount": "20", "reference": reference})
    assert refused.status_code == 409 and "left to refund" in refused.data.decode()
