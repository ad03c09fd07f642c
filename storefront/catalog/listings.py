"""A seller's listing (one offer of one product) as plain validated data, whatever its source.

The JSONL importer, the seed and (later) the seller-center forms all go through parse_listing,
so a listing is checked by one set of rules.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..config import CURRENCIES, LOCALES
from ..core.errors import InvalidInput
from ..core.fetch import FetchRefused, check_url
from ..core.media import is_store_upload, is_upload
from ..core.i18n import valid_country
from ..core.money import parse_amount, precision
from ..core.untrusted import strip_invisible

HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
MAX_PRICE = Decimal("1000000000")
MAX_VARIANTS = 50
MAX_IMAGES = 10
MEDIA_PATH_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")


@dataclass(frozen=True)
class SellerRef:
    """The store a listing belongs to."""

    handle: str
    name: str
    country: str


@dataclass(frozen=True)
class VariantData:
    """One buyable variant of a listing."""

    sku: str
    options: dict[str, str]
    price: Decimal
    currency: str
    stock: int


@dataclass(frozen=True)
class Listing:
    """A validated listing: the product it describes and the seller's offer for it."""

    seller: SellerRef
    category: tuple[str, ...]
    category_i18n: dict[str, tuple[str, ...]]
    titles: dict[str, str]
    descriptions: dict[str, str]
    brand: str
    model: str
    gtin: str | None
    images: tuple[str, ...]           # pictures stored under MEDIA_PATH
    ships_from: str
    handling_days: int
    weight_grams: int
    free_shipping: tuple[str, ...]
    free_shipping_over: Decimal | None
    variants: tuple[VariantData, ...] = field(default=())
    image_urls: tuple[str, ...] = ()   # http(s) pictures, downloaded by the image_fetches job, never shown as given


def gtin_is_valid(code: str) -> bool:
    """True for a GTIN-8/12/13/14 with a correct check digit."""
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _text(raw: dict, key: str, *, required: bool, limit: int, label: str | None = None) -> str:
    label = label or key
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}: must be text")
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{label}: is required")
    if len(value) > limit:
        raise InvalidInput(f"{label}: longer than {limit} characters")
    return value


def _int(raw: dict, key: str, low: int, high: int, default: int | None = None) -> int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key}: must be a whole number")
    if not low <= value <= high:
        raise InvalidInput(f"{key}: must be between {low} and {high}")
    return value


def _country(raw: dict, key: str, label: str | None = None) -> str:
    code = valid_country(raw.get(key) if isinstance(raw.get(key), str) else None)
    if not code:
        raise InvalidInput(f"{label or key}: not an ISO country code: {raw.get(key)!r}")
    return code


def _translations(raw: dict, key: str, *, required: bool, limit: int) -> dict[str, str]:
    value = raw.get(key) or {}
    if isinstance(value, str):  # a single untranslated text counts as English
        value = {"en": value}
    if not isinstance(value, dict):
        raise InvalidInput(f"{key}: must be an object of language: text")
    out = {}
    for locale, text in value.items():
        if locale not in LOCALES:
            continue
        if not isinstance(text, str):
            raise InvalidInput(f"{key}.{locale}: must be text")
        if len(text) > limit:
            raise InvalidInput(f"{key}.{locale}: longer than {limit} characters")
        text = strip_invisible(text) if key == "title" else text.strip()  # no spoofed titles
        if text:
            out[locale] = text
    if required and not out:
        raise InvalidInput(f"{key}: needs a text in at least one of {', '.join(LOCALES)}")
    return out


def _category_path(value, key: str) -> tuple[str, ...]:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{key}: is required, e.g. 'Electronics > Audio'")
    parts = tuple(p.strip() for p in value.split(">"))
    if any(not p for p in parts) or len(parts) > 5 or any(len(p) > 80 for p in parts):
        raise InvalidInput(f"{key}: 1 to 5 non-empty levels separated by '>'")
    return parts


def _price(raw: dict, currency: str, where: str) -> Decimal:
    try:
        price = parse_amount(raw.get("price") if not isinstance(raw.get("price"), float) else repr(raw["price"]))
    except InvalidInput as exc:
        raise InvalidInput(f"{where}.price: {exc}") from None
    if price <= 0 or price > MAX_PRICE:
        raise InvalidInput(f"{where}.price: must be more than 0 and at most {MAX_PRICE}")
    if price != price.quantize(Decimal(1).scaleb(-precision(currency))):
        raise InvalidInput(f"{where}.price: {currency} has {precision(currency)} decimal places")
    return price


def _variants(raw: dict) -> tuple[VariantData, ...]:
    items = raw.get("variants")
    if not isinstance(items, list) or not items:
        raise InvalidInput("variants: at least one variant is required")
    if len(items) > MAX_VARIANTS:
        raise InvalidInput(f"variants: at most {MAX_VARIANTS}")
    seen: set[str] = set()
    out = []
    for i, item in enumerate(items):
        where = f"variants[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where}: must be an object")
        sku = item.get("sku")
        if not isinstance(sku, str) or not SKU_RE.match(sku):
            raise InvalidInput(f"{where}.sku: 1-64 letters, digits, '.', '_', '/' or '-'")
        if sku in seen:
            raise InvalidInput(f"{where}.sku: {sku} appears twice")
        seen.add(sku)
        currency = item.get("currency")
        if currency not in CURRENCIES:
            raise InvalidInput(f"{where}.currency: {currency!r} is not one of {' '.join(CURRENCIES)}")
        options = item.get("options") or {}
        if not isinstance(options, dict) or len(options) > 10 or not all(
            isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 40 and 0 < len(v) <= 80
            for k, v in options.items()
        ):
            raise InvalidInput(f"{where}.options: up to 10 name: value texts")
        price = _price(item, currency, where)
        try:
            stock = _int(item, "stock", 0, 10_000_000, default=0)
        except InvalidInput as exc:  # name the variant, as every other variant message does
            raise InvalidInput(f"{where}.{exc}") from None
        out.append(
            VariantData(
                sku=sku,
                options={k.strip(): v.strip() for k, v in options.items()},
                price=price,
                currency=currency,
                stock=stock,
            )
        )
    return tuple(out)


