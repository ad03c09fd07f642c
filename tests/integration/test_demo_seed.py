"""The demo store: the bundled catalog imports cleanly and meets the shop's promises."""
from sqlalchemy import func, select

from storefront.accounts.models import User
from storefront.catalog.models import Category, Product
from storefront.demo.seed import DEMO_PASSWORD, seed_demo_store
from storefront.sellers.models import Seller


def test_demo_store_imports_every_line_and_meets_its_targets(app, session, client):
    report = seed_demo_store(session)
    assert report.errors == [] and report.imported == report.lines
    products = session.scalar(select(func.count(Product.id)))
    assert products >= 300
    assert session.scalar(select(func.count(Category.id)).where(Category.parent_id.is_(None))) >= 15
    assert session.scalar(select(func.count(Seller.id))) >= 30
    assert session.scalar(select(func.count(func.distinct(Seller.country)))) >= 5
    assert session.scalar(select(func.count(Product.id)).where(Product.offer_count >= 2)) >= 60
    every_language = session.scalars(select(Product.titles)).all()
    assert sum(all(t.get(loc) for loc in ("en", "es", "ar", "zh")) for t in every_language) >= 300
    assert seed_demo_store(session, if_empty=True) is None  # second run changes nothing
    assert session.scalar(select(func.count(Product.id))) == products

    for email in ("shopper@demo.test", "seller@demo.test", "admin@demo.test"):
        assert session.scalar(select(User).where(User.email == email)) is not None
        login = client.post("/en/account/login", data={"email": email, "password": DEMO_PASSWORD})
        assert login.status_code == 303
        client.post("/en/account/logout")


def test_synthetic_catalog_for_benchmarks(app, session, runner):
    result = runner.invoke(args=["seed-demo", "--products", "50"])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count(Product.id))) == 50
