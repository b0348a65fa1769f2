"""The OCR engine interface.

An engine is chosen by the ``kind`` on its options; declaring a subclass of
:class:`OcrEngine` registers its kind (:mod:`extractors.engines.registry`), a
second class with the same kind is refused, and asking for an unknown kind
names every known one. Heavy engines import their library inside the
constructor and say what to install.

>>> from extractors.engines.registry import create_engine
>>> create_engine(EngineOptions(kind="nope"))
Traceback (most recent call last):
...
ValueError: unknown OCR engine kind 'nope'; known: openvino, paddle, rapidocr, tesseract
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from pydantic import BaseModel

from extractors.engines import registry
from extractors.models import TextLine


class EngineOptions(BaseModel):
    kind: str = "paddle"
    threads: int = 2
    """ONNX Runtime intra-op threads; set explicitly, never left to the default."""
    model_dir: str | None = None
    """Where prepared model folders are kept (the data directory's ``models/``)."""
    memory_arena: bool = True
    """ONNX Runtime's CPU memory arena (and memory pattern): faster repeated calls of one shape, but the arena
    grows to the largest input seen and is never given back."""


class EngineInfo(BaseModel):
    """What the evidence manifest records about the engine that read a page."""

    kind: str
    library: str
    version: str
    models: dict[str, str]
    """Model name → sha256 of its weights."""


class OcrEngine:
    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        registry.register(cls.kind, cls)

    def __init__(self, options: EngineOptions) -> None:
        self.options = options

    def read(self, image: np.ndarray, page: int = 1, whole_page: bool = False) -> list[TextLine]:
        """Text lines of a BGR image, top-to-bottom, in the image's pixel coordinates.

        ``whole_page``: the image is a page of print (a statement, a contract) rather than a card; an
        engine may read it with settings for that (a smaller detection size, a faster recogniser for the
        hundreds of short printed cells). Engines without such settings ignore it."""
        raise NotImplementedError

    def count_text(self, image: np.ndarray) -> int:
        """How many pieces of text the detector finds (no recognition where the engine can skip it)."""
        return len(self.read(image))

    def info(self) -> EngineInfo:
        raise NotImplementedError
