#!/usr/bin/env bash
# The default presence model, from data to model card (docs/presence.md). Every number in
# models/default-adapter/MODEL_CARD.md comes from these commands:
#   1. the real sources (`listen corpus sources`) and the real-recording benchmarks as
#      scripts/real_benchmark.sh builds them (same corpus, same questions): real_test, real_raw,
#      unseen, unseen_raw (`make real-benchmark` reproduces the card's numbers on them),
#   2. a training corpus with the same split seed (so the same recordings are held out): mixed
#      scenes and solo clips (one sound as it reaches a microphone), validation and validation_raw
#      (every choice is made on them), and its synthetic test split,
#   3. (RETRAIN_ADAPTER=1 only) the LISTEN adapter retrained from rows the backbone LLM writes
#      (`listen synth run`; hours); by default the committed adapter's soft tokens are kept,
#   4. `listen presence train` into the adapter folder (cached features, no LLM in the loop;
#      the LLM writes the paraphrases once; a first run without 15 labels measures the open path
#      alone on validation and fits the novelty gate),
#   5. the bundle, and `listen eval --bundle` (the edge runtime) on every held-out split,
#   6. the previous default bundle (BEFORE, if given) on the same benchmarks: the "before" rows,
#   7. the ablation: the same model trained without negatives, on real_raw,
#   8. `listen presence card`.
#
#   bash scripts/presence_model.sh            # or: make presence-model
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
L=${LISTEN:-$ROOT/.venv/bin/listen}
OUT=${OUT:-runs/presence}
CLIPS=${CLIPS:-12000}           # training corpus: train / validation / test clips
SOLO=${SOLO:-0.5}               # share of train and validation clips that hold one sound alone
# the levers docs/presence.md chose on validation (run G of scripts/presence_levers.sh)
PRESENCE_ARGS=${PRESENCE_ARGS:-"--model.pooling attention --model.segment_frames 10 --model.context 5 --mixup 0.3 --segment_mask 0.15 --hard_negatives 5"}
RETRAIN_ADAPTER=${RETRAIN_ADAPTER:-0}  # 1: retrain the LISTEN adapter too (hours)
BEFORE=${BEFORE:-}              # a previous bundle to score on the same benchmarks ("before" rows)
ROWS=${ROWS:-200}               # yes/no questions scored per sampling
ADAPTER=${ADAPTER:-models/default-adapter}
SYNTH_CLIPS=${SYNTH_CLIPS:-2400}  # train clips the LLM writes rows for (4 rows each)
STEPS=${STEPS:-150}               # adapter optimizer steps (batch 16; ~10 s each on 2 cores)
ADAPTER_ROWS=${ADAPTER_ROWS:-50}  # questions per sampling for the adapter-alone evaluation
HOLDOUT=${HOLDOUT:-15}            # labels held out of the first run (the open path, the novelty gate)
mkdir -p "$OUT"

# the real-recording benchmarks, as scripts/real_benchmark.sh builds them (same corpus, same questions)
[[ "${SKIP_SOURCES:-0}" == 1 ]] || "$L" corpus sources  # SKIP_SOURCES=1: they are fetched already
"$L" corpus build --out runs/real/corpus --clips 600 --seed 1 --split-seed 0 --real-test-clips 400 \
    --unseen-labels 20 --unseen-clips 200 --debian-sources --raw-splits --quiet
for split in real_test real_raw unseen unseen_raw; do
    [[ -s runs/real/bench/$split.jsonl ]] || "$L" synth benchmark --corpus runs/real/corpus --split $split --out runs/real/bench/$split.jsonl
done
"$L" corpus build --out runs/real/corpus-$CLIPS --clips "$CLIPS" --seed 3 --split-seed 0 --real-test-clips 400 \
    --unseen-labels 20 --unseen-clips 200 --debian-sources --solo-share "$SOLO" --raw-splits --quiet
[[ -s "$OUT/bench/test.jsonl" ]] || "$L" synth benchmark --corpus runs/real/corpus-$CLIPS --split test --out "$OUT/bench/test.jsonl"

