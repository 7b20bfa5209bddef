#!/usr/bin/env bash
# The default presence model, from data to model card (docs/presence.md). Every number in
# models/default-adapter/MODEL_CARD.md comes from these commands:
#   1. the real-recording benchmarks (scripts/real_benchmark.sh's corpus: real_test, unseen),
#   2. a training corpus with the same split seed (its unseen labels are held out of training),
#   3. the LISTEN adapter (the soft tokens the descriptions are worded with), retrained on that
#      corpus from rows the backbone LLM writes (`listen synth run`, the consistency filter on,
#      templates only where it rejects), evaluated alone on the real-recording split, packaged
#      into the adapter folder (hours: the LLM writes ~3.3 rows/s, training ~10 s/step),
#   4. `listen presence train` into the adapter folder (minutes: cached features, no LLM in the
#      loop; the LLM writes the paraphrases once; a first run without 15 labels measures the
#      open path alone on validation and fits the novelty gate),
#   5. the bundle, and `listen eval --bundle` (the edge runtime) on the synthetic test split,
#      the real-recording split and the unseen-labels split,
#   6. the ablation: the same model trained without negatives, on the real-recording split,
#   7. `listen presence card`.
#
#   bash scripts/presence_model.sh            # or: make presence-model
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
L=${LISTEN:-$ROOT/.venv/bin/listen}
OUT=${OUT:-runs/presence}
CLIPS=${CLIPS:-9000}            # training corpus: train / validation / test clips
ROWS=${ROWS:-200}               # yes/no questions scored per sampling
ADAPTER=${ADAPTER:-models/default-adapter}
SYNTH_CLIPS=${SYNTH_CLIPS:-2400}  # train clips the LLM writes rows for (4 rows each)
STEPS=${STEPS:-150}               # adapter optimizer steps (batch 16; ~10 s each on 2 cores)
ADAPTER_ROWS=${ADAPTER_ROWS:-50}  # questions per sampling for the adapter-alone evaluation
HOLDOUT=${HOLDOUT:-15}            # labels held out of the first run (the open path, the novelty gate)
mkdir -p "$OUT"

# the real-recording benchmarks, as scripts/real_benchmark.sh builds them (same corpus, same questions)
"$L" corpus sources
"$L" corpus build --out runs/real/corpus --clips 600 --seed 1 --split-seed 0 --real-test-clips 400 \
    --unseen-labels 20 --unseen-clips 200 --debian-sources --quiet
for split in real_test unseen; do
    [[ -s runs/real/bench/$split.jsonl ]] || "$L" synth benchmark --corpus runs/real/corpus --split $split --out runs/real/bench/$split.jsonl
done
"$L" corpus build --out runs/real/corpus-$CLIPS --clips "$CLIPS" --seed 3 --split-seed 0 --real-test-clips 400 \
    --unseen-labels 20 --unseen-clips 200 --debian-sources --quiet
[[ -s "$OUT/bench/test.jsonl" ]] || "$L" synth benchmark --corpus runs/real/corpus-$CLIPS --split test --out "$OUT/bench/test.jsonl"

# the LISTEN adapter: LLM-written rows (resumes), trained, measured alone, packaged with its card
"$L" synth run --corpus runs/real/corpus-$CLIPS --split train --answers llm --backend llamacpp --on-reject template \
    --seed 0 --max-clips "$SYNTH_CLIPS" --out "$OUT/adapter/rows.jsonl"
[[ -s "$OUT/adapter/bench_validation.jsonl" ]] || "$L" synth benchmark --corpus runs/real/corpus-$CLIPS --split validation \
    --out "$OUT/adapter/bench_validation.jsonl"
start=$(date +%s)
"$L" train --config training/configs/default.json --out_dir "$OUT/adapter/train" --train_data "$OUT/adapter/rows.jsonl" \
    --val_data "$OUT/adapter/bench_validation.jsonl" --labels runs/real/corpus-$CLIPS/labels.json \
    --clip_index runs/real/corpus-$CLIPS/clips.jsonl --seed 0 --resume auto --max_steps "$STEPS" --eval_every 75 --save_every 75
