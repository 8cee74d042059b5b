"""The 7×7 latent grids: Features (z_e), Codes and Quantized (z_q), one Line-API widget each.

Each latent position is a cell 2 columns × 2 rows, so a grid is as tall as a 28×28 picture.
The selected position is drawn reversed and bold with '<>' beneath its label, and the positions
that use a selected code show '··', so nothing is told by colour alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Key, MouseMove
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import CODE_LABELS, GRID
from vqvae_tui.ui.colours import code_colour, palette_grey, readable_on
from vqvae_tui.ui.messages import CodeEdited, PositionSelected
from vqvae_tui.ui.selection import Selection

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

CELL_WIDTH, CELL_HEIGHT = 2, 2
SHADES = 24  # grey levels of the Features grid


def edited_codes(codes: np.ndarray, edits: dict) -> np.ndarray:
    """The nearest codes with the user's edits (position → code) in their place."""
    codes = codes.copy()
    for position, code in edits.items():
        codes[position] = code
    return codes


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
        self.cells: np.ndarray | None = None  # what each cell shows now (see cells_of)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return GRID * CELL_WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return GRID * CELL_HEIGHT

    def show(self, trace: Trace | None, selection: Selection, edits: dict | None = None) -> None:
        """New numbers, selection or edited codes; repaints only the cells whose look changed."""
        self.trace, self.selection = trace, selection
        self.show_cells(self.cells_of(trace, selection, edits or {}))

    def show_codes(self, codes: np.ndarray) -> None:
        """A grid of codes that no Trace made (generated ones): labels on code colours."""
        flat = np.asarray(codes).reshape(GRID * GRID)
        self.show_cells(np.stack([flat] + [np.zeros_like(flat)] * 3, axis=1))

    def show_cells(self, cells: np.ndarray | None) -> None:
        if cells is None or self.cells is None:
            self.refresh()
        else:
            for position in np.flatnonzero((cells != self.cells).any(axis=1)):
                row, col = divmod(int(position), GRID)
                self.refresh(Region(col * CELL_WIDTH, row * CELL_HEIGHT, CELL_WIDTH, CELL_HEIGHT))
        self.cells = cells

    def cells_of(self, trace: Trace | None, selection: Selection, edits: dict) -> np.ndarray | None:
        """What each cell shows, (49, 4): its value (a code, or a shade), selected, marked,
        edited (a code the user set instead of the nearest)."""
        if trace is None:
            return None
        if self.kind == "features":
            # shaded by |z_e| against the longest code vector: the same scale for every input
            longest = float(np.linalg.norm(trace.codebook, axis=1).max())
            norms = np.linalg.norm(trace.flat, axis=1) / max(longest, 1e-6)
            shades = np.round(np.clip(norms, 0, 1) * (SHADES - 1))  # few shades: less churn
            value = (shades * 255 / (SHADES - 1)).astype(np.int64)
        else:
            value = edited_codes(trace.codes, edits).astype(np.int64)
        selected = np.arange(GRID * GRID) == (
            -1 if selection.position is None else selection.position
        )
        marked = trace.codes == (-1 if selection.code is None else selection.code)
        edited = np.isin(np.arange(GRID * GRID), list(edits)) & (self.kind != "features")
        return np.stack([value, selected, marked, edited], axis=1)

    def cell_style(self, value: int) -> tuple[Style, str]:
        """A cell's colours and the label on its first row."""
        if self.kind == "codes":
            colour = code_colour(value)
            return Style(color=readable_on(colour), bgcolor=colour), CODE_LABELS[value] + " "
        if self.kind == "quantized":
            return Style(bgcolor=code_colour(value)), "  "
        return Style(bgcolor=palette_grey(value)), "  "

    def render_line(self, y: int) -> Strip:
        if self.cells is None or y >= GRID * CELL_HEIGHT:
            return Strip.blank(self.size.width, self.rich_style)
        row, sub = divmod(y, CELL_HEIGHT)
        segments = []
        for value, selected, marked, edited in self.cells[row * GRID : (row + 1) * GRID]:
            style, label = self.cell_style(int(value))
            text = label if sub == 0 else "  "
            if selected:
                style += Style(reverse=True, bold=True)
                text = text if sub == 0 else "<>"
            elif sub == 1 and (marked or edited):
                text = ("*" if edited else "·") + ("·" if marked else " ")
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

    def on_key(self, event: Key) -> None:
        """On the Codes grid: a code's label sets the selected position's code, + and -
        cycle it."""
        if self.kind != "codes" or self.trace is None or self.selection.position is None:
            return
        k = len(self.trace.codebook)
        position = self.selection.position
        current = int(self.cells[position, 0]) if self.cells is not None else 0
        if event.character and event.character in CODE_LABELS[:k] and event.character != " ":
            code = CODE_LABELS.index(event.character)
        elif event.character in ("+", "-"):
            code = (current + (1 if event.character == "+" else -1)) % k
        else:
            return
        event.stop()
        event.prevent_default()
        self.post_message(CodeEdited(position, code))

    def on_mouse_scroll_up(self, event) -> None:
        self.scroll_code(event, -1)

    def on_mouse_scroll_down(self, event) -> None:
        self.scroll_code(event, 1)

    def scroll_code(self, event, step: int) -> None:
        """The mouse wheel over a cell of the Codes grid cycles its code."""
        offset = event.get_content_offset(self)
        if self.kind != "codes" or self.trace is None or offset is None:
            return
        position = self.position_at(offset.x, offset.y)
        if position is not None:
            event.stop()
            k = len(self.trace.codebook)
            self.post_message(CodeEdited(position, (int(self.cells[position, 0]) + step) % k))

    def action_move(self, rows: int, cols: int) -> None:
        position = self.selection.position if self.selection.position is not None else 24
        row = min(max(position // GRID + rows, 0), GRID - 1)
        col = min(max(position % GRID + cols, 0), GRID - 1)
        self.selection = Selection(position=row * GRID + col)  # before the app echoes it back,
        self.post_message(PositionSelected(row * GRID + col))  # so fast keys build on it
