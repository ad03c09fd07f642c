"""Presentation helpers for templates: labels, localized texts, images, prices in the seller's currency."""
from __future__ import annotations

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from .i18n import country_name, localized
from .media import FULL_SIZE, is_upload, srcset, thumbnail_path
from .money import Money, format_money


SORT_LABELS = {
    "relevance": _l("Best match"),
    "popular": _l("Most popular"),
    "price_asc": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "newest": _l("Newest"),
    "rating": _l("Top rated"),
    "orders": _l("Most orders"),
}


def sort_label(key: str) -> str:
    """The translated name of a sort order."""
    return str(SORT_LABELS.get(key, key))


def localized_text(values: dict[str, str] | None) -> tuple[str, str | None]:
    """(text in the shopper's language or a fallback, the fallback's locale or None)."""
    return localized(values, g.shopper.locale)


def country_label(code: str) -> str:
    """A country's name in the shopper's language."""
    return country_name(code, g.shopper.locale)


def media_url(path: str | None) -> str:
    """A stored picture's URL; the placeholder for none, and for an outside address (older data): shoppers'
    browsers never call another site (no trackers), pictures given by URL are fetched and stored first."""
    if not path or path.startswith(("https://", "http://", "//")) or ":" in path:
        return url_for("static", filename="img/placeholder.svg")
    return url_for("core.media", filename=path)


def image_url(product) -> str:
    """The product's first picture (see media_url)."""
    images = product.images or []
    return media_url(images[0] if images else None)


def thumbnail_url(product) -> str:
    """The product's first image as a small picture for cart and order lines: an upload's stored
    400 px thumbnail, else the image itself (remote pictures and the demo's drawings have none)."""
    images = (product.images or []) if product is not None else []
    if images and is_upload(images[0]):
        return url_for("core.media", filename=thumbnail_path(images[0]))
    if product is None:
        return url_for("static", filename="img/placeholder.svg")
    return image_url(product)


# Per place a picture is shown: the stored widths offered, the `sizes` telling the browser how wide it is drawn
# (grid.css: 2 columns on phones, 3 from 640 px, 4 from 960 px; the gallery is the screen's width on phones),
# and the width used as `src` for browsers without srcset. A 2x phone picks the 400 px card (about 13 KB for a
# photo, WebP) and the 800 px gallery picture, never the 1,200 px original.
PICTURE_ROLES = {
    "card": ((200, 400), "(min-width: 960px) 260px, (min-width: 640px) 33vw, 48vw", 400),
    "gallery": ((400, 800, FULL_SIZE), "(min-width: 960px) 480px, 100vw", 800),
    "line": ((200, 400), "(max-width: 479px) 48px, 64px", 200),
}


def picture(image: str | None, role: str) -> dict:
    """`src`, `srcset` and `sizes` for one of a product's images shown as `role` ("card", "gallery", "line"):
    the smaller copies stored beside an upload; the demo's drawings (small SVGs) as they are; the placeholder
    when there is no image or only an outside address (see media_url: browsers never call another site)."""
    if not image or not is_upload(image):
        return {"src": media_url(image), "srcset": None, "sizes": None}
    widths, sizes, fallback = PICTURE_ROLES[role]
    candidates = srcset(image, widths)
    return {
        "src": next(url_for("core.media", filename=path) for path, width in candidates if width == fallback),
        "srcset": ", ".join(f"{url_for('core.media', filename=path)} {width}w" for path, width in candidates),
        "sizes": sizes,
    }


def product_picture(product, role: str) -> dict:
    """picture() for a product's first image (None: the placeholder)."""
    images = (product.images or []) if product is not None else []
    return picture(images[0] if images else None, role)


METHOD_LABELS = {"economy": _l("Economy"), "standard": _l("Standard"), "express": _l("Express")}
OFFER_SORT_LABELS = {"landed": _l("Total price"), "fastest": _l("Fastest delivery"), "rating": _l("Seller rating")}


def method_label(key: str) -> str:
    """The translated name of a shipping method."""
    return str(METHOD_LABELS.get(key, key))


def offer_sort_label(key: str) -> str:
    """The translated name of an offer-comparison sort."""
    return str(OFFER_SORT_LABELS.get(key, key))


def seller_price(money: Money) -> str:
    """A price in the seller's own currency, formatted for the shopper's locale."""
    return format_money(money, g.shopper.locale)


STATUS_LABELS = {
    "awaiting_payment": _l("Awaiting payment"), "paid": _l("Paid, awaiting shipment"), "shipped": _l("Shipped"),
    "delivered": _l("Delivered"), "completed": _l("Completed"), "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"), "disputed": _l("In dispute"),
}
FAILURE_LABELS = {
    "declined": _l("Your card was declined. Try another card."),
    "insufficient_funds": _l("The card has insufficient funds. Try another card."),
    "authentication_failed": _l("The extra security check failed. Please try again."),
    "processing_error": _l("The payment could not be processed. Please try again."),
    "provider_unavailable": _l("The payment service did not answer. Nothing was charged; please try again."),
}


def status_label(key: str) -> str:
    """The translated name of an order status."""
    return str(STATUS_LABELS.get(key, key))


def payment_failure_label(key: str) -> str:
    """What to tell the shopper about a failed payment."""
    return str(FAILURE_LABELS.get(key, FAILURE_LABELS["processing_error"]))


TRACKING_LABELS = {
    "accepted": _l("Accepted by the carrier"), "departed_origin": _l("Left the origin facility"),
    "customs": _l("Customs clearance"), "arrived_destination": _l("Arrived at the destination facility"),
    "out_for_delivery": _l("Out for delivery"), "delivered": _l("Delivered"),
    "exception": _l("Delivery problem: the carrier is working on it"),
}


def tracking_label(code: str) -> str:
    """What a carrier's scan means, in the shopper's language."""
    return str(TRACKING_LABELS.get(code, code))
