"""Decoding uploads: the real format wins over the name, limits hold before decoding, EXIF is honoured."""

from __future__ import annotations

import io
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from extractors.errors import CorruptFile, EmptyFile, EncryptedPdf, ImageTooLarge, UnsupportedFormat
from extractors.imaging import decode
from tests.conftest import sample


def _jpeg(img: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "error"), [
    ("empty.jpg", EmptyFile), ("truncated.jpg", CorruptFile), ("text.jpg", UnsupportedFormat),
    ("pdf-named.jpg", UnsupportedFormat)])
def test_bad_files_raise_their_own_error(name: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode.load_image(sample("bad", name).read_bytes())


def test_a_pdf_named_jpg_is_sniffed_as_pdf() -> None:
    assert decode.sniff(sample("bad", "pdf-named.jpg").read_bytes()) == "pdf"
    with pytest.raises(UnsupportedFormat, match="PDF"):
        decode.load_image(sample("bad", "pdf-named.jpg").read_bytes())


def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path) -> None:
    from fixtures.idcard import make_decompression_bomb

    path = tmp_path / "bomb.png"
    make_decompression_bomb(path)
    data = path.read_bytes()
    tracemalloc.start()
    t = time.perf_counter()
    with pytest.raises(ImageTooLarge):
        decode.load_image(data, max_pixels=40_000_000)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, "the 1.2 GB pixel buffer must never be allocated"
    assert elapsed < 5


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (60, 30), (255, 255, 255))
    img.paste((0, 0, 0), (0, 0, 10, 10))  # a black square top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display 90° clockwise
    out = decode.load_image(_jpeg(img, exif=exif.tobytes(), quality=95))
    assert out.shape[:2] == (60, 30)
    assert out[:10, -10:].mean() < 60, "the black corner moved to the top-right"


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "I;16"])
def test_odd_modes_become_bgr(mode: str) -> None:
    img = Image.new("RGB", (40, 20), (10, 200, 30)).convert(mode) if mode != "I;16" else Image.new("I;16", (40, 20))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    out = decode.load_image(buf.getvalue())
    assert out.dtype == np.uint8 and out.shape == (20, 40, 3)


def test_encrypted_pdf_render_is_refused() -> None:
    with pytest.raises(EncryptedPdf):
        decode.render_pdf_pages(sample("bad", "encrypted.pdf").read_bytes())


def test_pdf_pages_render_in_bgr() -> None:
    pages = decode.render_pdf_pages(sample("a4-copy-scan.pdf").read_bytes(), dpi=100)
    assert len(pages) == 1 and pages[0].shape[2] == 3 and pages[0].shape[0] > pages[0].shape[1]