if [[ "$RETRAIN_ADAPTER" == 1 ]]; then
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
fi

start=$(date +%s)
# shellcheck disable=SC2086
"$L" presence train --corpus runs/real/corpus-$CLIPS --out_dir "$ADAPTER" --cache_dir "$OUT/features" --holdout_labels "$HOLDOUT" \
    $PRESENCE_ARGS
seconds=$(( $(date +%s) - start ))
"$L" export --checkpoint "$ADAPTER" --out "$OUT/bundle"
# each split scored with its corpus's clip index (exact labels) and the whole label library (mentions)
NAMES=("synthetic test" "real recordings" "real recordings, raw" "unseen labels" "unseen labels, raw")
declare -A BENCH=([synthetic test]="$OUT/bench/test.jsonl" [real recordings]=runs/real/bench/real_test.jsonl
                  [real recordings, raw]=runs/real/bench/real_raw.jsonl [unseen labels]=runs/real/bench/unseen.jsonl
                  [unseen labels, raw]=runs/real/bench/unseen_raw.jsonl)
corpus_of() { [[ "$1" == "synthetic test" ]] && echo runs/real/corpus-$CLIPS || echo runs/real/corpus; }
for name in "${NAMES[@]}"; do
    dir="$OUT/eval/${name//[ ,]/_}"
    "$L" eval --bundle "$OUT/bundle" --benchmark "${BENCH[$name]}" --rows "$ROWS" --out "$dir" --title "$name" \
        --clip-index "$(corpus_of "$name")/clips.jsonl" --labels "$(corpus_of "$name")/labels.json"
    if [[ -n "$BEFORE" ]]; then
        "$L" eval --bundle "$BEFORE" --benchmark "${BENCH[$name]}" --rows "$ROWS" --out "$OUT/eval/before_${name//[ ,]/_}" \
            --title "before: $name" --clip-index "$(corpus_of "$name")/clips.jsonl" --labels "$(corpus_of "$name")/labels.json"
    fi
done

# ablation: positives only (the adapter files are shared; only the presence model differs; no novelty gate)
mkdir -p "$OUT/no-negatives"
cp "$ADAPTER"/adapter.safetensors "$ADAPTER"/adapter_config.json "$ADAPTER"/prompt.json "$ADAPTER"/labels.json \
   "$ADAPTER"/train_config.json "$ADAPTER"/state.json "$OUT/no-negatives/"
# shellcheck disable=SC2086
"$L" presence train --corpus runs/real/corpus-$CLIPS --out_dir "$OUT/no-negatives" --cache_dir "$OUT/features" --negatives false \
    --holdout_labels 0 --paraphrases 0 $PRESENCE_ARGS
"$L" export --checkpoint "$OUT/no-negatives" --out "$OUT/bundle-no-negatives"
"$L" eval --bundle "$OUT/bundle-no-negatives" --benchmark runs/real/bench/real_raw.jsonl --rows "$ROWS" \
    --out "$OUT/eval/no_negatives" --title "real recordings, raw, without negatives" --no-open

sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$0" | grep -v '^\s*#' | grep -E '"\$L" (presence train|export|eval|corpus build|synth benchmark|synth run|train)' | sed 's/^ *//' \
    > "$OUT/commands.txt"  # the commands above, as written here (variables unexpanded: see the top of the script)
evals=()
for name in "${NAMES[@]}"; do
    evals+=(--eval "$name=$OUT/eval/${name//[ ,]/_}")
    if [[ -n "$BEFORE" ]]; then evals+=(--eval "$name, before=$OUT/eval/before_${name//[ ,]/_}"); fi
done
"$L" presence card --checkpoint "$ADAPTER" --training-seconds "$seconds" --machine "$(lscpu | sed -n 's/^Model name: *//p' | head -1)" \
    "${evals[@]}" --ablation "without negatives=$OUT/eval/no_negatives" \
    --reference "real recordings, raw" --commands "$OUT/commands.txt" --notes "$ADAPTER/presence_notes.md"
