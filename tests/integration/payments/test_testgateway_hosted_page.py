"""The test gateway end to end: start, hosted page, each test card, signed return, delivered webhook."""
from __future__ import annotations

from decimal import Decimal
import pytest
from sqlalchemy import select, text

from storefront.core.money import Money
from storefront.extensions import db
from storefront.payments.gateway import PaymentError
from tests.integration.payments.merchant import CARD, SHOP, csrf_token, pay, path_of, return_args

OUTCOMES = [
    ("4242424242424242", "succeeded", None),
    ("4242 4242 4242 4242", "succeeded", None),
    ("5555555555554444", "succeeded", None),
    ("4000000000000002", "failed", "declined"),
    ("4000000000009995", "failed", "insufficient_funds"),
    ("4000000000000119", "failed", "processing_error"),
]


def test_start_opens_a_session_and_points_at_the_hosted_page(merchant):
    reference, start = merchant.start("25.00", "USD")
    assert start.redirect_url == f"{SHOP}/testpay/pay/{start.provider_ref}"
    assert start.provider_ref.startswith("tgs_") and len(start.provider_ref) >= 40
    row = merchant.provider_session(start.provider_ref)
    assert (row.reference, row.amount, row.currency, row.status) == (reference, Decimal("25.00"), "USD", "open")


def test_hosted_page_url_uses_the_current_request_host(merchant):
    with merchant.app.test_request_context(base_url="https://shop.example"):
        _, start = merchant.start()
    assert start.redirect_url.startswith("https://shop.example/testpay/pay/tgs_")


def test_hosted_page_shows_amount_description_test_mode_and_test_cards(merchant, client):
    _, start = merchant.start("1234.50", "EUR", description="Order SF-7 from Lumen Lights")
    response = client.get(path_of(start.redirect_url))
    html = response.data.decode()
    assert response.status_code == 200
    assert "€1,234.50" in html and "Order SF-7 from Lumen Lights" in html
    assert "TEST MODE" in html and "4000 0025 0000 3155" in html and "4242 4242 4242 4242" in html
    assert 'name="viewport"' in html and "<script" not in html  # phones; works without JavaScript
    assert f'href="{SHOP}/merchant/cancel"' in html and "Cancel and return to the shop" in html
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("number, status, reason", OUTCOMES)
def test_each_test_card_returns_signed_result_and_delivers_verified_webhook(merchant, client, number, status, reason):
    reference, start = merchant.start("25.00", "USD")
    response = pay(client, start, number)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith(f"{SHOP}/merchant/return?order=SF-1001&")  # the shop's own parameters kept

    result = merchant.gateway.parse_return(return_args(location))
    assert (result.reference, result.provider_ref, result.status, result.failure_reason, result.event_id) == (
        reference, start.provider_ref, status, reason, None)
    assert result.amount == Money(Decimal("25.00"), "USD")

    assert merchant.webhooks == []  # delivered only once the response has been sent and closed
    response.close()
    [webhook] = merchant.webhooks
    assert (webhook.reference, webhook.provider_ref, webhook.status, webhook.failure_reason) == (
        reference, start.provider_ref, status, reason)
    assert webhook.event_id.startswith("evt_") and webhook.amount == Money(Decimal("25.00"), "USD")
    [event] = merchant.events()
    assert event.delivered_at is not None and event.attempts == 1 and event.last_error is None
    row = merchant.provider_session(start.provider_ref)
    assert (row.status, row.failure_reason, row.card_last4) == (status, reason, number.replace(" ", "")[-4:])


def test_following_the_redirect_lands_on_the_shop_with_a_verified_result(merchant, client):
    reference, start = merchant.start("3000", "JPY")
    response = pay(client, start, "4242424242424242", follow_redirects=True)
    assert response.status_code == 200 and response.request.path == "/merchant/return"
    assert response.json.items() >= {"reference": reference, "status": "succeeded", "amount": "3000",
                                      "currency": "JPY", "order": "SF-1001"}.items()
    assert [w.status for w in merchant.webhooks] == ["succeeded"]  # the closed 303 delivered it


@pytest.mark.parametrize("button, status, reason", [("complete", "succeeded", None),
                                                    ("fail", "failed", "authentication_failed")])
