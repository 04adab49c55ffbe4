# Two commands set up everything on a fresh machine:
#   make demo   - install, fetch the embedded model, extract the bundled examples
#   make test   - install, fetch the small test model, run the test suite
PYTHON ?= python3
VENV ?= .venv
# llama-cpp-python is compiled here. Not for the build machine's own CPU (-march=native): on these
# VMs that build used instructions the hypervisor traps ("invalid opcode" in libggml-cpu on the first
# long prompt). AVX2/FMA/F16C is what every x86-64 server of the last decade runs; on other
# architectures the x86 options are ignored. --no-cache-dir: pip's wheel cache does not key on
# CMAKE_ARGS, so a wheel built earlier with other flags would be reused silently.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
PIP_INSTALL := $(VENV)/bin/pip install --quiet --no-cache-dir
BIN := $(VENV)/bin
OUT ?= out

.PHONY: install install-dev demo test lint eval nightly bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP_INSTALL) -e '.[embedded]'

install-dev: $(BIN)/python
	$(PIP_INSTALL) -e '.[embedded,dev,serve,cluster]'

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

# Nightly: every dataset whose dataset.json says "nightly": true (each schema's main set), with its
# schema; compare with its previous run and its committed baseline; history in runs/<dataset>/.
NIGHTLY_DATASETS = $(patsubst %/dataset.json,%,$(shell grep -l '"nightly": true' evals/datasets/*/dataset.json))
nightly: install
	$(BIN)/extract model pull qwen2.5-coder-1.5b
	@status=0; for d in $(NIGHTLY_DATASETS); do \
	  echo "== $$d"; \
	  $(BIN)/extract eval --dataset $$d --runs-dir runs/$$(basename $$d) --compare-previous --dataset-baseline || status=1; \
	done; exit $$status

clean:
	rm -rf $(OUT) build *.egg-info
