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
import re
import struct
import warnings
import zlib
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from extractors.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedPdf,
    ImageTooLarge,
    NotADocument,
    TooManyPages,
    UnsupportedFormat,
)

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


MIN_SIDE = 32
"""Pixels: a narrower image holds no readable document."""
MAX_ASPECT = 30
"""Long side / short side: a long phone screenshot of a statement is under 20; a 40000×1 strip is no document."""
_TRAILERS = {"jpeg": b"\xff\xd9", "png": b"IEND"}
"""What a whole file of the format ends with (within its last bytes): a cut-off upload lacks it."""


def _check_shape(width: int, height: int, max_pixels: int, min_side: int = MIN_SIDE) -> None:
    if width * height > max_pixels:
        raise ImageTooLarge(f"image is {width}×{height} = {width * height} pixels, more than {max_pixels}")
    if width == 0 or height == 0:
        raise CorruptFile("image has no pixels")
    if min(width, height) < min_side or max(width, height) > MAX_ASPECT * min(width, height):
        raise NotADocument(f"image is {width}×{height} pixels: too small or too thin to hold a document")


def probe_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int, str]:
    """What can be decided about an image upload without decoding it: its format, size and shape from the header,
    and whether the file ends as a whole one does. Returns (width, height, Pillow mode). Nothing is decompressed:
    a 78 KB PNG that decodes to 40 MP of 16-bit pixels costs the API nothing (:func:`load_image`, in the
    worker, decodes it once, bounded).

    >>> import cv2
    >>> ok, png = cv2.imencode(".png", np.zeros((40, 50), np.uint8))
    >>> probe_image(png.tobytes())
    (50, 40, 'L')
    >>> probe_image(png.tobytes()[:-20])
    Traceback (most recent call last):
    ...
    extractors.errors.CorruptFile: PNG is cut short: its end is missing
    >>> ok, strip = cv2.imencode(".png", np.zeros((1, 4000), np.uint8))
    >>> probe_image(strip.tobytes())
    Traceback (most recent call last):
    ...
    extractors.errors.NotADocument: image is 4000×1 pixels: too small or too thin to hold a document
    """
    if not data:
        raise EmptyFile()
    kind = sniff(data)
    if kind not in IMAGE_FORMATS:
        raise UnsupportedFormat(describe(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])  # the header only
            width, height, mode = *img.size, img.mode
    except Image.DecompressionBombError:
        raise ImageTooLarge(f"image has more than {Image.MAX_IMAGE_PIXELS} pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
        raise CorruptFile(f"{kind.upper()} could not be decoded: {exc}") from None
    _check_shape(width, height, max_pixels)
    trailer = _TRAILERS.get(kind)
    if trailer is not None and trailer not in data[-256:]:
        raise CorruptFile(f"{kind.upper()} is cut short: its end is missing")
    return width, height, mode


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
            _check_shape(*img.size, max_pixels, min_side=1)  # the upload refused the small ones already
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
        return _wide_to_bgr8(np.asarray(img), float_mode=mode == "F")
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


ROWS_AT_ONCE = 256


def _wide_to_bgr8(arr: np.ndarray, *, float_mode: bool) -> np.ndarray:
    """A 16/32-bit integer or float raster to ``uint8`` BGR, scaled to its range, a band of rows at a time: no
    float64 copy of the whole image (a 40 MP 16-bit PNG used to take 1 GB here).

    >>> _wide_to_bgr8(np.array([[0, 32768, 65535]], np.uint16), float_mode=False)[0, :, 0].tolist()
    [0, 128, 255]
    >>> _wide_to_bgr8(np.array([[0.0, 0.5, 1.0]], np.float32), float_mode=True)[0, :, 0].tolist()
    [0, 128, 255]
    """
    finite = np.isfinite(arr) if arr.dtype.kind == "f" else None
    top = float(arr.max(initial=0, where=finite if finite is not None else True)) if arr.size else 0.0
    if float_mode and top <= 1.0:
        k = 255.0
    elif top > 255.0:
        k = 255.0 / (65535.0 if top <= 65535.0 else top)
    else:
        k = 1.0
    out = np.empty((*arr.shape[:2], 3), np.uint8)
    for y in range(0, arr.shape[0], ROWS_AT_ONCE):
        band = arr[y : y + ROWS_AT_ONCE].astype(np.float32)
        np.nan_to_num(band, copy=False, nan=0.0, posinf=255.0 / k, neginf=0.0)
        grey = np.clip(band * np.float32(k) + np.float32(0.5), 0, 255).astype(np.uint8)
        out[y : y + ROWS_AT_ONCE] = grey[:, :, None]
    return out


MAX_STREAM = 64 * 1024 * 1024
"""Decoded bytes of one compressed PDF stream that is not an image: object and cross-reference streams, content,
fonts. A real one is kilobytes to a few MiB — a whole embedded CJK font about 20 MiB; 400 MiB of padding in an
object stream took pdfium (and pdfminer before it) to that much memory just to count pages. (Page content has its
own, lower bound: :data:`extractors.pdf.MAX_PAGE_CONTENT`.)"""
MAX_STREAMS_TOTAL = 512 * 1024 * 1024
"""All of them together, so that many streams just under the bound cannot cost minutes of inflating."""
_STREAM = re.compile(rb"stream\r?\n")
_DICT_START = re.compile(rb"<<")


def _inflated_size(raw: bytes, limit: int) -> int:
    """How many bytes ``raw`` inflates to, counted up to ``limit + 1`` a MiB at a time, never held."""
    inflate, total, chunk = zlib.decompressobj(), 0, raw
    try:
        while chunk and total <= limit and not inflate.eof:
            out = inflate.decompress(chunk, 1 << 20)
            if not out and inflate.unconsumed_tail == chunk:  # no progress: nothing more will come
                break
            total += len(out)
            chunk = inflate.unconsumed_tail
    except zlib.error:
        return total  # damaged: the parser decides what to make of it
    return total


def check_pdf_streams(data: bytes, *, image_limit: int | None = None, limit: int = MAX_STREAM) -> None:
    """Refuse a PDF with a flate stream that decodes past ``limit`` (images: past ``image_limit``, or not checked
    when None), before any PDF library inflates it. Found by scanning the bytes for ``stream`` keywords and the
    dictionary before each, so it needs no parser — the parsers are what a bomb attacks.

    >>> import zlib
    >>> def pdf_stream(body): return b"1 0 obj << /Filter /FlateDecode >> stream" + bytes([10]) + zlib.compress(body)
    >>> check_pdf_streams(pdf_stream(b" " * 1000))
    >>> check_pdf_streams(pdf_stream(b" " * 2**21) + bytes([10]) + b"endstream")  # a byte after the data
    >>> check_pdf_streams(pdf_stream(b" " * 2**20), limit=2**19)
    Traceback (most recent call last):
    ...
    extractors.errors.CorruptFile: the PDF has a compressed stream that decodes to more than 0 MiB
    """
    total = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 2048) : m.start()]
        opened = [d.start() for d in _DICT_START.finditer(head)]
        if not opened or not head.rstrip().endswith(b">>"):
            continue
        attrs = head[opened[0] :]
        if b"/FlateDecode" not in attrs and b"/Fl " not in attrs and b"/Fl]" not in attrs and b"/Fl/" not in attrs:
            continue
        image = b"/Image" in attrs
        bound = image_limit if image else limit
        if bound is None:
            continue
        end = data.find(b"endstream", m.end())
        raw = data[m.end() : end if end >= 0 else len(data)]
        size = _inflated_size(raw, bound)
        if size > bound:
            what = "an image" if image else "a compressed stream"
            raise CorruptFile(f"the PDF has {what} that decodes to more than {bound // 2**20} MiB")
        total += size
        if total > MAX_STREAMS_TOTAL:
            raise CorruptFile(f"the PDF's compressed streams decode to more than {MAX_STREAMS_TOTAL // 2**20} MiB")


