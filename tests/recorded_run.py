"""A finished tiny training run's events, recorded for the training screen's snapshots and
screenshots (deterministic: replayed, never timed).

python tests/recorded_run.py    rewrites tests/data/training-run.json from a new tiny run
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vqvae_tui.settings import DEFAULTS  # noqa: E402
from vqvae_tui.training.runner import TrainingRun  # noqa: E402

RECORDING = ROOT / "tests" / "data" / "training-run.json"
SETTINGS = {**DEFAULTS, "num_codes": 8, "dim": 4, "batch_size": 16, "epochs": 3}


def record() -> list[dict]:
    """Run the tiny training to its end (in a scratch directory, named by relative paths so
    the events hold no scratch path); every event but the last view is dropped (bulk)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import write_tiny_mnist

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        try:
            write_tiny_mnist(Path("tiny"))
            run = TrainingRun(SETTINGS, Path("tiny"), Path("runs/run-1"))
            run.start()
            events: list[dict] = []
            while not run.ended:
                events += run.events()
                time.sleep(0.05)
            run.close()
        finally:
            os.chdir(here)
    views = [event for event in events if event["kind"] == "view"]
    return [event for event in events if event["kind"] != "view" or event is views[-1]]


def recorded() -> list[dict]:
    return json.loads(RECORDING.read_text())


if __name__ == "__main__":
    RECORDING.parent.mkdir(exist_ok=True)
    RECORDING.write_text(json.dumps(record(), separators=(",", ":")) + "\n")
    print(f"wrote {RECORDING.relative_to(ROOT)}")
