"""SIGKILL the real server (gunicorn), one of its workers, or the process deciding and
releasing requests, at random moments while agencies' systems submit through the API:
afterwards every acknowledged submission exists exactly once, no disclosure package
exists without its two-person decision and its audit entry, and verify_audit passes.

The loop is bench/crash.py's, shortened here to 8 kills (each kind of victim at least
once); `make bench` runs it with 50.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _crash():
    spec = importlib.util.spec_from_file_location("bench_crash", BENCH / "crash.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.xdist_group("real-server")
def test_nothing_acknowledged_is_lost_or_doubled_and_nothing_is_half_released():
    crash = _crash()
    result = crash.run(8, threads=4)
    assert result["kills"] == 8
    assert all(result["victims"][v] >= 1 for v in ("server", "worker", "decider"))
    check = result["check"]
    assert check["acknowledged"] > 0, "the clients got nothing through"
    assert check["packages"] > 0, "nothing was released: the invariant was not tried"
    assert crash.failures(result) == []
    assert "VERIFIED" in result["verify_output"]
