#!/usr/bin/env bash
# GPU check in one call (< 5 minutes): make sure onnxruntime-gpu is importable, then run tests/benchmarks/gpu_check.py
# (proves the CUDA provider really runs and prints images/s for CPU, CUDA, TensorRT if it loads, and the pipeline).
#   tests/benchmarks/gpu_check.sh [WHEEL_DIR]
# Where the Python in use has no CUDA-capable onnxruntime, onnxruntime-gpu (and platformdirs) are installed into a
# private folder put first on PYTHONPATH, never beside a CPU onnxruntime: from PyPI, or offline from WHEEL_DIR.
# CUDA 13 and cuDNN 9 come from the nvidia-* wheels or the system (see docs/prelabel.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
WHEELS=${1:-}
SITE=${ANNODESK_GPU_SITE:-/tmp/annodesk-gpu-site}
has_cuda_build() {
  "$PY" -c "import onnxruntime as o, sys; sys.exit('CUDAExecutionProvider' not in o.get_available_providers())" \
    2>/dev/null
}
if ! has_cuda_build || ! "$PY" -c "import platformdirs" 2>/dev/null; then
  source=()
  [ -n "$WHEELS" ] && source=(--no-index --find-links "$WHEELS")
  "$PY" -m pip install -q --no-deps --target "$SITE" "${source[@]}" onnxruntime-gpu platformdirs
  export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec "$PY" -m tests.benchmarks.gpu_check
