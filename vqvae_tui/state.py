"""The app's state as a JSON file: export it, open it again (`vqvae-tui --open FILE`).

A file holds the input pixels (what the state is made from), the edited codes, and for reading
elsewhere every Trace matrix, the codes as a 49-label string and the losses. Opening uses the
pixels and the edits: the running model recomputes the rest, so the same weights show the same
state. Torch-free: no model is needed to read or write a file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from vqvae_tui.errors import UserError
from vqvae_tui.files import MB, read_bounded
from vqvae_tui.model.config import CODE_LABELS, GRID, IMAGE

STATE_FORMAT = "vqvae-tui state"
STATE_VERSION = 1
STATE_LIMIT = 4 * MB  # a state file, every matrix in it, is about 0.2 MB
MATRICES = ("image", "features", "flat", "distances", "codes", "selected", "quantized",
            "reconstruction", "codebook")  # fmt: skip


def state_dict(trace, edits: dict[int, int]) -> dict:
    """Everything on screen that a file should keep."""
    return {
        "format": STATE_FORMAT,
        "version": STATE_VERSION,
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
    """The pixels (28, 28) and edits of a state file; UserError (one line) if it is not one.

    Only what a state is made from is read, and every value of it is checked: pixels are JSON
    numbers in [0, 1], edits map a position ("0".."48") to a whole code number. A file that is
    too large, not a regular file (a directory, /dev/zero) or nested too deep is refused."""
    path = Path(path)
    data = read_bounded(path, STATE_LIMIT)
    try:
        values = json.loads(data)
    except RecursionError:
        raise UserError(f"{path}: not a vqvae-tui state file (nested too deep)") from None
    except (UnicodeDecodeError, ValueError) as error:  # JSON errors, a number of 5,000 digits
        raise UserError(f"{path}: not a vqvae-tui state file ({error})") from None
    if not isinstance(values, dict) or values.get("format") != STATE_FORMAT:
        raise UserError(f"{path}: not a vqvae-tui state file (no format: {STATE_FORMAT!r})")
    if values.get("version", STATE_VERSION) != STATE_VERSION:
        raise UserError(f"{path}: not a version {STATE_VERSION} state file")
    image = read_pixels(values.get("image"), path)
    return image, read_edits(values.get("edits", {}), path, num_codes)


def is_number(value: object) -> bool:
    return type(value) in (int, float)  # not a string, not a boolean (a JSON true is an int)


def described(value: object) -> str:
    """A short description of a bad value, for a one-line message."""
    text = repr(value)
    return text if len(text) <= 20 else f"{text[:17]}…"


def read_pixels(image: object, path: Path) -> np.ndarray:
    if not (
        isinstance(image, list)
        and len(image) == IMAGE
        and all(isinstance(row, list) and len(row) == IMAGE for row in image)
    ):
        raise UserError(f"{path}: image is not {IMAGE}×{IMAGE} numbers")
    for row in image:
        for pixel in row:
            if not is_number(pixel):
                shown = described(pixel)
                raise UserError(f"{path}: image is not {IMAGE}×{IMAGE} numbers ({shown})")
            if not 0 <= pixel <= 1:  # NaN is not either
                raise UserError(f"{path}: image pixels are not in [0, 1] ({described(pixel)})")
    return np.asarray(image, dtype=np.float32)


def read_edits(edits: object, path: Path, num_codes: int) -> dict[int, int]:
    if not isinstance(edits, dict):
        raise UserError(f"{path}: edits are not position → code pairs")
    read = {}
    for position, code in edits.items():
        if not (re.fullmatch("[0-9]{1,2}", position) and type(code) is int):
            raise UserError(
                f"{path}: edits are not position → code pairs"
                f" ({described(position)} → {described(code)})"
            )
        if not (int(position) < GRID * GRID and 0 <= code < num_codes):
            raise UserError(f"{path}: edit {position} → {code} is outside the grid or codebook")
        read[int(position)] = code
    return read