def _images(images: object, handle: str, store_paths_only: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stored picture paths, http(s) addresses) from a listing's `images`.

    A path must be safe and relative; an upload path must be this store's own (`uploads/<handle>/...`), and with
    `store_paths_only` (sellers' bulk uploads) nothing else is accepted: a seller may not borrow other media.

    :raises InvalidInput: naming the entry that breaks a rule.
    """
    if not isinstance(images, list) or len(images) > MAX_IMAGES:
        raise InvalidInput(f"images: up to {MAX_IMAGES} image paths or http(s) URLs")
    paths, urls = [], []
    for i, entry in enumerate(images):
        value = entry.strip() if isinstance(entry, str) else ""
        if not 0 < len(value) <= 500:
            raise InvalidInput(f"images[{i}]: an image path or http(s) URL of up to 500 characters")
        if value.lower().startswith(("http://", "https://")):
            try:
                check_url(value)
            except FetchRefused:
                raise InvalidInput(f"images[{i}]: not a usable http(s) address") from None
            urls.append(value)
        elif not MEDIA_PATH_RE.fullmatch(value) or ".." in value.split("/"):
            raise InvalidInput(f"images[{i}]: an image path or http(s) URL")
        elif (is_upload(value) or store_paths_only) and not is_store_upload(value, handle):
            raise InvalidInput(f"images[{i}]: not a picture uploaded by this store")
        else:
            paths.append(value)
    return tuple(paths), tuple(dict.fromkeys(urls))


def parse_listing(raw: object, *, store_paths_only: bool = False) -> Listing:
    """Validate one listing given as a JSON-like dict (`store_paths_only`: see _images).

    :raises InvalidInput: naming the first field that breaks a rule.
    """
    if not isinstance(raw, dict):
        raise InvalidInput("a listing must be a JSON object")
    seller = raw.get("seller")
    if not isinstance(seller, dict):
        raise InvalidInput("seller: must be an object with handle, name and country")
    handle = seller.get("handle")
    if not isinstance(handle, str) or not HANDLE_RE.match(handle):
        raise InvalidInput("seller.handle: lowercase letters, digits and '-', up to 64")
    seller_ref = SellerRef(
        handle,
        strip_invisible(_text(seller, "name", required=True, limit=120, label="seller.name")),
        _country(seller, "country", "seller.country"),
    )

    gtin = raw.get("gtin")
    if gtin in (None, ""):
        gtin = None
    elif not isinstance(gtin, str) or not gtin_is_valid(gtin):
        raise InvalidInput(f"gtin: {gtin!r} is not a valid GTIN-8/12/13/14")

    category = _category_path(raw.get("category"), "category")
    i18n_raw = raw.get("category_i18n") or {}
    if not isinstance(i18n_raw, dict):
        raise InvalidInput("category_i18n: must be an object of language: path")
    category_i18n = {}
    for locale, path in i18n_raw.items():
        if locale in LOCALES:
            parts = _category_path(path, f"category_i18n.{locale}")
            if len(parts) != len(category):
                raise InvalidInput(f"category_i18n.{locale}: must have {len(category)} levels like category")
            category_i18n[locale] = parts

    images, image_urls = _images(raw.get("images") or [], seller_ref.handle, store_paths_only)

    free = raw.get("free_shipping") or []
    if not isinstance(free, list) or not all(isinstance(c, str) and (c == "*" or valid_country(c)) for c in free):
        raise InvalidInput("free_shipping: a list of ISO country codes, or [\"*\"] for everywhere")
    over = raw.get("free_shipping_over")
    if over not in (None, ""):
        try:
            over = parse_amount(over)
        except InvalidInput as exc:
            raise InvalidInput(f"free_shipping_over: {exc}") from None
        if over > MAX_PRICE:  # the amount column holds 14 integer digits; no order comes near this
            raise InvalidInput(f"free_shipping_over: must be at most {MAX_PRICE}")
    else:
        over = None

    return Listing(
        seller=seller_ref,
        category=category,
        category_i18n=category_i18n,
        titles=_translations(raw, "title", required=True, limit=200),
        descriptions=_translations(raw, "description", required=False, limit=5000),
        brand=_text(raw, "brand", required=False, limit=120),
        model=_text(raw, "model", required=False, limit=120),
        gtin=gtin,
        images=images,
        image_urls=image_urls,
        ships_from=_country(raw, "ships_from") if raw.get("ships_from") else seller_ref.country,
        handling_days=_int(raw, "handling_days", 0, 30, default=3),
        weight_grams=_int(raw, "weight_grams", 1, 100_000, default=500),
        free_shipping=tuple(sorted({c.upper() if c != "*" else c for c in free})),
        free_shipping_over=over,
        variants=_variants(raw),
    )
