"""Product photos sellers upload: checked with Pillow, re-encoded small and without metadata, stored as media."""
from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError, features

from ..core.errors import InvalidInput
from ..core.media import (  # noqa: F401 (re-exported)
    FULL_SIZE, SIZES, THUMB_SIZE, UPLOADS, is_store_upload, is_upload, thumbnail_path, variant_path,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_IMAGES = 8
MAX_PIXELS = 40_000_000
FORMATS = ("JPEG", "PNG", "WEBP")

# Pillow warns above this many pixels and refuses twice as many; warnings are turned into errors below,
# so a small file that would decode into gigabytes (a decompression bomb) is refused before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

TOO_LARGE = "too_large"
NOT_AN_IMAGE = "not_an_image"
TOO_MANY_PIXELS = "too_many_pixels"


class ImageRejected(InvalidInput):
    """An upload we do not accept; `reason` is one of TOO_LARGE, NOT_AN_IMAGE, TOO_MANY_PIXELS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"images: {reason}{': ' + detail if detail else ''}")
        self.reason = reason


@dataclass(frozen=True)
class EncodedImage:
    """One upload, re-encoded: the picture (at most FULL_SIZE px) and its smaller copies, by width (SIZES)."""

    full: bytes
    smaller: dict[int, bytes]
    extension: str

    @property
    def thumbnail(self) -> bytes:
        """The THUMB_SIZE copy."""
        return self.smaller[THUMB_SIZE]


def _output_format() -> tuple[str, str]:
    """WebP when this Pillow can write it, else JPEG."""
    return ("WEBP", "webp") if features.check("webp") else ("JPEG", "jpg")


def _fresh(picture: Image.Image) -> Image.Image:
    """A copy made from the pixels alone: no EXIF, XMP, ICC profile or comments can follow it."""
    return Image.frombytes(picture.mode, picture.size, picture.tobytes())


def _encode(picture: Image.Image, size: int, fmt: str) -> bytes:
    """The picture shrunk to fit `size` px and encoded afresh (metadata-free) as `fmt`."""
    copy = picture.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    if fmt == "JPEG" and copy.mode == "RGBA":  # JPEG has no transparency: flatten onto white
        background = Image.new("RGB", copy.size, "white")
        background.paste(copy, mask=copy.getchannel("A"))
        copy = background
    out = io.BytesIO()
    if fmt == "WEBP":
        _fresh(copy).save(out, "WEBP", quality=82, method=4)
    else:
        _fresh(copy).save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue()


def encode_image(data: bytes) -> EncodedImage:
    """Check that `data` is a JPEG, PNG or WebP photo we accept and re-encode it (no files touched).

    :raises ImageRejected: too many bytes, not one of the three formats (whatever its name says),
        damaged, or more than MAX_PIXELS pixels.
    """
    if len(data) > MAX_BYTES:
        raise ImageRejected(TOO_LARGE)
    fmt, extension = _output_format()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # First pass: header and structure only. verify() leaves the image unusable, hence a re-open.
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise ImageRejected(TOO_MANY_PIXELS)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=FORMATS) as source:
                if source.format == "JPEG":
                    source.draft("RGB", (FULL_SIZE, FULL_SIZE))  # decode big JPEGs at a reduced scale
                source.load()
                picture = ImageOps.exif_transpose(source)  # keep the photo upright once EXIF is gone
                has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
                picture = picture.convert("RGBA" if has_alpha else "RGB")
                return EncodedImage(_encode(picture, FULL_SIZE, fmt),
                                    {width: _encode(picture, width, fmt) for width in SIZES}, extension)
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRejected(TOO_MANY_PIXELS) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError,
                KeyError, MemoryError) as exc:
            # Pillow reports damaged or disguised files with any of these.
            raise ImageRejected(NOT_AN_IMAGE, type(exc).__name__) from None


def read_upload(stream: BinaryIO) -> bytes:
    """Read an uploaded file, stopping one byte past the limit so a huge file is never held whole.

    :raises ImageRejected: when the file is larger than MAX_BYTES.
    """
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImageRejected(TOO_LARGE)
    return data


def store_image(stream: BinaryIO, media_root: str | Path, store_handle: str) -> str:
    """Check, re-encode and save one upload for a store; returns its path relative to the media folder.

    Nothing is written unless the whole image was accepted.

    :raises ImageRejected: see encode_image.
    """
    encoded = encode_image(read_upload(stream))
    folder = Path(media_root) / UPLOADS / store_handle
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16)
    relative = f"{UPLOADS}/{store_handle}/{name}.{encoded.extension}"
    for width, data in encoded.smaller.items():  # the copies first: a listing never names a picture without them
        with open(Path(media_root) / variant_path(relative, width), "xb") as out:
            out.write(data)
    with open(Path(media_root) / relative, "xb") as out:
        out.write(encoded.full)
    return relative


def add_missing_sizes(media_root: str | Path) -> tuple[int, int]:
    """Make the smaller copies (SIZES) that uploads stored before a size was added lack; returns
    (pictures looked at, copies written). Safe to run again: existing copies are left alone."""
    root = Path(media_root) / UPLOADS
    seen = written = 0
    fmt = {"webp": "WEBP", "jpg": "JPEG"}
    for path in sorted(root.glob("*/*.*")) if root.is_dir() else []:
        relative = path.relative_to(media_root).as_posix()
        if not is_upload(relative):
            continue  # a copy, or a file we did not store
        seen += 1
        missing = [w for w in SIZES if not (Path(media_root) / variant_path(relative, w)).exists()]
        if not missing:
            continue
        with Image.open(path) as source:
            source.load()
            has_alpha = source.mode in ("RGBA", "LA", "PA") or "transparency" in source.info
            picture = source.convert("RGBA" if has_alpha else "RGB")
        for width in missing:
            (Path(media_root) / variant_path(relative, width)).write_bytes(
                _encode(picture, width, fmt[relative.rpartition(".")[2]]))
            written += 1
    return seen, written


