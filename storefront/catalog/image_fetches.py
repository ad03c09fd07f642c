"""Pictures listings name by URL: queued when a listing is saved, fetched by a background job, stored like uploads.

Shoppers' browsers never load a seller's address (no trackers, no mixed content): the job downloads it through
core/fetch.py (public addresses only, checked again on every redirect; size and time bounded), sellers/images.py
verifies and re-encodes it exactly like an upload, and only then does it join the product's pictures. A fetch
that fails is kept with its reason and shown on the seller's listings page.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import fetch
from ..core.clock import utcnow
from ..extensions import begin_write
from ..sellers.images import MAX_BYTES, NOT_AN_IMAGE, TOO_MANY_PIXELS, ImageRejected, store_image
from .models import ImageFetch, Product, queue_reindex

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # network failures and 5xx answers are retried by later runs; refusals fail at once
BATCH = 20

PENDING, DONE, FAILED = "pending", "done", "failed"

# Why a picture could not be fetched, as the seller reads it.
REASONS = {
    fetch.BAD_URL: _l("The address is not a valid http(s) address."),
    fetch.REFUSED_ADDRESS: _l("The address points inside a private network, which we never fetch from."),
    fetch.UNREACHABLE: _l("The server could not be reached."),
    fetch.HTTP_ERROR: _l("The server did not return the picture."),
    fetch.TOO_LARGE: _l("The picture is larger than 5 MB."),
    fetch.TOO_SLOW: _l("The server took too long to send the picture."),
    fetch.TOO_MANY_REDIRECTS: _l("The address redirects too many times."),
    NOT_AN_IMAGE: _l("The file is not a JPEG, PNG or WebP picture."),
    TOO_MANY_PIXELS: _l("The picture has more than 40 megapixels."),
}


@dataclass
class FetchReport:
    """What one run of the job did."""

    stored: int = 0
    failed: int = 0
    retry_later: int = 0


def policy(config: Mapping) -> fetch.Policy:
    """The fetch limits from the settings (IMAGE_FETCH_TIMEOUT; IMAGE_FETCH_ALLOW_NETWORKS is for tests only)."""
    return fetch.Policy(max_bytes=MAX_BYTES, timeout=float(config.get("IMAGE_FETCH_TIMEOUT", 10)),
                        deadline=3 * float(config.get("IMAGE_FETCH_TIMEOUT", 10)),
                        allowed_networks=fetch.parse_networks(config.get("IMAGE_FETCH_ALLOW_NETWORKS", "")))


def sync_fetches(session: Session, product: Product, urls: Iterable[str], store_handle: str) -> int:
    """Make the product's queued pictures match the listing's URLs; returns how many wait to be fetched.

    A URL fetched before keeps its stored picture (added back to the product's pictures); a URL that failed is
    queued again (a re-import is the seller's retry); URLs no longer listed are forgotten. The caller flushed
    the product and owns the transaction.
    """
    urls = list(dict.fromkeys(urls))
    existing = {f.url: f for f in session.scalars(select(ImageFetch).where(ImageFetch.product_id == product.id))}
    for url, row in existing.items():
        if url not in urls:
            session.delete(row)
    waiting = 0
    for position, url in enumerate(urls):
        row = existing.get(url)
        if row is None:
            row = ImageFetch(product_id=product.id, store_handle=store_handle, url=url, status=PENDING, attempts=0)
            session.add(row)
        elif row.status == FAILED:
            row.status, row.reason, row.attempts = PENDING, None, 0
        row.position = position
        waiting += row.status == PENDING
    session.flush()
    _place_fetched(session, product)
    return waiting


def _place_fetched(session: Session, product: Product) -> None:
    """Put the product's fetched pictures after its own paths, in the order the listing gave their URLs."""
    fetched = {f.path: f.position for f in session.scalars(
        select(ImageFetch).where(ImageFetch.product_id == product.id, ImageFetch.status == DONE))}
    own = [p for p in (product.images or []) if p not in fetched]
    product.images = own + sorted(fetched, key=fetched.__getitem__)  # a new list: JSON columns see the change


def fetch_pending(session: Session, media_root: str, rules: fetch.Policy, *, limit: int = BATCH) -> FetchReport:
    """Fetch up to `limit` queued pictures. No transaction is open while the network is used (on SQLite that
    would block every writer for up to the fetch deadline); the result is written in a short one afterwards,
    and a row somebody else finished meanwhile is left alone. A worker killed mid-fetch leaves the row pending."""
    report = FetchReport()
    ids = list(session.scalars(select(ImageFetch.id).where(ImageFetch.status == PENDING)
                               .order_by(ImageFetch.id).limit(limit)))
    for fetch_id in ids:
        row = session.get(ImageFetch, fetch_id)
        if row is None or row.status != PENDING:
            continue
        url, handle = row.url, row.store_handle
        session.commit()
        path, problem = None, None
        try:
            path = store_image(io.BytesIO(fetch.fetch(url, rules)), media_root, handle)
        except (fetch.FetchRefused, ImageRejected) as exc:
            problem = exc
        begin_write(session)
        row = session.scalar(select(ImageFetch).where(ImageFetch.id == fetch_id).with_for_update())
        if row is None or row.status != PENDING:
            session.commit()
            continue
        row.attempts += 1
        if problem is None:
            row.status, row.path, row.reason, row.finished_at = DONE, path, None, utcnow()
            product = session.get(Product, row.product_id)
            session.flush()
            _place_fetched(session, product)
            queue_reindex(session, [product.id])
            report.stored += 1
        else:
            log.warning("picture %s for product %s not stored (attempt %d): %s", url[:200], row.product_id,
                        row.attempts, problem)
            if isinstance(problem, fetch.FetchRefused) and problem.retryable and row.attempts < MAX_ATTEMPTS:
                report.retry_later += 1
            else:
                _fail(row, problem.reason)
                report.failed += 1
        session.commit()
    return report


def _fail(row: ImageFetch, reason: str) -> None:
    """Give up on a picture, keeping why."""
    row.status, row.reason, row.finished_at = FAILED, reason[:40], utcnow()


def unfinished(session: Session, product_ids: Iterable[int]) -> dict[int, list[ImageFetch]]:
    """The pictures still waiting or failed, per product (the seller's listings page shows them)."""
    ids = list(product_ids)
    rows = session.scalars(select(ImageFetch).where(ImageFetch.product_id.in_(ids), ImageFetch.status != DONE)
                           .order_by(ImageFetch.position)) if ids else []
    result: dict[int, list[ImageFetch]] = {}
    for row in rows:
        result.setdefault(row.product_id, []).append(row)
    return result


def reason_text(code: str | None) -> str:
    """A failed fetch's reason in the seller's language."""
    return str(REASONS.get(code or "", REASONS[fetch.UNREACHABLE]))
