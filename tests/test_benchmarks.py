"""Every benchmark runs in its small `--quick` form and ends with its one-line JSON report.

Figures are not asserted (tests never assert on timing): this proves the scripts work and
report metrics, baselines and targets. Run the full sizes with `make bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(s for s in BENCH_DIR.glob("*.py") if not s.name.startswith("_"))  # _*.py: shared helpers

pytestmark = pytest.mark.benchsmoke


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_benchmark_quick_run_reports_json(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SMARTSEOUL_DATA_DIR": str(tmp_path), "SMARTSEOUL_ENV": "development"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run(
        [sys.executable, str(script), "--quick"], capture_output=True, text=True, env=env, timeout=600,
        cwd=BENCH_DIR.parent,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    last = [line for line in proc.stdout.strip().splitlines() if line.strip()][-1]
    report = json.loads(last)
    assert report["bench"] == script.stem
    assert report["metrics"] and isinstance(report["baselines"], dict) and report["targets"]
    assert isinstance(report["ok"], bool)
