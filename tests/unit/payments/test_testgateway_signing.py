"""The test gateway's signatures: returns and Stripe-style webhooks, checked by the adapter with no database."""
from __future__ import annotations

import json

import pytest

from storefront.payments.gateway import InvalidSignature
from storefront.payments.testgateway.adapter import TestGateway, sign_return, sign_webhook
from storefront.payments.testgateway.signing import RETURN_MAX_AGE, secret_from_config

NOW = 1_900_000_000
SECRET = "whsec-test"
CONFIG = {"SECRET_KEY": "shop-secret", "TEST_GATEWAY_SECRET": SECRET}
BODY = json.dumps({
    "id": "evt_1", "type": "payment.succeeded", "created": NOW,
    "data": {"reference": "pay_1", "provider_ref": "tgs_abc", "amount": "25.00", "currency": "USD",
             "failure_reason": None},
}).encode()


def gateway(now: int = NOW, **config) -> TestGateway:
    return TestGateway(CONFIG | config, clock=lambda: now)


def headers(body: bytes = BODY, ts: int = NOW, secret: str = SECRET) -> dict:
    return {"Testgw-Signature": sign_webhook(secret, body, ts)}


def test_signed_webhook_verifies_and_reads_the_event():
    result = gateway().parse_webhook(BODY, headers())
    assert (result.event_id, result.reference, result.provider_ref, result.status) == ("evt_1", "pay_1", "tgs_abc",
                                                                                         "succeeded")
    assert str(result.amount.amount) == "25.00" and result.amount.currency == "USD"


def test_signature_header_is_found_whatever_its_case():
    assert gateway().parse_webhook(BODY, {"testgw-signature": headers()["Testgw-Signature"]}).event_id == "evt_1"


def test_tampered_webhook_body_is_rejected():
    tampered = BODY.replace(b'"25.00"', b'"2500.00"')
    with pytest.raises(InvalidSignature):
        gateway().parse_webhook(tampered, headers(BODY))


def test_webhook_signed_with_another_secret_is_rejected():
    with pytest.raises(InvalidSignature):
        gateway().parse_webhook(BODY, headers(secret="someone-else"))


@pytest.mark.parametrize("age", [300, -300])
def test_webhook_exactly_at_the_tolerance_is_accepted(age):
    assert gateway().parse_webhook(BODY, headers(ts=NOW - age)).event_id == "evt_1"


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_stale_or_future_webhook_beyond_the_tolerance_is_rejected(age):
    with pytest.raises(InvalidSignature, match="tolerance"):
        gateway().parse_webhook(BODY, headers(ts=NOW - age))


def test_tolerance_is_configurable():
    assert gateway(TEST_GATEWAY_WEBHOOK_TOLERANCE=600).parse_webhook(BODY, headers(ts=NOW - 600)).event_id
    with pytest.raises(InvalidSignature):
        gateway(TEST_GATEWAY_WEBHOOK_TOLERANCE="30").parse_webhook(BODY, headers(ts=NOW - 31))


def good_v1() -> str:
    return sign_webhook(SECRET, BODY, NOW).split("v1=")[1]


@pytest.mark.parametrize("header", [
    None, "", "garbage", "t=,v1=00", f"t=abc,v1={'0' * 64}", f"t={NOW}", f"v1={'0' * 64}",
    f"t={NOW},v1=zz", f"t={NOW},v1={'0' * 63}", f"t={NOW},v1={'g' * 64}", f"t=-{NOW},v1={'0' * 64}",
    f"t={NOW};v1={'0' * 64}", f"t={NOW},v1={'0' * 64},junk",
])
def test_malformed_signature_headers_are_rejected(header):
    with pytest.raises(InvalidSignature):
        gateway().parse_webhook(BODY, {} if header is None else {"Testgw-Signature": header})


def test_any_matching_v1_entry_is_enough_for_secret_rotation():
    header = f"t={NOW},v1={'0' * 64},v1={good_v1()}"
    assert gateway().parse_webhook(BODY, {"Testgw-Signature": header}).event_id == "evt_1"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"id": "evt_1"}',
                                  b'{"id": "evt_1", "type": "payment.exploded", "data": {}}',
                                  b'{"id": "evt_1", "type": "payment.succeeded", "data": {"reference": "r", '
                                  b'"provider_ref": "p", "amount": "lots", "currency": "USD"}}'])
def test_signed_body_of_the_wrong_shape_is_rejected(body):
    with pytest.raises(InvalidSignature):
        gateway().parse_webhook(body, headers(body))


def test_refund_events_are_reported_as_refunded():
    body = json.dumps({"id": "evt_2", "type": "refund.succeeded", "created": NOW,
                       "data": {"reference": "pay_1", "provider_ref": "tgs_abc", "amount": "5.00",
                                "currency": "USD", "failure_reason": None, "refund_id": "re_1"}}).encode()
    result = gateway().parse_webhook(body, headers(body))
    assert result.status == "refunded" and str(result.amount.amount) == "5.00"


FIELDS = {"ref": "pay_1", "pid": "tgs_abc", "status": "failed", "reason": "declined", "ts": str(NOW)}


def test_return_signature_covers_every_field():
    sig = sign_return(SECRET, FIELDS)
    for name in FIELDS:
        assert sign_return(SECRET, FIELDS | {name: FIELDS[name] + "x"}) != sig, name
    assert sign_return(SECRET, FIELDS | {"order": "SF-1", "sig": "ignored"}) == sig  # other params are not signed


def test_return_fields_cannot_bleed_into_each_other():
    assert sign_return(SECRET, {"ref": "a&pid=b", "pid": ""}) != sign_return(SECRET, {"ref": "a", "pid": "b"})


def test_a_missing_reason_signs_like_an_empty_one():
    fields = {k: v for k, v in FIELDS.items() if k != "reason"}
    assert sign_return(SECRET, fields) == sign_return(SECRET, fields | {"reason": ""})


def test_return_with_a_wrong_or_missing_signature_is_rejected():
    g = gateway()
    for args in (FIELDS, FIELDS | {"sig": "0" * 64}, FIELDS | {"sig": "xyz"},
                 FIELDS | {"sig": sign_return("someone-else", FIELDS)},
                 FIELDS | {"status": "succeeded", "sig": sign_return(SECRET, FIELDS)}):
        with pytest.raises(InvalidSignature):
            g.parse_return(args)


@pytest.mark.parametrize("age", [RETURN_MAX_AGE + 1, -301])
def test_return_older_than_a_day_or_from_the_future_is_rejected(age):
    fields = FIELDS | {"ts": str(NOW - age)}
    with pytest.raises(InvalidSignature, match="window"):
        gateway().parse_return(fields | {"sig": sign_return(SECRET, fields)})


def test_default_secret_is_derived_from_secret_key_and_differs_from_it():
    derived = secret_from_config({"SECRET_KEY": "shop-secret"})
    assert derived == secret_from_config({"SECRET_KEY": "shop-secret"})
    assert derived not in (b"shop-secret", "shop-secret") and derived != secret_from_config({"SECRET_KEY": "other"})
    assert secret_from_config({"SECRET_KEY": "shop-secret", "TEST_GATEWAY_SECRET": "mine"}) == b"mine"


@pytest.mark.parametrize("config", [{}, {"SECRET_KEY": "k", "TEST_GATEWAY_WEBHOOK_TOLERANCE": "0"},
                                    {"SECRET_KEY": "k", "TEST_GATEWAY_WEBHOOK_TOLERANCE": "soon"}])
def test_misconfigured_gateway_fails_at_creation(config):
    with pytest.raises(RuntimeError):
        TestGateway(config)
