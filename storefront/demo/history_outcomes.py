"""What happens to a demo checkout after it is placed, as a list of dated steps for a history writer.

Payment (cards fail now and then, with the sandbox's reasons; some bank transfers never arrive), then per
order: the seller ships before the handling deadline (a few late, a few cancel, a few miss it and the
deadline cancels and refunds), the simulated carrier delivers within the lane's transit days (some
parcels are held and arrive late, a very few are lost), and the buyer confirms, lets the protection
window run out, reviews, or disputes; disputes end as the dispute services end them. Each seller has
its own reliability and quality, so seller rankings differ. Steps after the history's end are left out:
the shop is caught mid-flight, as a real one is, and every open timer is still in the future.
"""
from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from itertools import accumulate
from types import SimpleNamespace

from ..core.money import Money, precision
from ..orders.dispute_rules import BUYER_RESPONSE_DAYS, SELLER_RESPONSE_DAYS, SYSTEM_LINES, money_text, system_line
from ..orders.fulfilment import OVERDUE
from ..orders.protection import DISPUTE_OPENS_AFTER_DAYS, EXTENSION_DAYS, protection_end
from ..shipping.carriers import carrier_name
from ..shipping.services import add_business_days
from ..shipping.simulated import lane_transit, simulated_schedule
from ..shipping.tracking import Shipment, TrackingUpdate
from ..shipping.zones import distance_class
from .review_texts import REPLY_TEXTS, REVIEW_TEXTS

class Mix(dict):
    """Weights of choices that keep their running totals, so drawing one is cheap (millions of draws)."""

    def __init__(self, weights: dict[str, float]) -> None:
        super().__init__(weights)
        self.names, self.totals = list(self), list(accumulate(self.values()))

    def draw(self, rnd: random.Random) -> str:
        """One name, drawn in proportion to its weight."""
        return self.names[bisect_right(self.totals, rnd.random() * self.totals[-1])]


TICK = timedelta(hours=1)  # how often `flask orders tick` runs in the story
FAILURES = Mix({"declined": 45, "insufficient_funds": 25, "authentication_failed": 20, "processing_error": 10})
SELLER_CANCELS = Mix({"out_of_stock": 60, "buyer_asked": 25, "cannot_ship_to_address": 10, "pricing_error": 5})
CARRIERS_FROM = {"CN": Mix({"cainiao": 40, "yanwen": 20, "4px": 20, "china_post": 20}),
                 "US": Mix({"usps": 50, "ups": 30, "fedex": 20}), "DE": Mix({"dhl": 60, "deutsche_post": 40})}
OTHER_CARRIERS = Mix({"dhl": 50, "ups": 25, "fedex": 25})
DISPUTE_TEXTS = {
    "not_received": {"en": "The parcel never arrived and tracking has not moved for weeks.",
                     "es": "El paquete nunca llegó y el seguimiento no se mueve desde hace semanas.",
                     "ar": "لم يصل الطرد ولم يتحدث التتبع منذ أسابيع.", "zh": "包裹一直没有到，物流好几周没有更新了。"},
    "not_as_described": {"en": "The item does not match the photos: wrong colour and it feels cheap.",
                         "es": "El artículo no se parece a las fotos: otro color y de peor calidad.",
                         "ar": "المنتج لا يطابق الصور: اللون مختلف والجودة أقل.", "zh": "收到的商品和图片不符，颜色不对，质量也差。"},
}
SELLER_REPLY = "We checked the parcel before shipping; it matched the listing."


@dataclass
class Step:
    """One dated thing that happens to a checkout (order None) or to one of its orders (its index)."""

    at: datetime
    kind: str
    order: int | None = None
    data: dict = field(default_factory=dict)


@dataclass
class Attempt:
    """One payment attempt as the shop's payments table (and the sandbox provider) keep it."""

    reference: str
    gateway: str
    status: str          # succeeded / failed / pending (the shopper left the payment page)
    reason: str
    created: datetime
    updated: datetime
    provider_ref: str


def pick(rnd: random.Random, weights: dict[str, float]) -> str:
    """One key of `weights`, drawn in proportion to its weight."""
    if isinstance(weights, Mix):
        return weights.draw(rnd)
    return rnd.choices(list(weights), list(weights.values()))[0]


def seller_profile(handle: str) -> tuple[float, float]:
    """(reliability, quality) of a seller: how often they ship on time, and their share of happy buyers."""
    rnd = random.Random(f"seller-profile:{handle}")
    return rnd.uniform(0.86, 0.995), random.Random(handle).uniform(0.7, 0.97)


def handling_deadline(paid: datetime, days: int) -> datetime:
    """orders.fulfilment.handling_deadline for an order not written yet: business days at the time paid."""
    return datetime.combine(add_business_days(paid.date(), max(days, 1)), paid.timetz())


