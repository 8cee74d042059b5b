"""The guided walkthrough: ten steps through one forward pass of the live drawing.

Each step names the panel it talks about and, for the quantizer's steps, the line of code (by
its `# step:` marker); its words use the numbers on screen. Three steps end with a small task
the app checks; a task counts only for what is done after its step is entered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.widgets import Static

from vqvae_tui.model.config import CODE_LABELS
from vqvae_tui.ui.selection import position_label

if TYPE_CHECKING:
    from vqvae_tui.model.tracing import Trace


@dataclass(frozen=True)
class Moment:
    """What a task compares: the state when its step was entered, and now."""

    image: np.ndarray
    position: int | None
    edits: dict


@dataclass(frozen=True)
class Task:
    text: str
    done: Callable[[Trace, Moment, Moment], bool]


@dataclass(frozen=True)
class Step:
    title: str
    panel: str  # the id of the panel it highlights
    marker: str | None  # the `# step:` marker of its line of code, if it is a quantizer step
    explain: Callable[[Trace, int, float], str]  # (trace, focus position, β) → words
    task: Task | None = None


def nearest(t: Trace, p: int) -> str:
    code = int(t.codes[p])
    return f"{CODE_LABELS[code]} at d²={t.distances[p, code]:.2f}"


def drew_top_left(t: Trace, entered: Moment, now: Moment) -> bool:
    return float((now.image[:8, :8] - entered.image[:8, :8]).max()) > 0.5


def same_as_right_neighbour(t: Trace, entered: Moment, now: Moment) -> bool:
    p = now.position
    return p is not None and p != entered.position and p % 7 < 6 and t.codes[p] == t.codes[p + 1]


def edited_a_code(t: Trace, entered: Moment, now: Moment) -> bool:
    return bool(now.edits) and now.edits != entered.edits


STEPS = [
    Step("The input", "input-panel", None, lambda t, p, b: (
        "Your drawing is a 28×28 picture: 784 pixels between 0 (black) and 1 (white). "
        f"{int((t.image > 0.5).sum())} of them are brighter than 0.5 now."),
        Task("draw a stroke in the top-left corner (the first 8×8 pixels)", drew_top_left)),
    Step("The encoder", "features-panel", None, lambda t, p, b: (
        f"Two strided convolutions shrink 28×28 to 7×7; a 1×1 convolution gives each of the 49 "
        f"positions a vector of D={t.features.shape[-1]} numbers, z_e. Position "
        f"{position_label(p)} has |z_e|={np.linalg.norm(t.flat[p]):.2f} (its shade here).")),
    Step("Reshape", "features-panel", "reshape", lambda t, p, b: (
        f"The 7×7×{t.features.shape[-1]} grid becomes a table of 49 rows: row {p} is position "
        f"{position_label(p)}. Nothing is computed; the same numbers are laid out as rows.")),
    Step("Distances", "codebook-panel", "distances", lambda t, p, b: (
        f"Each row is compared with each of the K={len(t.codebook)} codebook vectors: the squared "
        f"distance d², a 49×{len(t.codebook)} table. Row {p} is nearest to code {nearest(t, p)}; "
        f"its farthest code is at d²={t.distances[p].max():.2f}.")),
    Step("Argmin", "codes-panel", "argmin", lambda t, p, b: (
        f"The index of the smallest distance in each row is that position's code: "
        f"{position_label(p)} → {nearest(t, p)}. {len(set(t.codes.tolist()))} different codes "
        "are used by this drawing."),
        Task("select a cell whose code is the same as its right neighbour's (hover, or h j k l "
             "on a grid)", same_as_right_neighbour)),
    Step("Look up the codes", "codebook-panel", "lookup", lambda t, p, b: (
        f"Each code picks its row of the codebook: position {position_label(p)} gets the "
        f"{t.codebook.shape[1]} numbers of code {CODE_LABELS[int(t.codes[p])]}. "
        "The highlighted codebook row is the one it uses.")),
    Step("Reshape back", "quantized-panel", "reshape back", lambda t, p, b: (
        "The 49 chosen vectors go back on the 7×7 grid: z_q. Cells with the same code now hold "
        f"exactly the same vector; this drawing's grid has {len(set(t.codes.tolist()))} kinds.")),
    Step("The straight-through gradient", "quantized-panel", "straight-through",
         lambda t, p, b: (
        "argmin has no gradient, so training copies it past the quantizer: quantized = z_e + "
        "(z_q − z_e).detach() is z_q going forward, and passes the decoder's gradient to z_e "
        "unchanged going back (d shows both, measured).")),
    Step("The decoder", "output-panel", None, lambda t, p, b: (
        "Transposed convolutions grow the 7×7 grid of code vectors back to 28×28. Only the "
        f"codes reach the decoder: {49} labels, each one of {len(t.codebook)}, are all it knows "
        "of your drawing."),
        Task("edit a code: on the Codes grid type a code's label (or + −) and watch the output",
             edited_a_code)),
    Step("The losses and β", "output-panel", None, lambda t, p, b: (
        f"Reconstruction: mean (x − x̂)² = {t.reconstruction_loss:.4f}. Codebook: ‖sg[z_e] − e‖² "
        f"= {t.codebook_loss:.4f} pulls codes toward the encoder. Commitment: β‖z_e − sg[e]‖² = "
        f"{t.commitment_loss:.4f} with β={b:g} keeps the encoder near its codes.")),
]  # fmt: skip


class TourPanel(Static):
    """The current step: its number, its words, its line of code, its task."""

    def show(self, step: int, trace: Trace | None, position: int, beta: float,
             line: str | None, task_done: bool) -> None:  # fmt: skip
        s = STEPS[step]
        text = Text.assemble((f"Step {step + 1} of {len(STEPS)}: {s.title}\n", "bold"))
        if trace is not None:
            text.append(s.explain(trace, position, beta) + "\n")
        if line is not None:
            text.append("code: ", "dim")
            text.append(line.strip() + "\n", "bold")
        if s.task is not None:
            mark, style = ("✔ done!", "bold green") if task_done else ("try it:", "bold yellow")
            text.append(f"{mark} ", style)
            text.append(s.task.text + "\n")
        text.append("→ n space: next · ← p: back · Esc: leave", "dim")
        self.update(text)
