"""The on-demand fuzz run: `python -m tests.fuzz --cases 2000 --seed 1 [--kind import|add|all]`.

Prints a table per format (cases and each outcome) and one line per failure class, and exits 1 on any crash, hang,
memory failure, changed workspace or wrong add. `--only 12 40` reruns those cases; `--write 12 DIR` writes case 12's
files to DIR to look at (or to import by hand: `annodesk import WS --format FORMAT DIR/...`).
"""

import argparse
import sys
import time
from pathlib import Path

from tests.fuzz import corpus, runner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases per kind (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=["import", "add", "all"], default="import")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=20.0, help="seconds per case before it is a hang")
    parser.add_argument("--memory-mib", type=int, default=2048, help="address space bound of a worker")
    parser.add_argument("--only", type=int, nargs="+", metavar="INDEX", help="run only these cases")
    parser.add_argument("--list", action="store_true", help="print every failing case, not only the classes")
    parser.add_argument("--write", nargs=2, metavar=("INDEX", "DIR"), help="write one case's files and stop")
    args = parser.parse_args(argv)
    kinds = ["import", "add"] if args.kind == "all" else [args.kind]
    if args.write:
        case = corpus.case(args.seed, int(args.write[0]), kinds[0])
        written = case.write(Path(args.write[1]))
        print(f"{case.kind} #{case.index} {case.format} {case.klass} {written.notes}: {written.target}")
        return 0
    results: list[runner.Result] = []
    started = time.monotonic()
    for kind in kinds:
        total = len(args.only) if args.only else args.cases
        done = 0

        def progress(result: runner.Result, kind: str = kind, total: int = total) -> None:
            nonlocal done
            done += 1
            if result.failed:
                print(f"  {result.line()}", file=sys.stderr, flush=True)
            if done % 100 == 0 or done == total:
                print(f"{kind}: {done}/{total} in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)

        results += runner.run(kind, args.seed, args.cases, workers=args.workers, time_limit=args.time_limit,
                              memory=args.memory_mib << 20, indexes=args.only, progress=progress)
    print(runner.summary(results))
    failed = [r for r in results if r.failed]
    print(f"\n{len(failed)} failures in {len(results)} cases, {time.monotonic() - started:.1f} s")
    if failed:
        print(runner.failure_report(failed, limit=1000))
        if args.list:
            print("\n" + "\n".join(r.line() for r in failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
