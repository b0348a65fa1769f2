"""Several processes starting at once on a fresh database (two workers started by hand, a worker beside
``serve``) all come up: they take turns migrating instead of racing to add the same column."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("processes", [6])
def test_processes_migrating_a_fresh_sqlite_database_at_once_all_succeed(tmp_path: Path, processes: int) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    start = time.time() + 8  # every process imported and waiting, then all migrate in the same instant
    code = (f"import time; from intake.storage.db import migrate; import alembic.command, alembic.config; "
            f"time.sleep(max(0, {start} - time.time())); migrate({url!r})")
    started = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
               for _ in range(processes)]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in started]
    assert [rc for rc, _ in results] == [0] * processes, [err[-500:] for rc, err in results if rc]
    assert "documents" in inspect(create_engine(url)).get_table_names()
