"""The OCR engine kinds: an engine module declares its class (a subclass of
:class:`~extractors.engines.base.OcrEngine`), declaring is registering, and the kinds are found by walking this
package — so the list lives here, not in the base class's module, and no module imports the engines it
describes at import time.

>>> "paddle" in known_kinds() and "openvino" in known_kinds()
True
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.engines.base import EngineOptions, OcrEngine

_KINDS: dict[str, type[OcrEngine]] = {}
_HELPERS = frozenset({"base", "registry", "weights"})
"""Modules of this package that declare no engine."""


def register(kind: str, cls: type[OcrEngine]) -> None:
    if kind in _KINDS and _KINDS[kind] is not cls:
        raise TypeError(f"OCR engine kind {kind!r} declared twice")
    _KINDS[kind] = cls


def _load() -> None:
    import extractors.engines as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _HELPERS:
            importlib.import_module(f"{package.__name__}.{info.name}")


def known_kinds() -> list[str]:
    _load()
    return sorted(_KINDS)


def create_engine(options: EngineOptions) -> OcrEngine:
    _load()
    if options.kind not in _KINDS:
        raise ValueError(f"unknown OCR engine kind {options.kind!r}; known: {', '.join(sorted(_KINDS))}")
    return _KINDS[options.kind](options)
