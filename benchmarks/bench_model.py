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
    ModelConfig,
    default_path,
    load,
    read_metadata,
    trace,
    trace_and_straight_through,
)
from vqvae_tui.training.train import TrainOptions, train


def latency(measure, runs: int = 1000) -> list[float]:
    """Milliseconds of `measure(model, image)` on one core, over the ten sample digits."""
    torch.set_num_threads(1)
    model = load()
    images = [draw_strokes(strokes) for strokes in SAMPLES.values()]
    for image in images * 10:  # warm up
        measure(model, image)
    times = []
    for i in range(runs):
        started = time.perf_counter()
        measure(model, images[i % len(images)])
        times.append((time.perf_counter() - started) * 1000)
    return times


def training_throughput(threads: int, images: int = 2048) -> float:
    """Images per second through the real training loop (shipped options, no validation)."""
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    digits = Digits(
        images=np.stack([draw_strokes(s) for s in SAMPLES.values()] * (images // 10)),
        labels=rng.integers(0, 10, images // 10 * 10),
        source="samples",
    )
    options = {**read_metadata(default_path())["options"], "epochs": 2}
    seconds = []

    def report(progress) -> None:
        if progress.validation is None and progress.step == progress.steps:
            seconds.append(progress.seconds)

    with tempfile.TemporaryDirectory() as out:
        empty = Digits(digits.images[:1], digits.labels[:1], "one")
        train(digits, empty, Path(out) / "w", ModelConfig(), TrainOptions(**options), report=report)
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
    for threads in (1, 2):
        rate = training_throughput(threads)
        print(f"| training loop, shipped options, {threads} thread(s) | {rate:,.0f} images/s | |")


if __name__ == "__main__":
    main()
