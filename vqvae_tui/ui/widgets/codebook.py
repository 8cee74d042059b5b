"""The codebook: K rows, each its code's swatch and label, its D values as a heat strip
(normalised per row, black → white) and how many of the 49 positions use it now.

The highlighted row (the selected code, or the selected position's code) is drawn bold with a
'▶' before it. Compact mode shows one cell per code instead: label on colour and count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import MouseMove
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import CODE_LABELS
from vqvae_tui.ui.colours import code_colour, palette_grey, readable_on
from vqvae_tui.ui.messages import CodeSelected
from vqvae_tui.ui.selection import Selection
from vqvae_tui.ui.widgets.matrix import row_levels

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

HEAT_WIDTH = 2  # columns per value
COMPACT_CELL = 4  # columns per code in the compact strip: " 7 " + gap
HEAT_X = 1 + 2 + 1  # where the heat strip starts: after the mark, the label and a gap


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
        self.counts: np.ndarray | None = None  # positions using each code now
        self.heat: np.ndarray | None = None  # (K, D) the codebook's shades, per row
        self.highlighted: int | None = None  # the row drawn bold with ▶
        self.compact = False

    def codes(self) -> int:
        return 0 if self.trace is None else len(self.trace.codebook)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self.compact:
            return container.width
        dim = 16 if self.trace is None else self.trace.codebook.shape[1]
        return HEAT_X + dim * HEAT_WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 2 if self.compact else max(self.codes(), 1)

    def show(self, trace: Trace | None, selection: Selection) -> None:
        """New numbers or selection; repaints only the counts and rows that changed."""
        previous, previous_counts, previous_highlight = self.trace, self.counts, self.highlighted
        self.trace, self.selection = trace, selection
        if trace is None:
            return
        self.counts = np.bincount(trace.codes, minlength=self.codes())
        self.highlighted = selection.code_of_interest(trace.codes)
        if previous is None or not np.array_equal(previous.codebook, trace.codebook):
            # each row shaded between its own min and max, as in the original explainer
            self.heat = row_levels(trace.codebook, shades=256)
            self.refresh(layout=previous is None or len(previous.codebook) != self.codes())
            return
        if previous_highlight != self.highlighted:
            for code in {previous_highlight, self.highlighted} - {None}:
                self.refresh(self.region_of(code))
        if self.compact:  # the counts are in the strip; in full, CodeCounts shows them
            for code in np.flatnonzero(self.counts != previous_counts):
                self.refresh(self.region_of(int(code)))

    def region_of(self, code: int) -> Region:
        """Where a code is drawn: its cell in the compact strip, or its row."""
        if self.compact:
            return Region(code * COMPACT_CELL, 0, COMPACT_CELL, 2)
        return Region(0, code, self.size.width, 1)

    def render_line(self, y: int) -> Strip:
        if self.trace is None:
            return Strip.blank(self.size.width, self.rich_style)
        highlighted, counts = self.highlighted, self.counts
        if self.compact:
            return self.render_compact(y, counts, highlighted)
        if y >= self.codes():
            return Strip.blank(self.size.width, self.rich_style)
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
            Segment(" " * HEAT_WIDTH, Style(bgcolor=palette_grey(int(value))))
            for value in self.heat[y]
        ]
        return Strip(segments).extend_cell_length(self.size.width, self.rich_style)

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
                segments.append(Segment(f"{counts[code]:>3} ", count_style(counts[code], mark)))
        return Strip(segments).extend_cell_length(self.size.width, self.rich_style)

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


def count_style(count: int, highlighted: bool) -> Style:
    return Style(bold=highlighted, dim=count == 0)


class CodeCounts(Widget):
    """How many of the 49 positions use each code now, one row per code, beside the Codebook.

    A widget of its own so that a new count repaints three cells, not a row of heat colours.
    """

    DEFAULT_CSS = """
    CodeCounts { width: 4; height: auto; }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.counts: np.ndarray | None = None
        self.highlighted: int | None = None

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 if self.counts is None else len(self.counts)

    def show(self, trace: Trace | None, selection: Selection) -> None:
        if trace is None:
            return
        counts = np.bincount(trace.codes, minlength=len(trace.codebook))
        highlighted = selection.code_of_interest(trace.codes)
        if self.counts is None or len(counts) != len(self.counts):
            changed, layout = range(len(counts)), True
        else:
            changed, layout = set(np.flatnonzero(counts != self.counts).tolist()), False
            if highlighted != self.highlighted:
                changed |= {highlighted, self.highlighted} - {None}
        self.counts, self.highlighted = counts, highlighted
        if layout:
            self.refresh(layout=True)
        for code in changed:
            self.refresh(Region(0, int(code), 4, 1))

    def render_line(self, y: int) -> Strip:
        if self.counts is None or y >= len(self.counts):
            return Strip.blank(self.size.width, self.rich_style)
        count = int(self.counts[y])
        return Strip([Segment(f"{count:>3} ", count_style(count, y == self.highlighted))], 4)
