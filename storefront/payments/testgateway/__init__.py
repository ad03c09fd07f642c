"""The built-in test payment gateway: a complete sandbox provider inside the app, like Stripe's test mode.

signing.py (HMAC schemes), models.py (its testgw_* tables), provider.py (its own rules), views.py
(the hosted page at /testpay), delivery.py (webhooks and the CLI command), adapter.py (the
PaymentGateway registered as "test").
"""

from . import adapter  # noqa: F401,E402  (registers PAYMENT_GATEWAY="test" whenever the package is imported)
