"""Model speed: one forward pass + Trace on one core, and training throughput.

    python benchmarks/bench_model.py        (or: make bench)

Prints a Markdown table for the README. Budgets (DESIGN.md): trace ≤ 2 ms median on one core.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import VQVAE, ModelConfig, load, trace
from vqvae_tui.training.train import TrainOptions, new_state


def trace_latency(runs: int = 1000) -> list[float]:
    torch.set_num_threads(1)
    model = load()
    images = [draw_strokes(strokes) for strokes in SAMPLES.values()]
    for image in images * 10:  # warm up
        trace(model, image)
    times = []
    for i in range(runs):
        started = time.perf_counter()
        trace(model, images[i % len(images)])
        times.append((time.perf_counter() - started) * 1000)
    return times


def training_throughput(threads: int, steps: int = 60, batch_size: int = 128) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = VQVAE(ModelConfig()).train()
    state = new_state(model, TrainOptions())
    x = torch.from_numpy(np.random.default_rng(0).random((batch_size, 1, 28, 28), np.float32))
    for step in range(steps + 5):
        if step == 5:
            started = time.perf_counter()
        x_hat, _, q = model(x)
        losses = model.losses(x, x_hat, q)
        state.optimizer.zero_grad()
        losses.total.backward()
        state.optimizer.step()
    return steps * batch_size / (time.perf_counter() - started)


def main() -> None:
    latency = trace_latency()
    p90 = float(np.percentile(latency, 90))
    print("| measure | result | budget |")
    print("| --- | --- | --- |")
    print(
        f"| forward + Trace, one image, 1 core (median) | {statistics.median(latency):.2f} ms"
        " | ≤ 2 ms |"
    )
    print(f"| forward + Trace, one image, 1 core (p90) | {p90:.2f} ms | |")
    for threads in (1, 2):
        rate = training_throughput(threads)
        print(f"| training, batch 128, {threads} thread(s) | {rate:,.0f} images/s | |")


if __name__ == "__main__":
    main()
