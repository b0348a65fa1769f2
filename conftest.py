"""Root pytest configuration: what not to collect as doctests, and where the OCR libraries cache."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

collect_ignore_glob = ["intake/storage/migrations/*", "fixtures/samples/*", "bench/out/*"]


def pytest_configure(config: pytest.Config) -> None:
    """Keep PaddleX's and ONNX Runtime's caches out of ``$HOME`` during tests too."""
    from intake.settings import Settings

    Settings(data_dir=Path(tempfile.gettempdir()) / "docintake-test").redirect_caches()
