"""PaddleOCR 3.x running PP-OCRv6 small on ONNX Runtime — the production engine.

No paddlepaddle: ``engine="onnxruntime"`` with model folders prepared from the
pinned weights (:mod:`extractors.engines.weights`). The document-orientation,
unwarping and text-line-orientation models are off: imaging orients the page.
PaddleX writes caches under ``$HOME`` unless told otherwise, so the cache is
pointed into the model folder before PaddleOCR is imported.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from extractors.engines import weights
from extractors.engines.base import EngineInfo, EngineOptions, OcrEngine
from extractors.errors import OcrUnavailable
from extractors.models import TextLine

DET_MODEL = "PP-OCRv6_small_det"
REC_MODEL = "PP-OCRv6_small_rec"
PAGE_REC_MODEL = "PP-OCRv6_tiny_rec"
"""Whole pages of print are recognised with the tiny recogniser: a statement page holds 200–300 short cells
of common characters and digits, where it reads as the small one does in 70 % of the time (measured on
generated scans, ``docintake bench bank-statement``); cards keep the small one for rare characters."""
PAGE_DETECT_SIDE = 1600
"""Whole pages are detected at most this long (an A4 page at ~140 dpi; 9-point print is still 17 px high):
full resolution (2339 px at 200 dpi) costs 0.5 s more a page and finds the same text."""


class PaddleEngine(OcrEngine):
    kind = "paddle"

    def __init__(self, options: EngineOptions) -> None:
        super().__init__(options)
        root = Path(options.model_dir or Path(tempfile.gettempdir()) / "docintake-models")
        det_dir = weights.prepare(DET_MODEL, root)
        rec_dir = weights.prepare(REC_MODEL, root)
        page_rec_dir = weights.prepare(PAGE_REC_MODEL, root)
        os.environ.setdefault("PADDLE_PDX_CACHE_HOME", str(root / "paddlex-cache"))
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        try:
            import paddleocr
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise OcrUnavailable("paddleocr is not installed; run: pip install paddleocr==3.7.0 onnxruntime") from exc
        config = self._runner_config(options, root)

        def pipeline(rec_name: str, rec: Path) -> object:
            return paddleocr.PaddleOCR(
                engine="onnxruntime",
                engine_config=config,
                text_detection_model_name=DET_MODEL,
                text_detection_model_dir=str(det_dir),
                text_recognition_model_name=rec_name,
                text_recognition_model_dir=str(rec),
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
            )

        try:
            self._ocr: Any = pipeline(REC_MODEL, rec_dir)
            self._page_ocr: Any = pipeline(PAGE_REC_MODEL, page_rec_dir)
            self._det: Any = paddleocr.TextDetection(
                model_name=DET_MODEL, model_dir=str(det_dir), engine="onnxruntime",
                engine_config=config)
        except Exception as exc:
            raise OcrUnavailable(f"PaddleOCR failed to load the PP-OCRv6 models: {type(exc).__name__}") from exc
        self._version = getattr(paddleocr, "__version__", "unknown")

    def _runner_config(self, options: EngineOptions, root: Path) -> dict[str, Any]:
        """PaddleX's ONNX Runtime runner configuration (``engine_config``)."""
        return {"intra_op_num_threads": options.threads, "inter_op_num_threads": 1,
                "enable_cpu_mem_arena": options.memory_arena, "enable_mem_pattern": options.memory_arena}

    def read(self, image: np.ndarray, page: int = 1, whole_page: bool = False) -> list[TextLine]:
        if whole_page:
            results = self._page_ocr.predict(np.ascontiguousarray(image), text_det_limit_side_len=PAGE_DETECT_SIDE,
                                             text_det_limit_type="max")
        else:
            results = self._ocr.predict(np.ascontiguousarray(image))
        lines: list[TextLine] = []
        for res in results:
            for text, score, box in zip(res["rec_texts"], res["rec_scores"], res["rec_boxes"], strict=False):
                if not text.strip():
                    continue
                x0, y0, x1, y1 = (int(v) for v in box)
                lines.append(TextLine(text=text, confidence=float(score), bbox=(x0, y0, x1, y1), page=page))
        lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        return lines

    def count_text(self, image: np.ndarray) -> int:
        results = self._det.predict(np.ascontiguousarray(image), limit_side_len=960, limit_type="max")
        return sum(len(r["dt_polys"]) for r in results)

    def info(self) -> EngineInfo:
        return EngineInfo(
            kind=self.kind,
            library="paddleocr",
            version=self._version,
            models={name: weights.MODELS[name].sha256 for name in (DET_MODEL, REC_MODEL, PAGE_REC_MODEL)},
        )
