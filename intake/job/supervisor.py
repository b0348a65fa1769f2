"""``serve``'s worker processes: started, replaced when one leaves, stopped with the service.

A worker is ``python -m intake.job.worker`` (the settings come from the environment); :class:`Workers` keeps
the count, starting a fresh one when one leaves (recycled after its jobs or over its memory budget, or
crashed); Linux ends each with its parent, even when the parent is killed.
"""

from __future__ import annotations

import subprocess
import sys


class Workers:
    """``serve``'s worker processes: started, replaced when one leaves (recycled after its jobs or over its memory
    budget, or crashed), and stopped."""

    def __init__(self, env: dict[str, str], count: int) -> None:
        import threading

        self.env, self.lock, self.stopping = env, threading.Lock(), threading.Event()
        self.procs = [self._start() for _ in range(count)]
        threading.Thread(target=self._supervise, daemon=True, name="workers").start()

    def _start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "intake.job.worker"], env=self.env,
                                preexec_fn=_end_with_parent)

    def _supervise(self) -> None:
        while not self.stopping.wait(1.0):
            with self.lock:
                for i, proc in enumerate(self.procs):
                    if proc.poll() is not None and not self.stopping.is_set():
                        print(f"worker {proc.pid} left (exit {proc.returncode}); starting a fresh one", flush=True)
                        self.procs[i] = self._start()

    def stop(self, grace_s: float) -> None:
        self.stopping.set()
        with self.lock:
            stop_processes(self.procs, grace_s=grace_s)


def _end_with_parent() -> None:
    """In a worker before it starts: Linux sends it SIGTERM when ``serve`` dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def stop_processes(procs: list[subprocess.Popen[bytes]], grace_s: float) -> None:
    """SIGTERM to each (an RQ worker finishes its job, then exits), SIGKILL to any still there after ``grace_s``."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
