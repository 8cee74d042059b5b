# Every target sets up .venv first (CPU torch and exact test pins from constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MNIST ?= ../shared/data/mnist

.PHONY: run test lint format weights eval bench screenshots clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## start the app
	$(BIN)/vqvae-tui

test: $(STAMP) lint  ## the whole test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

weights: $(STAMP)  ## retrain the shipped weights from scratch
	$(BIN)/vqvae-tui train --data $(MNIST) --out weights/mnist --epochs 60 --kmeans-init \
		--ema-decay 0.99 --dead-code-threshold 0.02 --augment 0.25 --seed 0

eval: $(STAMP)  ## the shipped weights on the validation split
	$(BIN)/vqvae-tui eval --data $(MNIST) --split val

bench: $(STAMP)  ## latency and throughput (results go in the README)
	$(BIN)/python benchmarks/bench_model.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
