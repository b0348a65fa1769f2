"""The error tree of DocIntake.

Every failure the service can name is one of these::

    IntakeError                      base; never raised itself
    ├── DocumentError                the file's fault; retrying will not help
    │   ├── EmptyFile
    │   ├── FileTooLarge
    │   ├── UnsupportedFormat        not an image or PDF, or named wrongly
    │   ├── CorruptFile              truncated or malformed
    │   ├── ImageTooLarge            too many pixels (decompression bomb)
    │   ├── EncryptedPdf             password-protected PDF (none or a wrong password given)
    │   ├── TooManyPages             a PDF longer than the page limit
    │   └── NotADocument             no supported document found on the page
    └── ServiceError                 ours; retryable
        ├── OcrUnavailable           weights missing or engine failed to load
        └── StorageUnavailable       blob store, database or queue not reachable

Each class carries a machine-readable ``code`` and a human ``message`` in
English and Chinese; the API maps the tree once to ``{code, message, retryable}``
and never echoes personal data back.

>>> EmptyFile().code, EmptyFile().retryable
('empty_file', False)
>>> isinstance(OcrUnavailable(), ServiceError)
True
"""

from __future__ import annotations


class IntakeError(Exception):
    """Base class: ``code`` names the failure, ``message`` says it to a person."""

    code = "intake_error"
    message = "The document could not be processed."
    message_zh = "文件无法处理。"
    retryable = False
    http_status = 422

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(detail or self.message)

    def to_dict(self) -> dict[str, object]:
        """The public form of the error; ``detail`` is ours and holds no PII."""
        out: dict[str, object] = {
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
            "retryable": self.retryable,
        }
        if self.detail:
            out["detail"] = self.detail
        return out


class DocumentError(IntakeError):
    """The upload itself is unusable; the app user must send another file."""


class EmptyFile(DocumentError):
    code = "empty_file"
    message = "The file is empty."
    message_zh = "文件为空。"


class FileTooLarge(DocumentError):
    code = "file_too_large"
    message = "The file is larger than the upload limit."
    message_zh = "文件超过上传大小限制。"
    http_status = 413


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"
    message = "The file is not a JPEG, PNG, WebP, BMP, TIFF image or a PDF."
    message_zh = "文件格式不受支持，请上传 JPEG/PNG 图片或 PDF。"
    http_status = 415


class CorruptFile(DocumentError):
    code = "corrupt_file"
    message = "The file is damaged or truncated and cannot be read."
    message_zh = "文件已损坏或不完整，无法读取。"


class ImageTooLarge(DocumentError):
    code = "image_too_large"
    message = "The image has too many pixels to be a document photo."
    message_zh = "图片像素过多，不是有效的证件照片。"


class EncryptedPdf(DocumentError):
    code = "encrypted_pdf"
    message = "The PDF is password-protected; send it with its password (form field password) or without protection."
    message_zh = "PDF 文件受密码保护，请同时提供密码（password 字段）或上传未加密的文件。"


class TooManyPages(DocumentError):
    code = "too_many_pages"
    message = "The PDF has more pages than are accepted; send the statement for the required months only."
    message_zh = "PDF 页数超过上限，请只上传所需月份的流水。"
    http_status = 413


class NotADocument(DocumentError):
    code = "not_a_document"
    message = "No supported document was found in the file."
    message_zh = "文件中未识别到支持的证件或单据。"


class ServiceError(IntakeError):
    """Our fault, transient or configuration: the same file may work later."""

    code = "service_error"
    message = "The service is temporarily unable to process documents."
    message_zh = "服务暂时无法处理文件，请稍后重试。"
    retryable = True
    http_status = 503


class OcrUnavailable(ServiceError):
    code = "ocr_unavailable"
    message = "The OCR engine is not available."
    message_zh = "文字识别引擎不可用。"


class StorageUnavailable(ServiceError):
    code = "storage_unavailable"
    message = "Storage (blobs, database or queue) is not reachable."
    message_zh = "存储服务（文件、数据库或队列）不可用。"
