"""Catalog rules: saving listings as products and offers, the category tree, product summaries."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core.errors import InvalidInput, NotFound
from ..core.money import Money
from ..currency.services import Rates
from ..sellers.models import Offer, Seller, Variant
from .listings import Listing
from .image_fetches import sync_fetches
from .models import Category, Product, queue_reindex


@dataclass
class SaveOutcome:
    """What saving one listing did."""

    product_created: bool = False
    offer_created: bool = False
    variants_created: int = 0
    variants_updated: int = 0
    variants_removed: int = 0
    images_queued: int = 0  # pictures given by URL, waiting for the image_fetches job


class CatalogCache:
    """Sellers and categories seen during one import, so long files do not re-query them."""

    def __init__(self) -> None:
        self.sellers: dict[str, Seller] = {}
        self.categories: dict[str, Category] = {}


def category_slug(path: tuple[str, ...]) -> str:
    """A stable URL slug for a category path, from its English names."""
    return slugify(" ".join(path))[:160] or "category"


def ensure_category(session: Session, path: tuple[str, ...], i18n: dict[str, tuple[str, ...]],
                    cache: CatalogCache | None = None) -> Category:
    """Find or create every level of a category path, recording translated names as given."""
    cache = cache or CatalogCache()
    parent: Category | None = None
    for depth in range(1, len(path) + 1):
        slug = category_slug(path[:depth])
        node = cache.categories.get(slug) or session.scalar(select(Category).where(Category.slug == slug))
        names = {"en": path[depth - 1]} | {loc: parts[depth - 1] for loc, parts in i18n.items()}
        if node is None:
            node = Category(slug=slug, parent=parent, names=names)
            session.add(node)
        elif any(node.names.get(k) != v for k, v in names.items()):
            node.names = {**node.names, **names}
        cache.categories[slug] = node
        parent = node
    return parent  # type: ignore[return-value]


def _seller(session: Session, listing: Listing, cache: CatalogCache) -> Seller:
    ref = listing.seller
    seller = cache.sellers.get(ref.handle) or session.scalar(select(Seller).where(Seller.handle == ref.handle))
    if seller is None:
        seller = Seller(handle=ref.handle, name=ref.name, country=ref.country)
        session.add(seller)
        session.flush()
    else:
        seller.name, seller.country = ref.name, ref.country
    cache.sellers[ref.handle] = seller
    return seller


def match_product(session: Session, gtin: str | None, brand: str, model: str) -> Product | None:
    """The catalog product a listing describes: by GTIN, else by brand + model, else None.

    Listings of one product become offers of it; the seller center's "find in catalog" asks the same.
    """
    if gtin:
        return session.scalar(select(Product).where(Product.gtin == gtin))
    if brand and model:
        return session.scalar(
            select(Product).where(Product.brand == brand, Product.model == model).order_by(Product.id).limit(1)
        )
    return None


def _has_other_offers(session: Session, product: Product, offer: Offer) -> bool:
    """True when some other offer (published or not) sells this product."""
    return session.scalar(
        select(Offer.id).where(Offer.product_id == product.id, Offer.id != offer.id).limit(1)
    ) is not None


def _apply_product_fields(product: Product, listing: Listing, category: Category) -> None:
    product.titles = dict(listing.titles)
    product.descriptions = dict(listing.descriptions)
    product.brand, product.model = listing.brand, listing.model
    product.images = list(listing.images)
    product.category = category
    product.slug = slugify(listing.titles.get("en") or next(iter(listing.titles.values())))[:200] or "product"
    if listing.gtin:
        product.gtin = listing.gtin


def save_listing(session: Session, listing: Listing, rates: Rates, cache: CatalogCache | None = None,
                 *, offer: Offer | None = None) -> SaveOutcome:
    """Create or update the product and this seller's offer described by `listing`.

    Updates go by (seller handle, SKU): re-importing a listing changes it instead of duplicating it.
    `offer` names the offer being edited (the seller center's edit form), so it is updated even when
    every SKU was renamed; it must be this seller's. Product texts change only when this seller's
    offer is the product's only one, so one seller cannot rewrite a product others sell. Caller owns
    the transaction.

    :raises InvalidInput: when the listing's SKUs already belong to two different offers, or
        the GTIN names a product this seller already offers under other SKUs in a conflicting way.
    """
    cache = cache or CatalogCache()
    outcome = SaveOutcome()
    seller = _seller(session, listing, cache)
    skus = [v.sku for v in listing.variants]
    existing = {
        v.sku: v
        for v in session.scalars(
            select(Variant).where(Variant.seller_id == seller.id, Variant.sku.in_(skus))
        )
    }
    offers = {v.offer_id for v in existing.values()}
    if offer is not None:
        offers.add(offer.id)
    if len(offers) > 1:
        raise InvalidInput("variants: these SKUs belong to different listings of this seller")
    offer = session.get(Offer, offers.pop()) if offers else None
    product = offer.product if offer else match_product(session, listing.gtin, listing.brand, listing.model)
    if offer and listing.gtin and product.gtin and product.gtin != listing.gtin:
        raise InvalidInput(f"gtin: these SKUs are listed under GTIN {product.gtin}")
    category = ensure_category(session, listing.category, listing.category_i18n, cache)
    applied = True
    if product is None:
        product = Product()
        _apply_product_fields(product, listing, category)
        session.add(product)
        outcome.product_created = True
    elif offer is not None and not _has_other_offers(session, product, offer):
        _apply_product_fields(product, listing, category)
    else:
        applied = False
    if offer is None:
        offer = session.scalar(select(Offer).where(Offer.seller_id == seller.id, Offer.product == product)) if product.id else None
    if offer is None:
        offer = Offer(seller=seller, product=product)
        session.add(offer)
        outcome.offer_created = True
    offer.ships_from = listing.ships_from
    offer.handling_days = listing.handling_days
    offer.weight_grams = listing.weight_grams
    offer.set_free_shipping(listing.free_shipping)
    offer.free_shipping_over = listing.free_shipping_over

    by_sku = {v.sku: v for v in offer.variants}
    wanted = set(skus)
    for data in listing.variants:
        variant = by_sku.get(data.sku) or existing.get(data.sku)
        if variant is None:
            variant = Variant(sku=data.sku, seller_id=seller.id)
            offer.variants.append(variant)
            outcome.variants_created += 1
        else:
            outcome.variants_updated += 1
        variant.options, variant.price = dict(data.options), data.price
        variant.currency, variant.stock = data.currency, data.stock
    for variant in list(offer.variants):
        if variant.sku not in wanted:
            offer.variants.remove(variant)
            outcome.variants_removed += 1
    session.flush()
    if applied:  # the product's pictures are this listing's: queue the ones given by URL
        outcome.images_queued = sync_fetches(session, product, listing.image_urls, seller.handle)
    refresh_product_summary(session, product, rates)
    return outcome


def refresh_product_summary(session: Session, product: Product, rates: Rates) -> None:
    """Recompute the product's cheapest price (USD) and offer count, and queue it for the search index."""
    cheapest: Decimal | None = None
    count = 0
    for offer in session.scalars(
        select(Offer).where(Offer.product_id == product.id, Offer.is_published.is_(True))
        .options(selectinload(Offer.variants))
    ):
        count += 1
        for variant in offer.variants:
            if variant.stock <= 0:
                continue
            usd = rates.convert(Money(variant.price, variant.currency), "USD")
            if usd is not None and (cheapest is None or usd.amount < cheapest):
                cheapest = usd.amount
    product.min_price_usd = cheapest.quantize(Decimal("0.0001")) if cheapest is not None else None
    product.offer_count = count
    queue_reindex(session, [product.id])


def category_subtree_ids(session: Session, category: Category) -> list[int]:
    """The category's id and all its descendants' ids."""
    ids, frontier = [category.id], [category.id]
    while frontier:
        frontier = list(session.scalars(select(Category.id).where(Category.parent_id.in_(frontier))))
        ids.extend(frontier)
    return ids


def category_by_slug(session: Session, slug: str) -> Category:
    """The category with this slug.

    :raises NotFound: when there is none.
    """
    category = session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(slug)
    return category


def category_trail(category: Category) -> list[Category]:
    """The category's ancestors then itself, root first (for breadcrumbs)."""
    trail = []
    node: Category | None = category
    while node is not None:
        trail.append(node)
        node = node.parent
    return trail[::-1]