def plan_outcomes(plan, end: datetime) -> None:
    """Fill plan.steps (a history.CheckoutPlan) with everything that happened to it up to `end`."""
    rnd = random.Random(plan.reference)
    steps: list[Step] = []
    paid = _payments(rnd, plan, steps)
    if paid is None:
        released = plan.pay_by + TICK * rnd.random()  # release_unpaid on the next tick
        steps += [Step(released, "cancel_unpaid", i) for i in range(len(plan.summary.packages))]
    else:
        for i in range(len(plan.summary.packages)):
            steps.append(Step(paid, "paid", i))
            _after_payment(rnd, plan, i, paid, steps, end)
    steps.sort(key=lambda s: s.at)
    plan.steps = [s for s in steps if s.at <= end]


def _payments(rnd: random.Random, plan, steps: list[Step]) -> datetime | None:
    """The checkout's payment attempts; returns when it was paid, or None."""
    attempts: list[Attempt] = []
    if plan.payment_method == "bank_transfer":
        if rnd.random() < 0.7:
            arrived = plan.placed + timedelta(hours=rnd.uniform(3, 68))
            attempts.append(Attempt("pay_" + token(rnd, 24), "bank_transfer", "succeeded", "", arrived, arrived, ""))
    else:
        start = plan.placed + timedelta(seconds=rnd.uniform(20, 120))
        for chance in (0.9, 0.8):
            answered = start + timedelta(seconds=rnd.uniform(30, 240))
            roll = rnd.random()
            status = "succeeded" if roll < chance else "pending" if roll > 0.985 else "failed"
            attempts.append(Attempt("pay_" + token(rnd, 24), "test", status,
                                    pick(rnd, FAILURES) if status == "failed" else "", start,
                                    answered if status != "pending" else start, "tgs_" + token(rnd, 43)))
            if status != "failed" or rnd.random() > 0.55:
                break
            start = answered + timedelta(seconds=rnd.uniform(30, 400))
    if attempts:
        steps.append(Step(attempts[0].created, "payments", data={"attempts": attempts}))
    return next((a.updated for a in attempts if a.status == "succeeded"), None)