def test_authentication_card_asks_for_the_extra_step(merchant, client, button, status, reason):
    reference, start = merchant.start()
    response = pay(client, start, "4000 0025 0000 3155")
    assert response.status_code == 303
    step = response.headers["Location"]
    assert step.endswith(f"/testpay/authenticate/{start.provider_ref}")
    assert merchant.provider_session(start.provider_ref).status == "requires_action" and merchant.events() == []
    assert client.get(path_of(start.redirect_url)).headers["Location"] == step  # the card page sends you on

    page = client.get(step).data.decode()
    assert "Complete authentication" in page and "Fail authentication" in page and "TEST MODE" in page
    response = client.post(step, data={button: "1"})
    assert response.status_code == 303
    result = merchant.gateway.parse_return(return_args(response.headers["Location"]))
    assert (result.reference, result.status, result.failure_reason) == (reference, status, reason)
    response.close()
    assert [(w.status, w.failure_reason) for w in merchant.webhooks] == [(status, reason)]


@pytest.mark.parametrize("fields, field, message", [
    ({"number": "4242424242424241"}, "number", "not valid"),
    ({"number": ""}, "number", "Enter the card number"),
    ({"expiry": "01/20"}, "expiry", "expired"),
    ({"expiry": "1320"}, "expiry", "MM/YY"),
    ({"cvc": "12"}, "cvc", "3 or 4 digits"),
    ({"name": ""}, "name", "name on the card"),
])
def test_invalid_card_details_are_shown_inline_and_nothing_is_charged(merchant, client, fields, field, message):
    _, start = merchant.start()
    data = CARD | {"number": "4242424242424242"} | fields
    response = client.post(path_of(start.redirect_url), data=data)
    html = response.data.decode()
    assert response.status_code == 400
    assert f'id="{field}-err"' in html and message in html
    assert "4242424242424242" not in html and "4242424242424241" not in html  # the number is never echoed
    if field != "expiry":
        assert 'value="12/34"' in html
    if field != "name":
        assert 'value="Ana Lima"' in html
    assert merchant.provider_session(start.provider_ref).status == "open" and merchant.events() == []


