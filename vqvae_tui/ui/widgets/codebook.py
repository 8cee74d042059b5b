"""The codebook: K rows, each its code's swatch and label, its D values as a heat strip
(normalised per row, black → white) and how many of the latent positions use it now.

The highlighted row (the selected code, or the selected position's code) is drawn in the
`codebook--highlight` style with a '▶' before it. Rows of more than 16 values are drawn 1
column a value, of more than 32 two values a column ('▌', the left one as foreground), so a
row of any D up to 64 fits 32 columns. More rows than the panel has lines scroll, and the
highlighted row is kept in view. Compact mode shows one cell per code instead — label on
colour, and its count — as wide as the strip allows: 4 columns a code, else 2 or 1 with the
count as a bar (▁ … █, of the largest count; '·' for none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.containers import ScrollableContainer
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

HEAT_X = 1 + 2 + 1  # where the heat strip starts: after the mark, the label and a gap
COMPACT_CELLS = (4, 2, 1)  # columns per code in the compact strip, the widest that fits
COUNT_BARS = "▁▂▃▄▅▆▇█"


def heat_layout(dim: int) -> tuple[int, int]:
    """(columns per cell, values per cell) of a row of `dim` values: 2 columns a value up to
    16 values, 1 up to 32, then 2 values a column."""
    if dim <= 16:
        return 2, 1
    return (1, 1) if dim <= 32 else (1, 2)


def compact_cell(codes: int, width: int) -> int:
    """The columns per code of the compact strip: the widest that fits all codes in `width`."""
    return next((cell for cell in COMPACT_CELLS if cell * codes <= width), COMPACT_CELLS[-1])


def count_bar(count: int, largest: int) -> str:
    """A count as a bar glyph, scaled to the largest count; '·' for none."""
    if count == 0:
        return "·"
    return COUNT_BARS[max(0, round(count / max(largest, 1) * len(COUNT_BARS)) - 1)]


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

    def dim(self) -> int:
        return ModelConfig().dim if self.trace is None else self.trace.codebook.shape[1]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        if self.compact:
            return container.width
        columns, values = heat_layout(self.dim())
        return HEAT_X + -(-self.dim() // values) * columns

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
        if previous_highlight != self.highlighted:
            self.call_after_refresh(self.reveal_highlighted)
        if previous is None or not np.array_equal(previous.codebook, trace.codebook):
            # each row shaded between its own min and max, as in the original explainer
            self.heat = row_levels(trace.codebook, shades=256)
            self.refresh(layout=previous is None or previous.codebook.shape != trace.codebook.shape)
            return
        if previous_highlight != self.highlighted:
            for code in {previous_highlight, self.highlighted} - {None}:
                self.refresh(self.region_of(code))
        if self.compact:  # the counts are in the strip; in full, CodeCounts shows them
            if self.cell() < COMPACT_CELLS[0] and previous_counts.max() != self.counts.max():
                self.refresh()  # bars are scaled to the largest count
                return
            for code in np.flatnonzero(self.counts != previous_counts):
                self.refresh(self.region_of(int(code)))

    def reveal_highlighted(self) -> None:
        """Scroll the highlighted row into view, where the rows scroll (in the full layout the
        codebook is the first thing in its scrolling container)."""
        scroller = next(
            (node for node in self.ancestors if isinstance(node, ScrollableContainer)), None
        )
        if not self.compact and scroller is not None and self.highlighted is not None:
            row = Region(0, self.highlighted, 1, 1)
            scroller.scroll_to_region(row, animate=False, immediate=True)

    def cell(self) -> int:
        """The columns per code of the compact strip."""
        return compact_cell(self.codes(), self.size.width)

    def region_of(self, code: int) -> Region:
        """Where a code is drawn: its cell in the compact strip, or its row."""
        if self.compact:
            return Region(code * self.cell(), 0, self.cell(), 2)
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
        columns, values = heat_layout(self.dim())
        row = [int(value) for value in self.heat[y]]
        if values == 1:
            segments += [
                Segment(" " * columns, Style(bgcolor=palette_grey(value))) for value in row
            ]
        else:  # two values a column: the left half, then the right
            row += row[-1:] * (len(row) % 2)
            segments += [
                Segment("▌", Style(color=palette_grey(left), bgcolor=palette_grey(right)))
                for left, right in zip(row[::2], row[1::2])
            ]
        return Strip(segments).extend_cell_length(self.size.width, self.rich_style)

    def render_compact(self, y: int, counts: np.ndarray, highlighted: int | None) -> Strip:
        segments = []
        cell = self.cell()
        strip_highlight = self.get_component_rich_style("codebook--highlight-strip", partial=True)
        highlight = self.get_component_rich_style("codebook--highlight", partial=True)
        largest = int(counts.max())
        for code in range(self.codes()):
            mark = code == highlighted
            if y == 0:
                colour = code_colour(code)
                style = Style(color=readable_on(colour), bgcolor=colour)
                style += strip_highlight if mark else Style()
                if cell == COMPACT_CELLS[0]:
                    segments.append(Segment(f"{'▶' if mark else ' '}{CODE_LABELS[code]} ", style))
                else:
                    segments.append(Segment(CODE_LABELS[code], style))
                segments.append(Segment(" " * (cell - len(segments[-1].text)), Style()))
            elif y == 1:
                style = count_style(counts[code]) + (highlight if mark else Style())
                if cell == COMPACT_CELLS[0]:
                    text = f"{counts[code]:>3} "
                else:
                    text = count_bar(int(counts[code]), largest).ljust(cell)
                segments.append(Segment(text, style))
        strip = Strip(segments).apply_style(self.rich_style)  # the background under the counts
        return strip.extend_cell_length(self.size.width, self.rich_style)

    def target_at(self, x: int, y: int) -> int | None:
        code = x // self.cell() if self.compact else y
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
