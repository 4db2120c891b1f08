"""Benchmark: CPU per 1,000-op batch on each side of an end-to-end push (client process, server process).

Run: .venv/bin/python -m tests.benchmarks.bench_sync_cpu [edits [rounds]]   (default 60,000 edits, 3 rounds)
The end-to-end rate on two shared cores is bounded by the sum of both sides' CPU per batch, and the wall clock
moves with the machine's load; CPU seconds move much less, so an A/B of a change compares these. Each round pushes
edits/2 creations and then moves all of them (bench_sync's mix) into a fresh server and workspace, and reads the
client's CPU (this process) and the server's (/proc of its process) around each push. Prints the medians over the
rounds, the rates, and the load average. `--profile=DIR` also records py-spy profiles of both sides (collapsed
stacks, for flamegraph.pl or speedscope).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.bench_sync import KEYS, create, make_workspace, move_all, push
from tests.benchmarks.bench_sync_server import CLIENTS, setup
from tests.server_fixtures import ServerProcess
from tests.sync_client_helpers import memory_keys

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _measured(server_pid: int, step: object, profile: Path | None, name: str) -> tuple[int, float, float, float]:
    """(ops, wall s, client CPU s, server CPU s) of one push."""
    spies = []
    if profile is not None:
        for who, pid in (("server", server_pid), ("client", os.getpid())):
            command = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--rate", "250",
                       "--nonblocking", "--format", "raw", "-o", str(profile / f"{name}-{who}.txt")]
            spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1)
    server0, client0 = _cpu(server_pid), time.process_time()
    ops, wall = step()  # type: ignore[operator]
    client, server = time.process_time() - client0, _cpu(server_pid) - server0
    for spy in spies:
        spy.send_signal(2)
        spy.wait(timeout=60)
    return ops, wall, client, server


def one_round(root: Path, edits: int, profile: Path | None) -> dict[str, tuple[int, float, float, float]]:
    setup(root, None, [f"ann{i}" for i in range(CLIENTS)])
    server = ServerProcess(root).start()
    assert server.proc is not None
    try:
        ws = make_workspace(server.url, "ann0", root / "ws")
        create(ws, edits // 2, 1)
        out = {"creates": _measured(server.proc.pid, lambda: push(ws), profile, "creates")}
        move_all(ws)
        out["moves"] = _measured(server.proc.pid, lambda: push(ws), profile, "moves")
        ws.close()
    finally:
        server.stop()
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--profile")]
    profile = next((Path(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--profile=")), None)
    edits = int(args[0]) if args else 60_000
    rounds = int(args[1]) if len(args) > 1 else 3
    load_before = os.getloadavg()
    results: dict[str, list[tuple[int, float, float, float]]] = {"creates": [], "moves": []}
    with tempfile.TemporaryDirectory() as tmp:
        KEYS.append(memory_keys(Path(tmp))[0])
        for r in range(rounds):
            for kind, figures in one_round(Path(tmp) / f"r{r}", edits, profile if r == 0 else None).items():
                results[kind].append(figures)
    for kind, runs in results.items():
        ops = runs[0][0]
        rate = statistics.median(n / wall for n, wall, _c, _s in runs)
        client = statistics.median(c / n * 1000 * 1000 for n, _w, c, _s in runs)
        server = statistics.median(s / n * 1000 * 1000 for n, _w, _c, s in runs)
        print(f"{kind:<8} {ops:>8,} ops  {rate:>8,.0f} ops/s  CPU per 1,000 ops: client {client:5.1f} ms, "
              f"server {server:5.1f} ms  (medians of {len(runs)})")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in load_before)}, after: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
