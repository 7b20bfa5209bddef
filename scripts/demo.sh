#!/usr/bin/env bash
# The main job on the default models. Today it prepares and reports the default models;
# the assistant demo on the demo clips runs once the default bundle exists (issue 6).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/listen models
if .venv/bin/listen --help | grep -qE '^\s+ask\b'; then
    exec .venv/bin/listen demo
fi
echo
echo "The default bundle (trained adapter + ONNX + GGUF) is not built yet: the ask/serve demo is not available in this version."
