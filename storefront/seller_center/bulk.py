"""Bulk upload in the seller center: a CSV or JSONL file through the catalog importer, as the store.

JSONL: one listing per line, exactly as `flask catalog import` takes it (see catalog/importer.py).

CSV (UTF-8, comma-separated, first row = column names): one row per variant; the listing's own
columns are repeated on each of its rows (or left blank after the first). Rows with the same
`listing` key are the variants of one listing. Columns, all optional except listing, sku, price,
currency:

    listing            your own key for the listing within this file (e.g. your product code)
    gtin, brand, model the product; a known GTIN (or brand + model) adds your offer to that product
    category           "Electronics > Audio > Headphones" (English names, 1 to 5 levels)
    category_es, category_ar, category_zh   the same path translated (same number of levels)
    title_en, title_es, title_ar, title_zh  at least one title
    description_en, description_es, description_ar, description_zh
    images             image paths or http(s) addresses separated by spaces or "|"
    ships_from         ISO country code (defaults to your store's country)
    handling_days      0-30;  weight_grams  1-100000
    free_shipping      ISO country codes separated by commas, or * for everywhere
    free_shipping_over order total (in the variants' currency) from which shipping is free
    sku, price, currency, stock
    option1_name, option1_value, option2_name, option2_value, option3_name, option3_value

Whatever the file says about the seller, every listing is saved as the uploading store.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy.orm import Session

from ..catalog.importer import import_listings
from ..core.fetch import Policy
from ..config import LOCALES
from ..currency.services import Rates
from .listings import OPTION_SLOTS, flat_listing, seller_ref
from ..sellers.models import Seller

MAX_FILE_BYTES = 20 * 1024 * 1024
KEY_COLUMN = "listing"
LISTING_COLUMNS = (
    "gtin", "brand", "model", "category", *(f"category_{loc}" for loc in LOCALES if loc != "en"),
    *(f"title_{loc}" for loc in LOCALES), *(f"description_{loc}" for loc in LOCALES),
    "images", "ships_from", "handling_days", "weight_grams", "free_shipping", "free_shipping_over",
)
VARIANT_COLUMNS = (
    "sku", *(f"option{n}_{part}" for n in range(1, OPTION_SLOTS + 1) for part in ("name", "value")),
    "price", "currency", "stock",
)
REQUIRED_COLUMNS = (KEY_COLUMN, "sku", "price", "currency")
COLUMNS = (KEY_COLUMN, *LISTING_COLUMNS, *VARIANT_COLUMNS)
EXAMPLE_CSV = (
    "listing,brand,model,category,title_en,title_es,ships_from,handling_days,weight_grams,free_shipping,"
    "sku,option1_name,option1_value,price,currency,stock\n"
    "tee-1,Acme,T-100,Men's Clothing > T-Shirts,Cotton T-shirt,Camiseta de algodón,CN,3,180,*,"
    "T100-BLK,Color,Black,9.99,USD,40\n"
    "tee-1,Acme,T-100,Men's Clothing > T-Shirts,Cotton T-shirt,Camiseta de algodón,CN,3,180,*,"
    "T100-WHT,Color,White,9.99,USD,25\n"
)


@dataclass(frozen=True)
class RowProblem:
    """Why part of the file was not imported: the file lines concerned and the reason.

    `reason` starts with the listing field it concerns ("variants[1].price: ..."), as parse_listing's
    messages do, or is one of this module's codes ("csv.columns: ...", "csv.listing: ...").
    """

    lines: tuple[int, ...]
    reason: str


@dataclass
class UploadReport:
    """What one bulk upload did."""

    kind: str
    listings: int = 0
    imported: int = 0
    images_queued: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def file_kind(filename: str | None) -> str | None:
    """"csv" or "jsonl" from the file name, else None."""
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return None


@dataclass
class _Group:
    lines: list[int]
    fields: dict[str, str]
    variants: list[dict[str, str]]
    problem: str | None = None


def _read_csv(stream: BinaryIO) -> tuple[list[_Group], list[RowProblem]]:
    """CSV rows grouped into listings by their `listing` key, in the order the keys first appear."""
    data = stream.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RowProblem((data[:exc.start].count(b"\n") + 1,), "csv.encoding: not UTF-8 text")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], [RowProblem((1,), f"csv.file: {exc}")]
    reader.fieldnames = header
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown or missing:
        return [], [RowProblem((1,), f"csv.columns: unknown {', '.join(unknown) or '-'}; "
                                     f"missing {', '.join(missing) or '-'}")]
    groups: dict[str, _Group] = {}
    problems: list[RowProblem] = []
    try:
        for row in reader:
            line = reader.line_num
            row = {k: (v or "") for k, v in row.items() if isinstance(k, str) and k}
            if not any(v.strip() for v in row.values()):
                continue
            key = row.get(KEY_COLUMN, "").strip()
            if not key:
                problems.append(RowProblem((line,), "csv.listing: the listing column is empty"))
                continue
            listing_part = {c: row.get(c, "") for c in LISTING_COLUMNS}
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group([line], listing_part, [])
            else:
                group.lines.append(line)
                repeated = {c: v.strip() for c, v in listing_part.items() if v.strip()}
                if any(group.fields.get(c, "").strip() != v for c, v in repeated.items()):
                    group.problem = f"csv.repeat: listing columns differ from line {group.lines[0]}"
            group.variants.append({c: row.get(c, "") for c in VARIANT_COLUMNS})
    except csv.Error as exc:
        problems.append(RowProblem((reader.line_num,), f"csv.file: {exc}"))
    return list(groups.values()), problems


def _images(text: str) -> list[str]:
    """Image paths or addresses from one CSV cell."""
    return [part for part in re.split(r"[\s|]+", text or "") if part]


def upload_listings(session: Session, store: Seller, stream: BinaryIO, kind: str, rates: Rates,
                    url_rules: Policy | None = None) -> UploadReport:
    """Import a CSV or JSONL file's listings as `store`; each bad listing is reported by file line.

    Good listings are saved and committed (by the importer) even when others fail. Picture paths must be the
    store's own uploads; picture addresses are checked against `url_rules` and queued for the image job.
    """
    report = UploadReport(kind=kind)

    def as_store(record: object) -> object:
        return {**record, "seller": seller_ref(store)} if isinstance(record, dict) else record

    if kind == "jsonl":
        result = import_listings(session, stream, rates, prepare=as_store, store_paths_only=True, url_rules=url_rules)
        report.listings, report.imported = result.lines, result.imported
        report.images_queued = result.images_queued
        report.problems = [RowProblem((e.line,), e.reason) for e in result.errors]
        return report

    groups, problems = _read_csv(stream)
    report.problems.extend(problems)
    good = [g for g in groups if g.problem is None]
    report.problems.extend(RowProblem(tuple(g.lines), g.problem) for g in groups if g.problem)
    report.listings = len(groups)
    if good:
        data = b"".join(
            json.dumps(flat_listing(g.fields, g.variants, _images(g.fields.get("images", ""))),
                       ensure_ascii=False).encode() + b"\n"
            for g in good
        )
        result = import_listings(session, io.BytesIO(data), rates, prepare=as_store, store_paths_only=True,
                                 url_rules=url_rules)
        report.imported = result.imported
        report.images_queued = result.images_queued
        for error in result.errors:
            group = good[error.line - 1]
            report.problems.append(RowProblem(_lines_for(group, error.reason), error.reason))
    report.problems.sort(key=lambda p: p.lines[0])
    return report


def _lines_for(group: _Group, reason: str) -> tuple[int, ...]:
    """The CSV line a variant's problem is on, or all the listing's lines."""
    match = re.match(r"variants\[(\d+)\]", reason)
    if match and int(match.group(1)) < len(group.lines):
        return (group.lines[int(match.group(1))],)
    return tuple(group.lines)

