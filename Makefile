# LISTEN-Edge. `make help` lists the targets.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: help setup test test-fast test-unit demo models bench clean default-bundle

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup:  ## install system packages, .venv, torch (CPU), llama-cpp-python, the project and the default weights
	bash scripts/setup.sh

test: setup  ## set up, then run the whole test suite (what CI runs)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup  ## only the fast tests (no real default weights)
	$(PY) -m pytest -m "not real_weights" $(PYTEST_ARGS)

# No `setup` first: the edit-test loop after `make setup`. LISTEN_TESTS_TORCH_FREE makes
# tests/conftest.py refuse torch's imports, so a test that needs torch and escaped the `torch`
# marker fails here instead of quietly slowing this run down.
test-unit:  ## the torch-free tests, in about two minutes (after `make setup`; CI runs `make test`)
	@test -x $(PY) || { echo "no $(PY): run make setup first"; exit 1; }
	LISTEN_TESTS_TORCH_FREE=1 $(PY) -m pytest -m "not torch and not real_weights" \
		--ignore=tests/training --ignore=tests/export $(PYTEST_ARGS)

models: setup  ## prepare and report the default models (offline)
	$(VENV)/bin/listen models

demo: setup  ## the main job: prepare the default models and run the assistant on the demo clips
	bash scripts/demo.sh

default-bundle: setup  ## retrain the default adapter from scratch (hours on CPU; see scripts/default_bundle.sh)
	bash scripts/default_bundle.sh

bench: setup  ## run every benchmark in bench/ and write bench/RESULTS.md and the README's table
	$(PY) bench/run_all.py --out bench/RESULTS.md --readme README.md

clean:  ## remove the virtual environment and caches in the repository (not $$LISTEN_HOME)
	rm -rf $(VENV) .pytest_cache build *.egg-info

.PHONY: ablation
ablation: setup  ## the LISTEN ablation: positives only vs + negatives, side by side (STEPS, CLIPS, RECIPES, OUT: scripts/ablation.sh)
	bash scripts/ablation.sh

.PHONY: presence-model
presence-model: setup  ## train the default presence model, export, evaluate through the edge and write its card (scripts/presence_model.sh)
	bash scripts/presence_model.sh

.PHONY: real-benchmark
real-benchmark: setup  ## real-recording splits (real_test, real_raw, unseen, unseen_raw) and the default bundle's numbers on them (scripts/real_benchmark.sh)
	bash scripts/real_benchmark.sh
