"""The app's state as a JSON file: export it, open it again (`vqvae-tui --open FILE`).

A file holds the input pixels (what the state is made from), the edited codes, and for reading
elsewhere every Trace matrix, the codes as a 49-label string and the losses. Opening uses the
pixels and the edits: the running model recomputes the rest, so the same weights show the same
state. Torch-free: no model is needed to read or write a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from vqvae_tui.errors import UserError
from vqvae_tui.model.config import CODE_LABELS, GRID, IMAGE

STATE_FORMAT = "vqvae-tui state"
MATRICES = ("image", "features", "flat", "distances", "codes", "selected", "quantized",
            "reconstruction", "codebook")  # fmt: skip


def state_dict(trace, edits: dict[int, int]) -> dict:
    """Everything on screen that a file should keep."""
    return {
        "format": STATE_FORMAT,
        "version": 1,
        "codes_string": "".join(CODE_LABELS[int(c)] for c in trace.codes),
        "edits": {str(position): code for position, code in sorted(edits.items())},
        "losses": {
            "reconstruction": trace.reconstruction_loss,
            "codebook": trace.codebook_loss,
            "commitment": trace.commitment_loss,
        },
        **{name: np.asarray(getattr(trace, name)).tolist() for name in MATRICES},
    }


def state_json(trace, edits: dict[int, int]) -> str:
    """The text of a state file (`vqvae_tui.exports` writes it)."""
    return json.dumps(state_dict(trace, edits)) + "\n"


def read_state(path: str | os.PathLike, num_codes: int) -> tuple[np.ndarray, dict[int, int]]:
    """The pixels (28, 28) and edits of a state file; UserError (one line) if it is not one."""
    path = Path(path)
    try:
        values = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UserError(f"{path}: not a vqvae-tui state file ({error})") from None
    if not isinstance(values, dict) or values.get("format") != STATE_FORMAT:
        raise UserError(f"{path}: not a vqvae-tui state file (no format: {STATE_FORMAT!r})")
    try:
        image = np.asarray(values["image"], dtype=np.float32)
    except (KeyError, TypeError, ValueError):
        image = np.zeros(0)
    if image.shape != (IMAGE, IMAGE) or not np.isfinite(image).all():
        raise UserError(f"{path}: image is not {IMAGE}×{IMAGE} numbers")
    if image.min() < 0 or image.max() > 1:
        raise UserError(f"{path}: image pixels are not in [0, 1]")
    raw = values.get("edits", {})
    try:
        edits = {int(position): int(code) for position, code in dict(raw).items()}
    except (TypeError, ValueError):
        raise UserError(f"{path}: edits are not position → code pairs") from None
    for position, code in edits.items():
        if not (0 <= position < GRID * GRID and 0 <= code < num_codes):
            raise UserError(f"{path}: edit {position} → {code} is outside the grid or codebook")
    return image, edits
