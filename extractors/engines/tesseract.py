"""Tesseract ``chi_sim`` through its command line — for the benchmark only.

Optional: ``apt-get install tesseract-ocr tesseract-ocr-chi-sim``.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import cv2
import numpy as np

from extractors.engines.base import EngineInfo, EngineOptions, OcrEngine
from extractors.errors import OcrUnavailable
from extractors.models import TextLine


class TesseractEngine(OcrEngine):
    kind = "tesseract"

    def __init__(self, options: EngineOptions) -> None:
        super().__init__(options)
        exe = shutil.which("tesseract")
        if not exe:
            raise OcrUnavailable("tesseract is not installed; run: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
        self._exe: str = exe
        self._version = subprocess.run([self._exe, "--version"], capture_output=True, text=True).stdout.split("\n")[0]

    def read(self, image: np.ndarray, page: int = 1, whole_page: bool = False) -> list[TextLine]:
        _ok, png = cv2.imencode(".png", image)
        proc = subprocess.run([self._exe, "stdin", "stdout", "-l", "chi_sim", "tsv"], input=png.tobytes(),
                              capture_output=True, timeout=60)
        rows = csv.DictReader(io.StringIO(proc.stdout.decode("utf-8", "replace")), delimiter="\t",
                              quoting=csv.QUOTE_NONE)
        groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
        for row in rows:
            if row.get("level") == "5" and (row.get("text") or "").strip():
                groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
        lines = []
        for words in groups.values():
            x0 = min(int(w["left"]) for w in words)
            y0 = min(int(w["top"]) for w in words)
            x1 = max(int(w["left"]) + int(w["width"]) for w in words)
            y1 = max(int(w["top"]) + int(w["height"]) for w in words)
            conf = sum(float(w["conf"]) for w in words) / len(words) / 100
            lines.append(TextLine(text="".join(w["text"] for w in words), confidence=max(0.0, min(1.0, conf)),
                                  bbox=(x0, y0, x1, y1), page=page))
        lines.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        return lines

    def info(self) -> EngineInfo:
        return EngineInfo(kind=self.kind, library="tesseract", version=self._version, models={})
