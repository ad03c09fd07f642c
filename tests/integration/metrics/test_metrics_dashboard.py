"""The metrics dashboard's pages: who may see them, empty data, HTMX swaps, CSV export, bad input."""
from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

from tests.factories import account

URL = "/en/admin/metrics"
RANGE = "?from=2026-11-01&to=2026-11-08"


def test_anonymous_shoppers_and_sellers_get_404(app, shop):
    shopper = account(app, "shopper@example.com")
    seller = account(app, "owner@example.com", role="seller", store="sz-audio")
    for client in (app.test_client(), shopper, seller):
        assert client.get(URL + RANGE).status_code == 404
        assert client.get("/en/admin/metrics/summary.csv" + RANGE).status_code == 404


def test_admin_sees_the_hand_counted_figures(admin, shop):
    response = admin.get(URL + RANGE)
    assert response.status_code == 200
    html = response.data.decode()
    assert "Marketplace metrics" in html
    assert re.search(r'data-testid="tile-gmv_usd".*?data-testid="tile-value">\$251\.00<', html, re.S)
    assert re.search(r'data-testid="tile-conversion_rate".*?data-testid="tile-value">20\.0%<', html, re.S)
    assert re.search(r'data-testid="tile-conversion_rate".*?-30\.0 pts', html, re.S)   # 50 % -> 20 %
    assert re.search(r'data-testid="tile-delivery_days_median".*?data-testid="tile-value">2\.5 days<', html, re.S)
    # every guardrail is crossed in this history, and says so in words
    assert html.count('data-crossed="true"') == len(re.findall(r'class="tile guardrail crossed"', html)) >= 4
    assert "Threshold crossed" in html
    for table in ("funnel", "timeseries", "sellers", "delivery_by_country", "delivery_by_method",
                  "payments_by_method", "payment_failures"):
        assert f'data-testid="table-{table}"' in html
        assert f'data-testid="csv-{table}"' in html
    assert "<details><summary>Formula</summary>" in html
    assert "SZ Audio Store" in html


def test_charts_are_valid_svg_with_text_alternatives(admin, shop):
    html = admin.get(URL + RANGE).data.decode()
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(charts) == 6  # GMV, orders, funnel, sellers, delivery, payments
    for chart in charts:
        root = ElementTree.fromstring(chart)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img" and root.get("viewBox").startswith("0 0 360 ")
        assert root.find(f"{ns}title").text and root.find(f"{ns}desc").text
    funnel = next(c for c in charts if 'id="chart-funnel"' in c)
    assert "Visit: 20; Searched or viewed a product: 12; Added to cart: 7; Started checkout: 5; Paid: 4" in funnel


def test_empty_database_shows_dashes_not_errors(admin):
    response = admin.get(URL)  # the default range, the last 30 days
    assert response.status_code == 200
    html = response.data.decode()
    assert re.search(r'data-testid="tile-conversion_rate".*?data-testid="tile-value">—<', html, re.S)
    assert re.search(r'data-testid="tile-aov_usd".*?data-testid="tile-value">—<', html, re.S)
    assert 'data-crossed="true"' not in html
    for breakdown in ("day", "week", "country", "locale", "currency", "device"):
        assert admin.get(f"{URL}?breakdown={breakdown}").status_code == 200
    assert admin.get("/en/admin/metrics/sellers.csv").data.decode() == (
        "seller,handle,paid_orders,disputes,dispute_rate,cancelled,cancellation_rate\r\n")


def test_htmx_range_change_returns_only_the_dashboard_body(admin, shop):
    response = admin.get(URL + RANGE + "&breakdown=device",
                         headers={"HX-Request": "true", "HX-Target": "metrics_body"})
    assert response.status_code == 200
    html = response.data.decode()
    assert html.lstrip().startswith('<div id="metrics_body"')
    assert "<html" not in html and "<h1>" not in html
    assert 'data-testid="table-funnel_by"' in html and 'data-testid="table-north_star_by"' in html
    assert "HX-Request" in response.headers["Vary"]
    full = admin.get(URL + RANGE + "&breakdown=device").data.decode()
    assert "<html" in full and 'hx-push-url="true"' in full and 'data-testid="range-form"' in full


