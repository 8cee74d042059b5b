"""What each code stands for, measured on the training digits when a run ends (beside the
prior) and stored in the weights' JSON sidecar as `atlas`.

For each code: how many latent positions of the training digits chose it, the mean of the input
windows around those positions, and the few windows whose encoder vectors lie nearest the code
(smallest d², one a digit), with where each comes from. A window is a position's 4×4 patch with
CONTEXT pixels around it (outside the picture counts as black): it holds every pixel the
encoder's vector there depends on (the patch and the 3 pixels above and left of it,
config.RECEPTIVE_FIELD) and every pixel the decoder draws from the code there (4 around).

In the sidecar, pixels are hex strings: a window row-major, two hex digits a pixel (00 black,
ff white).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from vqvae_tui.errors import WeightsError
from vqvae_tui.model.codes import decode
from vqvae_tui.model.config import GRID, IMAGE, PATCH, POSITIONS
from vqvae_tui.model.vqvae import VQVAE

CONTEXT = PATCH  # pixels of context on each side of a position's patch
WINDOW = PATCH + 2 * CONTEXT  # a window's side, in pixels
EXAMPLES = 4  # windows nearest each code, each from another digit
LEVELS = 255  # a pixel's stored level: 0 black … 255 white
NEARNESS_DECIMALS = 5  # d² is ranked to this many decimals, so that the last bits of a
# convolution (threads, memory layout) cannot reorder the nearest windows


@dataclass(frozen=True)
class Patch:
    """One training digit's window around a position that chose a code."""

    digit: int  # its index in the training split
    label: int  # the digit's class
    position: int  # row-major over the grid
    pixels: np.ndarray  # (WINDOW, WINDOW) in [0, 1]

    def to_json(self) -> dict:
        return {"digit": self.digit, "label": self.label, "position": self.position,
                "pixels": to_hex(self.pixels)}  # fmt: skip


@dataclass(frozen=True)
class CodePatches:
    """The training split's patches that chose one code."""

    count: int  # latent positions of the training digits that chose it
    mean: np.ndarray  # (WINDOW, WINDOW): their mean window (black when unused)
    nearest: tuple[Patch, ...]  # up to EXAMPLES windows, nearest the code first

    def to_json(self) -> dict:
        return {"count": self.count, "mean": to_hex(self.mean),
                "nearest": [patch.to_json() for patch in self.nearest]}  # fmt: skip


@dataclass(frozen=True)
class CodeAtlas:
    codes: tuple[CodePatches, ...]  # one a code

    @property
    def positions(self) -> int:
        """Latent positions measured: the training digits × the grid's positions."""
        return sum(code.count for code in self.codes)

    def share(self, code: int) -> float:
        """The share of the measured positions that chose `code`."""
        return self.codes[code].count / max(self.positions, 1)

    def to_json(self) -> dict:
        return {"window": WINDOW, "codes": [code.to_json() for code in self.codes]}


def windows(images: torch.Tensor) -> torch.Tensor:
    """(n, 28, 28) → (n, POSITIONS, WINDOW, WINDOW): each position's window, row-major."""
    padded = F.pad(images.unsqueeze(1), (CONTEXT,) * 4)  # outside the picture: black
    around = F.unfold(padded, WINDOW, stride=PATCH)  # (n, WINDOW², POSITIONS)
    return around.transpose(1, 2).reshape(len(images), POSITIONS, WINDOW, WINDOW)


@torch.inference_mode()
def measure_atlas(model: VQVAE, digits, batch_size: int = 1000) -> CodeAtlas:
    """The atlas of `model`'s codes over the training `digits` (a data.Digits: `images`
    (n, 28, 28) in [0, 1], `labels` (n,))."""
    images, labels = digits.images, digits.labels
    model = copy.deepcopy(model).to(memory_format=torch.contiguous_format)  # as weights load
    k = model.config.num_codes
    sums = torch.zeros(k, WINDOW * WINDOW, dtype=torch.float64)
    codes, nearness = [], []  # per position of every digit: its code, and d² to it
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(np.asarray(images[start : start + batch_size], np.float32))
        q = model.quantizer(model.encoder(x.unsqueeze(1)))  # the codes: no need to decode
        sums.index_add_(0, q.codes, windows(x).reshape(-1, WINDOW * WINDOW).double())
        codes.append(q.codes.numpy())
        nearness.append(q.distances.gather(1, q.codes[:, None])[:, 0].numpy())
    sums = sums.numpy()
    codes = np.concatenate(codes)
    nearness = np.round(np.concatenate(nearness), NEARNESS_DECIMALS)  # near ties: by digit
    counts = np.bincount(codes, minlength=k)
    entries = []
    for code in range(k):
        chosen = np.flatnonzero(codes == code)
        nearest, seen = [], set()
        for index in chosen[np.argsort(nearness[chosen], kind="stable")]:
            digit, position = divmod(int(index), POSITIONS)
            if digit not in seen:
                seen.add(digit)
                pixels = windows(torch.from_numpy(images[digit : digit + 1]))[0, position].numpy()
                nearest.append(Patch(digit, int(labels[digit]), position, quantized(pixels)))
            if len(nearest) == EXAMPLES:
                break
        mean = (sums[code] / max(counts[code], 1)).reshape(WINDOW, WINDOW)
        entries.append(CodePatches(int(counts[code]), quantized(mean), tuple(nearest)))
    return CodeAtlas(tuple(entries))


