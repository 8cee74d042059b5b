"""The learner's state and its rules, without Textual and without torch.

A Session holds what the learner made: the drawing (its pixels, the undo history, a sample digit
still being drawn), the codes they edited, the selection (a latent position or a code), and on
the VAE's plane the z cursor (following the encoder, or pinned at a point) and the seed of ε. Its
methods are the rules: what a stroke, clear, undo, a sample, an edit, a selection or a move of
z does. The UI calls them and draws the result; `on_change` tells the app what changed
("pixels", "edits", "selection" or "latent"), so that it traces the new pixels (and z) and
publishes the new selection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vqvae_tui.drawing import SAMPLES, paint
from vqvae_tui.model.config import GRID, IMAGE, POSITIONS

UNDO_DEPTH = 100

Point = tuple[float, float]


@dataclass(frozen=True)
class Selection:
    """What is selected: a latent position (0 … POSITIONS − 1, row-major over the grid), or a
    code (a codebook row), or nothing."""

    position: int | None = None
    code: int | None = None

    def code_of_interest(self, codes: np.ndarray | None) -> int | None:
        """The codebook row to highlight: the chosen code, or the selected position's code."""
        if self.code is not None:
            return self.code
        if self.position is not None and codes is not None:
            return int(codes[self.position])
        return None


def position_label(position: int) -> str:
    """A latent position as (row,column) on the grid."""
    return f"({position // GRID},{position % GRID})"


def typed_label(character: str, labels: str, after_equals: bool) -> tuple[bool, int | None]:
    """Whether a key typed where codes are chosen is read as a code's label, and the code it
    labels (None: a key after `=` that labels no code). A small letter (K > 36) is a key of the
    screen too, so it labels a code only after `=`."""
    typed = len(character) == 1 and character in labels
    if not (after_equals or (typed and not character.islower())):
        return False, None
    return True, labels.index(character) if typed else None


def runner_up(distances: np.ndarray) -> int:
    """The second-nearest code of one row of distances."""
    return int(np.argsort(distances, kind="stable")[1])


def edited_codes(codes: np.ndarray, edits: dict[int, int]) -> np.ndarray:
    """The nearest codes with the learner's edits (position → code) in their place."""
    codes = codes.copy()
    for position, code in edits.items():
        codes[position] = code
    return codes


@dataclass(frozen=True)
class Moment:
    """What a walkthrough task compares: the state when its step was entered, and now."""

    image: np.ndarray
    position: int | None
    edits: dict[int, int]


CORNER = 8  # the drawing task's top-left corner: its first 8×8 pixels


def drew_top_left(codes: np.ndarray, entered: Moment, now: Moment) -> bool:
    """Task: a stroke in the top-left corner, drawn after the step began."""
    corner = np.s_[:CORNER, :CORNER]
    return float((now.image[corner] - entered.image[corner]).max()) > 0.5


def same_as_right_neighbour(codes: np.ndarray, entered: Moment, now: Moment) -> bool:
    """Task: a newly selected position whose code equals its right neighbour's."""
    p = now.position
    return (
        p is not None and p != entered.position and p % GRID < GRID - 1 and codes[p] == codes[p + 1]
    )


def edited_a_code(codes: np.ndarray, entered: Moment, now: Moment) -> bool:
    """Task: a code edited since the step began."""
    return bool(now.edits) and now.edits != entered.edits


