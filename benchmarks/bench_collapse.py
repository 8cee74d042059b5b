"""The collapse lab's presets, run as the lab runs them: both sides at once, each in its own
child process (training/runner.py), on the same data and seed.

    python benchmarks/bench_collapse.py [MNIST_DIR] [PRESET_NUMBER ...]

For each preset (all, or those numbered, from 1) and each side: the codes used and the
perplexity over each epoch (counted over the epoch's batches, as the lab shows them), the
validation figures after the last epoch, the wall-clock seconds the pair took and the CPU
seconds both runs used (what the pair would take on two idle cores is about half of those).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vqvae_tui.presets import PRESETS  # noqa: E402
from vqvae_tui.training.runner import TrainingRun  # noqa: E402

MNIST = ROOT.parent / "shared" / "data" / "mnist"


def run_pair(preset, data: Path, scratch: Path) -> tuple[list[list[dict]], float]:
    """Both sides' events, and the seconds from starting both until both ended."""
    runs = [
        TrainingRun(side.values, data, scratch / f"{tag}-run")
        for tag, side in zip("ab", preset.sides)
    ]
    events: list[list[dict]] = [[], []]
    started = time.perf_counter()
    for run in runs:
        run.start()
    while not all(run.ended for run in runs):
        for run, seen in zip(runs, events):
            seen += run.events()
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    for run, seen in zip(runs, events):
        seen += run.events()
        run.close()
    return events, seconds


def summary(events: list[dict]) -> str:
    """Each epoch's last batch (codes used and perplexity over the epoch) and the end."""
    last_batches = {}
    for event in events:
        if event["kind"] == "batch":
            last_batches[event["epoch"]] = event
    k = len(next(iter(last_batches.values()))["counts"]) if last_batches else 0
    parts = [
        f"epoch {epoch}: {b['active']}/{k} codes, perplexity {b['perplexity']:.2f}"
        for epoch, b in last_batches.items()
    ]
    ends = [event for event in events if event["kind"] == "epoch"]
    if ends:
        end = ends[-1]
        parts.append(
            f"validation: {end['codes_used']} codes, perplexity {end['perplexity']:.2f},"
            f" MSE {end['mse']:.4f}"
        )
    restarts = sum(len(event["codes"]) for event in events if event["kind"] == "restart")
    parts.append(f"{restarts} code restarts")
    how = [event for event in events if event["kind"] in ("finished", "failed", "lost")]
    if how and how[-1]["kind"] != "finished":
        parts.append(f"{how[-1]['kind']}: {how[-1]['message']}")
    return "; ".join(parts)


def main() -> None:
    words = sys.argv[1:]
    data = Path(words.pop(0)) if words and not words[0].isdigit() else MNIST
    chosen = [int(word) for word in words] or range(1, len(PRESETS) + 1)
    with tempfile.TemporaryDirectory() as scratch:
        for number in chosen:
            preset = PRESETS[number - 1]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            events, seconds = run_pair(preset, data, Path(scratch) / str(number))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            print(f"{number}. {preset.title}: {seconds:.0f} s for the pair, {cpu:.0f} CPU s")
            for tag, side, seen in zip("AB", preset.sides, events):
                print(f"   {tag} {side.name}: {summary(seen)}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
