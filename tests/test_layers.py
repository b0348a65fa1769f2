"""Imports point one way only (DESIGN.md, docs/ARCHITECTURE.md): a package imports only those below it, and
every package of the repository has its place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "fixtures": {"fixtures"},
    "extractors": {"extractors"},
    "validators": {"validators", "extractors"},
    "intake": {"intake", "extractors", "validators"},
    "api": {"api", "intake"},
    "bench": {"bench", "fixtures", "extractors", "validators", "intake", "api"},
    "docintake": {"docintake", "bench", "api", "intake", "validators", "extractors", "fixtures"},
}
"""Each package and what it may import. The generators (fixtures) stand alone: they must not share the readers'
code, or they would grade the readers with their own assumptions."""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layers_import_one_way(package: str) -> None:
    ours = set(ALLOWED)
    for path in (ROOT / package).rglob("*.py"):
        wrong = (_imports(path) & ours) - ALLOWED[package]
        assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


def test_every_package_has_its_place() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(ALLOWED), f"place {sorted(packages - set(ALLOWED))} in ALLOWED"


def test_the_api_process_does_not_load_the_imaging_and_ocr_stack(tmp_path: Path) -> None:
    """The API decides an upload from headers: OpenCV, the OCR runtime, pdfminer and the pipeline stay out of its
    process (they cost it ~60 MB of its 200 MB budget a process, issue 12), whatever route module imports what."""
    import subprocess
    import sys

    heavy = ["cv2", "onnxruntime", "paddleocr", "pdfminer", "pdfplumber", "intake.job.pipeline", "extractors.reader",
             "intake.job.jobs"]
    code = ("import sys; from api.main import create_app; from intake.settings import Settings; "
            f"create_app(Settings(data_dir={str(tmp_path)!r}, database_url='sqlite:///{tmp_path}/t.db')); "
            f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"the API process imported {out.stdout.strip()}"
