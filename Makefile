# Synthetic Data Studio. `make run` and `make test` each create or refresh .venv first;
# the stamp files make them fast when pyproject.toml has not changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
PIP := $(BIN)/pip --disable-pip-version-check --quiet

.PHONY: run test lint format unit app browser bench chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# torch first, from the local CPU wheel: otherwise sdv pulls a multi-GB CUDA build.
$(VENV)/.torch: | $(BIN)/python
	$(PIP) install torch==2.13.0
	touch $@

# Installed without their pins (their other needs are in pyproject.toml):
# - anonymeter 1.1.0 pins numpy<1.27 and pyarrow<22, which would break SDV; it runs correctly
#   with ours (tests/unit/test_privacy_risk.py).
# - smartnoise-synth 1.0.8 pins opacus<0.15; TabularARGN needs opacus>=1.6, which MST runs with
#   (tests/unit/test_dp.py).
# - mostlyai-engine 2.7.3 asks for torchvision and torchaudio (CUDA builds on the registry, which
#   break `import transformers` beside the CPU torch), xgrammar and peft (language models only).
NO_DEPS := anonymeter==1.1.0 smartnoise-synth==1.0.8 mostlyai-engine==2.7.3

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(PIP) install -e .
	$(PIP) install --no-deps $(NO_DEPS)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test,scale]'
	touch $@

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'apt-get install -y chromium chromium-driver' as root" >&2; \
	    exit 1; \
	  fi; \
	fi

run: $(VENV)/.installed
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy synth_core

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint chromium
	$(BIN)/python -m pytest

# The fast lane: unit and contract tests not marked slow (no app, no browser, no neural or DP
# training, no many-seed statistics): about two minutes. `make test` runs everything.
unit: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not slow" tests/unit tests/contract

app: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/app

browser: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest -m browser

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_gaussian_copula.py
	$(BIN)/python benchmarks/bench_fidelity.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
