"""A store's listings in the seller center: the overview, saving a listing as the store, publishing.

Listings are validated by catalog.listings.parse_listing and saved by catalog.services.save_listing;
this module adds what only the seller center needs: every query scoped to one store, the store's
identity forced onto what it saves, and the conflicts a form must explain (a SKU already used by
another of the store's listings, a product the store already sells).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..catalog.listings import parse_listing
from ..catalog.models import Category, Product
from ..catalog.services import match_product, refresh_product_summary, save_listing
from ..config import LOCALES
from ..core.errors import InvalidInput, NotFound
from ..core.collation import collate
from ..core.i18n import localized
from ..core.money import Money, precision
from ..currency.services import Rates
from ..sellers.models import Offer, Seller, Variant

PER_PAGE = 50
OPTION_SLOTS = 3


class ListingConflict(InvalidInput):
    """The listing is valid on its own but clashes with the catalog or the store's other listings.

    `field` is the listing key it concerns (as in parse_listing's messages), `code` says which clash.
    """

    def __init__(self, field: str, code: str, detail: str = "") -> None:
        super().__init__(f"{field}: {code}{': ' + detail if detail else ''}")
        self.field, self.code, self.detail = field, code, detail


# -- the overview ---------------------------------------------------------------------------------


@dataclass
class ListingRow:
    """One line of the store's listing overview."""

    offer: Offer
    product: Product
    variants: int
    stock: int
    prices: list[tuple[Money, Money]] = field(default_factory=list)  # (lowest, highest) per currency


@dataclass
class ListingPage:
    """A page of the store's listings."""

    rows: list[ListingRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.per_page))


def _price_ranges(variants: list[Variant]) -> list[tuple[Money, Money]]:
    """(lowest, highest) price per currency, never mixing currencies."""
    by_currency: dict[str, list[Decimal]] = {}
    for variant in variants:
        by_currency.setdefault(variant.currency, []).append(variant.price)
    return [(Money(min(p), c), Money(max(p), c)) for c, p in sorted(by_currency.items())]


