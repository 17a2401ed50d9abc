"""Runs every bench/bench_*.py and prints one JSON line per figure.

Each module exposes `run() -> Iterable[dict]` yielding {"name", "value", "unit", "target"}.
Each module runs in its own interpreter so that each can configure Django (settings, a
scratch database) without disturbing the others.

    python bench/run.py               # all benchmarks
    python bench/run.py bench_audit   # only these
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent


def discover() -> list[str]:
    return sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))


def run_one(name: str) -> int:
    """In this interpreter: import bench/<name>.py and print its figures."""
    sys.path.insert(0, str(PROJECT_DIR))
    module = importlib.import_module(f"bench.{name}")
    for figure in module.run():
        missing = {"name", "value", "unit", "target"} - figure.keys()
        if missing:
            raise ValueError(f"{name}: figure {figure!r} lacks {sorted(missing)}")
        print(json.dumps(figure), flush=True)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--one":
        return run_one(argv[1])
    names = argv or discover()
    unknown = sorted(set(names) - set(discover()))
    if unknown:
        print(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(discover())})", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        result = subprocess.run([sys.executable, __file__, "--one", name], cwd=PROJECT_DIR, check=False)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
