"""Runs fuzz cases in long-lived worker processes, each bounded in memory (RLIMIT_AS) and in time per case.

A worker rebuilds a case from (seed, index), imports it into a copy of a template workspace that already holds tasks,
annotations and a schema (or adds its media) and answers one JSON line. A case that outlives its time limit is a
'hang': its worker is killed and a fresh one started. Outcomes:

- ok: imported (or added) and the workspace passes its integrity check;
- refused: FormatError, WorkspaceError or SchemaError (what `annodesk import` reports) with a message naming a file
  of the case, and the workspace exactly as before (tasks, annotations, schema, outbox, integrity);
- crash: any other exception, or a clean one whose message names no file; the worker dying (a signal) counts too;
- hang, memory: past the time limit; MemoryError, or died with an allocation failure under the memory bound;
- changed: a refused import changed the workspace, or the workspace fails its integrity check afterwards;
- wrong: `add` made the wrong tasks (a good image missing, a bad one as a NEW task, a task for a skipped file).

Run as a module it is the worker: `python -m tests.fuzz.runner WORKDIR MEMORY_BYTES`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz import corpus

REPO = Path(__file__).resolve().parents[2]
FAILURES = ("crash", "hang", "memory", "changed", "wrong")
OUTCOMES = ("ok", "refused", *FAILURES)
STARTUP_LIMIT = 120.0  # seconds for a worker to import everything and build its template workspace
_MEMORY_WORDS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "Insufficient memory", "out of memory")


@dataclass
class Result:
    kind: str
    index: int
    format: str
    klass: str
    outcome: str
    error: str = ""  # "Type: first line of the message"
    frame: str = ""  # where it was raised: file:line function
    origin: str = ""  # the deepest frame in the project's own code, when that is not where it was raised
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # the mutations the case applied

    @property
    def failed(self) -> bool:
        return self.outcome in FAILURES

    def line(self) -> str:
        where = " ".join(p for p in (self.frame and f"at {self.frame}", self.origin and f"from {self.origin}") if p)
        notes = f" [{'+'.join(dict.fromkeys(self.notes))}]" if self.notes else ""
        return f"{self.kind} #{self.index} {self.format} {self.klass}{notes}: {self.outcome} {self.error} {where}"


# ---------------------------------------------------------------------------------------------- the parent side


def run(
    kind: str,
    seed: int,
    count: int,
    *,
    workers: int = 2,
    time_limit: float = 20.0,
    memory: int = 2 << 30,
    indexes: Iterable[int] | None = None,
    progress: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Run cases 0..count-1 (or `indexes`) of `kind` ("import" or "add") with `seed`, in index order."""
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(count) if indexes is None else indexes:
        todo.put(index)
    results: list[Result] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def drive() -> None:
        try:
            with tempfile.TemporaryDirectory(prefix="annodesk-fuzz-") as work:
                worker = _Worker(Path(work), memory)
                try:
                    while True:
                        try:
                            index = todo.get_nowait()
                        except queue.Empty:
                            return
                        result = worker.run(kind, seed, index, time_limit)
                        with lock:
                            results.append(result)
                            if progress is not None:
                                progress(result)
                finally:
                    worker.stop()
        except BaseException as exc:  # re-raised in the caller's thread below
            errors.append(exc)

    threads = [threading.Thread(target=drive, daemon=True) for _ in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return sorted(results, key=lambda r: r.index)


class _Worker:
    """One worker process and the pipe to it; restarted after a hang, a death or a memory failure."""

    def __init__(self, work: Path, memory: int) -> None:
        self.work = work
        self.memory = memory
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
        self.log = self.work / "worker.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fuzz.runner", str(self.work / "w"), str(self.memory)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=REPO, env=env, start_new_session=True,
            )
        self.buffer = b""
        if self._read_line(STARTUP_LIMIT) != b"ready":
            self.stop()
            raise RuntimeError(f"the fuzz worker did not start:\n{self._log_tail(4000)}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    pipe.close()
        self.proc = None

    def run(self, kind: str, seed: int, index: int, time_limit: float) -> Result:
        assert self.proc is not None and self.proc.stdin is not None
        case = corpus.case(seed, index, kind)
        started = time.monotonic()
        try:
            self.proc.stdin.write(json.dumps({"kind": kind, "seed": seed, "index": index}).encode() + b"\n")
            self.proc.stdin.flush()
            line = self._read_line(time_limit)
        except BrokenPipeError:
            line = None
        seconds = round(time.monotonic() - started, 3)
        if line:
            result = Result(**json.loads(line))
            if result.outcome == "memory":  # what a failed allocation left behind is not trusted for the next case
                self._restart()
            return result
        result = Result(kind, index, case.format, case.klass, "hang", f"no answer within {time_limit:g} s",
                        seconds=seconds)
        if self.proc.poll() is not None or line == b"":
            self.proc.wait()
            tail = self._log_tail(2000)
            code = self.proc.returncode
            name = signal.Signals(-code).name if code < 0 else f"exit status {code}"
            last = (tail.strip().splitlines() or [""])[-1][:200]
            outcome = "memory" if any(w in tail for w in _MEMORY_WORDS) else "crash"
            result = Result(kind, index, case.format, case.klass, outcome, f"WorkerDied: {name}: {last}",
                            seconds=seconds)
        self._restart()
        return result

    def _restart(self) -> None:
        self.stop()
        self.start()

    def _read_line(self, timeout: float) -> bytes | None:
        """The next line from the worker; None past `timeout`, b"" when the worker is gone."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b""
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.strip()

    def _log_tail(self, size: int) -> str:
        try:
            return self.log.read_bytes()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------- reports


def summary(results: list[Result]) -> str:
    """Per format: cases and each outcome."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        rows[f"{r.kind}:{r.format}"][r.outcome] += 1
        rows["total"][r.outcome] += 1
    width = max([len(name) for name in rows] + [6])
    lines = [f"{'format':<{width}} {'cases':>6} " + " ".join(f"{o:>8}" for o in OUTCOMES)]
    for name in [*sorted(n for n in rows if n != "total"), "total"]:
        counts = rows[name]
        lines.append(f"{name:<{width}} {sum(counts.values()):>6} " + " ".join(f"{counts[o]:>8}" for o in OUTCOMES))
    return "\n".join(lines)


def _normalized(error: str) -> str:
    text = re.sub(r"<work>[^\s:'\",)]*", "<path>", error)
    return re.sub(r"\d+", "N", text)[:100]


def groups(results: list[Result]) -> list[tuple[tuple[str, str, str], list[Result]]]:
    """Failures grouped by outcome, error (numbers and paths blanked) and raising frame; biggest group first."""
    found: dict[tuple[str, str, str], list[Result]] = defaultdict(list)
    for r in results:
        if r.failed:
            found[(r.outcome, _normalized(r.error), r.frame)].append(r)
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))


