"""Listings at scale: indexed free-shipping rows, per-category merged pages and capped counts give the same
products in the same order as the plain query over the whole subtree did (the demo catalog as the oracle)."""
import math

import pytest
from sqlalchemy import String, and_, cast, exists, func, or_, select

from storefront.catalog import browse
from storefront.catalog.models import Category, Product
from storefront.catalog.services import category_subtree_ids
from storefront.demo.seed import seed_demo_store
from storefront.sellers.models import Offer, OfferFreeShipping
from tests.factories import add_listing


def plain_listing(session, q: browse.ListingQuery) -> tuple[int, list[int]]:
    """Today's listing before this change: one query over the subtree, LIKE on the free-shipping JSON."""
    conditions = [Product.min_price_usd.is_not(None)]
    offer_match = []
    if q.ships_from:
        offer_match.append(Offer.ships_from == q.ships_from)
    if q.free_shipping_to:
        text = cast(Offer.free_shipping, String)
        offer_match.append(or_(text.like(f'%"{q.free_shipping_to}"%'), text.like('%"*"%')))
    if offer_match:
        conditions.append(exists().where(and_(Offer.product_id == Product.id, Offer.is_published.is_(True),
                                              *offer_match)))
    if q.category_ids:
        conditions.append(Product.category_id.in_(q.category_ids))
    if q.price_min_usd is not None:
        conditions.append(Product.min_price_usd >= q.price_min_usd)
    if q.min_rating:
        conditions.append(Product.rating_avg >= q.min_rating)
    total = session.scalar(select(func.count(Product.id)).where(*conditions)) or 0
    page = min(max(1, q.page), max(1, math.ceil(total / q.per_page)))
    order = {
        "popular": (Product.orders_count.desc(), Product.id),
        "price_asc": (Product.min_price_usd.asc(), Product.id),
        "price_desc": (Product.min_price_usd.desc(), Product.id),
        "newest": (Product.created_at.desc(), Product.id.desc()),
        "rating": (Product.rating_avg.desc(), Product.rating_count.desc(), Product.id),
    }[q.sort]
    ids = session.scalars(select(Product.id).where(*conditions).order_by(*order)
                          .limit(q.per_page).offset((page - 1) * q.per_page))
    return total, list(ids)


FILTERS = [{}, {"free_shipping_to": "US"}, {"free_shipping_to": "ES"}, {"ships_from": "CN"},
           {"min_rating": 4.0}, {"price_min_usd": 20}]


def test_category_pages_equal_the_plain_query_on_the_demo_catalog(app, session):
    seed_demo_store(session, history_days=0)
    roots = session.scalars(select(Category).where(Category.parent_id.is_(None))).all()
    compared = 0
    for category in roots:
        subtree = tuple(category_subtree_ids(session, category))
        for sort in browse.SORTS:
            for filters in FILTERS:
                for page in (1, 2):
                    q = browse.ListingQuery(category_ids=subtree, sort=sort, page=page, per_page=8, **filters)
                    got = browse.browse_products(session, q)
                    total, ids = plain_listing(session, q)
                    assert (got.total, [p.id for p in got.items]) == (total, ids), (category.slug, sort, filters)
                    compared += bool(ids)
    assert compared > 300  # the comparisons saw real pages, not empty ones


def test_free_shipping_rows_follow_the_listing(app, session):
    same = {"model": "FS-1", "variants": [{"sku": "FS-1", "price": "9.00", "currency": "USD", "stock": 4}]}
    product = add_listing(session, free_shipping=["DE", "FR"], **same)
    offer = session.scalar(select(Offer).where(Offer.product_id == product.id))
    rows = lambda: sorted(session.scalars(select(OfferFreeShipping.country)  # noqa: E731
                                          .where(OfferFreeShipping.offer_id == offer.id)))
    assert rows() == ["DE", "FR"]
    add_listing(session, free_shipping=["*"], **same)  # the same seller and SKU: the listing is updated
    session.commit()
    assert rows() == ["*"]
    ships_free = browse.free_shipping_ids(session, [product.id], "BR")
    assert ships_free == {product.id}


