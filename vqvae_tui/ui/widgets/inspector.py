"""The inspector: the selected position's numbers, in words, straight from the Trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.widgets import Static

from vqvae_tui.model.config import CODE_LABELS, POSITIONS
from vqvae_tui.session import Selection, position_label
from vqvae_tui.ui.colours import code_colour, readable_on

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

BARS = "▁▂▃▄▅▆▇█"


def code_text(code: int) -> Text:
    colour = code_colour(code)
    return Text(f" {CODE_LABELS[code]} ", style=f"bold {readable_on(colour).name} on {colour.name}")


def bars(values: np.ndarray, low: float, high: float) -> str:
    """One bar glyph per value, heights scaled between low and high."""
    scaled = (values - low) / max(high - low, 1e-9) * (len(BARS) - 1)
    return "".join(BARS[int(round(v))] for v in np.clip(scaled, 0, len(BARS) - 1))


def describe(trace: Trace, selection: Selection, width: int | None = None) -> Text:
    """What the inspector says for this trace and selection, its lines no wider than `width`
    where it can (the vectors' bar strips are D wide: for a long D the words around them go
    short)."""
    if selection.position is not None:
        p = selection.position
        code = int(trace.codes[p])
        nearest = np.argsort(trace.distances[p], kind="stable")[:3]
        text = Text.assemble(
            f"{position_label(p)} → code ",
            code_text(code),
            f" d²={trace.distances[p, code]:.2f}; runner-up ",
            code_text(int(nearest[1])),
            f" d²={trace.distances[p, nearest[1]]:.2f}; then ",
            code_text(int(nearest[2])),
            f" d²={trace.distances[p, nearest[2]]:.2f}\n",
        )
        z_e, e = trace.flat[p], trace.codebook[code]
        low, high = float(min(z_e.min(), e.min())), float(max(z_e.max(), e.max()))
        norm = np.linalg.norm(z_e)
        vectors = (
            f"z_e  {bars(z_e, low, high)}  |z_e|={norm:.2f}",
            f"e_{CODE_LABELS[code]}  {bars(e, low, high)}  (its code vector)",
        )
        if width is not None and max(map(len, vectors)) > width:
            vectors = (
                f"z_e {bars(z_e, low, high)} |{norm:.2f}|",
                f"e_{CODE_LABELS[code]} {bars(e, low, high)}",
            )
        text.append("\n".join(vectors))
        return text
    if selection.code is not None:
        code = selection.code
        users = np.flatnonzero(trace.codes == code)
        where = ", ".join(position_label(int(p)) for p in users[:6]) + (
            " …" if len(users) > 6 else ""
        )
        return Text.assemble(
            "code ", code_text(code), f" is used by {len(users)} of {POSITIONS} positions",
            f": {where}" if len(users) else "", "\n",
        )  # fmt: skip
    return Text(
        f"reconstruction loss {trace.reconstruction_loss:.4f} · codebook {trace.codebook_loss:.4f}"
        f" · commitment {trace.commitment_loss:.4f}"
    )


class Inspector(Static):
    def __init__(self, text: str, *, id: str | None = None):
        super().__init__(text, id=id)
        self.shown: tuple[Trace | None, Selection] = (None, Selection())

    def show(self, trace: Trace | None, selection: Selection) -> None:
        # a fixed height (app.tcss), so new numbers need no layout pass: only this widget repaints
        self.shown = trace, selection
        words = (
            "loading model…"
            if trace is None
            else describe(trace, selection, self.size.width or None)
        )
        self.update(words, layout=False)

    def on_resize(self) -> None:
        self.show(*self.shown)  # the words fitted to the new width
