"""Benchmark: CPU per 1,000-op batch on each side of an end-to-end push (client process, server process).

Run: .venv/bin/python -m tests.benchmarks.bench_sync_cpu [edits [rounds]] [--postgresql] [--profile=DIR]
(default 60,000 edits, 3 rounds, SQLite)
The end-to-end rate on two shared cores is bounded by the sum of both sides' CPU per batch, and the wall clock
moves with the machine's load; CPU seconds move much less, so an A/B of a change compares these. Each round pushes
edits/2 creations and then moves all of them (bench_sync's mix) into a fresh server and workspace, and reads the
client's CPU (this process) and the server's (/proc of its process) around each push. Prints the medians over the
rounds, the rates, and the load average. `--postgresql` runs the server over a private PostgreSQL cluster and also
counts its backends' CPU (a third process on the two cores). `--profile=DIR` also records py-spy profiles of both
sides (collapsed stacks, for flamegraph.pl or speedscope).
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
from tests.server_fixtures import PostgresCluster, ServerProcess
from tests.sync_client_helpers import memory_keys

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _postgres_cpu() -> float:
    """CPU seconds so far of every PostgreSQL process (the cluster's backends and helpers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                total += _cpu(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return total


def _measured(server_pid: int, step: object, profile: Path | None, name: str, db_url: str | None = None,
              ) -> tuple[int, float, float, float, float]:
    """(ops, wall s, client CPU s, server CPU s, PostgreSQL CPU s) of one push."""
    spies = []
    if profile is not None:
        for who, pid in (("server", server_pid), ("client", os.getpid())):
            command = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--rate", "250",
                       "--nonblocking", "--format", "raw", "-o", str(profile / f"{name}-{who}.txt")]
            spies.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1)
    server0, client0, pg0 = _cpu(server_pid), time.process_time(), _postgres_cpu() if db_url else 0.0
    ops, wall = step()  # type: ignore[operator]
    client, server = time.process_time() - client0, _cpu(server_pid) - server0
    pg = _postgres_cpu() - pg0 if db_url else 0.0
    for spy in spies:
        spy.send_signal(2)
        spy.wait(timeout=60)
    return ops, wall, client, server, pg


def one_round(root: Path, edits: int, profile: Path | None, db_url: str | None,
              ) -> dict[str, tuple[int, float, float, float, float]]:
    setup(root, db_url, [f"ann{i}" for i in range(CLIENTS)])
    server = ServerProcess(root, db_url=db_url).start()
    assert server.proc is not None
    try:
        ws = make_workspace(server.url, "ann0", root / "ws")
        create(ws, edits // 2, 1)
        out = {"creates": _measured(server.proc.pid, lambda: push(ws), profile, "creates", db_url)}
        move_all(ws)
        out["moves"] = _measured(server.proc.pid, lambda: push(ws), profile, "moves", db_url)
        ws.close()
    finally:
        server.stop()
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    profile = next((Path(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--profile=")), None)
    edits = int(args[0]) if args else 60_000
    rounds = int(args[1]) if len(args) > 1 else 3
    postgresql = "--postgresql" in sys.argv
    load_before = os.getloadavg()
    results: dict[str, list[tuple[int, float, float, float, float]]] = {"creates": [], "moves": []}
    with tempfile.TemporaryDirectory() as tmp:
        KEYS.append(memory_keys(Path(tmp))[0])
        for r in range(rounds):
            cluster = PostgresCluster() if postgresql else None  # a fresh store each round, as on SQLite
            try:
                for kind, figures in one_round(Path(tmp) / f"r{r}", edits, profile if r == 0 else None,
                                               cluster.url if cluster else None).items():
                    results[kind].append(figures)
            finally:
                if cluster:
                    cluster.stop()
    for kind, runs in results.items():
        def per_batch(at: int, runs: list[tuple[int, float, float, float, float]] = runs) -> float:
            return statistics.median(r[at] / r[0] * 1000 * 1000 for r in runs)
        rate = statistics.median(r[0] / r[1] for r in runs)
        postgres = f", PostgreSQL {per_batch(4):5.1f} ms" if postgresql else ""
        print(f"{kind:<8} {runs[0][0]:>8,} ops  {rate:>8,.0f} ops/s  CPU per 1,000 ops: client {per_batch(2):5.1f} ms, "
              f"server {per_batch(3):5.1f} ms{postgres}  (medians of {len(runs)})")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in load_before)}, after: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
