"""Uploaded images: only real PNG, JPEG and WebP pictures of a sensible size are kept, and only
as the site re-encodes them, so nothing of the uploaded file is ever served."""

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile

from donations.images import services as images
from donations.images.models import ImageVariant, StoredImage
from donations.transaction import commit
from tests.support import count


def picture(width=800, height=600, kind="PNG", **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 112, 60)).save(out, kind, **save)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a canvas of this size in a few bytes (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_png_is_kept_as_webp_at_the_widths_the_page_asks_for(app):
    stored = images.store(picture(2000, 1000))
    commit()
    assert (stored.width, stored.height) == (2000, 1000)
    assert [(v.width, v.height) for v in stored.variants] == [(480, 240), (960, 480), (1600, 800)]
    for variant in stored.variants:
        assert variant.data[:4] == b"RIFF"
        assert variant.data[8:12] == b"WEBP"
        assert Image.open(io.BytesIO(variant.data)).size == (variant.width, variant.height)


def test_a_small_picture_is_never_made_larger(app):
    stored = images.store(picture(300, 200, "JPEG"))
    assert [v.width for v in stored.variants] == [300]


def test_a_photographs_metadata_is_dropped_and_its_turn_kept(app):
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Ltd"  # Make
    exif[0x0112] = 6  # Orientation: turned a quarter
    stored = images.store(picture(400, 300, "JPEG", exif=exif.tobytes()))
    variant = stored.variants[-1]
    assert b"SpyCam" not in variant.data
    assert not Image.open(io.BytesIO(variant.data)).getexif()
    assert (stored.width, stored.height) == (300, 400)  # upright, as the camera meant


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
GIF_SCRIPT = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=alert(1);"


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SVG, "not a PNG, JPEG or WebP"),
        (GIF_SCRIPT, "not a PNG, JPEG or WebP"),
        (picture(kind="GIF"), "not a PNG, JPEG or WebP"),
        (picture(kind="BMP"), "not a PNG, JPEG or WebP"),
        (b"<html><body>hello</body></html>", "not a PNG, JPEG or WebP"),
        (picture()[:200], "not a PNG, JPEG or WebP"),
        (b"", "empty"),
        (png_header_only(30_000, 30_000), "far too large"),
        (png_header_only(7_000, 7_000), "7,000 x 7,000 pixels"),
        (b"\x89PNG" + bytes(20 * 1024 * 1024), "larger than 10 MB"),
    ],
    ids=[
        "svg",
        "gif-script",
        "gif",
        "bmp",
        "html",
        "cut-short",
        "empty",
        "30000px",
        "7000px",
        "20MB",
    ],
)
def test_what_is_not_a_usable_picture_is_refused_in_words_and_nothing_kept(app, upload, words):
    with pytest.raises(images.ImageRefused, match=words):
        images.store(upload)
    assert count(StoredImage) == count(ImageVariant) == 0


def test_a_polyglot_keeps_only_the_picture(app):
    hidden = b"<html><script>alert(document.cookie)</script></html>"
    stored = images.store(picture() + hidden)
    for variant in stored.variants:
        assert b"<script" not in variant.data
        assert variant.data[8:12] == b"WEBP"


def test_an_image_is_served_as_webp_for_a_year_and_never_sniffed(client):
    stored = images.store(picture(600, 400))
    commit()
    response = client.get(f"/images/{stored.id}/{stored.variants[0].width}.webp")
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/images/{stored.id}/123.webp").status_code == 404
    assert client.get("/images/999/480.webp").status_code == 404


def test_a_picture_cut_short_is_refused_whatever_another_library_told_pillow(app, monkeypatch):
    """WeasyPrint (the letters' PDF) sets Pillow to accept truncated images when it loads."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(images.ImageRefused, match="not a PNG, JPEG or WebP"):
        images.store(picture()[:200])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True, "what the other library set is left as it was"
