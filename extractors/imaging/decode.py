"""Turning uploaded bytes into pixels: sniffing, safe image decoding, PDF rendering.

:func:`sniff` names what a file really is from its first bytes, whatever its
name says. :func:`load_image` decodes a JPEG/PNG/WebP/BMP/TIFF into an 8-bit BGR
array (OpenCV's layout) after three refusals:

- the pixel count is read from the header and checked *before* anything is
  decoded, so a 20000×20000 "decompression bomb" costs milliseconds
  (:class:`~extractors.errors.ImageTooLarge`);
- Pillow decodes with ``LOAD_TRUNCATED_IMAGES`` off, so a JPEG cut in half is
  refused (:class:`~extractors.errors.CorruptFile`). OpenCV's ``imdecode`` is not
  used for this: it fills the missing half with grey and returns success;
- anything that is not one of the five formats is refused with a detail naming
  what it is (:class:`~extractors.errors.UnsupportedFormat`).

The EXIF orientation is applied, and palette, alpha (composited on white),
grey, CMYK and 16-bit images all come out as ``uint8`` BGR.

:func:`render_pdf_pages` renders a scanned PDF with pypdfium2 (which is not
thread-safe: call it from one thread per process, as RQ workers do).

>>> sniff(b"%PDF-1.7 ...")
'pdf'
>>> sniff(b"\\x89PNG\\r\\n\\x1a\\n....")
'png'
>>> sniff("姓名 张三".encode())
'text'
>>> load_image(b"%PDF-1.4 ...")
Traceback (most recent call last):
...
extractors.errors.UnsupportedFormat: file is a PDF
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from extractors.errors import CorruptFile, EmptyFile, EncryptedPdf, ImageTooLarge, TooManyPages, UnsupportedFormat

Format = Literal["jpeg", "png", "webp", "bmp", "tiff", "pdf", "text", "unknown"]

IMAGE_FORMATS: dict[str, str] = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "bmp": "BMP", "tiff": "TIFF"}
"""Our format name → Pillow's; Pillow is told to try only the sniffed one."""

DEFAULT_MAX_PIXELS = 40_000_000
"""A 48 MP phone camera bins to 12 MP by default; 40 MP leaves room for scans at 600 dpi of A4 (35 MP)."""

_BMP_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}

# Formats we refuse, named so that the app can tell the user what they sent.
_OTHER_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"GIF8", "file is a GIF image"),
    (4, b"ftypheic", "file is a HEIC photo; export it as JPEG"),
    (4, b"ftypheix", "file is a HEIC photo; export it as JPEG"),
    (4, b"ftypmif1", "file is a HEIF photo; export it as JPEG"),
    (4, b"ftypavif", "file is an AVIF image"),
    (0, b"PK\x03\x04", "file is a ZIP archive or an Office document"),
    (0, b"\xd0\xcf\x11\xe0", "file is an old Office document"),
    (0, b"Rar!", "file is a RAR archive"),
    (0, b"\x1f\x8b", "file is a gzip archive"),
]


def sniff(data: bytes) -> Format:
    """Name the real format of ``data`` from its magic bytes (the file name is not trusted).

    >>> sniff(b"\\xff\\xd8\\xff\\xe0\\x00\\x10JFIF")
    'jpeg'
    >>> sniff(b"RIFF\\x00\\x00\\x00\\x00WEBPVP8 ")
    'webp'
    >>> sniff(b"\\x00\\x01\\x02\\x03")
    'unknown'
    """
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head.startswith(b"BM") and len(data) >= 18 and int.from_bytes(data[14:18], "little") in _BMP_HEADER_SIZES:
        return "bmp"
    if b"%PDF-" in data[:1024]:  # readers accept junk before the header, so must we
        return "pdf"
    if _looks_like_text(data[:4096]):
        return "text"
    return "unknown"


