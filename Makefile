# Two commands set up everything on a fresh machine:
#   make demo   - install, fetch the embedded model, extract the bundled examples
#   make test   - install, fetch the small test model, run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: install install-dev demo test lint eval nightly bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embedded]'

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[embedded,dev,serve,cluster]'

demo: install
	$(BIN)/extract model pull qwen2.5-coder-1.5b
	$(BIN)/extract batch examples --out $(OUT)/results.jsonl --out-dir $(OUT)/reports
	@echo "reports in $(OUT)/reports, one JSON line per document in $(OUT)/results.jsonl"

test: install-dev
	$(BIN)/extract model pull qwen2.5-coder-0.5b
	$(BIN)/python -m pytest -q

lint: install-dev
	$(BIN)/ruff check extract schemas evals tests bench
	$(BIN)/mypy extract schemas evals

eval: install
	$(BIN)/extract model pull qwen2.5-coder-1.5b
	$(BIN)/extract eval --dataset evals/datasets/earnings --strategy grounded --strategy direct

# Nightly: eval, compare with the previous run and the committed baseline, keep history in runs/.
nightly: install
	$(BIN)/extract model pull qwen2.5-coder-1.5b
	$(BIN)/extract eval --dataset evals/datasets/earnings --runs-dir runs --compare-previous --baseline evals/baseline/summary.json

clean:
	rm -rf $(OUT) build *.egg-info
