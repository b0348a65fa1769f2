"""Benchmarks: ``docintake bench id-card``, ``bank-statement``, ``contract``, ``calibration``, ``worker`` and
``review``, ``load``, ``faults``, ``soak``, ``urgency``, ``engines``,
``throughput``, ``pdf-forensics``, ``payments`` — :func:`available` lists them.

Speed is measured here, never asserted in tests; each figure is printed beside
the bare engine call run in the same process, since the machine is shared.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def available() -> list[str]:
    """Every benchmark: a module here with a ``main(argv)``, named on the command line with dashes
    (``bench/pdf_forensics.py`` is ``pdf-forensics``). A new benchmark is a new module."""
    skip = {"fleet", "load_floor"}  # helpers of other benchmarks
    return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(__path__)
                  if m.name not in skip and not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench")
    p.add_argument("which", choices=available())
    args, rest = p.parse_known_args(argv)
    run = importlib.import_module(f"{__name__}.{args.which.replace('-', '_')}").main
    return int(run(rest))
