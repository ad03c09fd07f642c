"""More like this: more from the store, similar items (shared category, then shared title terms in the shopper's
language), customers also bought (paid co-purchases only); lazy HTMX blocks with a no-JS page."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from storefront.orders.models import Order
from storefront.orders.services import transition
from storefront.accounts.models import User
from storefront.extensions import db
from storefront.sellers.models import Seller
from tests.builders import check_out
from tests.factories import account, add_listing

AUDIO = "Electronics > Audio > Headphones"


def listing(session, title, sku, *, category=AUDIO, seller=None, zh=None):
    titles = {"en": title} | ({"zh": zh} if zh else {})
    extra = {"seller": seller} if seller else {}
    return add_listing(session, title=titles, category=category, category_i18n={}, **extra, variants=[
        {"sku": sku, "options": {}, "price": "10.00", "currency": "USD", "stock": 50}])


@pytest.fixture
def shelf(app, session):
    app.config["TODAY"] = date(2026, 11, 27)
    berlin = {"handle": "berlin", "name": "Berlin Audio", "country": "DE"}
    return {
        "earbuds": listing(session, "Wireless bluetooth earbuds", "A1", zh="无线蓝牙耳机"),
        "case": listing(session, "Earbuds charging case", "A2", zh="耳机充电盒"),
        "speaker": listing(session, "Bluetooth speaker", "A3", zh="蓝牙音箱"),
        "cable": listing(session, "USB cable", "A4", category="Electronics > Cables"),
        "headset": listing(session, "Wireless bluetooth headset", "B1", seller=berlin, zh="无线蓝牙头戴耳机"),
        "mug": listing(session, "Coffee mug", "B2", category="Home > Kitchen", seller=berlin),
    }


def row_titles(html: str, key: str) -> list[str]:
    section = html.split(f'data-testid="{key}"')[1].split("</section>")[0]
    return [part.split("<")[0] for part in section.split('<span class="title">')[1:]]


def more(client, product, key=None, locale="en", **args):
    headers = {"HX-Request": "true", "HX-Target": key} if key else {}
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/{locale}/p/{product.id}/more" + (f"?{query}" if query else ""), headers=headers)


def test_product_page_has_lazy_rows_with_a_no_js_link(client, shelf):
    p = shelf["earbuds"]
    html = client.get(f"/en/p/{p.id}-{p.slug}").data.decode()
    for key in ("more_store", "similar_items", "also_bought"):
        placeholder = re.search(rf'<section id="{key}"[^>]*data-testid="lazy-{key}"[^>]*>', html).group(0)
        assert 'hx-trigger="revealed"' in placeholder and f'hx-get="/en/p/{p.id}/more?seller=' in placeholder
        assert f'href="/en/p/{p.id}/more?seller=' in html.split(f'data-testid="lazy-{key}"')[1].split("</section>")[0]


def test_more_from_the_store_the_shopper_looked_at(client, shelf):
    html = more(client, shelf["earbuds"]).data.decode()  # no seller given: the product's store
    assert set(row_titles(html, "more_store")) == {"Earbuds charging case", "Bluetooth speaker", "USB cable"}
    berlin = db.session.scalar(select(Seller.id).where(Seller.handle == "berlin"))
    html = more(client, shelf["headset"], seller=berlin).data.decode()
    assert row_titles(html, "more_store") == ["Coffee mug"]


def test_similar_items_share_the_category_and_rank_by_shared_title_terms(client, shelf):
    html = more(client, shelf["earbuds"], "similar_items").data.decode()
    assert "<html" not in html
    titles = row_titles(html, "similar_items")
    assert titles[0] == "Wireless bluetooth headset"          # shares "wireless" and "bluetooth"
    assert "USB cable" not in titles and "Coffee mug" not in titles  # other categories
    assert set(titles) == {"Wireless bluetooth headset", "Earbuds charging case", "Bluetooth speaker"}


def test_similar_items_compare_titles_in_the_shoppers_language(client, shelf):
    html = more(client, shelf["earbuds"], "similar_items", locale="zh").data.decode()
    assert row_titles(html, "similar_items")[0] == "无线蓝牙头戴耳机"  # shares the bigrams 无线, 线蓝, 蓝牙, 耳机


def test_customers_also_bought_counts_paid_co_purchases_once_per_buyer(app, session, shelf):
    ana, bo, cy, di = (account(app, f"{n}@example.com") for n in ("ana", "bo", "cy", "di"))
    check_out(ana, "A1", "A2", locale="en")   # ana: earbuds + case, then the case twice more (one vote)
    check_out(ana, "A2", locale="en")
    check_out(ana, "A2", locale="en")
    check_out(bo, "A1", locale="en")          # bo and di: earbuds, then the speaker separately
    check_out(bo, "A3", locale="en")
    check_out(di, "A1", "A3", locale="en")
    check_out(cy, "A1", "A4", locale="en")    # cy never pays: not a purchase
    session.rollback()
    for order in session.scalars(select(Order)):
        if order.user_id != db_user_id(session, "cy@example.com"):
            transition(session, order, "paid", actor="system", note="test")
    session.commit()
    html = more(app.test_client(), shelf["earbuds"], "also_bought").data.decode()
    # The speaker: 2 buyers (2 orders); the case: 1 buyer (3 orders); the cable: unpaid.
    assert row_titles(html, "also_bought") == ["Bluetooth speaker", "Earbuds charging case"]


def db_user_id(session, email):
    return session.scalar(select(User.id).where(User.email == email))


def test_nothing_bought_yet_says_so(client, shelf):
    html = more(client, shelf["mug"], "also_bought").data.decode()
    assert row_titles(html, "also_bought") == [] and "Nothing to show here yet." in html


def test_no_js_page_shows_all_three_rows(client, shelf):
    response = more(client, shelf["earbuds"], locale="ar")
    html = response.data.decode()
    assert response.status_code == 200 and 'dir="rtl"' in html and "منتجات مشابهة" in html
    for key in ("more_store", "similar_items", "also_bought"):
        assert f'data-testid="{key}"' in html


def test_unknown_product_is_404(client, shelf):
    assert client.get("/en/p/999999/more").status_code == 404