def test_preset_links_keep_the_breakdown(admin, shop):
    html = admin.get(URL + "?breakdown=country").data.decode()
    # today is pinned to 27 Nov 2026: the last 7 days are 21-27 Nov, to 28 Nov excluded
    link = re.search(r'href="([^"]+)"[^>]*data-testid="preset-7"', html).group(1).replace("&amp;", "&")
    assert link == "/en/admin/metrics?from=2026-11-21&to=2026-11-28&breakdown=country"
    assert 'data-testid="preset-30" aria-current="true"' in html  # the default range is the 30-day preset


def test_csv_export_has_raw_numbers_and_a_file_name(admin, shop):
    response = admin.get("/en/admin/metrics/sellers.csv" + RANGE)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="metrics-sellers-2026-11-01-2026-11-08.csv"'
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert rows == [
        ["seller", "handle", "paid_orders", "disputes", "dispute_rate", "cancelled", "cancellation_rate"],
        ["SZ Audio Store", "sz-audio", "2", "1", "0.5000", "0", "0.0000"],
        ["Berlin Mugs", "berlin", "3", "0", "0.0000", "2", "0.6667"],
    ]
    summary = {row[0]: row for row in csv.reader(io.StringIO(
        admin.get("/es/admin/metrics/summary.csv" + RANGE).data.decode()))}
    assert summary["gmv_usd"] == ["gmv_usd", "north_star", "251.00", "50.00", "4.0200"]  # unformatted in Spanish too
    assert summary["aov_usd"][2] == "50.20"
    by_day = list(csv.reader(io.StringIO(admin.get(
        "/en/admin/metrics/north_star_by.csv" + RANGE + "&breakdown=day").data.decode())))
    assert by_day[0] == ["bucket", "gmv_usd", "completed_orders", "paid_orders"]
    assert by_day[1] == ["2026-11-01", "100.00", "0", "1"]
    page = admin.get(URL + RANGE + "&breakdown=country").data.decode()
    for table in ("north_star_by", "buyers_by", "funnel_by", "guardrails_by"):  # each CSV has the page's rows
        rows = list(csv.reader(io.StringIO(admin.get(
            f"/en/admin/metrics/{table}.csv" + RANGE + "&breakdown=country").data.decode())))
        shown = re.search(f'data-testid="table-{table}".*?<tbody>(.*?)</tbody>', page, re.S).group(1)
        assert len(rows) - 1 == shown.count("<tr>") > 0
    assert admin.get("/en/admin/metrics/north_star_by.csv" + RANGE).status_code == 404  # no breakdown asked
    assert admin.get("/en/admin/metrics/nonsense.csv" + RANGE).status_code == 404


def test_bad_range_is_answered_inline_with_400(admin, shop):
    response = admin.get(URL + "?from=2026-11-08&to=2026-11-01&breakdown=planet")
    assert response.status_code == 400
    html = response.data.decode()
    assert "The end date must be after the start date." in html
    assert "Please choose a breakdown from the list." in html
    assert 'value="2026-11-08"' in html  # the admin's own values come back
    assert admin.get(URL + "?from=yesterday&to=2026-11-01").status_code == 400
    assert admin.get(URL + "?from=2020-01-01&to=2026-11-01").status_code == 400  # more than three years
    year_one = admin.get(URL + "?from=0001-01-01&to=0001-01-08")   # its previous period cannot exist
    assert year_one.status_code == 400 and "Please choose dates between 2000 and 2099." in year_one.data.decode()
    assert admin.get("/en/admin/metrics/summary.csv?from=2026-11-08").status_code == 400


def test_arabic_dashboard_is_right_to_left_with_localised_figures(admin, shop):
    html = admin.get("/ar/admin/metrics" + RANGE).data.decode()
    assert '<html lang="ar" dir="rtl">' in html
    # Arabic number formatting: the GMV tile is not the English "$251.00"
    tile = re.search(r'data-testid="tile-gmv_usd".*?data-testid="tile-value">([^<]+)<', html, re.S).group(1)
    assert "251" in tile and tile != "$251.00"
