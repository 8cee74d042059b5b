# Every target sets up .venv first (CPU torch and exact test pins from constraints.txt).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MNIST ?= ../shared/data/mnist
FASHION ?= /usr/share/datasets/fashion-mnist

.PHONY: run test test-tools lint format weights weights-latent weights-fashion eval bench screenshots clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## start the app
	$(BIN)/vqvae-tui

test: $(STAMP) lint  ## the whole test suite
	$(BIN)/python -m pytest -q

test-tools:  ## what tests use from Debian: chromium and ssh (serve), Fashion-MNIST (as root)
	@command -v chromium >/dev/null && command -v ssh >/dev/null \
		&& [ -e /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || \
		(apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
			openssh-client dataset-fashion-mnist)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

weights: $(STAMP) weights-latent weights-fashion  ## retrain the shipped weights from scratch (all four)
	$(BIN)/vqvae-tui train --data $(MNIST) --out weights/mnist --epochs 55 --batch-size 64 --learning-rate 0.002 --kmeans-init \
		--ema-decay 0.95 --dead-code-threshold 0.01 --augment 0.15 --seed 0

weights-latent: $(STAMP)  ## retrain the shipped VAE and plain autoencoder from scratch
	$(BIN)/vqvae-tui train --model vae --data $(MNIST) --out weights/mnist-vae --epochs 30 --batch-size 64 \
		--learning-rate 0.002 --dim 64 --hidden 128 --kl-weight 1 --seed 0
	$(BIN)/vqvae-tui train --model ae --data $(MNIST) --out weights/mnist-ae --epochs 30 --batch-size 64 \
		--learning-rate 0.002 --dim 64 --hidden 128 --seed 0

weights-fashion: $(STAMP)  ## retrain the shipped Fashion-MNIST VQ-VAE (make test-tools installs the data)
	$(BIN)/vqvae-tui train --data $(FASHION) --out weights/fashion --epochs 10 --batch-size 64 --learning-rate 0.002 \
		--kmeans-init --ema-decay 0.95 --dead-code-threshold 0.01 --augment 0.15 --seed 0

eval: $(STAMP)  ## the shipped weights on the validation split
	$(BIN)/vqvae-tui eval --data $(MNIST) --split val

bench: $(STAMP)  ## latency, output size, throughput and memory (results go in the README)
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_ui.py
	$(BIN)/python benchmarks/bench_serve.py
	$(BIN)/python benchmarks/bench_pictures.py
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_variants.py
	$(BIN)/python benchmarks/bench_training.py $(MNIST)

screenshots: $(STAMP)  ## regenerate screenshots/*.svg (the snapshot tests' scenarios)
	$(BIN)/python tests/scenarios.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
