"""The two runtimes on the bare models: ONNX Runtime and OpenVINO on the pinned PP-OCRv6 files, no pipeline.

``docintake bench engines`` runs each model at a few fixed input shapes — the detector on a flattened card
(640×1024) and on a whole phone photo (1088×1440), the recogniser on a batch of short and of long lines —
with ONNX Runtime, OpenVINO compiled for dynamic shapes (what the ``openvino`` engine kind does) and OpenVINO
compiled for that one static shape. The calls are interleaved (one of each, then again) so that a noisy
machine slows all three alike; the medians and OpenVINO's ratio to ONNX Runtime are printed with the CPU's
vector extensions, which decide how much OpenVINO gains (its fastest kernels need AVX-512 or AMX).

The end-to-end comparison on documents is ``docintake bench id-card --engine openvino``.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from extractors.engines import weights
from extractors.engines.paddle import DET_MODEL, REC_MODEL

SHAPES: dict[str, list[tuple[int, ...]]] = {
    DET_MODEL: [(1, 3, 640, 1024), (1, 3, 1088, 1440)],
    REC_MODEL: [(6, 3, 48, 320), (4, 3, 48, 728)],
}
ISA = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def cpu() -> str:
    """The CPU's name and which of the vector extensions that matter here it has."""
    name, flags = platform.processor() or "?", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    return f"{name}; " + ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in ISA)


def runners(model: Path, shape: tuple[int, ...], threads: int) -> dict[str, Callable[[np.ndarray], object]]:
    import onnxruntime as ort
    import openvino as ov

    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    core = ov.Core()
    config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
    dynamic = core.compile_model(core.read_model(str(model)), "CPU", config).create_infer_request()
    fixed_model = core.read_model(str(model))
    fixed_model.reshape({name: list(shape)})
    fixed = core.compile_model(fixed_model, "CPU", config).create_infer_request()
    return {"onnxruntime": lambda x: session.run(None, {name: x}),
            "openvino dynamic": lambda x: dynamic.infer({name: x}),
            "openvino static": lambda x: fixed.infer({name: x})}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench engines")
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "docintake-models")
    args = p.parse_args(argv)
    print(f"CPU: {cpu()}; {args.threads} threads, {args.rounds} interleaved rounds, median ms")
    rng = np.random.default_rng(0)
    for model_name, shapes in SHAPES.items():
        model = weights.prepare(model_name, args.model_dir) / "inference.onnx"
        for shape in shapes:
            run = runners(model, shape, args.threads)
            x = rng.random(shape, dtype=np.float32)
            for f in run.values():  # first calls compile and allocate
                f(x)
                f(x)
            times: dict[str, list[float]] = {k: [] for k in run}
            for _ in range(args.rounds):
                for k, f in run.items():
                    t = time.perf_counter()
                    f(x)
                    times[k].append(time.perf_counter() - t)
            med = {k: statistics.median(v) * 1000 for k, v in times.items()}
            base = med["onnxruntime"]
            print(f"{model_name:20} {'×'.join(map(str, shape)):14} "
                  + "  ".join(f"{k} {v:6.1f} ({v / base:.2f}×)" for k, v in med.items()))
    return 0


__all__ = ["main"]
