#!/usr/bin/env bash
# Build llama-cpp-python in each x86 variant this CPU can run and time bare llama.cpp in
# each (a 50-token prefill and the decode rate on the default GGUF, 2 threads, medians of 7:
# bench/common.py's bare_llama), beside the build the venv holds. The numbers of
# docs/llama-cpp-builds.md come from this. About 4 minutes of build per variant on 2 cores;
# wheels are kept in runs/llama-builds/ (delete it to rebuild).
#
#   bash scripts/llama_variants.sh             # portable AVX2, and AVX-512 when the CPU has it
#   VARIANTS="avx2 native" bash scripts/llama_variants.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PY:-$ROOT/.venv/bin/python}
OUT=${OUT:-runs/llama-builds}
VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')
# shellcheck source=llama_build.sh
source scripts/llama_build.sh

declare -A ARGS=([avx2]="-DGGML_NATIVE=OFF" [native]="-DGGML_NATIVE=ON")
grep -qw avx512f /proc/cpuinfo && ARGS[avx512]=$(llama_avx512_args)
VARIANTS=${VARIANTS:-avx2 ${ARGS[avx512]:+avx512}}

for v in $VARIANTS; do
    [[ -n "${ARGS[$v]:-}" ]] || { echo "unknown or unsupported variant $v (this CPU: ${!ARGS[*]})" >&2; exit 2; }
    dir="$OUT/$v"
    if [[ ! -d "$dir/llama_cpp" ]]; then
        echo "building llama-cpp-python $VERSION: $v (CMAKE_ARGS=${ARGS[$v]}) ..." >&2
        mkdir -p "$dir/wheel"
        CMAKE_ARGS="${ARGS[$v]}" "$PY" -m pip wheel -q --no-deps --no-cache-dir "llama-cpp-python==$VERSION" -w "$dir/wheel"
        "$PY" -m pip install -q --no-deps --no-compile --target "$dir" "$dir"/wheel/*.whl
    fi
done

gguf=$("$PY" -c 'from core.paths import smollm2_gguf; print(smollm2_gguf())')
echo "| llama.cpp build | CMAKE_ARGS | 50-token prefill (ms) | decode (tok/s) |"
echo "|---|---|---:|---:|"
for v in venv $VARIANTS; do
    path=$ROOT; args="(the venv's build)"
    [[ $v != venv ]] && path="$ROOT/$OUT/$v:$ROOT" && args=${ARGS[$v]}
    PYTHONPATH=$path "$PY" - "$gguf" "$v" "$args" <<'EOF'
import sys
sys.path.insert(0, ".")
from bench.common import bare_llama
import llama_cpp
r = bare_llama(sys.argv[1], 50, 2, 7)
print(f"| {sys.argv[2]} ({llama_cpp.__file__.split('/llama_cpp/')[0].split('/')[-1]}) | `{sys.argv[3]}` | {r['prefill_ms']:.0f} | {r['decode_tok_s']:.0f} |")
EOF
done
