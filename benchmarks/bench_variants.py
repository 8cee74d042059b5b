"""The model's variants and the lab's helpers: trace latency of each encoder/quantizer pair and of
K=64, D=64 on one core, the library's import, reading a picture file, finding data.

    python benchmarks/bench_variants.py        (or: make bench)

Prints a Markdown table for the README. The models are seeded and untrained: a trace costs the
same whatever the weights.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from vqvae_tui.data import find_data, read_picture
from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import VQVAE, ModelConfig, trace

VARIANTS = {
    "conv + ours (K=20, D=16)": ModelConfig(),
    "MLP + ours": ModelConfig(encoder="mlp"),
    "conv + library": ModelConfig(quantizer="library"),
    "conv + library, rotation trick": ModelConfig(quantizer="library", rotation_trick=True),
    "conv + library, cosine": ModelConfig(quantizer="library", distance="cosine"),
    "conv + ours, K=64, D=64": ModelConfig(num_codes=64, dim=64),
}


def median_ms(measure, runs: int) -> float:
    for _ in range(10):  # warm up
        measure()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        measure()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def trace_ms(config: ModelConfig, runs: int = 500) -> float:
    torch.manual_seed(0)
    model = VQVAE(config).eval()
    images = [draw_strokes(strokes) for strokes in SAMPLES.values()]
    count = iter(range(10**9))
    return median_ms(lambda: trace(model, images[next(count) % len(images)]), runs)


def import_seconds(module: str) -> float:
    """Seconds to import `module` in a fresh interpreter that has torch imported already."""
    code = (
        f"import time, torch; started = time.perf_counter(); import {module};"
        " print(time.perf_counter() - started)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(result.stdout)


def picture_ms(size: tuple[int, int]) -> float:
    """Reading a dark-on-light photo of `size` (JPEG) as a drawing."""
    drawn = (draw_strokes(SAMPLES["3"]) * 255).astype(np.uint8)
    scale = min(size) // 28
    photo = np.full(size[::-1], 230, dtype=np.uint8)
    photo[: 28 * scale, : 28 * scale] -= np.kron(drawn, np.ones((scale, scale), np.uint8)) // 2
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "photo.jpg"
        Image.fromarray(photo).save(path, quality=90)
        return median_ms(lambda: read_picture(path), runs=20)


def main() -> None:
    torch.set_num_threads(1)
    rows = [
        (f"trace, {name}, 1 core (median)", f"{trace_ms(c):.2f} ms") for name, c in VARIANTS.items()
    ]
    rows.append(
        (
            "import vector_quantize_pytorch (after torch)",
            f"{import_seconds('vector_quantize_pytorch'):.2f} s",
        )
    )
    rows.append(("read_picture, 640×480 JPEG (median)", f"{picture_ms((640, 480)):.1f} ms"))
    rows.append(("read_picture, 4000×3000 JPEG (median)", f"{picture_ms((4000, 3000)):.1f} ms"))
    rows.append(("find_data, the usual places (median)", f"{median_ms(find_data, 20):.1f} ms"))
    print("| measure | result |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
