#!/usr/bin/env bash
# The default adapter, from nothing, by the project's own pipeline:
#   corpus -> LISTEN synthesis (the backbone LLM writes the answers) -> benchmarks
#   -> train (factorised recipe) -> package (models/default-adapter + model card)
#   -> export ($LISTEN_HOME/default-bundle) -> evaluate on the held-out test split.
# Every step resumes or skips when its output exists, so an interrupted run goes on.
#
# Expected time on an idle 2-core CPU (nothing else running: llama.cpp and torch both slow
# down 5-25x when they share 2 cores): corpus ~1 min; synthesis with real LLM answers
# ~7 rows/s with llama.cpp (6400 rows ~15 min; SYNTH_ANSWERS=template takes seconds);
# feature cache ~10 min; training 4.3-5.2 s/step (STEPS=300 ~25 min, the config's 1000 ~1.4 h);
# export ~1 min; evaluation ~2 min for EVAL_ROWS=100 (EVAL_ROWS=0: all, ~7 min).
# On a GPU workstation: SYNTH_BACKEND=transformers and `accelerate launch` make it minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
L=.venv/bin/listen
RUN=${RUN:-runs/default}
CLIPS=${CLIPS:-2000}
SEED=${SEED:-0}                # training seed
CORPUS_SEED=${CORPUS_SEED:-7}  # the corpus seed of the committed adapter
SYNTH_ANSWERS=${SYNTH_ANSWERS:-llm}        # llm | template
SYNTH_BACKEND=${SYNTH_BACKEND:-llamacpp}   # llamacpp | transformers
EVAL_ROWS=${EVAL_ROWS:-100}                # yes/no rows per sampling for the card
STEPS=${STEPS:-}                           # optimizer steps (default: the config's 1000)
TRAIN_ARGS=${TRAIN_ARGS:-}                 # extra `listen train` flags, e.g. --cache_dir runs/features
OUT=${OUT:-models/default-adapter}
HOME_DIR=$(.venv/bin/python -c "from core.paths import listen_home; print(listen_home())")
BUNDLE=${BUNDLE:-$HOME_DIR/default-bundle}
mkdir -p "$RUN"

echo "== 1/7 corpus ($CLIPS clips, seed $CORPUS_SEED)"
# (a corpus built before the clip index was renamed holds manifest.jsonl; it still reads)
[[ -f "$RUN/corpus/clips.jsonl" || -f "$RUN/corpus/manifest.jsonl" ]] || $L corpus build --out "$RUN/corpus" --clips "$CLIPS" --seed "$CORPUS_SEED"

echo "== 2/7 LISTEN synthesis (answers: $SYNTH_ANSWERS, backend: $SYNTH_BACKEND; resumes)"
# SmolLM2-135M says "yes" to most absent sounds: rejected generations get the template answer
$L synth run --corpus "$RUN/corpus" --split train --answers "$SYNTH_ANSWERS" --backend "$SYNTH_BACKEND" \
    --on-reject template --seed "$SEED" --out "$RUN/rows.jsonl"

echo "== 3/7 benchmarks for the validation and test splits"
[[ -f "$RUN/bench_validation.jsonl" ]] || $L synth benchmark --corpus "$RUN/corpus" --split validation --seed "$SEED" --out "$RUN/bench_validation.jsonl"
[[ -f "$RUN/bench_test.jsonl" ]] || $L synth benchmark --corpus "$RUN/corpus" --split test --seed "$SEED" --out "$RUN/bench_test.jsonl"

echo "== 4/7 training (resumes from the newest checkpoint)"
SECONDS=0
$L train --config training/configs/default.json --out_dir "$RUN/train" --train_data "$RUN/rows.jsonl" \
    --val_data "$RUN/bench_validation.jsonl" --labels "$RUN/corpus/labels.json" \
    --clip_index "$RUN/corpus/clips.jsonl" --seed "$SEED" --resume auto ${STEPS:+--max_steps "$STEPS"} $TRAIN_ARGS
TRAIN_S=$SECONDS

echo "== 5/7 export the best checkpoint"
$L export --checkpoint "$RUN/train/best" --out "$BUNDLE"

echo "== 6/7 evaluate the bundle on the held-out test split"
$L eval --bundle "$BUNDLE" --benchmark "$RUN/bench_test.jsonl" --clip-index "$RUN/corpus/clips.jsonl" \
    --rows "$EVAL_ROWS" --open-max-new-tokens 24 --out "$RUN/eval_test" --quiet

echo "== 7/7 package $OUT with its model card"
.venv/bin/python scripts/package_default_adapter.py --checkpoint "$RUN/train/best" --out "$OUT" \
    --eval "$RUN/eval_test/metrics.json" --corpus "$RUN/corpus" --rows "$RUN/rows.jsonl" \
    --training-seconds "$TRAIN_S"
echo "done: $OUT (commit it) and $BUNDLE"
