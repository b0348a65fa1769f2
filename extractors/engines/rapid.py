"""RapidOCR (its own ONNX pipeline) — for the benchmark, beside PaddleOCR.

Optional: ``pip install rapidocr`` (it brings its own OpenCV, so it is not a
dependency of the service).
"""

from __future__ import annotations

import numpy as np

from extractors.engines.base import EngineInfo, EngineOptions, OcrEngine
from extractors.errors import OcrUnavailable
from extractors.models import TextLine


class RapidEngine(OcrEngine):
    kind = "rapidocr"

    def __init__(self, options: EngineOptions) -> None:
        super().__init__(options)
        try:
            import rapidocr
        except ImportError as exc:
            raise OcrUnavailable("rapidocr is not installed; run: pip install rapidocr==3.10.0") from exc
        self._ocr = rapidocr.RapidOCR(params={"EngineConfig.onnxruntime.intra_op_num_threads": options.threads})
        self._version = getattr(rapidocr, "__version__", "unknown")

    def read(self, image: np.ndarray, page: int = 1, whole_page: bool = False) -> list[TextLine]:
        out = self._ocr(image)
        lines = []
        for box, text, score in zip(out.boxes if out.boxes is not None else [], out.txts or (), out.scores or (),
                                    strict=False):
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            lines.append(TextLine(text=text, confidence=float(score), page=page,
                                  bbox=(int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))))
        lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        return lines

    def info(self) -> EngineInfo:
        return EngineInfo(kind=self.kind, library="rapidocr", version=self._version, models={})
