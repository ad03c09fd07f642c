"""Accounts: register, log in and out, the address book, with bad input re-rendered and nothing lost."""
from sqlalchemy import func, select

from storefront.accounts.models import Address, User
from tests.factories import PASSWORD


def register(client, **overrides):
    data = {"name": "Ana Pérez", "email": "ana@example.com", "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return client.post("/es/account/register", data=data)


def signed_up(client, **overrides):
    """Register (which emails a confirmation link and logs nobody in), then log in."""
    register(client, **overrides)
    email = overrides.get("email", "ana@example.com")
    return client.post("/es/account/login", data={"email": email, "password": overrides.get("password", PASSWORD)})


def test_register_hashes_password_and_emails_a_confirmation_link(client, session):
    response = register(client)
    assert response.status_code == 303 and response.headers["Location"] == "/es/account/check-email"
    user = session.scalar(select(User))
    assert user.password_hash != PASSWORD and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.locale == "es" and user.email_verified_at is None
    assert "Ana" not in client.get("/es/").data.decode()  # not logged in: the emailed link does that
    signed_up(client)
    assert "Ana" in client.get("/es/").data.decode()  # the password works before confirming (shopping allowed)


def test_bad_registration_keeps_values_and_shows_inline_errors(client, session):
    response = register(client, email="not-an-email", password="short", confirm="other")
    html = response.data.decode()
    assert response.status_code == 400
    assert 'value="Ana Pérez"' in html and 'value="not-an-email"' in html
    assert html.count('class="error"') >= 2 and 'aria-invalid="true"' in html
    assert session.scalar(select(func.count(User.id))) == 0


def test_duplicate_email_makes_no_second_account(client, session):
    register(client)
    response = register(client, email="ANA@Example.com")
    assert response.status_code == 303 and session.scalar(select(func.count(User.id))) == 1


def test_login_logout_and_wrong_password(client, session):
    register(client)
    client.post("/en/account/logout")
    wrong = client.post("/en/account/login", data={"email": "ana@example.com", "password": "nope"})
    assert wrong.status_code == 400 and "Email or password is not right." in wrong.data.decode()
    ok = client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD,
                                                 "next": "/en/account/addresses"})
    assert ok.headers["Location"] == "/en/account/addresses"


def test_login_never_redirects_off_site(client, session):
    register(client)
    client.post("/en/account/logout")
    response = client.post("/en/account/login", data={"email": "ana@example.com", "password": PASSWORD,
                                                       "next": "//evil.example/x"})
    assert response.headers["Location"] == "/en/"


def test_address_book_validates_per_country(client, session):
    signed_up(client)
    base = {"full_name": "Ana", "line1": "Rua A 1", "city": "São Paulo", "country": "BR"}
    bad = client.post("/en/account/addresses/new", data=base | {"postal_code": "123", "region": ""})
    html = bad.data.decode()
    assert bad.status_code == 400 and "CEP" in html and 'value="Rua A 1"' in html
    assert "Please enter the State." in html
    assert session.scalar(select(func.count(Address.id))) == 0
    good = client.post("/en/account/addresses/new", data=base | {"postal_code": "01310-100", "region": "SP"})
    assert good.status_code == 303
    address = session.scalar(select(Address))
    assert (address.country, address.is_default) == ("BR", True)


def test_changing_country_relabels_the_fields_in_place(client, session):
    signed_up(client)
    response = client.post("/en/account/addresses/new", data={"country": "US", "refresh": "country"},
                           headers={"HX-Request": "true", "HX-Target": "address_fields"})
    body = response.data.decode()
    assert body.strip().startswith('<div id="address_fields">') and "ZIP code" in body
    assert 'class="error"' not in body


def test_other_users_address_is_404(client, session):
    signed_up(client)
    client.post("/en/account/addresses/new", data={"full_name": "Ana", "line1": "C/ Mayor 1", "city": "Madrid",
                                                   "country": "ES", "postal_code": "28013"})
    address_id = session.scalar(select(Address.id))
    client.post("/en/account/logout")
    signed_up(client, email="eve@example.com")
    assert client.get(f"/en/account/addresses/{address_id}").status_code == 404
    assert client.post(f"/en/account/addresses/{address_id}/delete").status_code == 404
    assert session.scalar(select(func.count(Address.id))) == 1


def test_addresses_need_login(client):
    response = client.get("/en/account/addresses")
    assert response.status_code == 302 and "/en/account/login?next=" in response.headers["Location"]


def test_weak_passwords_are_refused_with_the_reasons_in_the_form(client, session):
    for weak in ("12345678", "password", "password12", "qwertyuiop", "abcdefghijk"):
        response = register(client, password=weak, confirm=weak)
        assert response.status_code == 400, weak
    short = register(client, password="Xk9#mQ2", confirm="Xk9#mQ2").data.decode()
    assert "Usa al menos 10 caracteres." in short
    common = register(client, password="password12", confirm="password12").data.decode()
    assert "Esta contraseña es demasiado fácil de adivinar." in common
    assert "Es una de las contraseñas más comunes" in common and 'value="ana@example.com"' in common
    sequence = register(client, password="abcdefghijk", confirm="abcdefghijk").data.decode()
    assert "Las secuencias como «abcd» o «1234» son fáciles de adivinar." in sequence
    personal = register(client, password="anaperez2026", confirm="anaperez2026").data.decode()
    assert "Contiene tu nombre o tu correo electrónico." in personal  # zxcvbn alone scores this one 3
    assert session.scalar(select(func.count(User.id))) == 0
    assert register(client, password="glacier-tulip-7-orbit", confirm="glacier-tulip-7-orbit").status_code == 303


def test_password_problems_is_empty_for_a_strong_password(app):
    from storefront.accounts.passwords import password_problems

    with app.test_request_context("/en/"):
        assert password_problems("glacier-tulip-7-orbit", email="ana@example.com", name="Ana Pérez") == []
        assert password_problems("Perez-sunflower-88", email="ana@example.com", name="Ana Pérez") != []
        assert password_problems("x" * 129) == ["Use at most 128 characters."]
        assert password_problems("glacier-tulip-7-orbit " * 5) == []  # 110 characters: zxcvbn alone refuses > 72
