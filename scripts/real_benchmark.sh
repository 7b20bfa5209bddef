#!/usr/bin/env bash
# The real-recording evaluation splits and a bundle's numbers on them (docs/evaluation.md §8):
#   1. fetch and extract the real sound sources (`listen corpus sources`, cached in $LISTEN_HOME),
#   2. build a corpus whose held-out splits are real recordings only: `real_test` (scenes of
#      recordings no other split uses), `unseen` (labels no training clip holds), and their raw
#      views `real_raw` and `unseen_raw` (each of those recordings played alone: no bed, no
#      mixing, its own level, its first 10 s),
#   3. write the POPE-style benchmark of each split with `listen synth benchmark`,
#   4. score a bundle (default: the shipped default bundle) on all four with `listen eval --bundle`,
#   5. print one table of them (`listen eval --compare`).
#
#   bash scripts/real_benchmark.sh               # or: make real-benchmark
#
# Every step is cached: a rerun with the same settings reuses the corpus and benchmarks.
# openttd-opensfx is evaluation-only: the builder can put its sounds in real_test/unseen only.
OUT=${OUT:-runs/real}              # corpus/, bench/, eval/ go here
CLIPS=${CLIPS:-600}                # ordinary (train/validation/test) clips; their splits stay unused here
REAL_TEST=${REAL_TEST:-400}        # clips of the real-recording test split
UNSEEN_LABELS=${UNSEEN_LABELS:-20} # labels held out of training entirely
UNSEEN_CLIPS=${UNSEEN_CLIPS:-200}  # clips of the unseen-labels split
SEED=${SEED:-1}                    # corpus seed (clip content)
SPLIT_SEED=${SPLIT_SEED:-0}        # picks the unseen labels; keep it fixed across corpora you compare
BENCH_SEED=${BENCH_SEED:-0}        # benchmark question sampling
ROWS=${ROWS:-200}                  # yes/no questions scored per sampling (0 = all; all takes hours here)
BUNDLE=${BUNDLE:-}                 # bundle to score (default: $LISTEN_HOME/default-bundle)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
L=${LISTEN:-$ROOT/.venv/bin/listen}
[[ -x "$L" ]] || L=listen
if [[ -z "$BUNDLE" ]]; then
    BUNDLE=$("$ROOT/.venv/bin/python" -c "from core.bundle import default_bundle_dir; print(default_bundle_dir())")
fi
mkdir -p "$OUT/bench" "$OUT/eval"

"$L" corpus sources
"$L" corpus build --out "$OUT/corpus" --clips "$CLIPS" --seed "$SEED" --split-seed "$SPLIT_SEED" \
    --real-test-clips "$REAL_TEST" --unseen-labels "$UNSEEN_LABELS" --unseen-clips "$UNSEEN_CLIPS" --debian-sources \
    --raw-splits
"$L" corpus stats "$OUT/corpus" --splits | tail -n 12
SPLITS=(real_test real_raw unseen unseen_raw)
for split in "${SPLITS[@]}"; do
    if [[ ! -s "$OUT/bench/$split.jsonl" ]]; then
        "$L" synth benchmark --corpus "$OUT/corpus" --split "$split" --out "$OUT/bench/$split.jsonl" --seed "$BENCH_SEED"
    fi
    "$L" eval --bundle "$BUNDLE" --benchmark "$OUT/bench/$split.jsonl" --rows "$ROWS" --seed "$BENCH_SEED" \
        --out "$OUT/eval/$split" --title "$(basename "$BUNDLE") on $split"
done
echo "reports: $OUT/eval/{real_test,real_raw,unseen,unseen_raw}/report.md"
"$L" eval --compare "${SPLITS[@]/#/$OUT/eval/}" --names "$(IFS=,; echo "${SPLITS[*]}")"
"$ROOT/.venv/bin/python" "$ROOT/scripts/known_vs_unknown.py" "$BUNDLE" "${SPLITS[@]/#/$OUT/eval/}"
