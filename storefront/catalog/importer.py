"""Bulk listing import from JSON Lines: the path the demo seed and sellers' bulk uploads share."""
from __future__ import annotations

import json
from urllib.parse import urlsplit
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..core.errors import InvalidInput
from ..core.fetch import REFUSED_ADDRESS, FetchRefused, Policy, resolve_public
from ..core.untrusted import load_json
from ..currency.services import Rates
from .listings import parse_listing
from .services import CatalogCache, save_listing

MAX_LINE_BYTES = 256 * 1024


@dataclass(frozen=True)
class LineError:
    """Why one line was not imported."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """The summary of one import run."""

    lines: int = 0
    imported: int = 0
    products_created: int = 0
    offers_created: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_removed: int = 0
    images_queued: int = 0
    errors: list[LineError] = field(default_factory=list)


def _lines(stream: BinaryIO):
    """Yield (number, bytes or None-if-too-long) without ever holding an over-long line in memory."""
    number = 0
    while True:
        chunk = stream.readline(MAX_LINE_BYTES + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
            while chunk and not chunk.endswith(b"\n"):  # skip the rest of the long line
                chunk = stream.readline(MAX_LINE_BYTES)
            yield number, None
        else:
            yield number, chunk


def _decode(raw: bytes | None) -> object:
    if raw is None:
        raise InvalidInput(f"line is longer than {MAX_LINE_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text (byte {exc.start})") from None
    try:
        return load_json(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # too deep, or a NUL character
        raise InvalidInput(f"not valid JSON: {exc}") from None


def _check_addresses(urls, rules: Policy, checked: dict[str, str | None]) -> None:
    """Refuse picture addresses that resolve to a private network (each host looked up once per import).

    :raises InvalidInput: naming the entry; the job checks again when it fetches (DNS answers change).
    """
    for i, url in enumerate(urls):
        host = urlsplit(url).hostname or ""
        if host not in checked:
            try:
                resolve_public(url, rules)
                checked[host] = None
            except FetchRefused as exc:
                checked[host] = exc.reason
        if checked[host] == REFUSED_ADDRESS:
            raise InvalidInput(f"images[{i}]: the address is in a private network, which is never fetched")


def import_listings(
    session: Session,
    stream: BinaryIO,
    rates: Rates,
    *,
    on_line: Callable[[int], None] | None = None,
    batch_size: int = 200,
    prepare: Callable[[object], object] | None = None,
    store_paths_only: bool = False,
    url_rules: Policy | None = None,
) -> ImportReport:
    """Import every good line of a JSONL stream; each bad line is reported and imports nothing.

    Each line is saved inside a savepoint, so a failure leaves no half-written rows; good lines are
    committed in batches. `prepare` may rewrite each decoded line before it is validated (the seller
    center's bulk upload uses it to put the uploading store's identity on every line, with `store_paths_only`
    so its picture paths must be its own uploads). With `url_rules`, a picture address that is refused
    (resolving to a private network, say) is that line's error at once rather than a failed fetch later.
    """
    report = ImportReport()
    cache = CatalogCache()
    checked: dict[str, str | None] = {}
    pending = 0
    for number, raw in _lines(stream):
        if on_line:
            on_line(len(raw) if raw else MAX_LINE_BYTES)
        if raw is not None and not raw.strip():
            continue
        report.lines += 1
        try:
            record = _decode(raw)
            listing = parse_listing(prepare(record) if prepare else record, store_paths_only=store_paths_only)
            if url_rules is not None:
                _check_addresses(listing.image_urls, url_rules, checked)
            with session.begin_nested():
                outcome = save_listing(session, listing, rates, cache)
        except (InvalidInput, IntegrityError) as exc:
            reason = str(exc) if isinstance(exc, InvalidInput) else "conflicts with an existing listing"
            report.errors.append(LineError(number, reason))
            cache = CatalogCache()  # objects created in the failed savepoint are gone
            continue
        report.imported += 1
        report.products_created += outcome.product_created
        report.offers_created += outcome.offer_created
        report.variants_created += outcome.variants_created
        report.variants_updated += outcome.variants_updated
        report.variants_removed += outcome.variants_removed
        report.images_queued += outcome.images_queued
        pending += 1
        if pending >= batch_size:
            session.commit()
            pending = 0
    session.commit()
    return report
