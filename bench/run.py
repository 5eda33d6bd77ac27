"""Run every benchmark in bench/ and print their figures.

    python bench/run.py            # all, at their default sizes
    python bench/run.py startup    # the ones whose name contains "startup"

Benchmarks print figures (with ratios against a baseline measured in the same run);
they never fail for being slow.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    scripts = sorted(p for p in HERE.glob("bench_*.py"))
    if wanted:
        scripts = [p for p in scripts if any(w in p.stem for w in wanted)]
    failed = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        if result.returncode:
            print(f"   ({script.name} exited with {result.returncode})")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
