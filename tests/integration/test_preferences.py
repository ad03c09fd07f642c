"""The Ship to / Language / Currency control: a plain form, remembered in cookies and the profile."""
from sqlalchemy import select

from storefront.accounts.models import User


def test_preferences_set_cookies_and_switch_language_of_next_page(client):
    response = client.post("/en/preferences", data={"country": "BR", "currency": "BRL", "language": "ar",
                                                    "next": "/en/c/electronics?sort=newest"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ar/c/electronics?sort=newest"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("currency=BRL") for c in cookies) and any(c.startswith("ship_to=BR") for c in cookies)
    html = client.get("/ar/").data.decode()
    assert "BR · AR · BRL" in html


def test_invalid_choices_keep_the_current_ones_and_next_stays_on_site(client):
    client.set_cookie("currency", "EUR")
    response = client.post("/en/preferences", data={"country": "XX", "currency": "BTC", "language": "klingon",
                                                    "next": "https://evil.example/"})
    assert response.headers["Location"] == "/en/"
    assert any(c.startswith("currency=EUR") for c in response.headers.getlist("Set-Cookie"))


def test_bad_cookies_fall_back_to_defaults(client):
    client.set_cookie("currency", "<script>")
    client.set_cookie("ship_to", "ZZZ")
    response = client.get("/en/", headers={"Accept-Language": "en-GB"})
    assert response.status_code == 200 and "GB · EN · GBP" in response.data.decode()


def test_logged_in_choice_is_saved_to_profile(client, session):
    client.post("/en/account/register", data={"name": "Li", "email": "li@example.com", "password": "kettle-moss-harbour-71",
                                              "confirm": "kettle-moss-harbour-71"})
    client.post("/en/preferences", data={"country": "CN", "currency": "CNY", "language": "zh"})
    user = session.scalar(select(User))
    assert (user.locale, user.currency, user.country) == ("zh", "CNY", "CN")


def test_preferences_fragment_for_htmx(client):
    response = client.get("/es/preferences?next=/es/", headers={"HX-Request": "true", "HX-Target": "prefs_panel"})
    body = response.data.decode()
    assert "<html" not in body and 'name="country"' in body and "Alemania" in body


def test_country_list_is_complete_and_localised(client):
    html = client.get("/zh/preferences").data.decode()
    assert html.count("<option") > 249 + 16 and "德国" in html
