"""Photo uploads: only real JPEG/PNG/WebP pictures, re-encoded small, without metadata, bombs refused."""
from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from storefront.sellers import images
from storefront.sellers.images import (
    MAX_BYTES,
    NOT_AN_IMAGE,
    TOO_LARGE,
    TOO_MANY_PIXELS,
    ImageRejected,
    encode_image,
    is_store_upload,
    is_upload,
    store_image,
    thumbnail_path,
)


def picture(fmt: str, size=(800, 600), mode="RGB", color="red", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color if mode != "1" else 1).save(out, fmt, **save)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_jpeg_is_resized_to_1200_px_with_a_400_px_thumbnail():
    result = encode_image(picture("JPEG", size=(3000, 1500)))
    full, thumb = decoded(result.full), decoded(result.thumbnail)
    assert full.format == "WEBP" and full.size == (1200, 600)
    assert thumb.size == (400, 200)
    assert result.extension == "webp"


def test_small_png_keeps_its_size_and_transparency():
    result = encode_image(picture("PNG", size=(300, 200), mode="RGBA", color=(255, 0, 0, 100)))
    full = decoded(result.full)
    assert full.size == (300, 200) and full.mode == "RGBA" and full.getpixel((5, 5))[3] < 200


def test_webp_upload_is_accepted():
    assert decoded(encode_image(picture("WEBP")).full).format == "WEBP"


def test_exif_and_text_metadata_are_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."
    exif[0x8298] = "Copyright someone"
    jpeg = picture("JPEG", exif=exif.tobytes(), comment=b"secret comment")
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret png text")
    png = picture("PNG", pnginfo=info)
    for data in (jpeg, png):
        result = encode_image(data)
        for out in (result.full, result.thumbnail):
            assert b"SpyCam" not in out and b"secret" not in out and b"Copyright" not in out
            image = decoded(out)
            assert not image.getexif() and "exif" not in image.info and "comment" not in image.info
            assert "xmp" not in image.info and "icc_profile" not in image.info


def test_exif_orientation_is_applied_before_it_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    result = encode_image(picture("JPEG", size=(400, 200), exif=exif.tobytes()))
    assert decoded(result.full).size == (200, 400)


@pytest.mark.parametrize("data", [
    b"<?php system($_GET['cmd']); ?>",
    b"GIF89a<?php echo 1; ?>",
    b"hello, I am a text file\n" * 20,
    b"\xff\xd8\xff\xe0" + b"\0" * 100,  # a JPEG header and nothing after it
    b"",
])
def test_files_that_are_not_pictures_are_refused(data):
    with pytest.raises(ImageRejected) as info:
        encode_image(data)
    assert info.value.reason == NOT_AN_IMAGE


def test_other_picture_formats_are_refused():
    for fmt in ("GIF", "BMP", "TIFF"):
        with pytest.raises(ImageRejected) as info:
            encode_image(picture(fmt))
        assert info.value.reason == NOT_AN_IMAGE


def test_truncated_png_is_refused():
    data = picture("PNG", size=(400, 400))
    with pytest.raises(ImageRejected):
        encode_image(data[: len(data) // 2])


def test_more_than_5_mb_is_refused_before_decoding():
    with pytest.raises(ImageRejected) as info:
        encode_image(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_BYTES)
    assert info.value.reason == TOO_LARGE
    with pytest.raises(ImageRejected) as info:
        images.read_upload(io.BytesIO(b"x" * (MAX_BYTES + 10)))
    assert info.value.reason == TOO_LARGE


@pytest.mark.parametrize("size", [(12_000, 12_000), (7_000, 7_000), (40_001, 1_000)])
def test_decompression_bombs_are_refused(size):
    bomb = picture("PNG", size=size, mode="1")  # a few KB that would decode into 49 to 144 megapixels
    assert len(bomb) < 200_000
    with pytest.raises(ImageRejected) as info:
        encode_image(bomb)
    assert info.value.reason == TOO_MANY_PIXELS


def test_pillow_pixel_limit_is_set():
    assert Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS == 40_000_000


def test_store_image_writes_picture_and_thumbnail_under_the_store(tmp_path):
    path = store_image(io.BytesIO(picture("PNG")), tmp_path, "sz-audio")
    assert is_store_upload(path, "sz-audio") and is_upload(path)
    assert (tmp_path / path).is_file() and (tmp_path / thumbnail_path(path)).is_file()
    assert thumbnail_path(path).endswith("-400.webp")


def test_store_image_writes_nothing_when_refused(tmp_path):
    with pytest.raises(ImageRejected):
        store_image(io.BytesIO(b"<?php echo 1; ?>"), tmp_path, "sz-audio")
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize("path,ok", [
    ("uploads/sz-audio/0123456789abcdef0123456789abcdef.webp", True),
    ("uploads/sz-audio/0123456789abcdef0123456789abcdef.jpg", True),
    ("uploads/other/0123456789abcdef0123456789abcdef.webp", False),
    ("uploads/sz-audio/../other/0123456789abcdef0123456789abcdef.webp", False),
    ("uploads/sz-audio/0123456789abcdef0123456789abcdef.php", False),
    ("uploads/sz-audio/0123456789abcdef0123456789abcdef.webp/../../x", False),
    ("/etc/passwd", False),
])
def test_only_the_stores_own_upload_paths_are_its_uploads(path, ok):
    assert is_store_upload(path, "sz-audio") is ok
