#!/usr/bin/env bash
# The main job: prepare the default models, assemble the default bundle from the committed
# adapter (once), make a few demo clips (once), and run the assistant on them.
set -euo pipefail
cd "$(dirname "$0")/.."
L=.venv/bin/listen
HOME_DIR=$(.venv/bin/python -c "from core.paths import listen_home; print(listen_home())")
BUNDLE="$HOME_DIR/default-bundle"
DEMO="$HOME_DIR/demo-clips"
ADAPTER=models/default-adapter

$L models
if $L export verify "$BUNDLE" --checkpoint "$ADAPTER" >/dev/null 2>&1; then
    echo "default bundle: $BUNDLE (verified, exported from $ADAPTER)"
else
    echo "assembling the default bundle from $ADAPTER (a few minutes) ..."
    $L export --checkpoint "$ADAPTER" --out "$BUNDLE"
fi
# (demo clips made before the clip index was renamed hold manifest.jsonl; they still read)
if [[ ! -f "$DEMO/clips.jsonl" && ! -f "$DEMO/manifest.jsonl" ]]; then
    # a seed no training run uses: fresh mixtures of synthesized and recorded (sound-theme) events
    $L corpus build --out "$DEMO" --clips 8 --seed 20261126 --quiet
fi
$L demo --bundle "$BUNDLE" --clips "$DEMO" --limit 8
THEME=/usr/share/sounds/freedesktop/stereo/phone-incoming-call.oga
if [[ -f "$THEME" ]]; then
    echo; echo "== a recorded sound-theme file, through \`listen ask\`:"
    $L ask --bundle "$BUNDLE" --audio "$THEME" "Is there a phone ringing?" "Is there a dog barking?" "What do you hear?"
fi
echo
echo "Live: \`.venv/bin/listen serve\` listens on the default microphone (\`listen doctor\` checks the device first)."