class Session:
    """The drawing, the edited codes and the selection of one learner."""

    def __init__(self, image: np.ndarray | None = None, edits: dict[int, int] | None = None):
        self.image = np.zeros((IMAGE, IMAGE), dtype=np.float32)
        if image is not None:
            self.image[:] = image
        self.undo_stack: list[np.ndarray] = []
        self.sample: list[tuple[Point, Point]] = []  # segments of a sample still to draw
        self.edits: dict[int, int] = dict(edits or {})
        self.selection = Selection()
        self.noise = 0  # the seed ε is drawn with: "new ε" draws the next
        self.cursor: tuple[float, float] | None = None  # a pinned z, or None: z follows the encoder
        self.on_change: Callable[[str], None] = lambda what: None

    # ---- the drawing --------------------------------------------------------------------

    def push_undo(self) -> None:
        self.undo_stack.append(self.image.copy())
        del self.undo_stack[:-UNDO_DEPTH]

    def paint(self, start: Point, end: Point, erase: bool = False, new_stroke: bool = False):
        """The brush from start to end (pixel units); a new stroke is a new undo step and
        stops a sample being drawn."""
        if new_stroke:
            self.stop_sample()
            self.push_undo()
        paint(self.image, start, end, erase=erase)
        self.on_change("pixels")

    def clear(self) -> bool:
        """An empty canvas (one undo step); False if it was empty already."""
        self.stop_sample()
        if not self.image.any():
            return False
        self.push_undo()
        self.image[:] = 0
        self.on_change("pixels")
        return True

    def undo(self) -> bool:
        """The pixels before the last stroke, clear or sample; False if there is none."""
        self.stop_sample()
        if not self.undo_stack:
            return False
        self.image = self.undo_stack.pop()
        self.on_change("pixels")
        return True

    def load_picture(self, pixels: np.ndarray) -> None:
        """A picture (28, 28) in [0, 1] as the drawing (one undo step)."""
        self.stop_sample()
        self.push_undo()
        self.image[:] = pixels
        self.on_change("pixels")

    def start_sample(self, digit: str) -> None:
        """Clear the canvas (one undo step) and queue a sample digit's strokes; `play` draws
        them."""
        self.stop_sample()
        self.push_undo()
        self.image[:] = 0
        self.sample = [
            (start, end)
            for stroke in SAMPLES[digit]
            for start, end in zip(stroke, stroke[1:] or stroke)
        ]
        self.on_change("pixels")

    def play(self, count: int | None = None) -> bool:
        """Draw the next `count` segments of the sample (all when None); True while more
        remain."""
        count = len(self.sample) if count is None else count
        for start, end in self.sample[:count]:
            paint(self.image, start, end)
        del self.sample[:count]
        self.on_change("pixels")
        return bool(self.sample)

    def stop_sample(self) -> None:
        self.sample = []

    # ---- the codes ----------------------------------------------------------------------

    def set_code(self, position: int, code: int, nearest: int) -> None:
        """Decode `position` with `code`; its `nearest` code (the model's own) is no edit."""
        if code == nearest:
            self.edits.pop(position, None)
        else:
            self.edits[position] = code
        self.on_change("edits")

    def toggle_runner_up(self, position: int, distances: np.ndarray) -> None:
        """Try the runner-up code at `position` (its row of distances); again: back to the
        nearest."""
        nearest = int(np.argmin(distances))
        code = nearest if position in self.edits else runner_up(distances)
        self.set_code(position, code, nearest)

    def reset_edits(self) -> bool:
        """Every position back to its nearest code; False if nothing was edited."""
        if not self.edits:
            return False
        self.edits.clear()
        self.on_change("edits")
        return True

    def check_edits(self, num_codes: int) -> str | None:
        """Why the edits do not fit a model of `num_codes` codes (an opened state file's edits,
        once the model has loaded), or None."""
        if any(not 0 <= code < num_codes for code in self.edits.values()):
            return f"the opened state edits codes beyond this model's {num_codes}"
        if any(not 0 <= position < POSITIONS for position in self.edits):
            return f"the opened state edits positions beyond the {GRID}×{GRID} grid"
        return None

    # ---- the selection ------------------------------------------------------------------

    def select(self, selection: Selection) -> None:
        if selection != self.selection:
            self.selection = selection
            self.on_change("selection")

    def select_position(self, position: int) -> None:
        self.select(Selection(position=position))

    def select_code(self, code: int) -> None:
        self.select(Selection(code=code))

    def deselect(self) -> None:
        self.select(Selection())

    # ---- z on the latent plane ----------------------------------------------------------

    def new_noise(self) -> None:
        """Draw a new ε (the next seed): z = μ + σ·ε moves, μ and σ stay."""
        self.noise += 1
        self.on_change("latent")

    def pin(self, point: Point, bounds: tuple[float, float]) -> None:
        """Pin z at a point of the plane (kept within `bounds`, its lowest and highest value
        on each axis): the decoder draws it, whatever the encoder says."""
        low, high = bounds
        pinned = tuple(float(min(max(value, low), high)) for value in point)
        if pinned != self.cursor:
            self.cursor = pinned
            self.on_change("latent")

    def move_cursor(self, step: Point, z: Point, bounds: tuple[float, float]) -> None:
        """Move the pinned z by `step`, or pin it at `z` (where it follows now) and move it."""
        start = self.cursor if self.cursor is not None else z
        self.pin((start[0] + step[0], start[1] + step[1]), bounds)

    def toggle_pin(self, z: Point, bounds: tuple[float, float]) -> bool:
        """Pin z where it is now (`z`, the sampled one), or let it follow the encoder again;
        True if it is pinned now."""
        if self.cursor is None:
            self.pin(z, bounds)
            return True
        self.cursor = None
        self.on_change("latent")
        return False

    # ---- the walkthrough ----------------------------------------------------------------

    def moment(self) -> Moment:
        """The state a walkthrough task compares, now."""
        return Moment(self.image.copy(), self.selection.position, dict(self.edits))
