"""The demo store: the bundled catalog imports cleanly and meets the shop's promises."""
from sqlalchemy import func, select

from storefront.catalog.models import Product


def test_synthetic_catalog_for_benchmarks(app, session, runner):
    result = runner.invoke(args=["seed-demo", "--products", "50"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count(Product.id))) == 50