def token(rnd: random.Random, chars: int) -> str:
    """A URL-safe random text from the seeded generator (what secrets.token_urlsafe looks like)."""
    return "".join(rnd.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", k=chars))


def _after_payment(rnd: random.Random, plan, i: int, paid: datetime, steps: list[Step], end: datetime) -> None:
    """One paid order: handling, shipping, delivery, and how it ends."""
    package = plan.summary.packages[i]
    seller = package.seller
    reliability, quality = seller_profile(seller.handle)
    actor = f"seller:{seller.owner_id}" if seller.owner_id else "seller"
    ship_by = handling_deadline(paid, max(p.variant.offer.handling_days for p in package.lines))
    roll = rnd.random()
    if roll < 0.012:
        reason = pick(rnd, SELLER_CANCELS)
        steps.append(Step(paid + (ship_by - paid) * rnd.uniform(0.05, 0.6), "cancel", i,
                          {"actor": actor, "reason": reason, "note": reason.replace("_", " ")}))
        return
    if roll < 0.012 + (1 - reliability) * 0.5:
        steps.append(Step(ship_by + TICK * rnd.random(), "cancel", i,
                          {"actor": "system", "reason": OVERDUE, "note": OVERDUE.replace("_", " ")}))
        return
    if rnd.random() < (1 - reliability) * 0.7:
        shipped = ship_by + timedelta(minutes=rnd.uniform(1, 55))  # before the tick noticed
    else:
        shipped = paid + (ship_by - paid) * rnd.uniform(0.08, 0.92)
    origin, destination = package.offer_ships_from, plan.visit.country
    carrier = pick(rnd, CARRIERS_FROM.get(origin, OTHER_CARRIERS))
    tracking = f"{carrier[:2].upper()}{rnd.randrange(10**11, 10**12)}{origin}"
    order = _order_view(plan, i)
    order.shipped_at = shipped
    protection = protection_end(order)
    steps.append(Step(shipped, "ship", i, {"carrier": carrier, "tracking": tracking, "actor": actor,
                                           "note": f"{carrier_name(carrier)} {tracking}"}))
    shipment = Shipment(carrier=carrier, tracking_number=tracking, shipped_at=shipped, origin=origin,
                        destination=destination, method=package.method.method,
                        delivery_earliest=order.delivery_earliest, delivery_latest=order.delivery_latest)
    scans, lost = _journey(rnd, shipment, end)
    steps.append(Step(shipped, "scans", i, {"scans": scans}))
    delivered = next((s.at for s in scans if s.code == "delivered"), None)
    if delivered is not None and delivered > protection - timedelta(days=2):
        # A parcel held on its way: the buyer extends the protection window once, before it ends.
        asked = max(shipped + timedelta(days=1), protection - timedelta(days=rnd.uniform(1, 4)))
        protection += timedelta(days=EXTENSION_DAYS)
        steps.append(Step(asked, "extend", i))
    if delivered is not None and delivered < protection:
        steps.append(Step(delivered + TICK * rnd.random(), "deliver", i, {"delivered_at": delivered}))
    else:
        delivered = None  # still on its way when the window ends: the tick completes it as it is
    late = delivered is not None and delivered.date() > order.delivery_latest.date()
    if lost:
        opened = shipped + timedelta(days=max(DISPUTE_OPENS_AFTER_DAYS, lane_transit(shipment)[1] + rnd.uniform(2, 6)))
        if opened < protection:
            _dispute(rnd, plan, i, steps, opened, "not_received", actor, lost=True, quality=quality)
        else:
            steps.append(Step(protection + TICK * rnd.random(), "complete", i,
                              {"actor": "system", "note": "protection window ended"}))
        return
    if delivered is None:
        steps.append(Step(protection + TICK * rnd.random(), "complete", i,
                          {"actor": "system", "note": "protection window ended"}))
        return
    if rnd.random() < 0.012 + (1 - quality) * 0.06 + (0.05 if late else 0):
        opened = min(delivered + timedelta(days=rnd.uniform(0.3, 5)), protection - timedelta(hours=2))
        _dispute(rnd, plan, i, steps, opened, "not_as_described", actor, lost=False, quality=quality)
        return
    if rnd.random() < 0.65:
        done = min(delivered + timedelta(hours=1 + rnd.expovariate(1 / 40)), protection - timedelta(minutes=5))
        steps.append(Step(done, "complete", i, {"actor": "buyer", "note": "receipt confirmed"}))
    else:
        done = protection + TICK * rnd.random()
        steps.append(Step(done, "complete", i, {"actor": "system", "note": "protection window ended"}))
    _review(rnd, plan, i, steps, done, quality=quality, late=late)


def _order_view(plan, i: int) -> SimpleNamespace:
    """The order's fields that protection_end reads, before the order is written."""
    package = plan.summary.packages[i]
    return SimpleNamespace(number=plan.numbers[i], shipping_method=package.method.method,
                           ships_from=package.offer_ships_from, checkout=SimpleNamespace(country=plan.visit.country),
                           delivery_earliest=midnight(package.method.earliest),
                           delivery_latest=midnight(package.method.latest), shipped_at=None)


def midnight(day) -> datetime:
    """A delivery date as place_order stores it: midnight UTC."""
    return datetime.combine(day, time(), timezone.utc)


def _journey(rnd: random.Random, shipment: Shipment, end: datetime) -> tuple[list[TrackingUpdate], bool]:
    """The parcel's scans: the simulated carrier's story, held for days on some lanes, lost very rarely.

    A parcel still travelling at `end` keeps the simulated carrier's own story, so the next
    `orders tick` carries on with it.
    """
    scans = simulated_schedule(shipment)
    if rnd.random() < 0.006:
        return [s for s in scans if s.code in ("accepted", "departed_origin")], True
    far = distance_class(shipment.origin, shipment.destination) in ("intercontinental", "remote")
    if rnd.random() < (0.09 if far else 0.04):
        held = timedelta(days=rnd.uniform(2, 12))
        moved = [s if s.code in ("accepted", "departed_origin") else
                 TrackingUpdate(s.code, s.at + held, s.location, s.country, s.external_id) for s in scans]
        stop = next(s for s in scans if s.code not in ("accepted", "departed_origin"))
        exception = TrackingUpdate("exception", stop.at, stop.location, stop.country,
                                   f"sim-{shipment.tracking_number}-held"[:64])
        if moved[-1].at <= end:
            scans = sorted(moved + [exception], key=lambda s: s.at)
    return scans, False


def _dispute(rnd: random.Random, plan, i: int, steps: list[Step], opened: datetime, reason: str, seller_actor: str,
             *, lost: bool, quality: float) -> None:
    """A dispute's story, ending as the dispute services end it."""
    package = plan.summary.packages[i]
    total, currency = package.total.amount, package.total.currency
    requested = "full_refund" if lost or rnd.random() < 0.7 else "partial_refund"
    asked = total if requested == "full_refund" else _part(rnd, total, currency, 0.2, 0.6)
    locale = plan.visit.locale
    steps.append(Step(opened, "dispute_open", i, {
        "reason": reason, "requested": requested, "amount": asked,
        "respond_by": opened + timedelta(days=SELLER_RESPONSE_DAYS),
        "lines": [("system", system_line(f"opened_{requested}", reason=reason.replace("_", " "),
                                         amount=money_text(asked, currency))),
                  ("buyer", DISPUTE_TEXTS[reason][locale])]}))
    answer = opened + timedelta(days=rnd.uniform(0.2, 2.6))
    story = "accepted" if lost else pick(rnd, {"accepted": 30, "offer": 25, "rejected": 15, "no_answer": 8,
                                               "withdrawn": 22 * quality})
    if story == "accepted":
        resolution = "full_refund" if asked >= total else "partial_refund"
        _close(steps, i, answer, resolution, asked, seller_actor, "accepted", currency, total)
    elif story == "offer":
        offer = _part(rnd, total, currency, 0.15, 0.4)
        steps.append(Step(answer, "dispute_update", i, {
            "status": "offered", "offer_amount": offer, "respond_by": answer + timedelta(days=BUYER_RESPONSE_DAYS),
            "lines": [("system", system_line("offered", amount=money_text(offer, currency)))]}))
        _close(steps, i, answer + timedelta(days=rnd.uniform(0.1, 3)), "partial_refund", offer, "buyer",
               "offer_accepted", currency, total)
    elif story == "withdrawn":
        steps.append(Step(answer, "dispute_withdraw", i, {"lines": [("system", system_line("withdrawn"))]}))
        steps.append(Step(answer + timedelta(hours=rnd.uniform(1, 30)), "complete", i,
                          {"actor": "buyer", "note": "receipt confirmed"}))
    else:
        escalated = answer if story == "rejected" else opened + timedelta(days=SELLER_RESPONSE_DAYS) + TICK
        lines = ([("seller", SELLER_REPLY), ("system", system_line("rejected"))] if story == "rejected"
                 else [("system", system_line("no_answer"))])
        steps.append(Step(escalated, "dispute_update", i, {"status": "escalated", "escalated_at": escalated,
                                                           "respond_by": None, "lines": lines}))
        decided = escalated + timedelta(days=rnd.uniform(0.5, 4))
        if rnd.random() < 0.45:
            _close(steps, i, decided, "rejected", Decimal(0), "admin", "decided_rejected", currency, total)
        else:
            _close(steps, i, decided, "full_refund", total, "admin", "decided_full_refund", currency, total)


def _close(steps: list[Step], i: int, at: datetime, resolution: str, amount: Decimal, actor: str, line: str,
           currency: str, total: Decimal) -> None:
    """The dispute's end: a refund of `amount` (if any), resolved, the order refunded or completed."""
    text = system_line(line, amount=money_text(amount, currency)) if "{amount}" in SYSTEM_LINES[line] else \
        system_line(line)
    steps.append(Step(at, "dispute_close", i, {"resolution": resolution, "amount": amount, "actor": actor,
                                               "lines": [("system", text)], "full": amount >= total}))


def _part(rnd: random.Random, total: Decimal, currency: str, low: float, high: float) -> Decimal:
    """A share of `total`, rounded to the currency's minor unit, at least one unit of it."""
    share = Money(total * Decimal(str(round(rnd.uniform(low, high), 2))), currency).quantize().amount
    return min(max(share, Decimal(1).scaleb(-precision(currency))), total)


def _review(rnd: random.Random, plan, i: int, steps: list[Step], completed: datetime, *, quality: float,
            late: bool) -> None:
    """Some buyers review their completed order within a few days, in their language."""
    if rnd.random() > 0.3:
        return
    locale = plan.visit.locale
    roll = rnd.random() + (0.12 if late else 0)
    mood = "positive" if roll < quality else "neutral" if roll < quality + (1 - quality) / 2 else "negative"
    stars = {"positive": rnd.choice((5, 5, 5, 4)), "neutral": 3, "negative": rnd.choice((1, 2, 2))}[mood]
    scales = {"positive": (5, 5, 5, 4), "neutral": (3, 4, 3), "negative": (1, 2, 2, 3)}[mood]
    written = completed + timedelta(hours=rnd.uniform(1, 200))
    replied = mood == "negative" and rnd.random() < 0.5 or mood == "neutral" and rnd.random() < 0.2
    steps.append(Step(written, "review", i, {
        "rating": stars, "text": rnd.choice(REVIEW_TEXTS[locale][mood]), "language": locale,
        "item_as_described": rnd.choice(scales), "communication": rnd.choice(scales),
        "shipping_speed": 2 if late and mood != "positive" else rnd.choice(scales),
        "reply_text": rnd.choice(REPLY_TEXTS[locale]) if replied else None,
        "replied_at": written + timedelta(hours=rnd.uniform(3, 48)) if replied else None}))

