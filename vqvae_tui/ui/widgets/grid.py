"""The 7×7 latent grids: Features (z_e), Codes and Quantized (z_q), one Line-API widget each.

Each latent position is a cell 2 columns × 2 rows, so a grid is as tall as a 28×28 picture.
The selected position is drawn reversed and bold with '<>' beneath its label, and the positions
that use a selected code show '··', so nothing is told by colour alone.
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
from vqvae_tui.ui.colours import code_colour, grey, level, readable_on
from vqvae_tui.ui.messages import PositionSelected
from vqvae_tui.ui.selection import GRID, Selection

CELL_WIDTH, CELL_HEIGHT = 2, 2


class LatentGrid(Widget, can_focus=True):
    """One of the three latent grids; `kind` is features, codes or quantized."""

    DEFAULT_CSS = """
    LatentGrid { width: 14; height: 14; }
    """

    BINDINGS = [
        Binding("up,k", "move(-1, 0)", "Up", show=False, id="grid.up"),
        Binding("down,j", "move(1, 0)", "Down", show=False, id="grid.down"),
        Binding("left,h", "move(0, -1)", "Left", show=False, id="grid.left"),
        Binding("right,l", "move(0, 1)", "Right", show=False, id="grid.right"),
    ]

    def __init__(self, kind: str, *, id: str | None = None):
        super().__init__(id=id)
        self.kind = kind
        self.trace: Trace | None = None
        self.selection = Selection()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return GRID * CELL_WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return GRID * CELL_HEIGHT

    def show(self, trace: Trace | None, selection: Selection) -> None:
        self.trace, self.selection = trace, selection
        self.refresh()

    def cell_style(self, position: int) -> tuple[Style, str]:
        """The cell's colours and the label on its first row."""
        trace = self.trace
        code = int(trace.codes[position])
        if self.kind == "codes":
            colour = code_colour(code)
            return Style(color=readable_on(colour), bgcolor=colour), CODE_LABELS[code] + " "
        if self.kind == "quantized":
            return Style(bgcolor=code_colour(code)), "  "
        norms = np.linalg.norm(trace.flat, axis=1)
        shade = grey(level(norms[position] / max(float(norms.max()), 1e-6)))
        return Style(bgcolor=shade), "  "

    def render_line(self, y: int) -> Strip:
        if self.trace is None or y >= GRID * CELL_HEIGHT:
            return Strip.blank(self.size.width)
        row, sub = divmod(y, CELL_HEIGHT)
        codes = self.trace.codes
        marked_code = self.selection.code
        segments = []
        for col in range(GRID):
            position = row * GRID + col
            style, label = self.cell_style(position)
            text = label if sub == 0 else "  "
            if position == self.selection.position:
                style += Style(reverse=True, bold=True)
                text = text if sub == 0 else "<>"
            elif marked_code is not None and codes[position] == marked_code and sub == 1:
                text = "··"
            segments.append(Segment(text, style))
        return Strip(segments, GRID * CELL_WIDTH)

    def position_at(self, x: int, y: int) -> int | None:
        col, row = x // CELL_WIDTH, y // CELL_HEIGHT
        if 0 <= col < GRID and 0 <= row < GRID:
            return row * GRID + col
        return None

    def on_mouse_move(self, event: MouseMove) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and (position := self.position_at(offset.x, offset.y)) is not None:
            self.post_message(PositionSelected(position))

    on_click = on_mouse_move

    def action_move(self, rows: int, cols: int) -> None:
        position = self.selection.position if self.selection.position is not None else 24
        row = min(max(position // GRID + rows, 0), GRID - 1)
        col = min(max(position % GRID + cols, 0), GRID - 1)
        self.selection = Selection(position=row * GRID + col)  # before the app echoes it back,
        self.post_message(PositionSelected(row * GRID + col))  # so fast keys build on it