adapter_seconds=$(( $(date +%s) - start ))
"$L" export --checkpoint "$OUT/adapter/train/best" --out "$OUT/bundle-adapter"
"$L" eval --bundle "$OUT/bundle-adapter" --benchmark runs/real/bench/real_test.jsonl --rows "$ADAPTER_ROWS" --out "$OUT/eval/adapter_real" \
    --title "the LISTEN adapter alone, real recordings" --clip-index runs/real/corpus/clips.jsonl --labels runs/real/corpus/labels.json
"$ROOT/.venv/bin/python" scripts/package_default_adapter.py --checkpoint "$OUT/adapter/train/best" --out "$ADAPTER" \
    --eval "$OUT/eval/adapter_real/metrics.json" --corpus runs/real/corpus-$CLIPS --rows "$OUT/adapter/rows.jsonl" \
    --training-seconds "$adapter_seconds"

start=$(date +%s)
"$L" presence train --corpus runs/real/corpus-$CLIPS --out_dir "$ADAPTER" --cache_dir "$OUT/features" --holdout_labels "$HOLDOUT"
seconds=$(( $(date +%s) - start ))
"$L" export --checkpoint "$ADAPTER" --out "$OUT/bundle"
# each split scored with its corpus's clip index (exact labels) and the whole label library (mentions)
declare -A BENCH=([synthetic test]="$OUT/bench/test.jsonl" [real recordings]=runs/real/bench/real_test.jsonl
                  [unseen labels]=runs/real/bench/unseen.jsonl)
declare -A CORPUS=([synthetic test]=runs/real/corpus-$CLIPS [real recordings]=runs/real/corpus [unseen labels]=runs/real/corpus)
for name in "synthetic test" "real recordings" "unseen labels"; do
    dir="$OUT/eval/${name// /_}"
    "$L" eval --bundle "$OUT/bundle" --benchmark "${BENCH[$name]}" --rows "$ROWS" --out "$dir" --title "$name" \
        --clip-index "${CORPUS[$name]}/clips.jsonl" --labels "${CORPUS[$name]}/labels.json"
done

# ablation: positives only (the adapter files are shared; only the presence model differs; no novelty gate)
mkdir -p "$OUT/no-negatives"
cp "$ADAPTER"/adapter.safetensors "$ADAPTER"/adapter_config.json "$ADAPTER"/prompt.json "$ADAPTER"/labels.json \
   "$ADAPTER"/train_config.json "$ADAPTER"/state.json "$OUT/no-negatives/"
"$L" presence train --corpus runs/real/corpus-$CLIPS --out_dir "$OUT/no-negatives" --cache_dir "$OUT/features" --negatives false --holdout_labels 0
"$L" export --checkpoint "$OUT/no-negatives" --out "$OUT/bundle-no-negatives"
"$L" eval --bundle "$OUT/bundle-no-negatives" --benchmark runs/real/bench/real_test.jsonl --rows "$ROWS" \
    --out "$OUT/eval/no_negatives" --title "real recordings, without negatives" --no-open
# the 29-label factorised adapter's answers (scripts/real_benchmark.sh), scored the same way
for split in real_test unseen; do
    "$L" eval --predictions runs/real/eval/$split/predictions.jsonl --clip-index runs/real/corpus/clips.jsonl \
        --labels runs/real/corpus/labels.json --out "$OUT/eval/before_$split" --title "before: $split"
done

sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$0" | grep -v '^\s*#' | grep -E '"\$L" (presence train|export|eval|corpus build|synth benchmark|synth run|train)' | sed 's/^ *//' \
    > "$OUT/commands.txt"  # the commands above, as written here (variables unexpanded: see the top of the script)
"$L" presence card --checkpoint "$ADAPTER" --training-seconds "$seconds" --machine "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    --eval "synthetic test=$OUT/eval/synthetic_test" --eval "real recordings=$OUT/eval/real_recordings" \
    --eval "unseen labels=$OUT/eval/unseen_labels" --eval "real recordings, before (29-label adapter)=$OUT/eval/before_real_test" \
    --eval "unseen labels, before (29-label adapter)=$OUT/eval/before_unseen" --ablation "without negatives=$OUT/eval/no_negatives" \
    --reference "real recordings" --commands "$OUT/commands.txt" --notes "$ADAPTER/presence_notes.md"
