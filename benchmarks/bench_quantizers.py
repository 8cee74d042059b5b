"""Library against hand-written: the lecture's two exercises, trained by our own training loop
with the same seed, data, K, D and options, once with our quantizer (model/vqvae.py) and once
with vector-quantize-pytorch's `VectorQuantize` (model/library.py).

    python benchmarks/bench_quantizers.py --data DIR [--epochs 10] [--encoders mlp conv]

Two recipes: the shipped one (k-means initialisation, EMA codebook updates, dead-code restarts,
augmentation; weights/mnist.json's options) and the plain VQ-VAE (a random codebook, the
codebook loss, no restarts). Each run trains on the 9,000 training digits and is measured on the
1,000 validation digits (data/mnist.py's split). Prints a Markdown table for the README: the
validation MSE, the codes used and the perplexity over the validation split, the run's training
time (its epochs, each with its validation; the median epoch in brackets) and its wall time
(with the code prior and atlas measured when a run ends).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model import ModelConfig
from vqvae_tui.training import TrainOptions, train

SHIPPED = Path(__file__).resolve().parent.parent / "weights" / "mnist.json"
RECIPES = {
    "shipped": {},  # weights/mnist.json's options
    "plain": {"ema_decay": 0.0, "kmeans_init": False, "dead_code_threshold": 0.0, "augment": 0.0},
}


def recipe(name: str, epochs: int) -> TrainOptions:
    shipped = TrainOptions(**json.loads(SHIPPED.read_text())["options"])
    return replace(shipped, epochs=epochs, **RECIPES[name])


def run(data: Path, config: ModelConfig, options: TrainOptions) -> dict:
    train_digits, validation = training_digits(data), validation_digits(data)
    epochs = []
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        train(
            train_digits,
            validation,
            Path(directory) / "w",
            config,
            options,
            report=lambda p: p.validation is None or epochs.append(p),
        )
        seconds = time.perf_counter() - started
    last = epochs[-1].validation
    ends = [0.0] + [p.seconds for p in epochs]  # each epoch's training and validation
    return {
        "mse": last.mse,
        "codes_used": last.codes_used,
        "perplexity": last.perplexity,
        "seconds": seconds,
        "training_seconds": epochs[-1].seconds,
        "epoch_seconds": statistics.median(b - a for a, b in zip(ends, ends[1:])),
        "mse_by_epoch": [round(p.validation.mse, 5) for p in epochs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="directory of MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--codes", type=int, default=20, help="K")
    parser.add_argument("--dim", type=int, default=16, help="D")
    parser.add_argument("--encoders", nargs="+", default=["mlp", "conv"], choices=["mlp", "conv"])
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = []
    for encoder in args.encoders:
        for recipe_name in args.recipes:
            options = recipe(recipe_name, args.epochs)
            for quantizer in ("ours", "library"):
                config = ModelConfig(
                    num_codes=args.codes, dim=args.dim, encoder=encoder, quantizer=quantizer
                )
                result = run(args.data, config, options)
                print(json.dumps({"encoder": encoder, "recipe": recipe_name,
                                  "quantizer": quantizer, **result}), flush=True)  # fmt: skip
                rows.append((encoder, recipe_name, quantizer, result))
    print(
        f"\nK={args.codes}, D={args.dim}, {args.epochs} epochs, seed 0, torch threads"
        f" {torch.get_num_threads()}, load average {load_before:.1f} before,"
        f" {os.getloadavg()[0]:.1f} after\n"
    )
    print(
        "| encoder | recipe | quantizer | validation MSE | codes used | perplexity"
        " | training (median epoch) | wall time |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for encoder, recipe_name, quantizer, r in rows:
        print(
            f"| {encoder} | {recipe_name} | {quantizer} | {r['mse']:.4f} |"
            f" {r['codes_used']} of {args.codes} | {r['perplexity']:.2f} |"
            f" {r['training_seconds']:.0f} s ({r['epoch_seconds']:.1f} s) | {r['seconds']:.0f} s |"
        )


if __name__ == "__main__":
    main()
