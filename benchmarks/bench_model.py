"""Model speed: one forward pass + Trace on one core (and, for the details screen, with the
straight-through estimator measured by autograd in the same pass), and training throughput.

    python benchmarks/bench_model.py        (or: make bench)

Prints a Markdown table for the README. Budgets (DESIGN.md): trace ≤ 2 ms median on one core.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from vqvae_tui.data import Digits
from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import (
    LatentConfig,
    ModelConfig,
    default_path,
    load,
    read_metadata,
    trace,
    trace_and_straight_through,
    trace_vae,
    trace_vae_and_gradients,
)
from vqvae_tui.training.train import TrainOptions, train
from vqvae_tui.training.train_latent import LatentTrainOptions, train_latent


def latency(measure, runs: int = 1000, kind: str = "vqvae") -> list[float]:
    """Milliseconds of `measure(model, image)` on one core, over the ten sample digits."""
    torch.set_num_threads(1)
    model = load(kind=kind)
    images = [draw_strokes(strokes) for strokes in SAMPLES.values()]
    for image in images * 10:  # warm up
        measure(model, image)
    times = []
    for i in range(runs):
        started = time.perf_counter()
        measure(model, images[i % len(images)])
        times.append((time.perf_counter() - started) * 1000)
    return times


def training_throughput(threads: int, kind: str = "vqvae", images: int = 2048) -> float:
    """Images per second through the real training loop (the shipped weights' options and
    architecture, no validation)."""
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    digits = Digits(
        images=np.stack([draw_strokes(s) for s in SAMPLES.values()] * (images // 10)),
        labels=rng.integers(0, 10, images // 10 * 10),
        source="samples",
    )
    metadata = read_metadata(default_path(kind))
    options = {**metadata["options"], "epochs": 2}
    seconds = []

    def report(progress) -> None:
        if progress.validation is None and progress.step == progress.steps:
            seconds.append(progress.seconds)

    with tempfile.TemporaryDirectory() as out:
        empty = Digits(digits.images[:1], digits.labels[:1], "one")
        if kind == "vqvae":
            config, run_options, loop = ModelConfig(), TrainOptions(**options), train
        else:
            config = LatentConfig.from_dict(metadata["model"])
            run_options, loop = LatentTrainOptions(**options), train_latent
        loop(digits, empty, Path(out) / "w", config, run_options, report=report)
    return len(digits) / (seconds[1] - seconds[0] if len(seconds) > 1 else seconds[0])


def main() -> None:
    traced = latency(trace)
    print("| measure | result | budget |")
    print("| --- | --- | --- |")
    print(
        f"| forward + Trace, one image, 1 core (median) | {statistics.median(traced):.2f} ms"
        " | ≤ 2 ms |"
    )
    print(f"| forward + Trace, one image, 1 core (p90) | {np.percentile(traced, 90):.2f} ms | |")
    both = statistics.median(latency(trace_and_straight_through))
    print(f"| … and straight-through by autograd (details screen, median) | {both:.2f} ms | |")
    vae = statistics.median(
        latency(lambda model, image: trace_vae(model, image, 0, (0.5, -0.5)), kind="vae")
    )
    print(f"| VAE: forward + trace + a pinned z decoded, 1 core (median) | {vae:.2f} ms | ≤ 2 ms |")
    path = statistics.median(latency(trace_vae_and_gradients, kind="vae"))
    print(f"| … and the gradient path by autograd (graph view, median) | {path:.2f} ms | |")
    for kind in ("vqvae", "vae", "ae"):
        for threads in (1, 2):
            rate = training_throughput(threads, kind)
            print(
                f"| training loop, shipped {kind} options, {threads} thread(s) |"
                f" {rate:,.0f} images/s | |"
            )


if __name__ == "__main__":
    main()
