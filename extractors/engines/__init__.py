"""OCR engines behind one small interface, chosen by ``kind``.

>>> from extractors.engines import known_kinds
>>> "paddle" in known_kinds()
True
"""

from extractors.engines.base import EngineInfo, EngineOptions, OcrEngine
from extractors.engines.registry import create_engine, known_kinds

__all__ = ["EngineInfo", "EngineOptions", "OcrEngine", "create_engine", "known_kinds"]
