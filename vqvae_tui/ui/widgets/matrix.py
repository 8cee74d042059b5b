"""The quantizer's matrices as heat maps, one Line-API widget each.

A 49-row matrix is drawn with half-blocks, two rows per terminal line, so it fits whole in a
40-line terminal. Values are shaded black → white between each row's own minimum and maximum,
as in the original explainer. The focused row (a latent position) is tinted and marked '▶'; in
the distances, each row's argmin cell takes its code's colour and the code's label stands at
the right of the row, so the argmin reads without colour too.
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
from vqvae_tui.ui.colours import code_colour, grey, highlighted
from vqvae_tui.ui.messages import MatrixLinked, PositionSelected
from vqvae_tui.ui.selection import GRID, Selection

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

ROWS = GRID * GRID


SHADE_GLYPHS = " ░▒▓█"
SHADES = 8  # grey levels: enough to read a row, few enough that small changes repaint nothing


def shade_glyph(level: float) -> str:
    """A level 0..255 as one of ' ░▒▓█', for NO_COLOR."""
    return SHADE_GLYPHS[int(level * (len(SHADE_GLYPHS) - 1) / 255 + 0.5)]


def row_levels(values: np.ndarray) -> np.ndarray:
    """Each row shaded 0..255 (in SHADES steps) between its own min and max."""
    low = values.min(axis=1, keepdims=True)
    span = np.maximum(values.max(axis=1, keepdims=True) - low, 1e-9)
    steps = np.round((values - low) / span * (SHADES - 1))
    return (steps * 255 / (SHADES - 1) + 0.5).astype(np.int64)


class Linked:
    """Focusing a matrix, or entering it with the mouse, links it to its lines of code."""

    field: str

    def on_focus(self) -> None:
        self.post_message(MatrixLinked(self.field))

    def on_enter(self) -> None:
        self.post_message(MatrixLinked(self.field))


class HeatMatrix(Linked, Widget, can_focus=True):
    """A (49, C) matrix of the Trace: `field` is flat, distances or selected."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Row up", show=False, id="matrix.up"),
        Binding("down,j", "move(1)", "Row down", show=False, id="matrix.down"),
        Binding("pageup", "move(-7)", "7 rows up", show=False, id="matrix.pageup"),
        Binding("pagedown", "move(7)", "7 rows down", show=False, id="matrix.pagedown"),
    ]
    DEFAULT_CSS = """
    HeatMatrix { width: auto; height: auto; }
    """

    def __init__(self, field: str, *, monochrome: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.field = field
        self.monochrome = monochrome
        self.levels: np.ndarray | None = None  # (49, C) shades
        self.argmin: np.ndarray | None = None  # (49,) codes, for the distances
        self.focused_row: int | None = None

    def columns(self) -> int:
        return 16 if self.levels is None else self.levels.shape[1]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return 1 + self.columns() + (3 if self.field == "distances" else 0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return (ROWS + 1) // 2

    def show(self, trace: Trace | None, selection: Selection) -> None:
        """New numbers or focus; repaints only the lines whose rows look different."""
        if trace is None:
            return
        levels = row_levels(getattr(trace, self.field))
        argmin = trace.codes.copy() if self.field == "distances" else None
        previous, previous_argmin, previous_focus = self.levels, self.argmin, self.focused_row
        self.levels, self.argmin, self.focused_row = levels, argmin, selection.position
        if previous is None or previous.shape != levels.shape:
            self.refresh(layout=True)
            return
        changed = (levels != previous).any(axis=1)
        if argmin is not None:
            changed |= argmin != previous_argmin
        rows = set(np.flatnonzero(changed).tolist())
        if previous_focus != self.focused_row:
            rows |= {previous_focus, self.focused_row} - {None}
        self.refresh_rows(rows)

    def refresh_rows(self, rows) -> None:
        for line in {row // 2 for row in rows}:
            self.refresh(Region(0, line, self.size.width, 1))

    def cell(self, row: int, column: int) -> object:
        """The colour of one value: its shade, its code's colour at the argmin, tinted if
        the row is focused."""
        if row >= ROWS:
            return grey(0)
        if self.argmin is not None and self.argmin[row] == column:
            return code_colour(column)
        level = int(self.levels[row, column])
        return highlighted(level) if row == self.focused_row else grey(level)

    def render_line(self, y: int) -> Strip:
        if self.levels is None or y >= (ROWS + 1) // 2:
            return Strip.blank(self.size.width, self.rich_style)
        top, bottom = 2 * y, 2 * y + 1
        focused = self.focused_row in (top, bottom)
        segments = [Segment("▶" if focused else " ", Style(bold=True))]
        if self.monochrome:  # NO_COLOR: a shade glyph for each pair of values
            pair = self.levels[top : bottom + 1].mean(axis=0)
            style = Style(reverse=focused)
            segments += [Segment(shade_glyph(level), style) for level in pair]
        else:
            segments += [
                Segment("▀", Style(color=self.cell(top, c), bgcolor=self.cell(bottom, c)))
                for c in range(self.columns())
            ]
        if self.argmin is not None:
            segments.append(Segment(" ", Style()))
            for row in (top, bottom):
                if row < ROWS:
                    code = int(self.argmin[row])
                    style = Style(
                        color=code_colour(code), bold=True, reverse=row == self.focused_row
                    )
                    segments.append(Segment(CODE_LABELS[code], style))
        return Strip(segments).simplify().extend_cell_length(self.size.width, self.rich_style)

    def on_mouse_move(self, event: MouseMove) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and 1 <= offset.x and 0 <= offset.y < (ROWS + 1) // 2:
            row = min(2 * offset.y, ROWS - 1)
            if self.focused_row in (row, row + 1):
                return  # keep the row the keyboard chose within this line
            self.post_message(PositionSelected(row))

    on_click = on_mouse_move

    def action_move(self, step: int) -> None:
        previous = self.focused_row
        row = min(max((previous if previous is not None else 0) + step, 0), ROWS - 1)
        self.focused_row = row  # at once, so fast keys build on it; the app echoes it back
        self.refresh_rows({previous, row} - {None})
        self.post_message(PositionSelected(row))


class VectorGrid(Linked, Widget, can_focus=True):
    """The 7×7×D quantized grid: each position's D values as a small heat square (4 wide)."""

    field = "quantized"

    DEFAULT_CSS = """
    VectorGrid { width: 28; height: 14; }
    """

    def __init__(self, *, monochrome: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.monochrome = monochrome
        self.levels: np.ndarray | None = None  # (7, 7, D) shades
        self.focused: int | None = None

    def show(self, trace: Trace | None, selection: Selection) -> None:
        """New numbers or focus; repaints only the positions that look different."""
        if trace is None:
            return
        d = trace.quantized.shape[-1]
        levels = row_levels(trace.quantized.reshape(ROWS, d)).reshape(GRID, GRID, d)
        previous, previous_focus = self.levels, self.focused
        self.levels, self.focused = levels, selection.position
        if previous is None or previous.shape != levels.shape:
            self.refresh()
            return
        changed = set(np.flatnonzero((levels != previous).any(axis=2)).tolist())
        if previous_focus != self.focused:
            changed |= {previous_focus, self.focused} - {None}
        for position in changed:
            row, col = divmod(position, GRID)
            self.refresh(Region(col * 4, row * 2, 4, 2))

    def render_line(self, y: int) -> Strip:
        if self.levels is None or y >= 2 * GRID:
            return Strip.blank(self.size.width, self.rich_style)
        grid_row, half = divmod(y, 2)
        d = self.levels.shape[-1]
        side = int(np.ceil(np.sqrt(d)))  # D values as a side × side square, 2 value rows a line
        segments = []
        for grid_col in range(GRID):
            values = np.zeros(side * side, dtype=np.int64)
            values[:d] = self.levels[grid_row, grid_col]
            square = values.reshape(side, side)
            shade = highlighted if grid_row * GRID + grid_col == self.focused else grey
            rows = square[half * 2 : half * 2 + 2]
            for column in range(4):
                top = int(rows[0, column]) if len(rows) > 0 and column < side else 0
                bottom = int(rows[1, column]) if len(rows) > 1 and column < side else 0
                if self.monochrome:
                    focused = grid_row * GRID + grid_col == self.focused
                    glyph = shade_glyph((top + bottom) / 2)
                    segments.append(Segment(glyph, Style(reverse=focused)))
                else:
                    segments.append(Segment("▀", Style(color=shade(top), bgcolor=shade(bottom))))
        return Strip(segments, 4 * GRID).simplify()