def test_count_stops_at_the_cap_and_the_last_page_is_full(app, session, client, monkeypatch):
    for n in range(7):
        add_listing(session, title={"en": f"Lamp {n}"}, model=f"L-{n}", gtin=None,
                    variants=[{"sku": f"L{n}", "price": f"{10 + n}.00", "currency": "USD", "stock": 5}])
    session.commit()
    monkeypatch.setattr(browse, "COUNT_CAP", 4)
    q = browse.ListingQuery(sort="price_asc", page=9, per_page=2)
    page = browse.browse_products(session, q)
    assert (page.total, page.capped, page.pages, page.page) == (4, True, 2, 2)
    assert [p.titles["en"] for p in page.items] == ["Lamp 2", "Lamp 3"]
    html = client.get("/en/c/electronics").data.decode()
    assert "More than 4 products" in html


@pytest.mark.parametrize("seller_scope", [False, True])
def test_ships_from_choices_list_each_country_in_scope_once(app, session, seller_scope):
    add_listing(session)  # the factory's seller ships from China
    add_listing(session, ships_from="DE", seller={"handle": "berlin", "name": "Berlin", "country": "DE"},
                variants=[{"sku": "B1", "price": "9.00", "currency": "EUR", "stock": 2}], gtin=None, model="B")
    home = add_listing(session, category="Home > Lamps", category_i18n={}, gtin=None, model="H",
                       ships_from="US", seller={"handle": "ohio", "name": "Ohio", "country": "US"}, variants=[{"sku": "H1", "price": "5.00", "currency": "USD", "stock": 2}])
    session.commit()
    electronics = session.scalar(select(Category).where(Category.slug == "electronics"))
    subtree = tuple(category_subtree_ids(session, electronics))
    if seller_scope:
        seller_id = session.scalar(select(Offer.seller_id).where(Offer.product_id == home.id))
        assert browse.ships_from_countries(session, seller_id=seller_id) == ["US"]
    else:
        assert browse.ships_from_countries(session, subtree) == ["CN", "DE"]
        assert browse.ships_from_countries(session) == ["CN", "DE", "US"]


def test_migration_backfills_free_shipping_rows_from_the_json_lists(tmp_path):
    """An existing shop upgrading: every country in an offer's JSON list becomes a row."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from storefront.cli import MIGRATIONS

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))

    def migrate(target: str) -> None:
        with engine.connect() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, target)
            connection.commit()

    migrate("e81a3c5f2d94")  # the schema before this change
    with engine.begin() as conn:
        for seller_id in (1, 2, 3):
            conn.execute(text("INSERT INTO sellers (id, handle, name, country, joined_at) "
                              f"VALUES ({seller_id}, 's{seller_id}', 'S', 'CN', '2026-01-01')"))
        conn.execute(text("INSERT INTO categories (id, slug, names, position) VALUES (1, 'c', '{}', 0)"))
        conn.execute(text(
            "INSERT INTO products (id, slug, brand, model, category_id, titles, descriptions, images, created_at, "
            "updated_at, offer_count, rating_avg, rating_count, orders_count) "
            "VALUES (1, 'p', '', '', 1, '{}', '{}', '[]', '2026-01-01', '2026-01-01', 1, 0, 0, 0)"))
        for offer_id, free in ((1, '["DE", "FR"]'), (2, '["*"]'), (3, "[]")):
            conn.execute(text(
                "INSERT INTO offers (id, seller_id, product_id, ships_from, handling_days, weight_grams, "
                "free_shipping, is_published, created_at, updated_at) "
                f"VALUES ({offer_id}, {offer_id}, 1, 'CN', 3, 500, '{free}', 1, '2026-01-01', '2026-01-01')"))
    migrate("head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT offer_id, country FROM offer_free_shipping ORDER BY 1, 2")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "DE"), (1, "FR"), (2, "*")]
