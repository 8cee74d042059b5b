"""The latent grids: Features (z_e), Codes and Quantized (z_q), one Line-API widget each.

Each latent position is a cell 2 columns × 2 rows, so a grid is as tall as a 28×28 picture.
The selected position is drawn in the `latent-grid--selected` style with '<>' beneath its
label, and the positions that use a selected code show '··', so nothing is told by colour alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.events import Key, MouseScrollDown, MouseScrollUp
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import CENTRE, CODE_LABELS, GRID, POSITIONS
from vqvae_tui.session import Selection, edited_codes, typed_label
from vqvae_tui.ui.actions import Action, actions, bindings, moves
from vqvae_tui.ui.colours import code_colour, palette_grey, readable_on
from vqvae_tui.ui.messages import CodeEdited, PositionSelected
from vqvae_tui.ui.widgets.hover import HoverSelects

if TYPE_CHECKING:  # the Trace type only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import Trace

CELL_WIDTH, CELL_HEIGHT = 2, 2
FEATURE_SHADES = 24  # grey levels of the Features grid: few, so small changes repaint nothing


def take_typed_code(widget, event, labels: str, label_next: bool) -> int | None:
    """A key read as a code's label (session.typed_label): the code it names, the key taken;
    None when the key is no label (it goes on) or names no code (the widget says so)."""
    taken, code = typed_label(event.character or "", labels, label_next)
    if not taken:
        return None
    event.stop()
    event.prevent_default()
    if code is None and event.key != "escape":
        widget.notify(f"no code is labelled {event.key!r} (labels: {labels})", timeout=3)
    return code


class LatentGrid(HoverSelects, Widget, can_focus=True):
    """One of the three latent grids; `kind` is features, codes or quantized."""

    COMPONENT_CLASSES = {"latent-grid--selected"}

    DEFAULT_CSS = """
    LatentGrid {
        width: auto;
        height: auto;
        & > .latent-grid--selected { text-style: bold reverse; }
    }
    """

    ACTIONS = actions(
        "grid",
        moves("position"),
        Action("plus", "cycle(1)", "Next code", "Codes grid: the next code at this position",
               key_display="+", id="next_code"),
        Action("minus", "cycle(-1)", "Previous code",
               "Codes grid: the previous code at this position", key_display="-",
               id="previous_code"),
        Action("equals_sign", "label", "Code by label",
               "Codes grid: = then any code's label sets the code at this position",
               key_display="="),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)
    HELP = (
        "On the Codes grid, type a code's label to set the selected position's code; the"
        " labels a–z, which are keys too, after = (which takes any label)."
    )

    def __init__(self, kind: str, *, id: str | None = None):
        super().__init__(id=id)
        self.kind = kind
        self.trace: Trace | None = None
        self.selection = Selection()
        self.cells: np.ndarray | None = None  # what each cell shows now (see cells_of)
        self.label_next = False  # after =: the next key is a code's label

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
        flat = np.asarray(codes).reshape(POSITIONS)
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
        """What each cell shows, (POSITIONS, 4): its value (a code, or a shade), selected,
        marked, edited (a code the user set instead of the nearest)."""
        if trace is None:
            return None
        if self.kind == "features":
            # shaded by |z_e| against the longest code vector: the same scale for every input
            longest = float(np.linalg.norm(trace.codebook, axis=1).max())
            norms = np.linalg.norm(trace.flat, axis=1) / max(longest, 1e-6)
            shades = np.round(np.clip(norms, 0, 1) * (FEATURE_SHADES - 1))
            value = (shades * 255 / (FEATURE_SHADES - 1)).astype(np.int64)
        else:
            value = edited_codes(trace.codes, edits).astype(np.int64)
        positions = np.arange(POSITIONS)
        selected = positions == (-1 if selection.position is None else selection.position)
        marked = trace.codes == (-1 if selection.code is None else selection.code)
        edited = np.isin(positions, list(edits)) & (self.kind != "features")
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
        selected_style = self.get_component_rich_style("latent-grid--selected", partial=True)
        segments = []
        for value, selected, marked, edited in self.cells[row * GRID : (row + 1) * GRID]:
            style, label = self.cell_style(int(value))
            text = label if sub == 0 else "  "
            if selected:
                style += selected_style
                text = text if sub == 0 else "<>"
            elif sub == 1 and (marked or edited):
                text = ("*" if edited else "·") + ("·" if marked else " ")
            segments.append(Segment(text, style))
        return Strip(segments, GRID * CELL_WIDTH)

    def target_at(self, x: int, y: int) -> int | None:
        col, row = x // CELL_WIDTH, y // CELL_HEIGHT
        return row * GRID + col if 0 <= col < GRID and 0 <= row < GRID else None

    def selected(self, target: int) -> Message:
        return PositionSelected(target)

    # ---- editing codes, on the Codes grid -----------------------------------------------

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("cycle", "label"):
            return self.kind == "codes"
        return True

    def code_now(self, position: int) -> int:
        return int(self.cells[position, 0]) if self.cells is not None else 0

    def action_cycle(self, step: int) -> None:
        """The next or previous code at the selected position."""
        if self.trace is not None and self.selection.position is not None:
            position = self.selection.position
            code = (self.code_now(position) + step) % len(self.trace.codebook)
            self.post_message(CodeEdited(position, code))

    def action_label(self) -> None:
        """= : the next key is read as a code's label, whatever else it does."""
        if self.trace is not None and self.selection.position is not None:
            self.label_next = True
            self.notify("type a code's label (Esc: none)", timeout=3)

    def on_key(self, event: Key) -> None:
        """On the Codes grid: a code's label sets the selected position's code (a small
        letter, which is a key too, only after =)."""
        label_next, self.label_next = self.label_next, False
        if self.kind != "codes" or self.trace is None or self.selection.position is None:
            return
        labels = CODE_LABELS[: len(self.trace.codebook)]
        code = take_typed_code(self, event, labels, label_next)
        if code is not None:
            self.post_message(CodeEdited(self.selection.position, code))

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self.scroll_code(event, -1)

    def on_mouse_scroll_down(self, event: MouseScrollDown) -> None:
        self.scroll_code(event, 1)

    def scroll_code(self, event, step: int) -> None:
        """The mouse wheel over a cell of the Codes grid cycles its code."""
        offset = event.get_content_offset(self)
        if self.kind != "codes" or self.trace is None or offset is None:
            return
        position = self.target_at(offset.x, offset.y)
        if position is not None:
            event.stop()
            k = len(self.trace.codebook)
            self.post_message(CodeEdited(position, (self.code_now(position) + step) % k))

    def action_move(self, rows: int, cols: int) -> None:
        position = self.selection.position if self.selection.position is not None else CENTRE
        row = min(max(position // GRID + rows, 0), GRID - 1)
        col = min(max(position % GRID + cols, 0), GRID - 1)
        self.selection = Selection(position=row * GRID + col)  # before the app echoes it back,
        self.post_message(PositionSelected(row * GRID + col))  # so fast keys build on it
