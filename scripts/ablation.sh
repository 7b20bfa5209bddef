#!/usr/bin/env bash
# The LISTEN ablation (Kuan & Lee 2025; their 66.0 % -> 77.5 % accuracy, 63.7 -> 77.1 F1 of "no"):
# the same clips and the same training budget, (a) positive samples only and (b) positives
# plus negatives, each trained with `listen train` (same config and seed), both evaluated on
# the held-out test benchmark with `listen eval`, printed side by side with the paper's rows.
#
#   bash scripts/ablation.sh                  # or: make ablation STEPS=300 CLIPS=600
#
# Every knob is an environment variable (defaults sized for a 2-core CPU; docs/evaluation.md
# gives the expected time):
OUT=${OUT:-runs/ablation}        # everything goes here: corpus/, rows/, features/, train/, eval/
CLIPS=${CLIPS:-600}              # clips in the synthetic corpus (about 75 % train, 12.5 % test)
CLIP_SECONDS=${CLIP_SECONDS:-10} # seconds per clip (the encoder window is 10 s)
STEPS=${STEPS:-300}              # optimizer steps per arm (the budget; the same for both arms)
BATCH=${BATCH:-16}               # sequences per step
SEED=${SEED:-0}                  # corpus, synthesis, training and benchmark seed
POSITIVES=${POSITIVES:-2}        # positive rows per clip, in both arms
NEGATIVES=${NEGATIVES:-2}        # negative rows per clip, arm (b) only
ANSWERS=${ANSWERS:-template}     # template | llm (the paper: the backbone writes them; ~0.3 rows/s on this CPU)
RECIPES=${RECIPES:-"listen factorised"}  # adapter recipes to ablate; `listen` is plain LISTEN
LLM=${LLM:-default}              # frozen LLM spec (default: SmolLM2-135M GGUF)
WHISPER=${WHISPER:-default}      # encoder spec (default: Whisper tiny.en)
EVAL_ROWS=${EVAL_ROWS:-0}        # test questions per sampling (0 = all)
TRAIN_ARGS=${TRAIN_ARGS:-}       # extra `listen train` flags, the same for every arm
EVAL_ARGS=${EVAL_ARGS:-}         # extra `listen eval` flags
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z "${LISTEN:-}" ]]; then
    if [[ -x "$ROOT/.venv/bin/listen" ]]; then LISTEN="$ROOT/.venv/bin/listen"; else LISTEN=listen; fi
fi
# Plain LISTEN is answer cross-entropy only (no presence loss); factorised is the default
# recipe for LLMs under 1B parameters (presence head + decision tokens, docs/training).
recipe_args() {
    case "$1" in
        listen) echo "--adapter.recipe listen --presence_weight 0" ;;
        factorised) echo "--adapter.recipe factorised" ;;
        *) echo "unknown recipe '$1' in RECIPES (use listen and/or factorised)" >&2; return 2 ;;
    esac
}
stamp() { date +%s; }
log() { echo "== ablation: $*" >&2; }
mkdir -p "$OUT"
TIMES="$OUT/timing.tsv"  # kept across resumes: a stage's first complete run is what it cost
touch "$TIMES"
timed() {  # timed NAME command...: run, and record the seconds it took (once per stage)
    local name=$1 t0
    shift
    t0=$(stamp)
    "$@"
    grep -q "^$name	" "$TIMES" || echo -e "$name\t$(( $(stamp) - t0 ))" >> "$TIMES"
}

# 1. the same clips for both arms
# (a corpus built before the clip index was renamed holds manifest.jsonl; it still reads)
if [[ ! -f "$OUT/corpus/clips.jsonl" && ! -f "$OUT/corpus/manifest.jsonl" ]]; then
    log "corpus: $CLIPS clips of $CLIP_SECONDS s"
    timed corpus "$LISTEN" corpus build --out "$OUT/corpus" --clips "$CLIPS" --clip-seconds "$CLIP_SECONDS" \
        --seed "$SEED" --quiet
fi

# 2. training rows: (b) positives plus negatives, and (a) exactly the positive rows of (b)
log "synthesis ($ANSWERS answers): positives + negatives; arm (a) keeps only their positives"
synth_extra=()
if [[ "$ANSWERS" == llm ]]; then synth_extra=(--on-reject template); fi
timed synth "$LISTEN" synth run --corpus "$OUT/corpus" --out "$OUT/rows/negatives.jsonl" --answers "$ANSWERS" \
    --positives "$POSITIVES" --negatives "$NEGATIVES" --seed "$SEED" --quiet "${synth_extra[@]}" > "$OUT/rows-negatives.log"
grep -F '"kind": "positive"' "$OUT/rows/negatives.jsonl" > "$OUT/rows/positives.jsonl" \
    || { echo "ablation: synthesis wrote no positive rows (POSITIVES=$POSITIVES); nothing to ablate" >&2; exit 2; }
"$LISTEN" synth benchmark --corpus "$OUT/corpus" --split test --out "$OUT/bench_test.jsonl" --seed "$SEED" >&2

# 3. train each arm with the same config and seed, 4. evaluate on the held-out test benchmark
runs=()
names=()
for recipe in $RECIPES; do
    rargs=$(recipe_args "$recipe")
    for arm in positives negatives; do
        name="$recipe-$arm"
        ckpt="$OUT/train/$name/final"
        if [[ ! -f "$ckpt/adapter_config.json" ]]; then
            log "train $name: $STEPS steps x $BATCH sequences"
            # shellcheck disable=SC2086 # rargs and TRAIN_ARGS are flag lists
            timed "train_$name" "$LISTEN" train --train_data "$OUT/rows/$arm.jsonl" --labels "$OUT/corpus/labels.json" \
                --clip_index "$OUT/corpus/clips.jsonl" --out_dir "$OUT/train/$name" --cache_dir "$OUT/features" \
                --llm "$LLM" --encoder.whisper "$WHISPER" --max_steps "$STEPS" --batch_size "$BATCH" --seed "$SEED" \
                --eval_every 0 --save_every 0 --no-progress $rargs $TRAIN_ARGS > "$OUT/train-$name.log"
        fi
        if [[ ! -f "$OUT/eval/$name/metrics.json" ]]; then
            log "evaluate $name on $OUT/bench_test.jsonl"
            # shellcheck disable=SC2086
            timed "eval_$name" "$LISTEN" eval --checkpoint "$ckpt" --benchmark "$OUT/bench_test.jsonl" \
                --labels "$OUT/corpus/labels.json" --clip-index "$OUT/corpus/clips.jsonl" --out "$OUT/eval/$name" \
                --rows "$EVAL_ROWS" --seed "$SEED" --cache-dir "$OUT/features" --title "$name" --quiet $EVAL_ARGS \
                > "$OUT/eval-$name.log"
        fi
        runs+=("$OUT/eval/$name")
        label=$([[ $arm == positives ]] && echo "positives only" || echo "positives + negatives")
        names+=("$recipe: $label")
    done
done

# 5. side by side, with the paper's rows
joined=$(IFS=,; echo "${names[*]}")
{
    echo "# LISTEN ablation: $CLIPS clips x $CLIP_SECONDS s, $STEPS steps x $BATCH sequences, seed $SEED, $ANSWERS answers"
    echo
    "$LISTEN" eval --compare "${runs[@]}" --names "$joined"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    echo "Wall time: $(awk -F'\t' '{s += $2} END {print s}' "$TIMES") s in all stages; per stage (s):"
    sed 's/^/    /' "$TIMES"
} | tee "$OUT/ablation.md"
