

def test_more_like_this_loads_when_scrolled_to_and_without_javascript(page: Page, no_js_page: Page, live_server,
                                                                       live_server_db):
    base = live_server
    product = in_stock_product_of(live_server_db, "seller@demo.test")
    page.goto(f"{base}/es/p/{product}")
    page.get_by_test_id("lazy-similar_items").scroll_into_view_if_needed()
    expect(page.get_by_test_id("similar_items")).to_be_visible()   # the placeholder was replaced by the row
    expect(page.get_by_test_id("more_store")).to_be_visible()
    fits(page, "more-like-this")
    no_js_page.goto(f"{base}/es/p/{product}")
    no_js_page.get_by_test_id("similar_items-link").click()
    expect(no_js_page).to_have_url(re.compile(rf"/es/p/{product}/more"))
    expect(no_js_page.get_by_test_id("also_bought")).to_be_visible()