def quantized(pixels: np.ndarray) -> np.ndarray:
    """Pixels as the sidecar stores them: LEVELS + 1 levels."""
    return levels_of(pixels).astype(np.float32) / LEVELS


def levels_of(pixels: np.ndarray) -> np.ndarray:
    return np.round(np.clip(pixels, 0, 1) * LEVELS).astype(np.uint8)


def to_hex(pixels: np.ndarray) -> str:
    return levels_of(pixels).tobytes().hex()


def from_hex(value: object) -> np.ndarray:
    if not isinstance(value, str) or len(value) != 2 * WINDOW * WINDOW:
        raise ValueError(f"pixels are not {WINDOW}×{WINDOW} hex bytes")
    levels = np.frombuffer(bytes.fromhex(value), np.uint8)  # ValueError if not hex
    return levels.reshape(WINDOW, WINDOW).astype(np.float32) / LEVELS


def count_of(value: object, name: str, limit: int | None = None) -> int:
    """A whole number from JSON (not a boolean), within [0, limit)."""
    if type(value) is not int or value < 0 or (limit is not None and value >= limit):
        within = "" if limit is None else f" below {limit}"
        raise ValueError(f"{name} is not a whole number{within}")
    return value


def patch_of(value: object) -> Patch:
    if not isinstance(value, dict):
        raise ValueError("a nearest patch is not an object")
    return Patch(
        digit=count_of(value.get("digit"), "digit"),
        label=count_of(value.get("label"), "label"),
        position=count_of(value.get("position"), "position", POSITIONS),
        pixels=from_hex(value.get("pixels")),
    )


def code_patches_of(value: object) -> CodePatches:
    if not isinstance(value, dict) or not isinstance(value.get("nearest"), list):
        raise ValueError("not an object with count, mean and nearest")
    count = count_of(value.get("count"), "count")
    nearest = tuple(patch_of(patch) for patch in value["nearest"])
    if len(nearest) > min(count, EXAMPLES):
        raise ValueError(f"more nearest patches than {min(count, EXAMPLES)}")
    return CodePatches(count, from_hex(value.get("mean")), nearest)


def atlas_of(sidecar: dict, num_codes: int, where: str | os.PathLike = "sidecar"):
    """The sidecar's atlas, or None for weights saved without one; WeightsError (one line,
    naming `where` and the part) if any part of it is malformed."""
    value = sidecar.get("atlas")
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("window") != WINDOW:
        raise WeightsError(f"{where}: atlas is not an object of {WINDOW}×{WINDOW} windows")
    codes = value.get("codes")
    if not isinstance(codes, list) or len(codes) != num_codes:
        raise WeightsError(f"{where}: atlas does not hold {num_codes} codes")
    entries = []
    for code, entry in enumerate(codes):
        try:
            entries.append(code_patches_of(entry))
        except ValueError as error:
            raise WeightsError(f"{where}: atlas: code {code}: {error}") from None
    return CodeAtlas(tuple(entries))


@torch.inference_mode()
def empty_canvas_codes(model: VQVAE) -> np.ndarray:
    """(7, 7): the codes the encoder gives an empty canvas — the background of every digit."""
    _, _, q = model(torch.zeros(1, 1, IMAGE, IMAGE))
    return q.codes.reshape(GRID, GRID).numpy().copy()


def placed(model: VQVAE, background: np.ndarray, code: int, position: int) -> np.ndarray:
    """The decoder's picture (28, 28) of the `background` grid with `code` at `position`."""
    codes = np.array(background).reshape(POSITIONS)
    codes[position] = code
    return decode(model, codes.reshape(GRID, GRID))
