"""The training screen's charts, Line-API widgets over vqvae_tui/plots.py: curves of several
series, usage bars per code with dead and restarted codes marked, a labelled scatter."""

from __future__ import annotations

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
    """Series over the run's batches, each in its colour, on one (log) y axis."""

    def __init__(self, colours: list[str], *, log: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.series_styles = {i: Style(color=colour) for i, colour in enumerate(colours)}
        self.log_scale = log
        self.series: list[list[float]] = [[] for _ in colours]

    def show(self, series: list[list[float]]) -> None:
        self.series = series
        self.redraw()

    def draw(self) -> list[Strip]:
        if not any(self.series):
            return []
        plot = line_plot(self.series, self.size.width - AXIS, self.size.height, self.log_scale)
        muted = Style(dim=True)
        lines = []
        for y, (text, owners) in enumerate(zip(plot.text, plot.owners)):
            label = {0: plot.high, len(plot.text) - 1: plot.low}.get(y)
            axis = f"{label:>{AXIS - 1}.2g}│" if label is not None else " " * (AXIS - 1) + "│"
            lines.append(Strip([Segment(axis, muted), *cells(text, owners, self.series_styles)]))
        return lines


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
        for row in bars(self.counts, max(self.size.height - 2, 1)):
            lines.append(Strip([
                Segment(char + gap, Style(color=code_colour(code).name)) for code, char in
                enumerate(row)
            ]))  # fmt: skip
        marks = [
            Segment("✗" + gap, dead) if not count
            else Segment("↻" + gap, Style(color="yellow")) if code in self.restarted
            else Segment(" " + gap) for code, count in enumerate(self.counts)
        ]  # fmt: skip
        lines.append(Strip(marks))
        lines.append(Strip([
            Segment(CODE_LABELS[code] + gap, dead if not count else Style(dim=True))
            for code, count in enumerate(self.counts)
        ]))  # fmt: skip
        return lines


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
