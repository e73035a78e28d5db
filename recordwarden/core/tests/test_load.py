"""200 concurrent API submissions against the real server (gunicorn over loopback),
each key sent twice at once as a retrying client would: every key is stored exactly
once and both answers name the same request. On SQLite (a file, as deployed) and, when
DATABASE_URL names a PostgreSQL server, on a fresh database there.

The server, the client and the checks are bench/load.py's; `make bench` runs the same
with the full-scale staff-browsing figure beside it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


def bench(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


load = bench("load")
ENGINES = ["sqlite"] + (["postgres"] if load.postgres_base() else [])


@pytest.mark.slow
@pytest.mark.xdist_group("real-server")
@pytest.mark.parametrize("engine", ENGINES)
def test_concurrent_submissions_with_retries_are_each_stored_exactly_once(engine):
    result = load.api_submissions(engine, n=200, workers=200)
    assert result["keys"] == 200 and result["calls"] == 400
    assert not result["unacknowledged"], "every key got a 2xx in the end"
    assert not result["disagreeing"], "both calls with one key named one request"
    check = result["check"]
    assert check["problems"] == []
    assert check["stored_keys"] == 200
    assert check["unacknowledged_but_stored"] == []
    assert check["max_per_key"] == 1
    # Nothing the client retried was a server error: only dropped connections or a
    # busy answer may be retried, and on loopback there should be none.
    assert [s for s, _ in load.FAILED_ATTEMPTS if s >= 500 and s != 503] == []
