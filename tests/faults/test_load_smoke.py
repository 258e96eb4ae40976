"""A short run of the load harness (``bench/load_test.py``) in the test suite: a dozen concurrent analysts
saving with optimistic concurrency, two per deal, so stale saves really happen. No errors, no lost updates:
every successful save moved its deal exactly one version on and is in the audit trail.

The five-minute, 50-session run is in ``docs/benchmarks.md``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

LOAD_TEST = Path(__file__).resolve().parents[2] / "bench" / "load_test.py"


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("clo_xl_load_test", LOAD_TEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_concurrent_saves_lose_nothing(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLO_XL_DATA_DIR", str(tmp_path / "data"))
    harness = load_harness()
    pace = harness.Pace(think=0.05, save_every=1, ops_interval=0.0)
    result = harness.run(12, 0, 12.0, db_url, 200, pace, "threads")
    assert result["errors"] == 0, result["error_samples"]
    assert result["lost_updates"] == 0, result["lost_update_problems"]
    assert result["saves"] >= 12
    assert {"load deal", "compliance", "hypothetical", "save"} <= set(result["latency"])
