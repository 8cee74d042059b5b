"""Two tiny runs of the collapse lab's first preset, recorded together for the lab's snapshots
and screenshots (deterministic: replayed, never timed). The lab shows no PCA and no pictures,
so their view events are dropped.

python tests/recorded_collapse.py    rewrites tests/data/collapse-runs.json from two new runs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from recorded_run import record_runs  # noqa: E402

from vqvae_tui.presets import PRESETS  # noqa: E402

RECORDING = ROOT / "tests" / "data" / "collapse-runs.json"
PRESET = 0  # the classic failure against the full fix
SHARED = {"batch_size": 16}  # both sides: the tiny set's 180 digits make 12 batches an epoch


def record() -> dict:
    settings = [{**side.values, **SHARED} for side in PRESETS[PRESET].sides]
    runs = record_runs(settings)
    return {
        "preset": PRESET,
        "shared": SHARED,
        "runs": [[event for event in events if event["kind"] != "view"] for events in runs],
    }


def recorded() -> tuple[int, list[list[dict]]]:
    """The preset's number and both runs' events, as CollapseScreen(replay=...) takes them."""
    recording = json.loads(RECORDING.read_text())
    return recording["preset"], recording["runs"]


if __name__ == "__main__":
    RECORDING.parent.mkdir(exist_ok=True)
    RECORDING.write_text(json.dumps(record(), separators=(",", ":")) + "\n")
    print(f"wrote {RECORDING.relative_to(ROOT)}")
