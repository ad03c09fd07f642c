"""Where stored pictures live under MEDIA_PATH: uploads per store, each with a small thumbnail beside it.

One rule for every domain that stores or shows pictures (listings, reviews, cart and order lines).
"""
from __future__ import annotations

import re

UPLOADS = "uploads"
THUMB_SIZE = 400
# Widths stored beside every upload (besides the picture itself, at most FULL_SIZE px): 200 for cart lines and
# 1x cards, 400 for 2x cards (the thumbnail), 800 for the product gallery on phones.
SIZES = (200, 400, 800)
FULL_SIZE = 1200
UPLOAD_NAME = r"[0-9a-f]{32}\.(?:webp|jpg)"


def variant_path(path: str, width: int) -> str:
    """The smaller copy of an uploaded picture stored next to it, `width` px wide at most."""
    stem, _, extension = path.rpartition(".")
    return f"{stem}-{width}.{extension}"


def thumbnail_path(path: str) -> str:
    """The thumbnail stored next to an uploaded picture."""
    return variant_path(path, THUMB_SIZE)


def srcset(path: str, widths: tuple[int, ...]) -> list[tuple[str, int]]:
    """(media path, width) candidates of an upload for an `srcset`: the stored copies of `widths`, the picture
    itself counted as FULL_SIZE."""
    return [(path if width >= FULL_SIZE else variant_path(path, width), width) for width in widths]


def is_upload(path: str) -> bool:
    """True when `path` names a picture stored by store_image (for any store)."""
    return re.fullmatch(rf"{UPLOADS}/[a-z0-9-]{{1,64}}/{UPLOAD_NAME}", path) is not None


def is_store_upload(path: str, store_handle: str) -> bool:
    """True when `path` names a picture stored for this store by store_image."""
    return re.fullmatch(rf"{UPLOADS}/{re.escape(store_handle)}/{UPLOAD_NAME}", path) is not None


def is_upload_file(path: str) -> bool:
    """True for an upload or one of the smaller copies stored beside it (`<name>-<width>.<ext>`): files written once
    under a random name and never changed."""
    return re.fullmatch(rf"{UPLOADS}/[a-z0-9-]{{1,64}}/[0-9a-f]{{32}}(?:-\d{{2,4}})?\.(?:webp|jpg)", path) is not None
