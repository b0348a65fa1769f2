"""Decoding uploads safely: real format from magic bytes, pixel limits before decoding, EXIF orientation.

>>> sniff(b"%PDF-1.7 ...")
'pdf'
>>> sniff(b"hello, this is text")
'text'
>>> load_image(b"")
Traceback (most recent call last):
...
extractors.errors.EmptyFile: The file is empty.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from extractors.errors import CorruptFile, EmptyFile, EncryptedPdf, ImageTooLarge, UnsupportedFormat

IMAGE_FORMATS = ("jpeg", "png", "webp", "bmp", "tiff")
_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"%PDF-", "pdf"),
)


def sniff(data: bytes) -> str:
    """The real format of ``data``: an image format, 'pdf', 'text' or 'unknown'."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if b"%PDF-" in data[:1024]:
        return "pdf"
    sample = data[:4096]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut at the end of the sample
            return "unknown"
    if sample and not any(b < 32 and b not in (9, 10, 12, 13) for b in sample):
        return "text"
    return "unknown"


def load_image(data: bytes, *, max_pixels: int = 40_000_000) -> np.ndarray:
    """A BGR uint8 image, upright by its EXIF orientation; refuses what is not a whole image."""
    if not data:
        raise EmptyFile()
    fmt = sniff(data)
    if fmt not in IMAGE_FORMATS:
        what = {"pdf": "a PDF", "text": "text", "unknown": "not an image"}[fmt]
        raise UnsupportedFormat(f"file is {what}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img: Image.Image = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > max_pixels:
                raise ImageTooLarge(f"{w}x{h} pixels; the limit is {max_pixels}")
            img.load()
    except ImageTooLarge:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge("the image declares too many pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise CorruptFile(f"the {fmt.upper()} data is damaged or truncated") from exc
    with contextlib.suppress(Exception):  # a broken EXIF block is not a broken image
        img = ImageOps.exif_transpose(img) or img
    if img.mode not in ("RGB", "L"):
        if img.mode in ("I;16", "I;16B", "I;16L", "I"):
            arr = np.asarray(img, dtype=np.float64)
            img = Image.fromarray((arr / max(arr.max(), 1) * 255).astype(np.uint8))
        else:
            img = img.convert("RGBA").convert("RGB") if "A" in img.mode or img.mode == "P" else img.convert("RGB")
    arr = np.asarray(img.convert("RGB"))
    return np.ascontiguousarray(arr[:, :, ::-1])


def render_pdf_pages(data: bytes, *, dpi: int = 200, max_pages: int = 50,
                     max_pixels: int = 40_000_000) -> list[np.ndarray]:
    """Each page of a PDF as a BGR image (pypdfium2), scaled down to stay under ``max_pixels``."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedPdf() from exc
        raise CorruptFile("the PDF could not be opened") from exc
    try:
        if len(doc) > max_pages:
            raise UnsupportedFormat(f"the PDF has {len(doc)} pages; at most {max_pages} are accepted")
        pages = []
        for page in doc:
            w_pt, h_pt = page.get_size()
            scale = dpi / 72
            if w_pt * h_pt * scale * scale > max_pixels:
                scale = (max_pixels / (w_pt * h_pt)) ** 0.5
            bitmap = page.render(scale=scale)
            arr = bitmap.to_numpy()
            if bitmap.mode in ("RGB", "RGBA", "RGBX"):
                arr = arr[:, :, 2::-1]
            pages.append(np.ascontiguousarray(arr[:, :, :3]))
        return pages
    finally:
        doc.close()
