"""Print gzip-compressed bytes of HTML, CSS and JS for the main pages of the seeded demo store.

Budget: the product page's HTML fits the first TCP round trip (14 KB compressed) at the demo
catalog's largest product. Run: .venv/bin/python benchmarks/page_weight.py
"""
from __future__ import annotations

import gzip
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("STOREFRONT_INSTANCE", tempfile.mkdtemp(prefix="page-weight-"))

from sqlalchemy import func, select  # noqa: E402

from storefront import create_app  # noqa: E402
from storefront.catalog.models import Product  # noqa: E402
from storefront.cli import upgrade_database  # noqa: E402
from storefront.catalog.indexing import rebuild_index
from storefront.demo.seed import seed_demo_store  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.sellers.models import Offer, Variant  # noqa: E402

BUDGET = 14 * 1024


def gz(data: bytes) -> int:
    """Size after gzip at the level web servers use by default."""
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    """Seed a throwaway demo store and print the weights."""
    app = create_app()
    with app.app_context():
        upgrade_database()
        seed_demo_store(db.session, if_empty=True)
        rebuild_index(db.session, app.extensions["search"])
        largest = db.session.execute(
            select(Product.id, Product.slug, func.count(Variant.id).label("n"))
            .join(Offer, Offer.product_id == Product.id).join(Variant, Variant.offer_id == Offer.id)
            .group_by(Product.id, Product.slug).order_by(func.count(Variant.id).desc()).limit(1)
        ).one()
        category = db.session.scalar(select(Product.category_id).where(Product.id == largest.id))
        from storefront.catalog.models import Category

        root = db.session.get(Category, category)
        while root.parent is not None:
            root = root.parent
        pages = {
            "home": "/en/",
            "category": f"/en/c/{root.slug}",
            f"product (largest: {largest.n} variants)": f"/en/p/{largest.id}-{largest.slug}",
            "search": "/en/search?q=wireless",
        }
    client = app.test_client()
    print(f"{'page':42} {'HTML raw':>9} {'HTML gz':>8}")
    for label, url in pages.items():
        for locale in ("en", "ar"):
            body = client.get(url.replace("/en/", f"/{locale}/")).data
            print(f"{label + ' [' + locale + ']':42} {len(body):9,} {gz(body):8,}")
            if label.startswith("product") and gz(body) > BUDGET:
                print(f"  over the {BUDGET:,}-byte budget")
    for asset in ("css/site.css", "js/htmx.min.js"):
        data = (Path(app.static_folder) / asset).read_bytes()
        print(f"{asset:42} {len(data):9,} {gz(data):8,}  (cached after the first page)")


if __name__ == "__main__":
    main()