def failure_report(results: list[Result], limit: int = 60) -> str:
    """One line per failure class: count, outcome, error, frames, formats, case classes, example case numbers."""
    lines = []
    for (outcome, _, frame), members in groups(results)[:limit]:
        first = members[0]
        formats = ",".join(sorted({r.format for r in members}))
        classes = ",".join(sorted({r.klass for r in members}))[:120]
        examples = " ".join(f"{r.kind}#{r.index}" for r in members[:6])
        origin = f" from {first.origin}" if first.origin else ""
        lines.append(f"{len(members):>4} x {outcome:<7} {first.error[:160]} | at {frame or '-'}{origin} | {formats} | "
                     f"{classes} | e.g. {examples}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- the worker side


def _serve(work: Path, memory: int) -> None:
    """Answer one JSON result line per JSON request line on stdin; stray output of libraries goes to stderr."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    shutil.rmtree(work, ignore_errors=True)
    template = _template(work / "template")
    answers.write("ready\n")
    for line in sys.stdin:
        request = json.loads(line)
        answers.write(json.dumps(asdict(_run_case(request["kind"], request["seed"], request["index"], work,
                                                  template))) + "\n")


def _template(folder: Path) -> Path:
    """A workspace with a schema, tasks (named as the seeds' images, so imports meet existing tasks) and annotations."""
    from core.annotation import Annotation, new_id
    from core.schema import LabelSchema
    from core.shapes import Box, Polygon
    from sync.workspace import DB_NAME, Workspace

    media = folder / "media"
    corpus.image(media / "img0.jpg", 48, 32)
    corpus.image(media / "a.jpg", 64, 48)
    corpus.image(media / "other.png", 20, 20)
    schema = LabelSchema.from_json({"labels": [
        {"name": "car", "attributes": [{"name": "occluded", "type": "checkbox", "default": False},
                                       {"name": "speed", "type": "number", "default": 5, "minimum": 0,
                                        "maximum": 100}]},
        {"name": "person"},
    ]})
    with Workspace.create(folder / "ws", schema) as ws:
        ws.add_media([media])
        img0, a = ws.find_task(str(media / "img0.jpg")), ws.find_task(str(media / "a.jpg"))
        assert img0 is not None and a is not None
        ws.insert_annotations([
            Annotation(new_id(), img0.id, "car", Box(2, 3, 10, 8), {"occluded": True, "speed": 5}),
            Annotation(new_id(), img0.id, "person", Polygon(((1, 1), (10, 1), (10, 10)))),
            Annotation(new_id(), a.id, "car", Box(1, 1, 8, 8)),
        ])
    return folder / "ws" / DB_NAME


def _run_case(kind: str, seed: int, index: int, work: Path, template: Path) -> Result:
    from core.formats import FormatError
    from core.schema import SchemaError
    from sync.transfer import import_dataset
    from sync.workspace import DB_NAME, Workspace, WorkspaceError

    case = corpus.case(seed, index, kind)
    result = Result(kind, index, case.format, case.klass, "ok")
    folder = work / "case"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "ws").mkdir(parents=True)
    shutil.copyfile(template, folder / "ws" / DB_NAME)
    started = time.monotonic()
    try:
        written = case.write(folder / "data")
    except Exception as exc:  # a bug of the corpus, reported like a crash so that it is seen
        _describe(result, exc, work)
        result.outcome, result.error = "crash", f"corpus: {result.error}"
        return result
    result.notes = written.notes
    ws = Workspace.open(folder / "ws")
    try:
        before = _state(ws)
        known = {t.id for t in _tasks(ws)}
        try:
            if kind == "import":
                import_dataset(ws, case.format, written.target)
            else:
                ws.add_media(written.inputs)
        except MemoryError as exc:
            _describe(result, exc, work)
            result.outcome = "memory"
        except (FormatError, WorkspaceError, SchemaError) as exc:
            _describe(result, exc, work)
            if kind != "import":
                result.outcome = "crash"  # add takes any file: a bad one is an ERROR task, never an exception
            elif not _names_file(str(exc), folder / "data"):
                result.outcome, result.error = "crash", f"{result.error} (the message names no file of the dataset)"
            elif _state(ws) != before:
                result.outcome, result.error = "changed", f"workspace changed by a refused import; {result.error}"
            else:
                result.outcome = "refused"
        except Exception as exc:
            _describe(result, exc, work)
            result.outcome = "crash"
        else:
            problems = _add_problems(ws, written, known) if kind == "add" else []
            health = ws.integrity_check()
            if health != "ok":
                result.outcome, result.error = "changed", f"integrity_check: {health.splitlines()[0]}"
            elif problems:
                result.outcome, result.error = "wrong", "; ".join(problems)[:300]
    finally:
        ws.close()
        result.seconds = round(time.monotonic() - started, 3)
    return result


def _state(ws: Any) -> tuple[Any, ...]:
    """What a refused import must leave as it was."""
    stats = ws.stats()
    return (stats["tasks"], stats["annotations"], json.dumps(ws.schema.to_json(), sort_keys=True),
            ws.pending_changes(), ws.integrity_check())


def _tasks(ws: Any) -> list[Any]:
    tasks: list[Any] = []
    while page := ws.tasks(offset=len(tasks), limit=500):
        tasks += page
    return tasks


def _add_problems(ws: Any, written: corpus.Written, known: set[int]) -> list[str]:
    """What add got wrong: every good image a NEW task of its size, a bad file nothing or one ERROR task with a
    reason, a skipped file nothing, and no task for anything else."""
    from core.annotation import TaskStatus

    by_path = {t.media_path: t for t in _tasks(ws) if t.id not in known}
    claimed: set[str] = set()

    def found(path: str) -> list[Any]:
        keys = {path, os.path.realpath(path)} & set(by_path)
        claimed.update(keys)
        return [by_path[k] for k in keys]

    problems = []
    for path, size in written.good.items():
        tasks = found(path)
        if len(tasks) != 1 or tasks[0].status is TaskStatus.ERROR or (tasks[0].width, tasks[0].height) != size:
            what = [(t.status.value, t.width, t.height, t.error) for t in tasks]
            problems.append(f"good image {Path(path).name} ({size[0]}x{size[1]}) became {what or 'no task'}")
    for path in written.bad:
        tasks = found(path)
        if len(tasks) > 1 or any(t.status is not TaskStatus.ERROR or not t.error for t in tasks):
            problems.append(f"bad file {Path(path).name} became {[(t.status.value, t.error) for t in tasks]}")
    for path in written.skip:
        if found(path):
            problems.append(f"{Path(path).name} is no media file but became a task")
    for path in written.either:
        found(path)
    problems += [f"unexpected task {Path(p).name}" for p in sorted(set(by_path) - claimed)]
    return [_clean(p) for p in problems]


def _names_file(message: str, data: Path) -> bool:
    """Whether a refusal names the dataset: its folder or the name of one of its files."""
    if str(data) in message:
        return True
    names = {name for _, dirs, files in os.walk(data) for name in dirs + files if len(name) >= 3}
    return any(name in message for name in names)


def _describe(result: Result, exc: BaseException, work: Path) -> None:
    frames = traceback.extract_tb(exc.__traceback__)
    first = (str(exc).splitlines() or [""])[0]
    result.error = _clean(f"{type(exc).__name__}: {first}", work)
    if frames:
        result.frame = _where(frames[-1])
        own = [f for f in frames if _own(f.filename)]
        if own and own[-1] is not frames[-1]:
            result.origin = _where(own[-1])


def _own(filename: str) -> bool:
    path = Path(filename)
    return path.is_relative_to(REPO) and not path.is_relative_to(REPO / ".venv") and not path.is_relative_to(
        REPO / "tests")


def _where(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    if path.is_relative_to(REPO) and not path.is_relative_to(REPO / ".venv"):
        name = path.relative_to(REPO).as_posix()
    else:
        text = path.as_posix()
        name = text.split("site-packages/")[-1] if "site-packages/" in text else "/".join(path.parts[-2:])
    return f"{name}:{frame.lineno} {frame.name}"


def _clean(text: str, work: Path | None = None) -> str:
    """Printable in any terminal (no lone surrogates, no NUL) and free of the temporary folder's name."""
    if work is not None:
        text = text.replace(str(work), "<work>")
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return text[:300]


if __name__ == "__main__":
    _serve(Path(sys.argv[1]), int(sys.argv[2]))
