"""The input canvas: a Picture you draw on, with the mouse or with a keyboard pixel cursor.

Mouse: drag to draw; the right button, or ctrl/shift held, erases. Keys: arrows/hjkl move the
cursor, space paints and x erases at it, p puts the pen down (draws while moving). The canvas
only reports brush movements (Paint messages); the session owns the pixels and the undo history.
"""

from __future__ import annotations

from textual.events import MouseDown, MouseMove, MouseUp
from textual.geometry import Offset

from vqvae_tui.model.config import IMAGE
from vqvae_tui.ui.actions import Action, actions, bindings, moves
from vqvae_tui.ui.messages import Paint
from vqvae_tui.ui.widgets.picture import Picture

RIGHT_BUTTON = 3


class Canvas(Picture, can_focus=True):
    ACTIONS = actions(
        "canvas",
        moves("pixel cursor"),
        Action("space", "dab(False)", "Paint", "Paint at the pixel cursor", footer=20, id="paint"),
        Action("x", "dab(True)", "Erase", "Erase at the pixel cursor", footer=22, id="erase"),
        Action(
            "p", "toggle_pen", "Pen up/down", "Draw while the cursor moves", footer=21, id="pen"
        ),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self, *, monochrome: bool = False, id: str | None = None):
        super().__init__(monochrome=monochrome, id=id)
        self.pen_down = False
        self.dragging: tuple[float, float] | None = None  # last brush point while the mouse draws
        self.erasing = False

    @property
    def pixel(self) -> tuple[int, int]:
        return self.cursor if self.cursor is not None else (IMAGE // 2, IMAGE // 2)

    def on_focus(self) -> None:
        self.mark(self.patch, self.pixel)

    def on_blur(self) -> None:
        if not self.pen_down:
            self.mark(self.patch, None)

    @staticmethod
    def centre(pixel: tuple[int, int]) -> tuple[float, float]:
        row, col = pixel
        return (col + 0.5, row + 0.5)

    def action_move(self, rows: int, cols: int) -> None:
        row, col = self.pixel
        moved = (min(max(row + rows, 0), IMAGE - 1), min(max(col + cols, 0), IMAGE - 1))
        if self.pen_down:
            self.post_message(Paint(self.centre(self.pixel), self.centre(moved)))
        self.mark(self.patch, moved)

    def action_dab(self, erase: bool) -> None:
        point = self.centre(self.pixel)
        self.post_message(Paint(point, point, erase=erase, new_stroke=True))
        self.mark(self.patch, self.pixel)

    def action_toggle_pen(self) -> None:
        self.pen_down = not self.pen_down
        if self.pen_down:
            point = self.centre(self.pixel)
            self.post_message(Paint(point, point, new_stroke=True))
        self.notify("pen down: moving draws" if self.pen_down else "pen up", timeout=1.5)

    @staticmethod
    def point_at(offset: Offset) -> tuple[float, float]:
        """The brush point under a cell (one pixel wide, two tall), kept on the canvas."""
        return (
            min(max(offset.x, 0), IMAGE - 1) + 0.5,
            min(max(offset.y, 0), IMAGE // 2 - 1) * 2 + 1.0,
        )

    def on_mouse_down(self, event: MouseDown) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        point = self.point_at(offset)
        self.capture_mouse()
        self.erasing = event.button == RIGHT_BUTTON or event.ctrl or event.shift
        self.dragging = point
        self.post_message(Paint(point, point, erase=self.erasing, new_stroke=True))

    def on_mouse_move(self, event: MouseMove) -> None:
        if self.dragging is None:
            return
        point = self.point_at(event.get_content_offset_capture(self))
        if point != self.dragging:
            self.post_message(Paint(self.dragging, point, erase=self.erasing))
            self.dragging = point

    def on_mouse_up(self, event: MouseUp) -> None:
        if self.dragging is not None:
            self.dragging = None
            self.release_mouse()
