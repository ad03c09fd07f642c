"""Products as search documents, and the outbox sync that keeps the search index true."""
from __future__ import annotations

import logging
from collections.abc import Iterator

from search import ProductDocument, SearchBackend, SearchUnavailable
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from ..extensions import begin_write
from ..sellers.models import Offer
from .models import Category, Product, SearchOutbox

log = logging.getLogger(__name__)


class CategoryChains:
    """Each category's ancestor ids and names, loaded once (the tree is small)."""

    def __init__(self, session: Session) -> None:
        self.rows = {c.id: (c.parent_id, c.names) for c in session.scalars(select(Category))}

    def chain(self, category_id: int) -> tuple[list[str], list[str]]:
        """(ids from the category up to its root, every name of those levels in every language)."""
        ids, names, node = [], [], category_id
        while node is not None and node in self.rows:
            parent, labels = self.rows[node]
            ids.append(str(node))
            names.extend(v for v in labels.values() if v)
            node = parent
        return ids, names


def product_document(product: Product, chains: CategoryChains) -> ProductDocument | None:
    """The search document for a product, or None when it is not buyable (no published offer)."""
    offers = [o for o in product.offers if o.is_published and o.variants]
    if not offers or product.min_price_usd is None:
        return None
    category_ids, category_names = chains.chain(product.category_id)
    free = sorted({code for o in offers for code in (o.free_shipping or [])})
    return ProductDocument(
        id=str(product.id),
        titles=dict(product.titles),
        descriptions=dict(product.descriptions),
        brand=product.brand,
        category_ids=category_ids,
        category_names=category_names,
        sellers=sorted({o.seller.handle for o in offers}),
        store_names=sorted({o.seller.name for o in offers}),
        ships_from=sorted({o.ships_from for o in offers}),
        free_shipping_to=free,
        price=float(product.min_price_usd),
        rating=float(product.rating_avg or 0),
        orders=int(product.orders_count or 0),
        created_at=int(product.created_at.timestamp()),
    )


def _load(session: Session, ids: list[int]) -> list[Product]:
    return list(session.scalars(
        select(Product).where(Product.id.in_(ids)).options(
            selectinload(Product.offers).selectinload(Offer.variants),
            selectinload(Product.offers).selectinload(Offer.seller),
        )
    ))


def all_documents(session: Session, batch: int = 1000) -> Iterator[ProductDocument]:
    """Every buyable product's document, read in batches (for a rebuild)."""
    chains = CategoryChains(session)
    last = 0
    while True:
        ids = list(session.scalars(select(Product.id).where(Product.id > last).order_by(Product.id).limit(batch)))
        if not ids:
            return
        for product in _load(session, ids):
            doc = product_document(product, chains)
            if doc is not None:
                yield doc
        last = ids[-1]
        session.expunge_all()  # keep memory flat over 100,000 products


def buyable_count(session: Session) -> int:
    """How many products a full rebuild indexes at most (for a progress bar)."""
    return session.scalar(select(func.count(Product.id)).where(Product.min_price_usd.is_not(None))) or 0


def sync_outbox(session: Session, backend: SearchBackend, limit: int = 1000) -> int:
    """Apply up to `limit` queued product changes to the index; returns how many rows were drained.

    Rows are deleted only after the index accepted the batch, so a failing engine loses nothing:
    the next sync retries them.

    :raises SearchUnavailable: when the engine is down.
    """
    rows = list(session.execute(select(SearchOutbox.id, SearchOutbox.product_id).order_by(SearchOutbox.id)
                                .limit(limit)))
    if not rows:
        return 0
    product_ids = sorted({pid for _, pid in rows})
    chains = CategoryChains(session)
    found = {p.id: product_document(p, chains) for p in _load(session, product_ids)}
    upserts = [doc for doc in found.values() if doc is not None]
    removals = [str(pid) for pid in product_ids if found.get(pid) is None]
    if upserts:
        backend.upsert(upserts)
    if removals:
        backend.delete(removals)
    begin_write(session)  # on SQLite, wait for another writer (a payment, a webhook) instead of failing
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row_id for row_id, _ in rows])))
    session.commit()
    return len(rows)


def drain_outbox(session: Session, backend: SearchBackend) -> int:
    """Sync until the outbox is empty; logs and stops (keeping rows) if the engine is down."""
    total = 0
    try:
        while drained := sync_outbox(session, backend):
            total += drained
    except SearchUnavailable as exc:
        session.rollback()
        log.warning("search index not updated, will retry: %s", exc)
    return total


def rebuild_index(session: Session, backend: SearchBackend, on_progress=None) -> int:
    """Rebuild the whole index aside and swap it in; queued changes it already covers are dropped."""
    covered = session.scalar(select(func.max(SearchOutbox.id))) or 0
    count = backend.rebuild(all_documents(session), on_progress)
    session.execute(delete(SearchOutbox).where(SearchOutbox.id <= covered))
    session.commit()
    return count
