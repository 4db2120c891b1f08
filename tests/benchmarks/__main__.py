"""Run every benchmark module (tests/benchmarks/bench_*.py), each in its own process, or the ones named."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
names = sys.argv[1:] or sorted(p.stem for p in here.glob("bench_*.py"))
failed = 0
for name in names:
    print(f"\n=== {name} ===", flush=True)
    failed |= subprocess.call([sys.executable, "-m", f"tests.benchmarks.{name}"]) != 0
sys.exit(failed)
