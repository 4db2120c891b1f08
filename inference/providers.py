"""The one place that decides which ONNX Runtime execution providers a session gets, and reports what really runs.

The onnxruntime-gpu wheel lists TensorRT and CUDA in `get_available_providers()` even where their libraries cannot
load; a session asked for CUDA then logs an error and silently runs on the CPU. So a provider is only asked for after
its library has been opened (which names the missing dependency, e.g. "libcublasLt.so.13"), and after creation
`session.get_providers()` is read back: `RuntimeInfo` says what runs and, when it is not the GPU, why.

`auto` means CUDA when it loads, else CPU. TensorRT is only used when asked for (`tensorrt`): its first run builds an
engine per model and input shape, which takes minutes; the engines are cached in the user cache folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import importlib.util
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import onnxruntime as ort
import platformdirs

from core.messages import translate
from inference.errors import ModelError

PROVIDER_CHOICES = ("auto", "cpu", "cuda", "tensorrt")
CPU, CUDA, TENSORRT = "CPUExecutionProvider", "CUDAExecutionProvider", "TensorrtExecutionProvider"
DEFAULT_GPU_MEM_LIMIT = 4 << 30  # bytes the CUDA arena may grow to, so the app and other programs keep some
_QUIET = 3  # ORT log severity: errors only (it is very chatty at the default of 2 = warnings)
_LIBRARIES = {CUDA: "libonnxruntime_providers_cuda", TENSORRT: "libonnxruntime_providers_tensorrt"}
_SHORT = {CPU: "CPU", CUDA: "CUDA", TENSORRT: "TensorRT"}

ort.set_default_logger_severity(_QUIET)


@dataclass(frozen=True)
class RuntimeInfo:
    """What a session really runs on; `note` says why the GPU is not used when it was asked for (else "")."""

    requested: str
    providers: tuple[str, ...]
    note: str = ""

    @property
    def active(self) -> str:
        """Short name of the provider that runs the model: "TensorRT", "CUDA" or "CPU"."""
        return _SHORT.get(self.providers[0], self.providers[0]) if self.providers else "CPU"

    @property
    def on_gpu(self) -> bool:
        return self.active in ("CUDA", "TensorRT")

    def describe(self) -> str:
        """One line for the status bar and the CLI summary."""
        return self.active + (f" ({self.note})" if self.note else "")


def cpu_threads() -> int:
    """Cores this process may use (the affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def tensorrt_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("annodesk")) / "tensorrt"


@functools.cache
def gpu_unavailable_reason(provider: str) -> str:
    """Why `provider` cannot run here ("" when its library loads and a GPU device node exists)."""
    if provider not in ort.get_available_providers():
        return f"this ONNX Runtime build has no {_SHORT[provider]} provider (install onnxruntime-gpu)"
    _preload_cuda_wheels()
    folder = Path(ort.__file__).parent / "capi"
    suffix = ".dll" if sys.platform == "win32" else ".so"
    try:
        ctypes.CDLL(str(folder / (_LIBRARIES[provider] + suffix)))
    except OSError as exc:
        return f"its libraries do not load: {_first_line(exc)}"
    if sys.platform.startswith("linux") and not any(Path("/dev").glob("nvidia[0-9]*")):
        return "no NVIDIA GPU found (no /dev/nvidia* device)"
    return ""


def provider_list(choice: str, gpu_mem_limit: int = DEFAULT_GPU_MEM_LIMIT) -> tuple[list[Any], str]:
    """The providers (with options) to ask ONNX Runtime for, and a note on any requested GPU provider left out."""
    if choice not in PROVIDER_CHOICES:
        raise ValueError(f"unknown provider {choice!r}; choose one of {', '.join(PROVIDER_CHOICES)}")
    wanted = {"cpu": [], "auto": [CUDA], "cuda": [CUDA], "tensorrt": [TENSORRT, CUDA]}[choice]
    chosen: list[Any] = []
    notes: list[str] = []
    for provider in wanted:
        reason = gpu_unavailable_reason(provider)
        if reason:
            notes.append(f"{_SHORT[provider]} requested but not available: {reason}")
        else:
            chosen.append((provider, _options(provider, gpu_mem_limit)))
    return [*chosen, CPU], "; ".join(notes)


def session_options(threads: int | None = None, spin: bool = True) -> ort.SessionOptions:
    """All graph optimisations, intra-op threads = cores, quiet log.

    `spin=False` stops idle intra-op threads from busy-waiting between runs, which a pipeline needs so its decode
    threads get the CPU while the session waits for the next batch.
    """
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads or cpu_threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = _QUIET
    if not spin:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def create_session(
    model: str | Path,
    choice: str = "auto",
    *,
    threads: int | None = None,
    spin: bool = True,
    gpu_mem_limit: int = DEFAULT_GPU_MEM_LIMIT,
) -> tuple[ort.InferenceSession, RuntimeInfo]:
    """Open a model; ModelError (naming the file) when it is missing or not a loadable ONNX model."""
    path = Path(model)
    if not path.is_file():
        raise ModelError(path, translate("inference", "no such model file"))
    providers, note = provider_list(choice, gpu_mem_limit)
    try:
        session = ort.InferenceSession(str(path), session_options(threads, spin), providers=providers)
    except Exception as exc:  # ORT raises its own exception classes (InvalidProtobuf, Fail, InvalidGraph, ...)
        raise ModelError(path, translate("inference", "not a loadable ONNX model: {error}").format(
            error=_first_line(exc))) from None
    running = tuple(session.get_providers())
    asked = [p[0] if isinstance(p, tuple) else p for p in providers]
    dropped = [_SHORT[p] for p in asked if p not in running]
    if dropped:
        note = "; ".join(filter(None, [note, f"{', '.join(dropped)} failed to start (GPU busy, out of memory or "
                                              "driver too old: see nvidia-smi)"]))
    return session, RuntimeInfo(choice, running, note)


def _options(provider: str, gpu_mem_limit: int) -> dict[str, Any]:
    if provider == CUDA:
        return {"arena_extend_strategy": "kSameAsRequested", "gpu_mem_limit": str(gpu_mem_limit)}
    cache = tensorrt_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    return {
        "trt_engine_cache_enable": "True",
        "trt_engine_cache_path": str(cache),
        "trt_timing_cache_enable": "True",
        "trt_timing_cache_path": str(cache),
    }


@functools.cache
def _preload_cuda_wheels() -> None:
    """Load CUDA/cuDNN from the nvidia-* pip wheels when they are installed (they are not on the loader's path).

    ORT's `preload_dlls` prints a line per library it misses; the probe that follows reports the first one instead.
    """
    preload = getattr(ort, "preload_dlls", None)
    if preload is None or importlib.util.find_spec("nvidia") is None:
        return
    # A failed preload is reported by the library probe that follows.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(Exception):
        preload(directory="")  # "": the nvidia site-packages, then the loader's default paths


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
