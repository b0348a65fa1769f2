"""The error tree, as the layers above :mod:`intake` see it.

The tree is drawn in :mod:`extractors.errors` (the lowest layer raises most of
it); the API imports it from here, since it may import only :mod:`intake`.
The service's own request errors (:mod:`intake.upload.service`) join it.
"""

from extractors.errors import (
    CorruptFile,
    DocumentError,
    EmptyFile,
    EncryptedPdf,
    FileTooLarge,
    ImageTooLarge,
    IntakeError,
    NotADocument,
    OcrUnavailable,
    ServiceError,
    StorageUnavailable,
    UnsupportedFormat,
)

__all__ = ["CorruptFile", "DocumentError", "EmptyFile", "EncryptedPdf", "FileTooLarge", "ImageTooLarge",
           "IntakeError", "NotADocument", "OcrUnavailable", "ServiceError", "StorageUnavailable",
           "UnsupportedFormat"]
