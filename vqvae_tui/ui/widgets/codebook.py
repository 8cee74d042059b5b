"""The codebook: K rows, each its code's swatch and label, its D values as a heat strip
(normalised per row, black → white) and how many of the latent positions use it now.

The highlighted row (the selected code, or the selected position's code) is drawn in the
`codebook--highlight` style with a '▶' before it. Compact mode shows one cell per code instead:
label on colour and count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import CODE_LABELS, ModelConfig
from vqvae_tui.session import Selection
from vqvae_tui.ui.actions import actions, bindings, moves
from vqvae_tui.ui.colours import code_colour, palette_grey, readable_on
from vqvae_tui.ui.messages import CodeSelected
from vqvae_tui.ui.widgets.hover import HoverSelects
from vqvae_tui.ui.widgets.matrix import row_levels

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

HEAT_WIDTH = 2  # columns per value
COMPACT_CELL = 4  # columns per code in the compact strip: " 7 " + gap
HEAT_X = 1 + 2 + 1  # where the heat strip starts: after the mark, the label and a gap


class Codebook(HoverSelects, Widget, can_focus=True):
    COMPONENT_CLASSES = {
        "codebook--highlight",  # the highlighted code's row
        "codebook--highlight-strip",  # its cell in the compact strip
    }

    DEFAULT_CSS = """
    Codebook {
        width: auto;
        height: auto;
        & > .codebook--highlight { text-style: bold; }
        & > .codebook--highlight-strip { text-style: bold reverse; }
    }
    """

    ACTIONS = actions("codebook", moves("code", grid=False))
    BINDINGS = bindings(ACTIONS)

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
        dim = ModelConfig().dim if self.trace is None else self.trace.codebook.shape[1]
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
        highlight = self.get_component_rich_style("codebook--highlight", partial=True)
        segments = [
            Segment("▶" if mark else " ", highlight),
            Segment(
                f"{CODE_LABELS[y]} ",
                Style(color=readable_on(colour), bgcolor=colour) + (highlight if mark else Style()),
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
        highlight = self.get_component_rich_style("codebook--highlight-strip", partial=True)
        for code in range(self.codes()):
            mark = code == highlighted
            if y == 0:
                colour = code_colour(code)
                style = Style(color=readable_on(colour), bgcolor=colour)
                style += highlight if mark else Style()
                segments += [
                    Segment(f"{'▶' if mark else ' '}{CODE_LABELS[code]} ", style),
                    Segment(" ", Style()),
                ]
            elif y == 1:
                highlight = self.get_component_rich_style("codebook--highlight", partial=True)
                style = count_style(counts[code]) + (highlight if mark else Style())
                segments.append(Segment(f"{counts[code]:>3} ", style))
        return Strip(segments).extend_cell_length(self.size.width, self.rich_style)

    def target_at(self, x: int, y: int) -> int | None:
        code = x // COMPACT_CELL if self.compact else y
        return code if 0 <= code < self.codes() else None

    def selected(self, target: int) -> Message:
        return CodeSelected(target)

    def action_move(self, step: int) -> None:
        if self.codes():
            current = self.selection.code_of_interest(self.trace.codes)
            code = 0 if current is None else (current + step) % self.codes()
            self.selection = Selection(code=code)  # before the app echoes it back
            self.post_message(CodeSelected(code))


def count_style(count: int) -> Style:
    """A count: dim where no position uses the code."""
    return Style(dim=count == 0)


class CodeCounts(Widget):
    """How many of the latent positions use each code now, one row per code, beside the Codebook.

    A widget of its own so that a new count repaints three cells, not a row of heat colours.
    """

    COMPONENT_CLASSES = {"code-counts--highlight"}

    DEFAULT_CSS = """
    CodeCounts {
        width: 4;
        height: auto;
        & > .code-counts--highlight { text-style: bold; }
    }
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
        style = count_style(count)
        if y == self.highlighted:
            style += self.get_component_rich_style("code-counts--highlight", partial=True)
        return Strip([Segment(f"{count:>3} ", style)], 4)
