"""The quantizer's matrices as heat maps.

A 49-row matrix is drawn with half-blocks, two rows per terminal line, so it fits whole in a
40-line terminal. Values are shaded black → white between each row's own minimum and maximum,
as in the original explainer, in 8 greys of the xterm palette (cheap to send: a stroke repaints
many cells). The focused row (a latent position) is tinted and marked '▶'; in the distances,
each row's argmin cell takes its code's colour and the code's label stands at the right of the
row, so the argmin reads without colour too. Matrices are drawn in bands 8 values wide, so a
changed value repaints at most its band's part of a line.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.message import Message

from vqvae_tui.model.config import CODE_LABELS, GRID, POSITIONS
from vqvae_tui.session import Selection
from vqvae_tui.ui.actions import Action, actions, bindings, moves
from vqvae_tui.ui.colours import code_colour, palette_grey, shade_glyph, tinted
from vqvae_tui.ui.messages import MatrixLinked, PositionSelected
from vqvae_tui.ui.widgets.bands import Banded
from vqvae_tui.ui.widgets.hover import HoverSelects

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

LINES = (POSITIONS + 1) // 2  # two rows a line
BAND = 8  # values a band: more bands cost compositor time, wider ones repaint more bytes
MATRIX_SHADES = (
    8  # grey levels: enough to read a row, few enough that small changes repaint nothing
)
BLANK = Segment(" ", Style())  # every segment styled: the NO_COLOR filter needs one


def row_levels(values: np.ndarray, shades: int = MATRIX_SHADES) -> np.ndarray:
    """Each row shaded 0..255 (in `shades` steps) between its own min and max."""
    low = values.min(axis=1, keepdims=True)
    span = np.maximum(values.max(axis=1, keepdims=True) - low, 1e-9)
    steps = np.round((values - low) / span * (shades - 1))
    return (steps * 255 / (shades - 1) + 0.5).astype(np.int64)


@lru_cache(maxsize=4096)
def pair_cell(top: Color, bottom: Color) -> Segment:
    """'▀' showing two values: the top one as foreground, the bottom one as background."""
    return Segment("▀", Style(color=top, bgcolor=bottom))


@lru_cache(maxsize=64)
def shade_cell(level: float, style: Style) -> Segment:
    """A NO_COLOR cell: a shade glyph (in the focus style on the focused row)."""
    return Segment(shade_glyph(level), style)


class Matrix(Banded, can_focus=True):
    """A matrix of the details screen. Focusing it, or entering it with the mouse, links it
    to its lines of code. Its focused row (a latent position) is tinted with the colour of
    `matrix--focus` (without colour: drawn in its text style) and marked '▶' (`matrix--mark`)."""

    COMPONENT_CLASSES = {"matrix--focus", "matrix--mark"}

    DEFAULT_CSS = """
    Matrix {
        & > .matrix--focus { color: $latent-highlight; text-style: reverse; }
        & > .matrix--mark { text-style: bold; }
    }
    """

    field: str  # the Trace field it shows

    def __init__(self, *, monochrome: bool = False, id: str | None = None):
        super().__init__(id=id)
        self.monochrome = monochrome
        self.tint = Color.parse("white")  # the focus colour, read from the styles at each show
        self.focus_style = Style()

    def read_styles(self) -> None:
        """The focus styles, once a show: cells are drawn many times a stroke."""
        focus = self.get_component_rich_style("matrix--focus", partial=True)
        self.tint, self.focus_style = focus.color, focus.without_color

    def on_focus(self) -> None:
        self.post_message(MatrixLinked(self.field))

    def on_enter(self) -> None:
        self.post_message(MatrixLinked(self.field))

    def shade(self, level: int, focused: bool) -> Color:
        return tinted(level, self.tint) if focused else palette_grey(level)


class HeatMatrix(HoverSelects, Matrix):
    """A (49, C) matrix of the Trace: `field` is flat, distances or selected.

    Columns: the focus mark '▶', the C values, and for the distances a space and the argmin's
    code labels of the line's two rows.
    """

    ACTIONS = actions(
        "matrix",
        moves("row", grid=False, arrows="up down"),
        Action("pageup", f"move({-GRID})", "Grid row up", f"Move the row {GRID} rows up",
               palette=False, group="Move the row", id="pageup"),
        Action("pagedown", f"move({GRID})", "Grid row down", f"Move the row {GRID} rows down",
               palette=False, group="Move the row", id="pagedown"),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self, field: str, *, monochrome: bool = False, id: str | None = None):
        super().__init__(monochrome=monochrome, id=id)
        self.field = field
        self.levels: np.ndarray | None = None  # (49, C) shades
        self.argmin: np.ndarray | None = None  # (49,) codes, for the distances
        self.focused_row: int | None = None

    def line_count(self) -> int:
        return LINES

    def show(self, trace: Trace | None, selection: Selection) -> None:
        """New numbers or focus; repaints only the cells that look different."""
        if trace is None:
            return
        self.read_styles()
        levels = row_levels(getattr(trace, self.field))
        argmin = trace.codes.copy() if self.field == "distances" else None
        previous, previous_argmin, previous_focus = self.levels, self.argmin, self.focused_row
        self.levels, self.argmin, self.focused_row = levels, argmin, selection.position
        if previous is None or previous.shape != levels.shape:
            columns = levels.shape[1]
            labels = [columns + 4] if argmin is not None else []  # a space, two labels
            self.set_edges([0, *range(1 + BAND, 1 + columns, BAND), 1 + columns, *labels])
            self.refresh_lines(range(LINES))
            return
        rows, columns = np.nonzero(levels != previous)
        cells = {(1 + int(c), int(r) // 2) for r, c in zip(rows, columns)}
        if argmin is not None:
            label_x = levels.shape[1] + 2
            for row in np.flatnonzero(argmin != previous_argmin).tolist():
                line, half = divmod(row, 2)
                codes = (int(argmin[row]), int(previous_argmin[row]))
                cells |= {(1 + code, line) for code in codes} | {(label_x + half, line)}
        self.refresh_cells(cells)
        if previous_focus != self.focused_row:
            self.refresh_rows({previous_focus, self.focused_row} - {None})

    def refresh_rows(self, rows) -> None:
        self.refresh_lines({row // 2 for row in rows})

    def colour(self, row: int, column: int) -> Color:
        """The colour of one value: its shade, its code's colour at the argmin, tinted if
        the row is focused."""
        if row >= POSITIONS:
            return palette_grey(0)
        if self.argmin is not None and self.argmin[row] == column:
            return code_colour(column)
        return self.shade(int(self.levels[row, column]), row == self.focused_row)

    def cell(self, x: int, y: int) -> Segment:
        top, bottom = 2 * y, 2 * y + 1
        if self.levels is None:
            return BLANK
        columns = self.levels.shape[1]
        focused = self.focused_row in (top, bottom)
        if x == 0:
            mark = self.get_component_rich_style("matrix--mark", partial=True)
            return Segment("▶" if focused else " ", mark)
        if x <= columns:
            column = x - 1
            if self.monochrome:  # NO_COLOR: a shade glyph for each pair of values
                level = float(self.levels[top : bottom + 1, column].mean())
                return shade_cell(level, self.focus_style if focused else Style())
            return pair_cell(self.colour(top, column), self.colour(bottom, column))
        row = top + x - columns - 2  # the argmin labels: the line's top row, then its bottom
        if x == columns + 1 or row >= POSITIONS or self.argmin is None:
            return BLANK
        code = int(self.argmin[row])
        style = Style(color=code_colour(code), bold=True)
        return Segment(
            CODE_LABELS[code], style + self.focus_style if row == self.focused_row else style
        )

    def target_at(self, x: int, y: int) -> int | None:
        if not (1 <= x and 0 <= y < LINES):
            return None
        row = min(2 * y, POSITIONS - 1)
        if self.focused_row in (row, row + 1):
            return None  # keep the row the keyboard chose within this line
        return row

    def selected(self, target: int) -> Message:
        return PositionSelected(target)

    def action_move(self, step: int) -> None:
        previous = self.focused_row
        row = min(max((previous if previous is not None else 0) + step, 0), POSITIONS - 1)
        self.focused_row = row  # at once, so fast keys build on it; the app echoes it back
        self.refresh_rows({previous, row} - {None})
        self.post_message(PositionSelected(row))


def block_shape(dim: int) -> tuple[int, int]:
    """(rows, columns) of values that show one position's D values: a square up to D = 16
    (4 × 4 for 16), then 4 rows of D/4 columns, so the grid is never taller than for 16."""
    side = int(np.ceil(np.sqrt(dim)))
    return (side, side) if side <= 4 else (4, int(np.ceil(dim / 4)))


class VectorGrid(Matrix):
    """The quantized grid (GRID × GRID × D): each position's D values as a small heat block,
    rows × columns values (4 × 4 for D = 16, see block_shape) in `columns` columns and rows/2
    lines; a band per two grid columns."""

    field = "quantized"

    def __init__(self, *, monochrome: bool = False, id: str | None = None):
        super().__init__(monochrome=monochrome, id=id)
        self.levels: np.ndarray | None = None  # (GRID, GRID, rows·columns) shades, 0-padded
        self.focused: int | None = None
        self.rows, self.columns = 4, 4

    def line_count(self) -> int:
        return GRID * ((self.rows + 1) // 2)

    def show(self, trace: Trace | None, selection: Selection) -> None:
        """New numbers or focus; repaints only the cells that look different."""
        if trace is None:
            return
        self.read_styles()
        d = trace.quantized.shape[-1]
        rows, columns = block_shape(d)
        levels = np.zeros((GRID, GRID, rows * columns), dtype=np.int64)
        levels[..., :d] = row_levels(trace.quantized.reshape(POSITIONS, d)).reshape(GRID, GRID, d)
        previous, previous_focus = self.levels, self.focused
        self.levels, self.focused = levels, selection.position
        if previous is None or previous.shape != levels.shape:
            self.rows, self.columns = rows, columns
            self.set_edges([*range(0, GRID * columns, 2 * columns), GRID * columns])
            self.refresh_lines(range(self.line_count()))
            return
        cells = {
            self.place(position, value)
            for position, value in zip(
                *np.nonzero(levels.reshape(POSITIONS, -1) != previous.reshape(POSITIONS, -1))
            )
        }
        if previous_focus != self.focused:
            for position in {previous_focus, self.focused} - {None}:
                cells |= {self.place(position, value) for value in range(rows * columns)}
        self.refresh_cells(cells)

    def place(self, position: int, value: int) -> tuple[int, int]:
        """The (x, y) cell showing one value of one position."""
        grid_row, grid_col = divmod(int(position), GRID)
        row, col = divmod(int(value), self.columns)
        return grid_col * self.columns + col, grid_row * ((self.rows + 1) // 2) + row // 2

    def cell(self, x: int, y: int) -> Segment:
        if self.levels is None:
            return BLANK
        lines = (self.rows + 1) // 2
        (grid_row, line), (grid_col, col) = divmod(y, lines), divmod(x, self.columns)
        block = self.levels[grid_row, grid_col].reshape(self.rows, self.columns)
        top = int(block[2 * line, col])
        bottom = int(block[2 * line + 1, col]) if 2 * line + 1 < self.rows else 0
        focused = grid_row * GRID + grid_col == self.focused
        if self.monochrome:
            return shade_cell((top + bottom) / 2, self.focus_style if focused else Style())
        return pair_cell(self.shade(top, focused), self.shade(bottom, focused))
