"""The OpenVINO engine runs the same pinned PP-OCRv6 models inside the same PaddleOCR pipeline: it must read what
ONNX Runtime reads — the same text, the same boxes, confidences within a hair — on a card photo and on a
statement page."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from extractors.engines import EngineOptions, create_engine
from extractors.imaging.decode import render_pdf_pages
from tests.conftest import sample

pytest.importorskip("openvino")


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = str(tmp_path_factory.mktemp("models"))
    return {k: create_engine(EngineOptions(kind=k, threads=2, model_dir=root)) for k in ("paddle", "openvino")}


def _reading(engine: object, image: object, whole_page: bool) -> list[tuple[str, float, tuple[int, ...]]]:
    return [(ln.text, ln.confidence, ln.bbox) for ln in engine.read(image, whole_page=whole_page)]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "whole_page"), [("front-photo-1.jpg", False), ("back-scan-1.jpg", False),
                                                  ("statements/scanned-abc-2pages.pdf", True)])
def test_openvino_reads_what_onnx_runtime_reads(engines: dict[str, object], name: str, whole_page: bool) -> None:
    path = sample(*Path(name).parts)
    image = render_pdf_pages(path.read_bytes(), dpi=200)[0] if path.suffix == ".pdf" else cv2.imread(str(path))
    ort, ov = (_reading(engines[k], image, whole_page) for k in ("paddle", "openvino"))
    assert len(ort) >= 4
    assert [t for t, _, _ in ov] == [t for t, _, _ in ort]
    assert all(abs(a[1] - b[1]) < 0.01 for a, b in zip(ov, ort, strict=True))
    assert all(max(abs(p - q) for p, q in zip(a[2], b[2], strict=True)) <= 2 for a, b in zip(ov, ort, strict=True))


def test_the_engine_says_what_ran(engines: dict[str, object]) -> None:
    info = engines["openvino"].info()  # type: ignore[attr-defined]
    assert info.kind == "openvino" and "openvino" in info.version
    assert info.models == engines["paddle"].info().models  # type: ignore[attr-defined]  # the same weights
