"""Reading files: imaging, OCR engines, PDF text, classification, document types.

This package imports nothing else of DocIntake's; everything above it builds
on its models (:mod:`extractors.models`) and errors (:mod:`extractors.errors`).
"""
