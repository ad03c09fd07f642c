"""Where stored pictures live under MEDIA_PATH: uploads per store, each with a small thumbnail beside it.

One rule for every domain that stores or shows pictures (listings, reviews, cart and order lines).
"""
from __future__ import annotations

import re

UPLOADS = "uploads"
THUMB_SIZE = 400
UPLOAD_NAME = r"[0-9a-f]{32}\.(?:webp|jpg)"


def thumbnail_path(path: str) -> str:
    """The thumbnail stored next to an uploaded picture."""
    stem, _, extension = path.rpartition(".")
    return f"{stem}-{THUMB_SIZE}.{extension}"


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
