"""Imaging (OpenCV): decoding uploads, finding and flattening cards, orientation, quality.

:mod:`.decode` (bytes → pixels, PDF pages), :mod:`.cards` (ID cards in a photo,
flattened; :mod:`.regions` and :mod:`.geometry` do its legwork), :mod:`.orient`
(quarter turns, which way up to read first), :mod:`.quality` (measures and
retake reasons). Nothing here runs OCR.
"""
