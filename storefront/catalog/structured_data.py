"""What search engines and link previews read from a page: schema.org JSON-LD (Product with its offers,
BreadcrumbList) built from what the page already shows, so the markup can never promise another price."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from ..core.display import image_url
from ..core.i18n import ShopperContext, localized
from ..core.seo import absolute_url as absolute
from ..core.seo import description as snippet
from .models import Category, Product
from .offers import OfferRow

SCHEMA = "https://schema.org"
IN_STOCK, OUT_OF_STOCK = f"{SCHEMA}/InStock", f"{SCHEMA}/OutOfStock"


def product_images(product: Product) -> list[str]:
    """The product's images as absolute URLs (the placeholder when it has none)."""
    uploads = [src for src in (product.images or [])[:6] if not src.startswith(("https://", "http://"))]
    if not uploads:
        return [absolute(image_url(product))]
    return [absolute(url_for("core.media", filename=src)) for src in uploads]


def _offer(row: OfferRow, shopper: ShopperContext, page_url: str) -> dict[str, Any]:
    """One seller's offer at the seller's own price, with delivery to the shopper's country when it ships."""
    offer: dict[str, Any] = {
        "@type": "Offer",
        "url": f"{page_url}?offer={row.offer.id}",
        "sku": row.variant.sku,
        "price": str(row.original.amount),
        "priceCurrency": row.original.currency,
        "availability": IN_STOCK if row.variant.stock > 0 else OUT_OF_STOCK,
        "itemCondition": f"{SCHEMA}/NewCondition",
        "seller": {"@type": "Organization", "name": row.offer.seller.name},
    }
    if row.shipping is not None:
        low, high = row.shipping.transit_days
        offer["shippingDetails"] = {
            "@type": "OfferShippingDetails",
            "shippingRate": {"@type": "MonetaryAmount", "value": str(row.shipping.cost.amount),
                             "currency": row.shipping.cost.currency},
            "shippingDestination": {"@type": "DefinedRegion", "addressCountry": shopper.country},
            "shippingOrigin": {"@type": "DefinedRegion", "addressCountry": row.offer.ships_from},
            "deliveryTime": {
                "@type": "ShippingDeliveryTime",
                "handlingTime": {"@type": "QuantitativeValue", "minValue": 0,
                                 "maxValue": row.offer.handling_days, "unitCode": "DAY"},
                "transitTime": {"@type": "QuantitativeValue", "minValue": low, "maxValue": high,
                                "unitCode": "DAY"},
            },
        }
    return offer


def product_jsonld(product: Product, rows: Sequence[OfferRow], shopper: ShopperContext) -> dict[str, Any] | None:
    """schema.org Product for the product page: its offers (one per seller, as compared on the page) and its
    rating; None when no seller offers it (a Product without offers is no rich result)."""
    if not rows:
        return None
    page_url = absolute(url_for("catalog.product", product_id=product.id, slug=product.slug))
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Product",
        "@id": page_url,
        "url": page_url,
        "name": localized(product.titles, shopper.locale)[0],
        "image": product_images(product),
        "offers": [_offer(row, shopper, page_url) for row in rows],
    }
    description = snippet(localized(product.descriptions, shopper.locale)[0], limit=300)
    if description:
        data["description"] = description
    if product.brand:
        data["brand"] = {"@type": "Brand", "name": product.brand}
    if product.gtin:
        data[f"gtin{len(product.gtin)}" if len(product.gtin) in (8, 12, 13, 14) else "gtin"] = product.gtin
    if product.model:
        data["model"] = product.model
    if product.rating_count:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": str(product.rating_avg),
                                   "reviewCount": product.rating_count, "bestRating": 5, "worstRating": 1}
    return data


def breadcrumb_jsonld(trail: Sequence[Category], locale: str, last: tuple[str, str] | None = None) -> dict[str, Any]:
    """schema.org BreadcrumbList: Home, the category trail, and `last` (name, url) when the page is below it."""
    crumbs = [(None, absolute(url_for("catalog.home")))]
    crumbs += [(localized(c.names, locale)[0], absolute(url_for("catalog.category", slug=c.slug))) for c in trail]
    if last is not None:
        crumbs.append((last[0], absolute(last[1])))
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": name if name is not None else _("Home"), "item": url}
            for n, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def register(app) -> None:
    """Make the builders above available to templates (pages render them in `{% block meta %}`, which an
    HTMX fragment never renders)."""
    for function in (product_jsonld, breadcrumb_jsonld, product_images):
        app.add_template_global(function)
