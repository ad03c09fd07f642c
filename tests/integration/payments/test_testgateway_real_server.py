"""Delivery after the response also works under a real WSGI server, where the server closes the response."""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from werkzeug.serving import make_server


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def server(merchant):
    """The app served by Werkzeug's threaded server on a free port."""
    httpd = make_server("127.0.0.1", 0, merchant.app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(10)


def test_webhook_is_delivered_after_the_shopper_is_redirected(merchant, server):
    reference, start = merchant.start(return_url=f"{server}/merchant/return",
                                      webhook_url=f"{server}/merchant/webhook")
    assert start.redirect_url.startswith(f"{server}/testpay/pay/")
    opener = urllib.request.build_opener(NoRedirect)
    assert "TEST MODE" in opener.open(start.redirect_url, timeout=10).read().decode()
    form = urllib.parse.urlencode({"number": "4242 4242 4242 4242", "expiry": "12/34", "cvc": "123",
                                   "name": "Ana Lima"}).encode()
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(start.redirect_url, data=form, timeout=10)
    assert redirect.value.code == 303
    location = redirect.value.headers["Location"]
    assert opener.open(location, timeout=10).read().decode().count('"status":"succeeded"') == 1

    deadline = time.monotonic() + 10
    while not merchant.webhooks and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [(w.reference, w.status) for w in merchant.webhooks] == [(reference, "succeeded")]
    assert merchant.events()[0].delivered_at is not None
