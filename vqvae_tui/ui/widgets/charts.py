"""The training screen's charts, Line-API widgets over vqvae_tui/plots.py: curves of several
series, usage bars per code with dead and restarted codes marked, a labelled scatter."""

from __future__ import annotations

from functools import cache

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import CODE_LABELS
from vqvae_tui.plots import bars, line_plot, scatter
from vqvae_tui.ui.colours import code_colour

AXIS = 8  # the y axis's labels' width


class Chart(Widget):
    """A plot redrawn from its data when the data or its size changes."""

    DEFAULT_CSS = "Chart { height: 1fr; width: 1fr; }"

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.strips: list[Strip] = []

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        self.strips = self.draw() if self.size.width and self.size.height else []
        self.refresh()

    def draw(self) -> list[Strip]:
        return []

    def render_line(self, y: int) -> Strip:
        if y < len(self.strips):
            return self.strips[y].crop_extend(0, self.size.width, self.rich_style)
        return Strip.blank(self.size.width, self.rich_style)


def cells(text: str, owners: list[int], styles: dict[int, Style]) -> list[Segment]:
    """Runs of characters of one owner as segments in its style."""
    segments, start = [], 0
    for x in range(1, len(text) + 1):
        if x == len(text) or owners[x] != owners[start]:
            segments.append(Segment(text[start:x], styles.get(owners[start], Style())))
            start = x
    return segments


class Curves(Chart):
    """Series over the run's batches, each in its colour, on one (log) y axis; with `labels`
    (a character a series), each series' label is written at its last value, so the curves
    are told apart without colour too."""

    def __init__(
        self, colours: list[str], *, log: bool = False, labels: str = "", id: str | None = None
    ):
        super().__init__(id=id)
        self.series_styles = {i: Style(color=colour) for i, colour in enumerate(colours)}
        self.label_styles = {
            i: Style(color=colour, bold=True, reverse=True) for i, colour in enumerate(colours)
        }
        self.log_scale = log
        self.end_labels = labels
        self.series: list[list[float]] = [[] for _ in colours]

    def show(self, series: list[list[float]]) -> None:
        self.series = series
        self.redraw()

    def draw(self) -> list[Strip]:
        if not any(self.series):
            return []
        plot = line_plot(self.series, self.size.width - AXIS, self.size.height, self.log_scale)
        muted = Style(dim=True)
        marks = self.label_cells(plot)
        lines = []
        for y, (text, owners) in enumerate(zip(plot.text, plot.owners)):
            label = {0: plot.high, len(plot.text) - 1: plot.low}.get(y)
            axis = f"{label:>{AXIS - 1}.2g}│" if label is not None else " " * (AXIS - 1) + "│"
            segments = cells(text, owners, self.series_styles)
            for (row, column), series in marks.items():
                if row == y:  # the label over its series' last cell, in reverse video
                    strip = Strip(segments)
                    label_cell = Segment(self.end_labels[series], self.label_styles[series])
                    segments = [*strip.crop(0, column), label_cell, *strip.crop(column + 1)]
            lines.append(Strip([Segment(axis, muted), *segments]))
        return lines

    def label_cells(self, plot) -> dict[tuple[int, int], int]:
        """(row, column) → the series labelled there: at each series' last value, one row
        off when another label is there already."""
        marks: dict[tuple[int, int], int] = {}
        for series, end in enumerate(plot.ends[: len(self.end_labels)]):
            if end is None:
                continue
            row, column = end
            if (row, column) in marks:
                row = row - 1 if row > 0 else row + 1
            marks[(row, column)] = series
        return marks


class UsageBars(Chart):
    """Codes chosen over the epoch so far, a column a code: dead codes (not chosen) marked ✗,
    codes restarted lately marked ↻, each code's label below."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.counts: list[int] = []
        self.restarted: set[int] = set()

    def show(self, counts: list[int], restarted: list[int]) -> None:
        self.counts, self.restarted = list(counts), set(restarted)
        self.redraw()

    def draw(self) -> list[Strip]:
        k = len(self.counts)
        if not k:
            return []
        gap = " " if self.size.width >= 2 * k else ""
        dead = Style(color="red", bold=True)
        lines = []
        styles = [code_style(code) for code in range(k)]
        for row in bars(self.counts, max(self.size.height - 2, 1)):
            lines.append(Strip([
                Segment(char + gap, style) for char, style in zip(row, styles)
            ]))  # fmt: skip
        marks = [
            Segment("✗" + gap, dead) if not count
            else Segment("↻" + gap, Style(color="yellow")) if code in self.restarted
            else Segment(" " + gap, Style()) for code, count in enumerate(self.counts)
        ]  # fmt: skip
        lines.append(Strip(marks))
        lines.append(Strip([
            Segment(CODE_LABELS[code] + gap, dead if not count else Style(dim=True))
            for code, count in enumerate(self.counts)
        ]))  # fmt: skip
        return lines


@cache
def code_style(code: int) -> Style:
    return Style(color=code_colour(code).name)


class CodeScatter(Chart):
    """Encoder outputs as dots and the codes as their labels, in the same 2-D projection."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.points: list = []
        self.codes: list = []

    def show(self, points: list, codes: list) -> None:
        self.points, self.codes = points, codes
        self.redraw()

    def draw(self) -> list[Strip]:
        if not self.codes:
            return []
        plot = scatter(self.points, self.codes, self.size.width, self.size.height)
        styles = {0: Style(dim=True)}
        styles |= {
            1 + c: Style(color=code_colour(c).name, bold=True) for c in range(len(self.codes))
        }
        lines = []
        for text, owners in zip(plot.text, plot.owners):
            text = "".join(
                CODE_LABELS[owner - 1] if owner > 0 else char for char, owner in zip(text, owners)
            )
            lines.append(Strip(cells(text, owners, styles)))
        return lines