def store_listings(session: Session, store: Seller, page: int = 1, per_page: int = PER_PAGE) -> ListingPage:
    """The store's listings, newest first, with variant count, stock and price range per currency."""
    total = session.scalar(select(func.count(Offer.id)).where(Offer.seller_id == store.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    offers = session.scalars(
        select(Offer).where(Offer.seller_id == store.id).order_by(Offer.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
        .options(selectinload(Offer.variants), selectinload(Offer.product))
    )
    rows = [
        ListingRow(offer=o, product=o.product, variants=len(o.variants), stock=sum(v.stock for v in o.variants),
                   prices=_price_ranges(list(o.variants)))
        for o in offers
    ]
    return ListingPage(rows=rows, total=total, page=page, per_page=per_page)


def get_listing(session: Session, store: Seller, offer_id: int) -> Offer:
    """One of the store's offers.

    :raises NotFound: when there is no such offer or it belongs to another store (the same answer,
        so nobody learns which ids exist).
    """
    offer = session.scalar(select(Offer).where(Offer.id == offer_id, Offer.seller_id == store.id))
    if offer is None:
        raise NotFound(f"listing {offer_id}")
    return offer


def product_is_shared(session: Session, offer: Offer) -> bool:
    """True when other stores sell this offer's product too (its texts are then not this store's to edit)."""
    return session.scalar(
        select(Offer.id).where(Offer.product_id == offer.product_id, Offer.id != offer.id).limit(1)
    ) is not None


def offer_for_product(session: Session, store: Seller, product: Product) -> Offer | None:
    """The store's offer for this product, if it has one."""
    return session.scalar(select(Offer).where(Offer.seller_id == store.id, Offer.product_id == product.id))


# -- categories -----------------------------------------------------------------------------------


def _chains(session: Session) -> dict[int, list[Category]]:
    """Every category with its ancestors, root first (the tree is small: load it once)."""
    nodes = {c.id: c for c in session.scalars(select(Category))}
    out = {}
    for node_id, node in nodes.items():
        chain, current = [], node
        while current is not None:
            chain.append(current)
            current = nodes.get(current.parent_id) if current.parent_id else None
        out[node_id] = chain[::-1]
    return out


def leaf_categories(session: Session, locale: str) -> list[tuple[int, str]]:
    """Categories without children as (id, "A › B › C" in `locale`), sorted by that label."""
    chains = _chains(session)
    parents = {c[-1].parent_id for c in chains.values()}
    labels = [
        (node_id, " › ".join(localized(c.names, locale)[0] for c in chain))
        for node_id, chain in chains.items() if node_id not in parents
    ]
    return collate(labels, locale, key=lambda pair: pair[1])


def category_path(session: Session, category_id: int) -> str | None:
    """The category's path in English ("A > B > C"), the form parse_listing takes; None if unknown."""
    chain = _chains(session).get(category_id)
    if not chain:
        return None
    return " > ".join(localized(c.names, "en")[0] for c in chain)


# -- listing dicts ----------------------------------------------------------------------------------


def seller_ref(store: Seller) -> dict:
    """The store as a listing's "seller" object: uploads and forms cannot speak for another store."""
    return {"handle": store.handle, "name": store.name, "country": store.country}


def whole_number(text: str | None):
    """An int from typed digits; anything else is passed on as typed, for parse_listing to refuse."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,12}", text) else text


def country_list(text: str | None) -> list[str]:
    """Free-shipping countries typed as "ES, MX" or "*"; parse_listing checks each code."""
    return [part.strip() for part in re.split(r"[,;\s]+", text or "") if part.strip()]


def flat_listing(fields: dict[str, str], variants: list[dict[str, str]], images: list[str]) -> dict:
    """A listing dict (the importer's JSON shape) from flat text fields, as a form or a CSV file has them.

    `fields` keys: gtin, brand, model, category, category_<locale>, title_<locale>,
    description_<locale>, ships_from, handling_days, weight_grams, free_shipping, free_shipping_over.
    Each variant: sku, option<n>_name, option<n>_value (n = 1..3), price, currency, stock. Blank
    numbers are left out so parse_listing's defaults apply; the seller is added by the caller.
    """
    def text(key: str) -> str:
        return (fields.get(key) or "").strip()

    raw: dict = {
        "gtin": text("gtin") or None,
        "brand": text("brand"),
        "model": text("model"),
        "category": text("category"),
        "category_i18n": {loc: text(f"category_{loc}") for loc in LOCALES if loc != "en" and text(f"category_{loc}")},
        "title": {loc: fields[f"title_{loc}"] for loc in LOCALES if fields.get(f"title_{loc}")},
        "description": {loc: fields[f"description_{loc}"] for loc in LOCALES if fields.get(f"description_{loc}")},
        "images": list(images),
        "free_shipping": country_list(fields.get("free_shipping")),
        "variants": [],
    }
    if text("ships_from"):
        raw["ships_from"] = text("ships_from")
    for key in ("handling_days", "weight_grams"):
        if text(key):
            raw[key] = whole_number(text(key))
    if text("free_shipping_over"):
        raw["free_shipping_over"] = text("free_shipping_over")
    for row in variants:
        options = {}
        for n in range(1, OPTION_SLOTS + 1):
            name, value = (row.get(f"option{n}_name") or "").strip(), (row.get(f"option{n}_value") or "").strip()
            if name or value:
                options[name] = value
        variant = {"sku": (row.get("sku") or "").strip(), "options": options,
                   "price": (row.get("price") or "").strip(), "currency": (row.get("currency") or "").strip().upper()}
        if (row.get("stock") or "").strip():
            variant["stock"] = whole_number(row["stock"])
        raw["variants"].append(variant)
    return raw


def product_fields(session: Session, product: Product) -> dict:
    """The listing keys that describe a catalog product, taken from the product itself.

    Used when a store adds its offer to a product already in the catalog, or edits an offer of a
    product other stores sell: the product stays as it is.
    """
    return {
        "gtin": product.gtin,
        "brand": product.brand,
        "model": product.model,
        "category": category_path(session, product.category_id) or "",
        "title": dict(product.titles),
        "description": dict(product.descriptions),
        "images": list(product.images or []),
    }


def amount_text(amount: Decimal | None, currency: str | None = None) -> str:
    """A stored amount as a seller would type it: 12.99, 1500 (no float, no trailing 4-digit scale)."""
    if amount is None:
        return ""
    if currency:
        return str(amount.quantize(Decimal(1).scaleb(-precision(currency))))
    return format(amount.normalize(), "f")


def listing_values(session: Session, offer: Offer) -> dict:
    """An offer and its product as flat text fields and variant rows, to fill the edit form."""
    product = offer.product
    fields = {
        "gtin": product.gtin or "", "brand": product.brand, "model": product.model,
        "category": category_path(session, product.category_id) or "",
        "ships_from": offer.ships_from, "handling_days": str(offer.handling_days),
        "weight_grams": str(offer.weight_grams),
        "free_shipping": ", ".join(offer.free_shipping or []),
        "free_shipping_over": amount_text(offer.free_shipping_over),
    }
    for loc in LOCALES:
        if product.titles.get(loc) or product.descriptions.get(loc):
            fields[f"title_{loc}"] = product.titles.get(loc, "")
            fields[f"description_{loc}"] = product.descriptions.get(loc, "")
    variants = []
    for variant in offer.variants:
        row = {"sku": variant.sku, "price": amount_text(variant.price, variant.currency),
               "currency": variant.currency, "stock": str(variant.stock)}
        for n, (name, value) in enumerate(list((variant.options or {}).items())[:OPTION_SLOTS], start=1):
            row[f"option{n}_name"], row[f"option{n}_value"] = name, value
        variants.append(row)
    return {"fields": fields, "variants": variants, "images": list(product.images or [])}


# -- saving ---------------------------------------------------------------------------------------


def _check_conflicts(session: Session, store: Seller, listing, offer: Offer | None) -> None:
    """Refuse what save_listing would otherwise resolve by touching another of the store's listings."""
    skus = [v.sku for v in listing.variants]
    taken = {
        sku: offer_id for sku, offer_id in session.execute(
            select(Variant.sku, Variant.offer_id).where(Variant.seller_id == store.id, Variant.sku.in_(skus))
        )
    }
    for i, sku in enumerate(skus):
        if sku in taken and (offer is None or taken[sku] != offer.id):
            raise ListingConflict(f"variants[{i}].sku", "sku_taken", sku)
    if offer is None:
        product = match_product(session, listing.gtin, listing.brand, listing.model)
        if product is not None and offer_for_product(session, store, product) is not None:
            raise ListingConflict("product", "already_selling", str(product.id))
        return
    product = offer.product
    if listing.gtin and listing.gtin != product.gtin:
        if product.gtin:
            raise ListingConflict("gtin", "gtin_fixed", product.gtin)
        if session.scalar(select(Product.id).where(Product.gtin == listing.gtin)) is not None:
            raise ListingConflict("gtin", "gtin_taken", listing.gtin)


def save_store_listing(session: Session, store: Seller, raw: dict, rates: Rates, *,
                       offer: Offer | None = None) -> Offer:
    """Validate and save a listing as `store` (a new one, or `offer` when editing). Caller commits.

    Whatever `raw` says about the seller is replaced by the store itself.

    :raises InvalidInput: from parse_listing, naming the first field that breaks a rule.
    :raises ListingConflict: a SKU used by another of the store's listings, a product the store
        already sells (new listings), or a GTIN that cannot change or belongs to another product.
    """
    listing = parse_listing({**raw, "seller": seller_ref(store)})
    _check_conflicts(session, store, listing, offer)
    try:
        save_listing(session, listing, rates, offer=offer)
        session.flush()
    except IntegrityError:
        raise ListingConflict("listing", "conflict") from None
    return offer or session.scalar(
        select(Variant).where(Variant.seller_id == store.id, Variant.sku == listing.variants[0].sku)
    ).offer


def set_published(session: Session, store: Seller, offer_id: int, published: bool, rates: Rates) -> Offer:
    """Show or hide one of the store's offers; the product leaves browse and search with its last offer.

    :raises NotFound: when the offer is not the store's.
    """
    offer = get_listing(session, store, offer_id)
    offer.is_published = published
    session.flush()
    refresh_product_summary(session, offer.product, rates)
    return offer
