"""Presentation helpers for templates: labels, localized texts, images, prices in the seller's currency."""
from __future__ import annotations

from datetime import datetime

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from markupsafe import Markup

from .i18n import country_name, localized
from .i18n import countries_by_name as i18n_countries_by_name
from .l10n import bdi, format_day, isolate_text, list_join
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


def countries_by_name(codes) -> list[str]:
    """Country codes in the shopper's alphabetical order of their names."""
    return i18n_countries_by_name(codes, g.shopper.locale)


def address_lines(address) -> list[str]:
    """An address (model or dict) as the lines shown to the shopper, parts on one line joined with the
    shopper's list separator ("Calle 1، Piso 2" in Arabic, not a Latin comma)."""
    def part(name: str) -> str:
        value = address.get(name) if isinstance(address, dict) else getattr(address, name, None)
        return (value or "").strip()

    locale = g.shopper.locale
    lines = [part("full_name"), list_join([part("line1"), part("line2")], locale),
             list_join([f"{part('postal_code')} {part('city')}".strip(), part("region")], locale),
             country_name(part("country"), locale) if part("country") else ""]
    return [line for line in lines if line]


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


def seller_price(money: Money) -> Markup:
    """A price in the seller's own currency, formatted for the shopper's language and country, isolated."""
    return bdi(format_money(money, g.shopper.format_locale))


def shopper_day(moment: datetime, skeleton: str = "yMMMMd") -> str:
    """The day a moment falls on in the shopper's zone, for a message built in Python, isolated like
    shopper_money ("7 de diciembre de 2026")."""
    return isolate_text(format_day(to_user_timezone(moment).date(), g.shopper.format_locale, skeleton),
                        g.shopper.locale)


def shopper_money(money: Money) -> str:
    """A price for a message built in Python (a flash, a form error): regional format, isolated with Unicode
    isolates when the shopper reads right to left (no tag survives the message's escaping)."""
    return isolate_text(format_money(money, g.shopper.format_locale), g.shopper.locale)


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
