"""A seller on a phone creates a listing with two variants in two languages, then finds it in search."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.shop import log_in


def test_seller_lists_two_variants_in_two_languages_and_finds_it(page: Page, live_server):
    log_in(page, live_server, "seller@demo.test", locale="en")
    page.goto(f"{live_server}/en/seller/listings/new")
    form = page.get_by_test_id("listing-form")

    page.fill("input[name=brand]", "Quillmoor")
    page.fill("input[name=model]", "QM-77")
    page.select_option("select[name=category_id]", index=1)
    page.fill("input[name='languages-0-title']", "Quillmoor waxed canvas camera strap")
    page.fill("textarea[name='languages-0-description']", "A padded strap for small cameras.")
    page.get_by_test_id("add-language").click()  # HTMX adds a row in place
    rows = page.get_by_test_id("language-row")
    expect(rows).to_have_count(2)
    page.select_option("select[name='languages-1-locale']", "es")
    page.fill("input[name='languages-1-title']", "Correa de lona encerada Quillmoor para cámara")
    page.fill("textarea[name='languages-1-description']", "Una correa acolchada para cámaras pequeñas.")

    page.fill("input[name='variants-0-sku']", "QM-77-OLV")
    page.fill("input[name='variants-0-price']", "19.90")
    page.fill("input[name='variants-0-stock']", "12")
    page.fill("input[name='variants-0-options-0-name']", "Color")
    page.fill("input[name='variants-0-options-0-value']", "Olive")
    page.get_by_test_id("add-variant").click()
    expect(page.get_by_test_id("variant-row")).to_have_count(2)
    page.fill("input[name='variants-1-sku']", "QM-77-BRN")
    page.fill("input[name='variants-1-price']", "21.50")
    page.fill("input[name='variants-1-stock']", "5")
    page.fill("input[name='variants-1-options-0-name']", "Color")
    page.fill("input[name='variants-1-options-0-value']", "Brown")
    # The typed values in the first variant survived the in-place swap of the variant rows.
    expect(page.locator("input[name='variants-0-sku']")).to_have_value("QM-77-OLV")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A bad price is refused on its field and nothing typed is lost.
    page.fill("input[name='variants-1-price']", "twenty")
    form.get_by_test_id("save-listing").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator("input[name='languages-1-title']")).to_have_value("Correa de lona encerada Quillmoor para cámara")
    page.fill("input[name='variants-1-price']", "21.50")
    page.get_by_test_id("listing-form").get_by_test_id("save-listing").click()
    expect(page).to_have_url(re.compile(r"/en/seller/listings/$"))
    expect(page.get_by_text("Quillmoor waxed canvas camera strap")).to_be_visible()

    # Shoppers find it straight away, in English and in Spanish, and see both variants.
    page.goto(f"{live_server}/en/search?q=quillmoor+camera+strap")
    first = page.get_by_test_id("product-card").first
    expect(first).to_contain_text("Quillmoor waxed canvas camera strap")
    page.goto(f"{live_server}/es/search?q=correa+lona+encerada")
    first = page.get_by_test_id("product-card").first
    expect(first).to_contain_text("Correa de lona encerada Quillmoor")
    first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("Correa de lona encerada Quillmoor")
    expect(page.get_by_test_id("specs")).to_contain_text("Verde oliva")  # the seller's "Olive" in the shopper's language (option glossary)
    expect(page.get_by_test_id("specs")).to_contain_text("Marrón")
