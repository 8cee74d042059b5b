"""The codebook: K rows, each its code's swatch and label, its D values as a heat strip
(normalised per row, black → white) and how many of the 49 positions use it now.

The highlighted row (the selected code, or the selected position's code) is drawn bold with a
'▶' before it. Compact mode shows one cell per code instead: label on colour and count.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import MouseMove
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import CODE_LABELS
from vqvae_tui.model.trace import Trace
from vqvae_tui.ui.colours import code_colour, grey, readable_on
from vqvae_tui.ui.messages import CodeSelected
from vqvae_tui.ui.selection import Selection

HEAT_WIDTH = 2  # columns per value
COMPACT_CELL = 4  # columns per code in the compact strip: " 7 " + gap


def heat_levels(codebook: np.ndarray) -> np.ndarray:
    """Each row scaled to 0..255 between its own min and max, as in the original explainer."""
    low = codebook.min(axis=1, keepdims=True)
    span = np.maximum(codebook.max(axis=1, keepdims=True) - low, 1e-9)
    return ((codebook - low) / span * 255 + 0.5).astype(np.uint8)


class Codebook(Widget, can_focus=True):
    DEFAULT_CSS = """
    Codebook { width: auto; height: auto; }
    """

    BINDINGS = [
        Binding("up,k,left,h", "move(-1)", "Previous code", show=False, id="codebook.previous"),
        Binding("down,j,right,l", "move(1)", "Next code", show=False, id="codebook.next"),
    ]

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.trace: Trace | None = None
        self.selection = Selection()
        self.compact = False

    def codes(self) -> int:
        return 0 if self.trace is None else len(self.trace.codebook)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self.compact:
            return container.width
        dim = 16 if self.trace is None else self.trace.codebook.shape[1]
        return 2 + 2 + 1 + dim * HEAT_WIDTH + 4

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 2 if self.compact else max(self.codes(), 1)

    def show(self, trace: Trace | None, selection: Selection) -> None:
        resized = trace is not None and (self.trace is None or self.codes() != len(trace.codebook))
        self.trace, self.selection = trace, selection
        self.refresh(layout=resized)

    def render_line(self, y: int) -> Strip:
        if self.trace is None:
            return Strip.blank(self.size.width)
        highlighted = self.selection.code_of_interest(self.trace.codes)
        counts = np.bincount(self.trace.codes, minlength=self.codes())
        if self.compact:
            return self.render_compact(y, counts, highlighted)
        if y >= self.codes():
            return Strip.blank(self.size.width)
        colour = code_colour(y)
        mark = y == highlighted
        segments = [
            Segment("▶" if mark else " ", Style(bold=True)),
            Segment(
                f"{CODE_LABELS[y]} ", Style(color=readable_on(colour), bgcolor=colour, bold=mark)
            ),
            Segment(" ", Style()),
        ]
        segments += [
            Segment(" " * HEAT_WIDTH, Style(bgcolor=grey(int(value))))
            for value in heat_levels(self.trace.codebook)[y]
        ]
        segments.append(Segment(f"{counts[y]:>3}", Style(bold=mark, dim=counts[y] == 0)))
        return Strip(segments)

    def render_compact(self, y: int, counts: np.ndarray, highlighted: int | None) -> Strip:
        segments = []
        for code in range(self.codes()):
            mark = code == highlighted
            if y == 0:
                colour = code_colour(code)
                style = Style(color=readable_on(colour), bgcolor=colour, bold=mark, reverse=mark)
                segments += [
                    Segment(f"{'▶' if mark else ' '}{CODE_LABELS[code]} ", style),
                    Segment(" ", Style()),
                ]
            elif y == 1:
                segments.append(
                    Segment(f"{counts[code]:>3} ", Style(bold=mark, dim=counts[code] == 0))
                )
        return Strip(segments)

    def code_at(self, x: int, y: int) -> int | None:
        code = x // COMPACT_CELL if self.compact else y
        return code if 0 <= code < self.codes() else None

    def on_mouse_move(self, event: MouseMove) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and (code := self.code_at(offset.x, offset.y)) is not None:
            self.post_message(CodeSelected(code))

    on_click = on_mouse_move

    def action_move(self, step: int) -> None:
        if self.codes():
            current = self.selection.code_of_interest(self.trace.codes)
            code = 0 if current is None else (current + step) % self.codes()
            self.selection = Selection(code=code)  # before the app echoes it back
            self.post_message(CodeSelected(code))