def test_a_finished_payment_shows_its_result_and_links_back_signed(merchant, client):
    reference, start = merchant.start()
    pay(client, start, "4000000000000002").close()
    response = client.get(path_of(start.redirect_url))
    html = response.data.decode()
    assert response.status_code == 200 and "did not go through" in html
    link = html.split('data-testid="return-link"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    back = client.get(path_of(link))
    assert back.json["status"] == "failed" and back.json["failure_reason"] == "declined"


def test_a_failed_payment_is_final_and_cannot_be_retried_on_the_same_page(merchant, client):
    _, start = merchant.start()
    pay(client, start, "4000000000009995").close()
    response = pay(client, start, "4242424242424242")
    assert response.status_code == 200 and "did not go through" in response.data.decode()
    assert merchant.provider_session(start.provider_ref).status == "failed"
    assert len(merchant.events()) == 1 and len(merchant.webhooks) == 1


def test_a_second_submit_of_a_paid_session_charges_nothing(merchant, client):
    _, start = merchant.start()
    pay(client, start, "4242424242424242").close()
    again = pay(client, start, "4242424242424242")
    assert again.status_code == 200 and "already been made" in again.data.decode()
    assert len(merchant.events()) == 1


def test_unknown_payment_token_is_a_provider_404(merchant, client):
    response = client.get("/testpay/pay/tgs_nope")
    assert response.status_code == 404 and "Payment not found" in response.data.decode()
    assert client.get("/testpay/authenticate/tgs_nope").status_code == 404


def test_card_number_and_cvc_are_never_stored(merchant, client):
    _, start = merchant.start()
    pay(client, start, "4000 0000 0000 0002", cvc="987").close()
    _, start = merchant.start()
    pay(client, start, "5555555555554444", cvc="654").close()
    dump = []
    with db.engine.connect() as conn:
        for table in ("testgw_sessions", "testgw_webhook_events", "testgw_refunds"):
            dump += [str(value) for row in conn.execute(text(f"SELECT * FROM {table}")) for value in row]
    stored = " ".join(dump)
    for number in ("4000000000000002", "4000 0000 0000 0002", "5555555555554444", "4000000000", "555555555"):
        assert number not in stored
    assert not {"987", "654"} & set(dump)  # no column holds a CVC (random tokens may contain the digits)
    rows = merchant.provider_rows()
    assert [(r.card_last4, r.card_brand) for r in rows] == [("0002", "visa"), ("4444", "mastercard")]


def test_provider_down_refuses_to_start(merchant):
    merchant.app.config["TEST_GATEWAY_DOWN"] = True
    with pytest.raises(PaymentError, match="provider unavailable"):
        merchant.start()
    assert merchant.provider_rows() == []
    merchant.app.config["TEST_GATEWAY_DOWN"] = "0"
    merchant.start()


@pytest.mark.parametrize("amount, currency, message", [("0", "USD", "more than zero"), ("-5", "USD", "more than zero"),
                                                       ("12.345", "USD", "decimals"), ("10.5", "JPY", "decimals"),
                                                       ("10", "ABC", "ISO 4217")])
def test_start_refuses_bad_amounts_and_currencies(merchant, amount, currency, message):
    with pytest.raises(PaymentError, match=message):
        merchant.start(amount, currency)
    assert merchant.provider_rows() == []


def test_start_refuses_relative_urls(merchant):
    with pytest.raises(PaymentError, match="webhook_url"):
        merchant.start(webhook_url="/merchant/webhook")


def test_provider_records_do_not_roll_back_with_the_shop_transaction(merchant, session):
    session.execute(select(1))  # the shop's request transaction is open...
    _, start = merchant.start()
    session.rollback()  # ...and rolls back: the provider's session has its own
    assert merchant.provider_session(start.provider_ref) is not None


def test_hosted_form_needs_its_csrf_token(merchant, client):
    merchant.app.config["WTF_CSRF_ENABLED"] = True
    _, start = merchant.start()
    page = client.get(path_of(start.redirect_url)).data.decode()
    refused = pay(client, start, "4242424242424242")
    assert refused.status_code == 400 and "Please try again" in refused.data.decode()
    assert merchant.provider_session(start.provider_ref).status == "open"
    accepted = pay(client, start, "4242424242424242", csrf_token=csrf_token(page))
    assert accepted.status_code == 303
    accepted.close()
    assert [w.status for w in merchant.webhooks] == ["succeeded"]  # the exempt webhook endpoint still works


def test_authentication_form_needs_its_csrf_token(merchant, client):
    merchant.app.config["WTF_CSRF_ENABLED"] = True
    _, start = merchant.start()
    token = csrf_token(client.get(path_of(start.redirect_url)).data.decode())
    step = pay(client, start, "4000002500003155", csrf_token=token).headers["Location"]
    assert client.post(step, data={"complete": "1"}).status_code == 400
    page = client.get(step).data.decode()
    assert client.post(step, data={"complete": "1", "csrf_token": csrf_token(page)}).status_code == 303


@pytest.mark.parametrize("locale,lang,direction,words", [
    ("es", "es", "ltr", ["Pagar con tarjeta", "Número de tarjeta", "MODO DE PRUEBA", "Tarjeta rechazada",
                         "Cancelar y volver a la tienda"]),
    ("ar-SA", "ar", "rtl", ["الدفع بالبطاقة", "رقم البطاقة", "وضع الاختبار", "رُفضت البطاقة"]),
    ("zh_Hans", "zh", "ltr", ["银行卡支付", "卡号", "测试模式", "银行卡被拒"]),
    ("fr", "en", "ltr", ["Pay by card", "Card number", "TEST MODE"]),
])
def test_hosted_page_speaks_the_language_the_merchant_passed(merchant, client, locale, lang, direction, words):
    merchant.start("25.00", "EUR")  # an English payment first: the page's language is per payment
    _, start = merchant.start("25.00", "EUR", locale=locale)
    html = client.get(path_of(start.redirect_url)).data.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert all(word in html for word in words)


def test_card_errors_are_in_the_payments_language(merchant, client):
    _, start = merchant.start("25.00", "EUR", locale="es")
    response = pay(client, start, "4242 4242 4242 4241", expiry="1/20", cvc="1", name="")
    text = response.data.decode()
    assert response.status_code == 400
    assert "Este número de tarjeta no es válido" in text and "Esta tarjeta ha caducado" in text
    assert "Introduce el nombre que figura en la tarjeta." in text


def test_unknown_payment_page_speaks_the_browsers_language(merchant, client):
    response = client.get("/testpay/pay/tgs_nothing_here", headers={"Accept-Language": "ar-EG,ar;q=0.9"})
    html = response.data.decode()
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in html and "لم يُعثر على الدفعة" in html
    assert "Payment not found" not in html and "This payment link is not valid" not in html
    spanish = client.get("/testpay/pay/tgs_nothing_here", headers={"Accept-Language": "es-MX"}).data.decode()
    assert "Este enlace de pago no es válido" in spanish


def test_expired_form_page_speaks_the_browsers_language(merchant, client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    _, start = merchant.start("25.00", "EUR", locale="zh")
    response = client.post(path_of(start.redirect_url), data=CARD, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    assert "此表单已过期" in response.data.decode()


def test_hosted_page_amount_is_regional_and_isolated(merchant, client):
    _, start = merchant.start("552.15", "MXN", locale="es-MX")
    assert "<bdi>$552.15</bdi>" in client.get(path_of(start.redirect_url)).data.decode()
    _, start = merchant.start("29.99", "USD", locale="ar-SA")
    assert "<bdi>\u200f29.99\xa0US$\u200e</bdi>" in client.get(path_of(start.redirect_url)).data.decode()
