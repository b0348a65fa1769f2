"""Benchmarks: ``docintake bench id-card``, ``bank-statement``, ``contract``, ``calibration``, ``worker`` and
``review``, ``load``, ``faults``, ``soak``, ``urgency``, ``engines``,
``throughput``, ``pdf-forensics``.

Speed is measured here, never asserted in tests; each figure is printed beside
the bare engine call run in the same process, since the machine is shared.
"""

from __future__ import annotations

import argparse


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench")
    p.add_argument("which", choices=["id-card", "bank-statement", "contract", "calibration", "worker", "review",
                                     "load", "faults", "soak", "urgency", "engines", "throughput", "pdf-forensics"])
    args, rest = p.parse_known_args(argv)
    if args.which == "id-card":
        from bench.id_card import main as run
    elif args.which == "bank-statement":
        from bench.bank_statement import main as run
    elif args.which == "contract":
        from bench.contract import main as run
    elif args.which == "calibration":
        from bench.calibration import main as run
    elif args.which == "review":
        from bench.review import main as run
    elif args.which == "load":
        from bench.load import main as run
    elif args.which == "faults":
        from bench.faults import main as run
    elif args.which == "soak":
        from bench.soak import main as run
    elif args.which == "urgency":
        from bench.urgency import main as run
    elif args.which == "engines":
        from bench.engines import main as run
    elif args.which == "throughput":
        from bench.throughput import main as run
    elif args.which == "pdf-forensics":
        from bench.pdf_forensics import main as run
    else:
        from bench.worker import main as run
    return run(rest)
