"""Document types: one module per type, found by walking this package.

Each module declares a subclass of :class:`DocTypeExtractor`; declaring it is
registering it (``__init_subclass__``), and :func:`registry` imports every
module here, so adding a document type is adding one file.

>>> {"bank_statement", "id_card_back", "id_card_front", "loan_contract"} <= set(registry())
True
>>> spec("loan_contract", "principal").kind, spec("bank_statement", "transactions[0].counterparty").personal
(<Kind.MONEY: 'money'>, True)
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from functools import cache

from extractors.doctypes.base import DocTypeExtractor, FieldSpec, Kind, TableSpec, declared


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


def file_reader(data: bytes, types: Sequence[str]) -> tuple[type[DocTypeExtractor], str] | None:
    """The first of ``types`` that reads ``data`` itself (a CSV or spreadsheet export), and the file's format."""
    for name in types:
        kind = registry().get(name)
        fmt = kind.owns_file(data) if kind else None
        if kind and fmt:
            return kind, fmt
    return None


def spec(doc_type: str, path: str) -> FieldSpec | None:
    """The declaration of a field or table cell (``name``, ``transactions[3].balance``) of a document type;
    None for an unknown type or an undeclared field."""
    kind = registry().get(doc_type)
    return kind.spec(path) if kind else None


def declarations() -> list[dict[str, object]]:
    """Every type's declaration as plain data: what the review page and the API's type list are built from."""
    def field(f: FieldSpec) -> dict[str, object]:
        return {"name": f.name, "kind": f.kind.value, "zh": f.zh, "en": f.en, "personal": f.personal,
                "required": f.required, "masked": f.masked, "choices": list(f.choices)}

    return [{"type": name, "zh": kind.label[0], "en": kind.label[1], "card": kind.card, "multipage": kind.multipage,
             "stands_in_for": list(kind.stands_in_for),
             "fields": [field(f) for f in kind.fields],
             "tables": [{"name": t.name, "zh": t.zh, "en": t.en, "columns": [field(c) for c in t.columns]}
                        for t in kind.tables]}
            for name, kind in sorted(registry().items())]


__all__ = ["DocTypeExtractor", "FieldSpec", "Kind", "TableSpec", "declarations", "file_reader", "get", "registry",
           "spec"]
