"""The JSONL importer on a real database: good lines import, bad lines are reported and import nothing."""
from decimal import Decimal

from sqlalchemy import func, select

from storefront.catalog.importer import MAX_LINE_BYTES, import_listings
from storefront.catalog.models import Category, Product, SearchOutbox
from storefront.sellers.models import Offer, Seller, Variant
from storefront.currency.services import current_rates
from tests.factories import jsonl, listing, run_import


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_good_and_bad_lines_are_reported_by_line_number(session):
    good = listing(gtin="0190199246850")
    missing_title = listing(title={})
    bad_currency = listing(variants=[{"sku": "X1", "price": "1.00", "currency": "ABC", "stock": 1}])
    negative = listing(variants=[{"sku": "X2", "price": "-4.00", "currency": "USD", "stock": 1}])
    report = run_import(session, good, missing_title, b"\xff\xfe not utf-8", bad_currency, b"{not json", negative)
    assert report.imported == 1
    assert [(e.line, e.reason.split(":")[0]) for e in report.errors] == [
        (2, "title"), (3, "not UTF-8 text (byte 0)"), (4, "variants[0].currency"), (5, "not valid JSON"),
        (6, "variants[0].price"),
    ]
    assert count(session, Product) == 1 and count(session, Variant) == 1


def test_huge_line_is_rejected_and_following_lines_still_import(session):
    huge = b'{"title": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}'
    report = run_import(session, huge, listing())
    assert report.imported == 1
    assert report.errors[0].line == 1 and "longer than" in report.errors[0].reason


def test_reimport_updates_by_seller_and_sku_instead_of_duplicating(session):
    first = listing(gtin="4006381333931")
    run_import(session, first)
    first["variants"][0]["price"] = "15.50"
    first["variants"][0]["stock"] = 3
    first["title"] = {"en": "Better earbuds"}
    report = run_import(session, first)
    assert (report.products_created, report.offers_created, report.variants_updated) == (0, 0, 1)
    variant = session.scalar(select(Variant))
    assert (variant.price, variant.stock) == (Decimal("15.50"), 3)
    assert session.scalar(select(Product)).titles == {"en": "Better earbuds"}
    assert count(session, Product) == 1 and count(session, Offer) == 1


def test_same_gtin_from_two_sellers_is_one_product_with_two_offers(session):
    a = listing(gtin="0190199246850")
    b = listing(gtin="0190199246850", seller={"handle": "berlin-elektro", "name": "Berlin", "country": "DE"},
                title={"en": "Another seller's wording"},
                variants=[{"sku": "BE-1", "price": "9.90", "currency": "EUR", "stock": 2}])
    run_import(session, a, b)
    product = session.scalar(select(Product))
    assert count(session, Product) == 1 and product.offer_count == 2
    assert product.titles["en"] == "Wireless earbuds"  # the second seller cannot rewrite the product
    # 9.90 EUR at the bundled rate is cheaper than 12.99 USD
    assert product.min_price_usd < Decimal("12.99")


def test_category_tree_gets_translated_names(session):
    run_import(session, listing())
    leaf = session.scalar(select(Category).where(Category.slug == "electronics-audio-headphones"))
    assert leaf.names == {"en": "Headphones", "es": "Auriculares", "ar": "سماعات", "zh": "耳机"}
    assert leaf.parent.parent.names["es"] == "Electrónica"


def test_a_line_failing_in_the_database_leaves_nothing_behind(session):
    run_import(session, listing(gtin="0190199246850", variants=[{"sku": "S-1", "price": "1", "currency": "USD"}]))
    # same seller, SKUs spread over two existing listings -> rejected after seller lookup
    run_import(session, listing(variants=[{"sku": "S-2", "price": "1", "currency": "USD"}]))
    clash = listing(seller={"handle": "sz-audio", "name": "Renamed", "country": "CN"},
                    variants=[{"sku": "S-1", "price": "1", "currency": "USD"},
                              {"sku": "S-2", "price": "1", "currency": "USD"}])
    report = run_import(session, clash)
    assert report.imported == 0 and "different listings" in report.errors[0].reason
    assert session.scalar(select(Seller.name)) == "SZ Audio Store"


def test_removed_variants_disappear_and_changes_queue_search_updates(session):
    data = listing(variants=[{"sku": "K-1", "price": "1", "currency": "USD", "stock": 1},
                             {"sku": "K-2", "price": "2", "currency": "USD", "stock": 1}])
    import_listings(session, jsonl(data), current_rates())
    data["variants"] = data["variants"][:1]
    report = import_listings(session, jsonl(data), current_rates())
    assert report.variants_removed == 1 and count(session, Variant) == 1
    assert count(session, SearchOutbox) == 2  # one queued index update per saved listing


def test_cli_import_prints_summary_and_fails_on_bad_lines(runner, tmp_path):
    path = tmp_path / "listings.jsonl"
    path.write_bytes(b'{"seller": 1}\n')
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 1
    assert "1 lines rejected" in result.output and "line 1: seller" in result.output
