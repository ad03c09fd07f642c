"""The PaymentGateway protocol every payment provider adapter implements, and the registry picking one.

The storefront never sees a card number: a gateway sends the shopper to the provider's hosted page,
and the result comes back twice, signed: on the shopper's return and in a webhook. Whichever is
verified first marks the payment; the other is a no-op.

A real provider plugs in as one module: a class implementing PaymentGateway (its API calls in
start/expire/refund, its signature scheme in parse_return/parse_webhook) registered in GATEWAYS under a
name, selected with PAYMENT_GATEWAY=name.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ..core.errors import DomainError
from ..core.money import Money
from ..core.registry import Registry


class PaymentError(DomainError):
    """The provider could not be reached or refused the request; nothing was charged."""


class InvalidSignature(PaymentError):
    """A return or webhook whose signature, timestamp or shape does not verify: ignore it."""


@dataclass(frozen=True)
class PaymentRequest:
    """What we ask the provider to collect."""

    reference: str      # our payment reference: unique, unguessable, echoed back in results
    amount: Money
    description: str
    return_url: str     # absolute; the provider appends signed result parameters
    cancel_url: str     # absolute; where "back to the shop" goes without paying
    webhook_url: str    # absolute; the provider POSTs signed events here
    locale: str
    email: str


@dataclass(frozen=True)
class PaymentStart:
    """The provider's answer to a new payment: where to send the shopper."""

    provider_ref: str
    redirect_url: str


@dataclass(frozen=True)
class PaymentResult:
    """A verified outcome from the provider."""

    reference: str                  # our payment reference
    provider_ref: str
    status: str                     # "succeeded" | "failed" | "pending"
    failure_reason: str | None = None  # "declined" | "insufficient_funds" | "authentication_failed" | "processing_error"
    event_id: str | None = None     # webhook event id (for de-duplication); None for returns
    amount: Money | None = None


class PaymentGateway(Protocol):
    """A payment provider adapter."""

    name: str

    def start(self, request: PaymentRequest) -> PaymentStart:
        """Create the payment at the provider.

        :raises PaymentError: when the provider is down, times out or refuses.
        """
        ...

    def parse_return(self, args: Mapping[str, str]) -> PaymentResult:
        """Verify the signed parameters the shopper came back with.

        :raises InvalidSignature: when they do not verify.
        """
        ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> PaymentResult:
        """Verify a webhook from its raw body and headers (signature, timestamp tolerance).

        :raises InvalidSignature: when it does not verify or is too old.
        """
        ...

    def expire(self, provider_ref: str) -> None:
        """Close a payment the shopper has not completed, so it can no longer be paid (a newer one replaces it).

        :raises PaymentError: when the provider cannot be reached, or the payment can no longer be expired
            (it was completed meanwhile: its result is on its way).
        """
        ...

    def refund(self, provider_ref: str, amount: Money, reference: str) -> str:
        """Refund all or part of a succeeded payment; returns the provider's refund id.

        :raises PaymentError: when the provider refuses or cannot be reached.
        """
        ...


GATEWAYS: Registry[PaymentGateway] = Registry("PAYMENT_GATEWAY")
register = GATEWAYS.register


def create_gateway(name: str, config: Mapping) -> PaymentGateway:
    """The configured gateway.

    :raises RuntimeError: naming PAYMENT_GATEWAY when the name is unknown.
    """
    return GATEWAYS.create(name, config)