def _open_pdf(data: bytes, password: str | None, max_pages: int) -> tuple[Any, int]:
    """The pypdfium2 document and its page count, or the reason it is no use (the caller closes it)."""
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
    count = len(pdf)
    if count <= 0 or count > max_pages:
        pdf.close()
        if count <= 0:
            raise CorruptFile("PDF has no pages")
        raise TooManyPages(f"the PDF has {count} pages; at most {max_pages} are accepted")
    return pdf, count


def pdf_page_count(data: bytes, *, max_pages: int = 50, password: str | None = None) -> int:
    """The PDF's page count as pypdfium2 — the library that renders it in the worker — sees it, without loading
    a page, after its compressed streams were measured (:func:`check_pdf_streams`): :class:`EncryptedPdf`,
    :class:`CorruptFile` or :class:`TooManyPages` at once. The upload and the worker count with the same
    library, so a page tree that lies about its ``/Count`` cannot pass one and break the other.

    >>> pdf_page_count(b"%PDF-1.4 junk")
    Traceback (most recent call last):
    ...
    extractors.errors.CorruptFile: PDF could not be opened: ...
    """
    if data and sniff(data) == "pdf":
        check_pdf_streams(data)
    pdf, count = _open_pdf(data, password, max_pages)
    pdf.close()
    return count


def render_pdf_pages(
    data: bytes, *, dpi: int | Sequence[int] = 200, max_pages: int = 50, max_pixels: int = DEFAULT_MAX_PIXELS,
    password: str | None = None,
) -> list[np.ndarray]:
    """Render every page of a PDF to a ``uint8`` BGR array at ``dpi`` (scaled down to fit ``max_pixels``);
    ``dpi`` may be one per page. The caller has measured its streams (:func:`check_pdf_streams`).

    Raises :class:`EncryptedPdf` for a password-protected file (one with only an
    owner password opens normally), :class:`CorruptFile` for a malformed one and
    :class:`TooManyPages` when it has more than ``max_pages`` pages.

    >>> render_pdf_pages(b"%PDF-1.4 junk")
    Traceback (most recent call last):
    ...
    extractors.errors.CorruptFile: PDF could not be opened: ...
    """
    import pypdfium2 as pdfium

    pdf, count = _open_pdf(data, password, max_pages)
    try:
        pages: list[np.ndarray] = []
        for index in range(count):
            page = None
            try:
                page = pdf[index]  # a page the tree lists but cannot give (a cycle, a lying /Count) is the file's fault
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
                if page is not None:
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
