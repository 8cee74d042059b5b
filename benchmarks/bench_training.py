"""Training in the app: keystrokes while a run trains, and the run's throughput in the app
against `vqvae-tui train` with the same settings.

    python benchmarks/bench_training.py [MNIST_DIR] [--keystrokes]     (or: make bench)

--keystrokes: only the keystrokes (the run is stopped after them; no throughput).

Keystrokes: the app headless (Textual's Pilot) with a run training on MNIST in its child
process; each ↓ on the settings is timed from the press until the screen has handled it and
rendered its next frame (Pilot's press, then pause): the event loop's latency while the run's
events stream in. Throughput: the training seconds the sidecar records for the same epochs
(train() times each epoch's batches and validation), for a run started from the training
screen and for the train command.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from vqvae_tui.model import load, read_metadata  # noqa: E402
from vqvae_tui.training.settings import DEFAULTS, command_line  # noqa: E402

EPOCHS = 2
PRESSES = 200
SETTINGS = {**DEFAULTS, "epochs": EPOCHS}


async def in_the_app(data: Path, runs: Path, whole_run: bool) -> tuple[list[float], float]:
    from scenarios import make_app

    app = make_app(load(), data=data, runs=runs)
    latencies = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        screen.values.update(SETTINGS)
        await pilot.press("space")
        while not screen.record.batches:
            await asyncio.sleep(0.05)
        for _ in range(PRESSES):
            started = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.02)
        if not whole_run:
            await pilot.press("x")
        while not screen.record.ended:
            await asyncio.sleep(0.1)
        if not whole_run:
            return latencies, 0.0
        assert screen.record.state == "finished", screen.record.message
    return latencies, read_metadata(runs / "run-1")["training_seconds"]


def with_the_command(data: Path, out: Path) -> float:
    line = command_line(SETTINGS, data, out).split()
    subprocess.run([sys.executable, "-m", "vqvae_tui", *line[1:]], check=True, capture_output=True)
    return read_metadata(out)["training_seconds"]


def main() -> None:
    arguments = [a for a in sys.argv[1:] if a != "--keystrokes"]
    whole_run = "--keystrokes" not in sys.argv
    data = Path(arguments[0]) if arguments else ROOT.parent / "shared" / "data" / "mnist"
    with tempfile.TemporaryDirectory() as scratch:
        latencies, app_seconds = asyncio.run(in_the_app(data, Path(scratch) / "runs", whole_run))
        cli_seconds = with_the_command(data, Path(scratch) / "cli") if whole_run else 0.0
    latencies.sort()
    print(f"keystroke → screen while training: median {statistics.median(latencies):.1f} ms,"
          f" p95 {latencies[int(0.95 * len(latencies))]:.1f} ms, max {latencies[-1]:.1f} ms"
          f" ({len(latencies)} presses)")  # fmt: skip
    if not whole_run:
        return
    print(f"{EPOCHS} epochs of the recipe: in the app {app_seconds:.1f} s, `vqvae-tui train`"
          f" {cli_seconds:.1f} s: the app's throughput is {cli_seconds / app_seconds:.0%}"
          " of the command's")  # fmt: skip


if __name__ == "__main__":
    main()
