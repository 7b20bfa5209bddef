#!/usr/bin/env bash
# The llama.cpp build flags (CMAKE_ARGS for llama-cpp-python) that suit the machine it is
# built on; scripts/setup.sh sources this, and `bash scripts/llama_build.sh` prints the
# choice and why. Variants and their measured speed: docs/llama-cpp-builds.md.
#
#   variant   when                                 CMAKE_ARGS
#   cuda      a Jetson (L4T), or a GPU and nvcc    -DGGML_CUDA=on
#   native    aarch64 / arm64                      -DGGML_NATIVE=ON (NEON, dotprod, i8mm as the core has them)
#   avx2      x86-64                               -DGGML_NATIVE=OFF (portable AVX2 + FMA + F16C)
#   avx512    x86-64 with AVX-512, only on request -DGGML_NATIVE=OFF -DGGML_AVX512=ON ... (no AMX)
#
# x86 gets the portable build: AVX-512 measured no faster at prefill for SmolLM2-135M Q4_1
# on 2 cores (docs/llama-cpp-builds.md), and a wheel tied to one CPU's extensions breaks when
# the venv moves. Never GGML_NATIVE=ON on x86: on a Xeon with AMX it turns AMX_INT8 on, and
# that build segfaults at the first decode (issue 18). nvcc alone is no reason for CUDA: CI
# machines carry a CUDA toolkit and no GPU, and a CUDA build takes far longer.
#
# LLAMA_BUILD=cuda|native|avx2|avx512 picks a variant by name. Inputs, for tests:
# LLAMA_CPUINFO (/proc/cpuinfo), LLAMA_MACHINE (`uname -m`), LLAMA_TEGRA
# (/etc/nv_tegra_release), LLAMA_GPU (/dev/nvidia0).

llama_avx512_args() {
    local flags=" $(grep -m1 '^flags' "${LLAMA_CPUINFO:-/proc/cpuinfo}" 2>/dev/null | cut -d: -f2) "
    local args="-DGGML_NATIVE=OFF -DGGML_AVX512=ON"
    [[ "$flags" == *" avx512vbmi "* ]] && args+=" -DGGML_AVX512_VBMI=ON"
    [[ "$flags" == *" avx512_vnni "* ]] && args+=" -DGGML_AVX512_VNNI=ON"
    [[ "$flags" == *" avx512_bf16 "* ]] && args+=" -DGGML_AVX512_BF16=ON"
    echo "$args"
}

# "variant|CMAKE_ARGS|why" for this machine
llama_build_choice() {
    local machine=${LLAMA_MACHINE:-$(uname -m)} tegra=${LLAMA_TEGRA:-/etc/nv_tegra_release} gpu=${LLAMA_GPU:-/dev/nvidia0}
    case "${LLAMA_BUILD:-}" in
        cuda) echo "cuda|-DGGML_CUDA=on|asked for (LLAMA_BUILD)"; return ;;
        native) echo "native|-DGGML_NATIVE=ON|asked for (LLAMA_BUILD)"; return ;;
        avx2) echo "avx2|-DGGML_NATIVE=OFF|asked for (LLAMA_BUILD)"; return ;;
        avx512) echo "avx512|$(llama_avx512_args)|asked for (LLAMA_BUILD)"; return ;;
        "") ;;
        *) echo "LLAMA_BUILD=$LLAMA_BUILD is not a variant; use cuda, native, avx2 or avx512" >&2; return 2 ;;
    esac
    if [[ -e "$tegra" ]] || { [[ -e "$gpu" ]] && command -v nvcc >/dev/null; }; then
        echo "cuda|-DGGML_CUDA=on|a Jetson (L4T), or an NVIDIA GPU with nvcc"
        return
    fi
    case "$machine" in
        aarch64|arm64) echo "native|-DGGML_NATIVE=ON|ARM: built for this core's NEON/dotprod/i8mm" ;;
        x86_64|amd64) echo "avx2|-DGGML_NATIVE=OFF|x86: the portable AVX2 build" ;;
        *) echo "avx2|-DGGML_NATIVE=OFF|unknown machine $machine: the portable build" ;;
    esac
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    choice=$(llama_build_choice) || exit 2
    IFS='|' read -r name args why <<< "$choice"
    echo "llama.cpp build for this machine: $name ($why)"
    echo "CMAKE_ARGS=\"$args\""
fi
