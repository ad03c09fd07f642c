"""Health checks: /healthz says the process is alive; /readyz says whether the database answers."""
from __future__ import annotations

import socket

from storefront import create_app


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_and_readyz_when_all_is_well(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ready" and ready.json["database"] == "ok"
    assert ready.json["search"]["queued_changes"] == 0 and "pending" in ready.json["queue"]
    assert ready.json["timers"] == {"last_run": None, "late": True, "failed_jobs": 0}


def test_readyz_is_503_when_the_database_cannot_be_reached_but_healthz_still_answers(app, tmp_path):
    down = create_app({"SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/none",
                       "TESTING": True, "SEARCH_INDEX_PATH": str(tmp_path / "index"),
                       "MEDIA_PATH": str(tmp_path / "media"), "MAIL_OUTBOX": str(tmp_path / "mail")})
    client = down.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503, ready.data
    assert ready.json["status"] == "unavailable" and ready.json["database"].startswith("unavailable")
    assert "127.0.0.1" not in ready.get_data(as_text=True)  # no connection details leak to the public
