"""Decoding uploads: the real format wins over the name, limits hold before decoding, EXIF is honoured."""

from __future__ import annotations

import io
import struct
import time
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFile

from extractors.errors import CorruptFile, EmptyFile, EncryptedPdf, ImageTooLarge, TooManyPages, UnsupportedFormat
from extractors.imaging import decode


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def _photo() -> Image.Image:
    rng = np.random.default_rng(0)
    arr = (rng.random((120, 200, 3)) * 255).astype(np.uint8)
    return Image.fromarray(cv2.GaussianBlur(arr, (0, 0), 2))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _bomb_png(side: int = 20000) -> bytes:
    """A valid 1-bit PNG of side × side pixels, built row by row (~60 KB; never a big buffer here)."""
    packer = zlib.compressobj(9)
    rows = (b"\x00" + bytes((side + 7) // 8)) * 1000
    idat = b"".join(packer.compress(rows) for _ in range(side // 1000)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def _pdf(pages: int = 1, size: tuple[int, int] = (170, 240)) -> bytes:
    imgs = [Image.new("RGB", size, (255, 255, 255)) for _ in range(pages)]
    return _encode(imgs[0], "PDF", resolution=72, save_all=True, append_images=imgs[1:])


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "jpeg"), ("PNG", "png"), ("WEBP", "webp"), ("BMP", "bmp"),
                                           ("TIFF", "tiff")])
def test_every_image_format_is_sniffed_and_decoded(fmt: str, name: str) -> None:
    data = _encode(_photo(), fmt)
    assert decode.sniff(data) == name
    out = decode.load_image(data)
    assert out.shape == (120, 200, 3) and out.dtype == np.uint8


def test_empty_file_is_refused() -> None:
    with pytest.raises(EmptyFile):
        decode.load_image(b"")


def test_text_named_jpg_is_refused_as_text() -> None:
    data = "姓名 张三\n公民身份号码 513701199507176346\n".encode()
    assert decode.sniff(data) == "text"
    with pytest.raises(UnsupportedFormat, match="file is text"):
        decode.load_image(data)


def test_pdf_named_jpg_is_refused_as_pdf() -> None:
    data = _pdf()
    assert decode.sniff(data) == "pdf"
    with pytest.raises(UnsupportedFormat, match="file is a PDF"):
        decode.load_image(data)


def test_heic_is_named_in_the_refusal() -> None:
    with pytest.raises(UnsupportedFormat, match="HEIC"):
        decode.load_image(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("keep", [0.5, 0.9, -2])
def test_truncated_jpeg_is_refused_not_grey_filled(progressive: bool, keep: float) -> None:
    data = _encode(_photo(), "JPEG", quality=90, progressive=progressive)
    cut = data[: int(len(data) * keep)] if keep > 0 else data[: int(keep)]
    with pytest.raises(CorruptFile):
        decode.load_image(cut)


def test_opencv_would_grey_fill_a_jpeg_cut_in_half() -> None:
    """Why Pillow decodes: OpenCV returns a baseline JPEG cut in half as a full image, its lower half grey."""
    data = _encode(_photo(), "JPEG", quality=90)
    half = cv2.imdecode(np.frombuffer(data[: len(data) // 2], np.uint8), cv2.IMREAD_COLOR)
    assert half is not None and half.shape == (120, 200, 3)


def test_truncated_png_is_refused() -> None:
    data = _encode(_photo(), "PNG")
    with pytest.raises(CorruptFile):
        decode.load_image(data[: len(data) // 2])


def test_bytes_after_the_jpeg_end_are_fine() -> None:
    data = _encode(_photo(), "JPEG") + b"vendor trailer"
    assert decode.load_image(data).shape == (120, 200, 3)


def test_20000_square_png_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _bomb_png()

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    t = time.perf_counter()
    with pytest.raises(ImageTooLarge, match="pixels"):
        decode.load_image(data)
    assert time.perf_counter() - t < 0.5


def test_pillows_own_bomb_guard_is_mapped_too() -> None:
    with pytest.raises(ImageTooLarge):  # our limit raised past Pillow's: Pillow refuses at open
        decode.load_image(_bomb_png(), max_pixels=10**10)


def test_exif_orientation_is_applied() -> None:
    img = Image.new("RGB", (60, 30), (255, 255, 255))
    img.paste((0, 0, 0), (0, 0, 10, 10))  # a black square top-left, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    out = decode.load_image(_encode(img, "JPEG", exif=exif.tobytes(), quality=95))
    assert out.shape[:2] == (60, 30)
    assert out[:10, -10:].mean() < 60, "the black corner is top-right once displayed"
    assert out[:10, :10].mean() > 200


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGBA", "I;16", "I", "F", "CMYK"])
def test_odd_modes_become_8_bit_bgr(mode: str) -> None:
    base = Image.new("RGB", (40, 20), (10, 200, 30))
    img = base.convert(mode) if mode not in ("I;16", "I", "F") else Image.new(mode, (40, 20), 30000)
    fmt = "TIFF" if mode in ("I", "F", "CMYK") else "PNG"
    out = decode.load_image(_encode(img, fmt))
    assert out.dtype == np.uint8 and out.shape == (20, 40, 3)
    if mode == "I;16":
        assert 110 <= out[0, 0, 0] <= 125  # 30000 of 65535 → 117 of 255


def test_transparency_is_composited_on_white() -> None:
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    assert decode.load_image(_encode(img, "PNG")).min() == 255


def test_pdf_pages_render_as_bgr_at_the_asked_dpi() -> None:
    pages = decode.render_pdf_pages(_pdf(pages=2), dpi=144)
    assert len(pages) == 2
    assert pages[0].shape == (480, 340, 3) and pages[0].dtype == np.uint8
    [red] = decode.render_pdf_pages(_encode(Image.new("RGB", (50, 50), (255, 0, 0)), "PDF", resolution=72), dpi=72)
    assert red[25, 25].tolist()[0] < 10 and red[25, 25].tolist()[2] > 245  # B, G, R


def test_pdf_with_too_many_pages_is_refused() -> None:
    with pytest.raises(TooManyPages, match="at most 2 are accepted"):
        decode.render_pdf_pages(_pdf(pages=3), max_pages=2)


def test_huge_pdf_page_is_scaled_down_to_the_pixel_limit() -> None:
    [page] = decode.render_pdf_pages(_pdf(size=(2000, 2000)), dpi=300, max_pixels=1_000_000)
    assert page.shape[0] * page.shape[1] <= 1_000_000


def test_malformed_pdf_is_corrupt() -> None:
    with pytest.raises(CorruptFile):
        decode.render_pdf_pages(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage")


def test_encrypted_pdf_is_refused() -> None:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(_pdf()))
    writer = pypdf.PdfWriter()
    writer.append_pages_from_reader(reader)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(EncryptedPdf):
        decode.render_pdf_pages(buf.getvalue())
