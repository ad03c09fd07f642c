"""SVG charts: valid XML that scales to a phone, with a title and description, every text escaped."""
from __future__ import annotations

from xml.etree import ElementTree

from storefront.metrics.charts import bar_chart, column_chart, funnel_chart

NS = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))


def assert_accessible(root: ElementTree.Element, chart_id: str, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 360 ")
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert root.find(f"{NS}title").text == title and root.find(f"{NS}title").get("id") == f"{chart_id}-title"
    assert root.find(f"{NS}desc").text


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


def test_bar_chart_draws_a_bar_per_row_scaled_to_the_largest():
    svg = bar_chart("c1", "Delivery", "Spain: 2.5; Germany: 5.0", [("Spain", 2.5, "2.5"), ("Germany", 5.0, "5.0")])
    root = parse(svg)
    assert_accessible(root, "c1", "Delivery")
    bars = [r for r in root.iter(f"{NS}rect") if r.get("fill") == "#c2410c"]
    assert [round(float(b.get("width"))) for b in bars] == [144, 288]   # span 360 - 2 * 4 - 64 = 288: half, full
    assert texts(root) == ["Spain", "2.5", "Germany", "5.0"]


def test_bar_chart_mirrors_for_right_to_left_pages():
    ltr = parse(bar_chart("c", "t", "d", [("مصر", 0.5, "50%")], scale_max=1.0))
    rtl = parse(bar_chart("c", "t", "d", [("مصر", 0.5, "50%")], scale_max=1.0, rtl=True))
    bar_ltr = [r for r in ltr.iter(f"{NS}rect") if r.get("fill") == "#c2410c"][0]
    bar_rtl = [r for r in rtl.iter(f"{NS}rect") if r.get("fill") == "#c2410c"][0]
    assert float(bar_ltr.get("x")) == 4                     # grows from the left edge
    assert float(bar_rtl.get("x")) + float(bar_rtl.get("width")) == 356  # grows from the right edge
    assert rtl.find(f"{NS}text").get("text-anchor") == "end"


def test_text_is_escaped_not_markup():
    svg = bar_chart("c2", "<b>Sellers</b>", "A & B", [('<script>alert(1)</script>', 0.2, "20%")])
    root = parse(svg)   # still well-formed
    assert root.find(f"{NS}title").text == "<b>Sellers</b>"
    assert "<script>" not in str(svg) and "&lt;script&gt;" in str(svg)
    assert not list(root.iter(f"{NS}script"))


def test_rows_without_data_get_no_bar_and_an_empty_chart_says_so():
    root = parse(bar_chart("c3", "t", "d", [("Spain", None, "—")]))
    assert [float(r.get("width")) for r in root.iter(f"{NS}rect") if r.get("fill") == "#c2410c"] == [0.0]
    empty = parse(bar_chart("c4", "Payments", "No data", []))
    assert_accessible(empty, "c4", "Payments")
    assert texts(empty) == ["—"]


def test_funnel_narrows_step_by_step_and_centres_its_bars():
    steps = [("Visit", 20.0, "20"), ("Cart", 10.0, "10"), ("Paid", 0.0, "0")]
    root = parse(funnel_chart("f", "Funnel", "Visit: 20; Cart: 10; Paid: 0", steps))
    assert_accessible(root, "f", "Funnel")
    bars = list(root.iter(f"{NS}rect"))
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == 324 and widths[1] == 162 and widths[2] == 2   # 90 % of 360, half, a sliver
    assert all(abs(float(b.get("x")) * 2 + float(b.get("width")) - 360) < 0.2 for b in bars)
    assert texts(root) == ["Visit · 20", "Cart · 10", "Paid · 0"]
    assert texts(parse(funnel_chart("f", "Funnel", "none", [("Visit", 0.0, "0")]))) == ["—"]


def test_column_chart_has_a_column_per_period_each_with_its_value():
    points = [("Nov 1", 100.0, "$100.00"), ("Nov 2", 0.0, "$0.00"), ("Nov 3", 50.0, "$50.00")]
    root = parse(column_chart("g", "GMV", "3 days", points))
    assert_accessible(root, "g", "GMV")
    columns = list(root.iter(f"{NS}rect"))
    assert [c.find(f"{NS}title").text for c in columns] == ["Nov 1: $100.00", "Nov 2: $0.00", "Nov 3: $50.00"]
    assert [round(float(c.get("height"))) for c in columns] == [112, 0, 56]
    assert texts(root) == ["$100.00", "Nov 1", "Nov 3"]   # highest value, first and last period
