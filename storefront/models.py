"""Imports every domain's models so the metadata (for migrations and tests) is complete."""
from __future__ import annotations

from .accounts.models import Address, User  # noqa: F401
from .cart.models import Cart, CartAddToken, CartLine  # noqa: F401
from .catalog.models import Category, Product, SearchOutbox  # noqa: F401
from .currency.models import ExchangeRate  # noqa: F401
from .favourites.models import Favourite, RecentView  # noqa: F401
from .core.clock_setting import ClockSetting  # noqa: F401
from .core.versions import CacheVersion  # noqa: F401
from .core.events import Event  # noqa: F401
from .core.mail_outbox import OutboxMail  # noqa: F401
from .orders.models import Checkout, Order, OrderEvent, OrderLine  # noqa: F401
from .payments.models import Payment, ProcessedWebhook, Refund  # noqa: F401
from .payments.testgateway.models import SandboxRefund, SandboxSession, SandboxWebhookEvent  # noqa: F401
from .questions.models import Question  # noqa: F401
from .reviews.models import HelpfulVote, Review  # noqa: F401
from .extensions import db
from .jobs.models import JobFailure, JobHeartbeat  # noqa: F401
from .sellers.models import Offer, OfferFreeShipping, Seller, Variant  # noqa: F401

metadata = db.metadata
