#!/usr/bin/env bash
# One prepared command for a GPU machine: the CUDA tests on the real GPU, then bench/gpu.py.
#
#   tools/gpu_check.sh [LOG]        (default LOG: gpu_check.log in the repository root)
#   tools/gpu_check.sh "$OUT/gpu_check.log"     (on the project's lent GPU machine: the log and
#                                                the bench JSON come back through $OUT)
#
# For a machine with no internet that already has numba, numba-cuda, CuPy, PyTorch and h5py
# (Python 3.12, CUDA 13; ipywidgets may be missing). It installs nothing: nbkeras is used
# from this checkout through PYTHONPATH. Steps, each with its own time limit (about 10 min
# in all): the environment, the CUDA device probe, every kernel compiled to PTX, the CUDA
# tests with the simulator off (NBKERAS_CUDA_REAL=1), bench/gpu.py (limits 90 + 180 + 300 s,
# so the whole run fits one 10-minute command). Everything goes to one
# log; the exit status is 0 only when every step passed (2: no usable GPU).
#
# GPU_CHECK_DRY=1 runs the same steps on Numba's CUDA simulator with tiny benchmark models
# (no GPU needed): a check of this script itself, not of the GPU.
set -u -o pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG="${1:-$ROOT/gpu_check.log}"
PY="${PYTHON:-python3}"
cd "$ROOT" || exit 1
DRY="${GPU_CHECK_DRY:-0}"
REAL=1
BENCH_ARGS=()
if [ "$DRY" = 1 ]; then
    export NUMBA_ENABLE_CUDASIM=1
    REAL=0
    BENCH_ARGS=(--tiny --steps 1 --repeats 1 --frameworks nbkeras)
else
    unset NUMBA_ENABLE_CUDASIM
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
BENCH_JSON="${LOG%.log}_bench.json"
: > "$LOG"

say() { echo "$@" | tee -a "$LOG"; }
step() {  # step NAME SECONDS COMMAND...: run with a time limit, log it, remember failures
    local name="$1" limit="$2"; shift 2
    say ""
    say "== $name (limit ${limit}s): $*"
    local t0=$SECONDS
    timeout "$limit" "$@" 2>&1 | tee -a "$LOG"
    local rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then
        say "== $name: PASS ($((SECONDS - t0)) s)"
    else
        [ "$rc" -eq 124 ] && say "   (stopped at the ${limit}s limit)"
        say "== $name: FAIL (exit $rc, $((SECONDS - t0)) s)"
        FAILED+=("$name")
    fi
    return "$rc"
}
FAILED=()

say "== nbkeras gpu_check, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ "$DRY" = 1 ]; then
    say "(dry run: Numba's CUDA simulator, tiny models; this checks the script, not a GPU)"
elif ! command -v nvidia-smi >/dev/null 2>&1; then
    say "FAIL: nvidia-smi is not on the PATH: this machine has no NVIDIA driver (no GPU to check)."
    exit 2
fi
[ "$DRY" = 1 ] || nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv 2>&1 | tee -a "$LOG"
"$PY" - <<'PYEOF' 2>&1 | tee -a "$LOG"
import importlib.metadata as md
import platform

found = []
for name in ("numpy", "numba", "numba-cuda", "cupy-cuda13x", "cupy-cuda12x", "torch", "h5py", "pytest"):
    try:
        found.append(f"{name} {md.version(name)}")
    except md.PackageNotFoundError:
        found.append(f"{name} (not installed)")
print(f"Python {platform.python_version()}; " + ", ".join(found))
PYEOF
PROBE='
import sys
from nbkeras.backend.cuda_check import check_cuda, describe
try:
    check_cuda()
except RuntimeError as e:
    sys.exit(f"FAIL: {e}")
print(describe())'
if ! "$PY" -c "$PROBE" 2>&1 | tee -a "$LOG"; then
    say "FAIL: the CUDA device is not usable here (see the line above); nothing else was run."
    exit 2
fi

[ "$DRY" = 1 ] || step "kernels compile to PTX" 90 "$PY" tests/cuda/ptx_check.py
step "CUDA tests on the GPU" 180 env NBKERAS_CUDA_REAL=$REAL "$PY" -m pytest tests/cuda -p no:cacheprovider -q -rfEs
step "bench/gpu.py" 300 "$PY" bench/gpu.py --json "$BENCH_JSON" "${BENCH_ARGS[@]}"

say ""
if [ ${#FAILED[@]} -eq 0 ]; then
    say "gpu_check: ALL PASSED. Log: $LOG; bench figures: $BENCH_JSON"
    exit 0
fi
say "gpu_check: FAILED steps: ${FAILED[*]}. Log: $LOG"
exit 1
