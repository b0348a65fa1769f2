"""PaddleOCR's PP-OCRv6 pipeline with OpenVINO running the models (``kind="openvino"``).

The same pinned ONNX weights, the same PaddleOCR pre- and post-processing (resizing, DB box finding, CTC
decoding), the same results object; only the inference call differs. PaddleX's ONNX Runtime runner is given
a session whose ``run`` is an OpenVINO compiled model's infer request: the runner is asked for it through its
``providers`` setting (``["OpenVINO"]``), which PaddleX passes through untouched, so an ONNX Runtime engine in
the same process (the benchmarks' bare call) is not affected.

OpenVINO compiles each model once for dynamic shapes and keeps the compiled blob in the model folder's
``openvino-cache`` (``CACHE_DIR``), so a restarted worker does not compile again. Nothing is downloaded.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from extractors.engines.base import EngineInfo, EngineOptions
from extractors.engines.paddle import PaddleEngine
from extractors.errors import OcrUnavailable

MARKER = "OpenVINO"
_patched = threading.Lock()
_done = False


class _Meta:
    def __init__(self, name: str) -> None:
        self.name = name


class OpenVinoSession:
    """The part of ``onnxruntime.InferenceSession`` PaddleX's runner uses, on an OpenVINO compiled model."""

    def __init__(self, model_path: str, threads: int, cache_dir: str | None) -> None:
        import openvino as ov

        core = ov.Core()
        # f32: on a CPU with AVX-512 BF16 or AMX, OpenVINO would otherwise run the models in bfloat16 and read
        # differently from ONNX Runtime's f32 (other characters on the same photo); the thresholds were
        # calibrated on f32 readings
        config: dict[str, Any] = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
                                  "INFERENCE_PRECISION_HINT": "f32"}
        if cache_dir:
            config["CACHE_DIR"] = cache_dir
        self.compiled = core.compile_model(core.read_model(model_path), "CPU", config)
        self.request = self.compiled.create_infer_request()
        self._inputs = [_Meta(p.get_any_name()) for p in self.compiled.inputs]
        self._outputs = [_Meta(p.get_any_name()) for p in self.compiled.outputs]

    def get_inputs(self) -> list[_Meta]:
        return self._inputs

    def get_outputs(self) -> list[_Meta]:
        return self._outputs

    def run(self, output_names: list[str] | None, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        result = self.request.infer(feeds)
        names = output_names or [m.name for m in self._outputs]
        return [np.array(result[self.compiled.output(name)]) for name in names]


def _install() -> None:
    """Let PaddleX's ONNX Runtime runner build an OpenVINO session when its providers say so."""
    global _done
    with _patched:
        if _done:
            return
        from paddlex.inference.models.runners import onnxruntime_runner

        runner = onnxruntime_runner.ONNXRuntimeRunner
        original = runner._create_session

        def create_session(self: Any) -> Any:
            if self._config.get("providers") == [MARKER]:
                options = self._config.get("provider_options") or [{}]
                return OpenVinoSession(str(self._get_model_path()), int(self._config.get("intra_op_num_threads", 2)),
                                       options[0].get("cache_dir"))
            return original(self)

        runner._create_session = create_session
        _done = True


class OpenVinoEngine(PaddleEngine):
    kind: ClassVar[str] = "openvino"

    def __init__(self, options: EngineOptions) -> None:
        try:
            import openvino  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise OcrUnavailable("openvino is not installed; run: pip install openvino") from exc
        _install()
        super().__init__(options)

    def _runner_config(self, options: EngineOptions, root: Path) -> dict[str, Any]:
        return {"intra_op_num_threads": options.threads, "providers": [MARKER],
                "provider_options": [{"cache_dir": str(root / "openvino-cache")}]}

    def info(self) -> EngineInfo:
        import openvino as ov

        return super().info().model_copy(update={"kind": self.kind, "library": "paddleocr+openvino",
                                                 "version": f"{self._version}/openvino-{ov.__version__}"})


__all__ = ["OpenVinoEngine", "OpenVinoSession"]
