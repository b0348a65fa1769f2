"""Document types: one module per type, found by walking this package.

Each module declares a subclass of :class:`DocTypeExtractor`; declaring it is
registering it (``__init_subclass__``), and :func:`registry` imports every
module here, so adding a document type is adding one file.

>>> sorted(registry())
['bank_statement', 'id_card_back', 'id_card_front', 'loan_contract']
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from extractors.doctypes.base import DocTypeExtractor, declared


@cache
def registry() -> dict[str, type[DocTypeExtractor]]:
    """All declared document types by name, after importing every module here."""
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(declared())


def get(doc_type: str) -> type[DocTypeExtractor]:
    known = registry()
    if doc_type not in known:
        raise KeyError(f"unknown document type {doc_type!r}; known: {', '.join(sorted(known))}")
    return known[doc_type]


__all__ = ["DocTypeExtractor", "get", "registry"]
