"""Questions before buying: a shopper asks, the seller answers, everyone reads it; the admin can hide it."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from storefront.catalog.models import Product
from storefront.questions.models import Question
from tests.factories import account
from tests.integration.orders.after_sale import mails


def product(session) -> Product:
    return session.scalar(select(Product).join(Product.offers).where(Product.slug.like("wireless%")))


def url(item: Product, locale: str = "en") -> str:
    return f"/{locale}/p/{item.id}/questions"


def offer_of(item: Product) -> int:
    return item.offers[0].id


def ask(client, item, body="Does it work with an iPhone 12?", email="ana@example.com", locale="en"):
    return client.post(url(item, locale), data={"offer": offer_of(item), "body": body, "email": email})


def count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count(Question.id)))


def test_an_empty_question_shows_every_problem_at_once_and_keeps_what_was_typed(client, session, stores):
    item = product(session)
    refused = client.post(url(item), data={"offer": offer_of(item), "body": "", "email": ""})
    html = refused.data.decode()
    assert refused.status_code == 422
    assert "Please write your question." in html and "Please enter your email" in html
    short = client.post(url(item), data={"offer": offer_of(item), "body": "Colour?", "email": "not-an-email"})
    html = short.data.decode()
    assert "at least 10 characters" in html and "valid email" in html
    assert "Colour?" in html and 'value="not-an-email"' in html
    assert count(session) == 0


def test_a_guest_asks_the_seller_answers_and_everyone_reads_it(app, client, session, stores, owner):
    item = product(session)
    sent = ask(client, item)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("?sent=1")
    page = client.get(sent.headers["Location"]).data.decode()
    assert 'data-testid="question-sent"' in page and "iPhone 12" not in page  # public once answered
    waiting = owner.get("/en/seller/questions").data.decode()
    assert "Does it work with an iPhone 12?" in waiting
    question = session.scalar(select(Question))
    refused = owner.post(f"/en/seller/questions/{question.id}/answer", data={f"q{question.id}-answer": "  "})
    assert refused.status_code == 422 and "Please write your answer." in refused.data.decode()
    answered = owner.post(f"/en/seller/questions/{question.id}/answer",
                          data={f"q{question.id}-answer": "Yes, over Bluetooth 5.3."})
    assert answered.status_code == 303
    public = client.get(url(item)).data.decode()
    assert "Does it work with an iPhone 12?" in public and "Yes, over Bluetooth 5.3." in public
    assert "Answered by SZ Audio Store" in public
    [mail] = mails(app, "question_answered")
    assert mail["To"] == "ana@example.com" and "Yes, over Bluetooth 5.3." in mail.get_content()
    # a second answer replaces the text without a second email
    owner.post(f"/en/seller/questions/{question.id}/answer", data={f"q{question.id}-answer": "Yes: Bluetooth 5.3."})
    assert len(mails(app, "question_answered")) == 1 and "Yes: Bluetooth 5.3." in client.get(url(item)).data.decode()


def test_another_store_can_neither_see_nor_answer_the_question(client, session, stores, other_seller):
    item = product(session)
    ask(client, item)
    question = session.scalar(select(Question))
    assert "iPhone 12" not in other_seller.get("/en/seller/questions").data.decode()
    stolen = other_seller.post(f"/en/seller/questions/{question.id}/answer", data={f"q{question.id}-answer": "No."})
    assert stolen.status_code == 404
    session.rollback()
    assert session.get(Question, question.id).answer is None


def test_the_admin_hides_and_shows_a_question(app, client, session, stores, owner):
    item = product(session)
    ask(client, item, body="Is this the <script>alert(1)</script> model?")
    question = session.scalar(select(Question))
    owner.post(f"/en/seller/questions/{question.id}/answer", data={f"q{question.id}-answer": "It is."})
    public = client.get(url(item)).data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in public and "<script>alert(1)" not in public
    assert client.get("/en/admin/questions").status_code == 404  # shoppers do not even see it exists
    admin = account(app, "admin@example.com", role="admin")
    assert admin.post(f"/en/admin/questions/{question.id}/visibility", data={"hide": "1"}).status_code == 303
    assert "It is." not in client.get(url(item)).data.decode()
    assert 'data-testid="hidden-mark"' in admin.get("/en/admin/questions").data.decode()
    admin.post(f"/en/admin/questions/{question.id}/visibility", data={"hide": "0"})
    assert "It is." in client.get(url(item)).data.decode()


def test_an_answer_read_in_another_language_says_what_it_was_written_in(client, session, stores, owner):
    item = product(session)
    ask(client, item, body="¿Funciona con un iPhone 12?", locale="es")
    question = session.scalar(select(Question))
    assert question.locale == "es"
    owner.post(f"/en/seller/questions/{question.id}/answer", data={f"q{question.id}-answer": "Sí."})
    assert 'data-testid="written-in"' not in client.get(url(item, "es")).data.decode()
    english = client.get(url(item, "en")).data.decode()
    assert re.search(r'data-testid="written-in">Written in Spanish', english)


def test_a_member_is_told_at_their_account_email_and_the_product_page_lazy_loads_the_block(session, stores, shopper):
    item = product(session)
    page = shopper.get(url(item)).data.decode()
    assert 'name="email"' not in page  # the account's email is used
    assert shopper.post(url(item), data={"offer": offer_of(item), "body": "What is the battery life?"}).status_code == 303
    assert session.scalar(select(Question.email)) == "shopper@example.com"
    product_page = shopper.get(f"/en/p/{item.id}-{item.slug}").data.decode()
    assert 'data-testid="questions-lazy"' in product_page and f'hx-get="/en/p/{item.id}/questions"' in product_page
    block = shopper.get(url(item), headers={"HX-Request": "true", "HX-Target": "questions"}).data.decode()
    assert block.lstrip().startswith('<section id="questions"') and "<html" not in block


def test_questions_of_an_unknown_product_or_seller_are_refused(client, session, stores):
    item = product(session)
    assert client.get("/en/p/999999/questions").status_code == 404
    wrong = client.post(url(item), data={"offer": 999999, "body": "Does it come with a case?", "email": "a@b.co"})
    assert wrong.status_code == 422 and count(session) == 0