def _looks_like_text(head: bytes) -> bool:
    if not head or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        return False
    for encoding in ("utf-8", "utf-16", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the 4 KiB boundary is fine
                continue
            text = head[: exc.start].decode(encoding)
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        return controls <= len(text) // 100
    return False


def describe(data: bytes) -> str:
    """A short detail for :class:`UnsupportedFormat`: what the file actually is.

    >>> describe(b"")
    'file is empty'
    >>> describe(b"hello")
    'file is text'
    """
    if not data:
        return "file is empty"
    kind = sniff(data)
    if kind == "pdf":
        return "file is a PDF"
    if kind == "text":
        return "file is text"
    if kind != "unknown":
        return f"file is a {kind.upper()} image"
    for offset, magic, detail in _OTHER_MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return detail
    return "file is not a JPEG, PNG, WebP, BMP or TIFF image"


def load_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode an image upload to an upright ``uint8`` BGR array, or raise a :class:`DocumentError`.

    Raises :class:`EmptyFile`, :class:`UnsupportedFormat` (with a detail such as
    ``"file is a PDF"``), :class:`ImageTooLarge` (checked from the header, before
    decoding) or :class:`CorruptFile` (truncated or malformed).

    >>> import cv2
    >>> ok, png = cv2.imencode(".png", np.zeros((3, 5), np.uint8))
    >>> load_image(png.tobytes()).shape
    (3, 5, 3)
    >>> load_image(png.tobytes(), max_pixels=10)
    Traceback (most recent call last):
    ...
    extractors.errors.ImageTooLarge: image is 5×3 = 15 pixels, more than 10
    """
    if not data:
        raise EmptyFile()
    kind = sniff(data)
    if kind not in IMAGE_FORMATS:
        raise UnsupportedFormat(describe(data))
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a process-wide switch: make sure nobody turned it on
    try:
        with warnings.catch_warnings():
            # we check the size ourselves; Pillow's own limit stays as a second guard
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])  # reads the header only
            width, height = img.size
            if width * height > max_pixels:
                raise ImageTooLarge(f"image is {width}×{height} = {width * height} pixels, more than {max_pixels}")
            if width == 0 or height == 0:
                raise CorruptFile("image has no pixels")
            img.load()
    except Image.DecompressionBombError:  # Pillow's own guard, at twice its MAX_IMAGE_PIXELS
        raise ImageTooLarge(f"image has more than {Image.MAX_IMAGE_PIXELS} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
        raise CorruptFile(f"{kind.upper()} could not be decoded: {exc}") from None
    return _to_bgr8(_exif_upright(img))


def _exif_upright(img: Image.Image) -> Image.Image:
    """Apply the EXIF Orientation tag; a broken EXIF block is ignored, not fatal."""
    try:
        return ImageOps.exif_transpose(img)
    except Exception:  # metadata must never cost the user their upload
        return img


def _to_bgr8(img: Image.Image) -> np.ndarray:
    """Any Pillow mode → contiguous ``uint8`` BGR."""
    mode = img.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        arr = np.asarray(img).astype(np.float64)
        top = float(arr.max()) if arr.size else 0.0
        if mode == "F" and top <= 1.0:
            arr = arr * 255.0
        elif top > 255.0:
            arr = arr * (255.0 / (65535.0 if top <= 65535.0 else top))
        grey = np.clip(arr + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode in ("LA", "PA", "La", "RGBa"):
        img = img.convert("RGBA")
    if img.mode == "RGBA":
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)
    if img.mode != "RGB":
        img = img.convert("RGB")
    rgb = np.asarray(img)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def render_pdf_pages(
    data: bytes, *, dpi: int | Sequence[int] = 200, max_pages: int = 50, max_pixels: int = DEFAULT_MAX_PIXELS,
    password: str | None = None,
) -> list[np.ndarray]:
    """Render every page of a PDF to a ``uint8`` BGR array at ``dpi`` (scaled down to fit ``max_pixels``);
    ``dpi`` may be one per page.

    Raises :class:`EncryptedPdf` for a password-protected file (one with only an
    owner password opens normally), :class:`CorruptFile` for a malformed one and
    :class:`TooManyPages` when it has more than ``max_pages`` pages.

    >>> render_pdf_pages(b"%PDF-1.4 junk")
    Traceback (most recent call last):
    ...
    extractors.errors.CorruptFile: PDF could not be opened: ...
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if not data:
        raise EmptyFile()
    if sniff(data) != "pdf":
        raise UnsupportedFormat(describe(data))
    try:
        pdf = pdfium.PdfDocument(data, password=password or None)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPdf() from None
        raise CorruptFile(f"PDF could not be opened: {exc}") from None
    try:
        count = len(pdf)
        if count == 0:
            raise CorruptFile("PDF has no pages")
        if count > max_pages:
            raise TooManyPages(f"the PDF has {count} pages; at most {max_pages} are accepted")
        pages: list[np.ndarray] = []
        for index in range(count):
            page = pdf[index]
            try:
                width_pt, height_pt = page.get_size()
                if not (width_pt > 0 and height_pt > 0):
                    raise CorruptFile(f"page {index + 1} has no size")
                scale = (dpi if isinstance(dpi, int) else dpi[index]) / 72.0
                if width_pt * height_pt * scale * scale > max_pixels:
                    scale = math.sqrt(max_pixels / (width_pt * height_pt)) * 0.999
                bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
                pages.append(_bitmap_to_bgr(bitmap.to_numpy(), bitmap.mode))
            except pdfium.PdfiumError as exc:
                raise CorruptFile(f"page {index + 1} could not be rendered: {exc}") from None
            finally:
                page.close()
        return pages
    finally:
        pdf.close()


def _bitmap_to_bgr(arr: np.ndarray, mode: str) -> np.ndarray:
    """pypdfium2 hands out BGR, BGRx/BGRA or L depending on the page; make it BGR."""
    if arr.ndim == 2:
        return np.ascontiguousarray(np.repeat(arr[:, :, None], 3, axis=2))
    if mode in ("RGB", "RGBA", "RGBX"):  # only with rev_byteorder=True, which we do not ask for
        arr = arr[:, :, 2::-1]
    return np.ascontiguousarray(arr[:, :, :3])
