"""Run every benchmark in bench/ and print one table of figures.

Each script defines ``main(quick: bool) -> list[tuple[str, str, str]]`` returning
(figure, measured value, target). ``--quick`` passes quick=True (smaller data sets).
Run one script alone with ``.venv/bin/python bench/<name>.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("only", nargs="*", help="script names to run (default: all)")
    args = parser.parse_args()
    scripts = sorted(
        p
        for p in HERE.glob("*.py")
        if p.name != "run_all.py" and not p.name.startswith("_")
    )
    if args.only:
        scripts = [p for p in scripts if p.stem in args.only]
    rows: list[tuple[str, str, str, str]] = []
    failed = 0
    for script in scripts:
        started = time.perf_counter()
        print(f"== {script.name}", flush=True)
        try:
            for figure, value, target in _load(script).main(quick=args.quick):
                rows.append((script.stem, figure, value, target))
        except Exception:
            failed += 1
            traceback.print_exc()
            rows.append((script.stem, "FAILED", "see traceback above", ""))
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    widths = [
        max(len(r[i]) for r in rows + [("bench", "figure", "value", "target")])
        for i in range(4)
    ]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format("bench", "figure", "value", "target"))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
