"""The code pane: the quantizer's own forward pass, read from the running module, highlighted.

Lines computed by the linked matrix are drawn on a highlight band; the keyboard line cursor
('▶') and the mouse pick a line, and the app links that line's step to its matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.binding import Binding
from textual.events import MouseMove
from textual.message import Message
from textual.widgets import Static

if TYPE_CHECKING:  # torch loads in a worker, after the first frame
    from vqvae_tui.model.steps import Source

LINKED = Style(bgcolor="#3a3a1a")
GUTTER = 6  # cursor mark and line number
THEME = "monokai"


@dataclass
class CodeLineSelected(Message):
    """A line of the code pane was hovered or reached by the keyboard (0-based)."""

    line: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CodeLineSelected)


class CodePane(Static, can_focus=True):
    BINDINGS = [
        Binding("up,k", "move(-1)", "Line up", show=False, id="code.up"),
        Binding("down,j", "move(1)", "Line down", show=False, id="code.down"),
    ]

    def __init__(self, source: Source, *, id: str | None = None):
        super().__init__(id=id)
        self.source = source
        self.lines = (
            Syntax(source.text, "python", theme=THEME)
            .highlight(source.text)
            .split("\n", allow_blank=True)[: len(source.lines)]
        )
        self.cursor: int | None = None
        self.linked: set[int] = set()

    def on_mount(self) -> None:
        self.render_code()

    def show(self, linked: set[int], cursor: int | None) -> None:
        if (linked, cursor) != (self.linked, self.cursor):
            self.linked, self.cursor = linked, cursor
            self.render_code()

    def render_code(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, line in enumerate(self.lines):
            number = self.source.first_line + index
            text.append("▶" if index == self.cursor else " ", Style(bold=True))
            text.append(f"{number:>4} ", Style(dim=True))
            body = line.copy()
            if index in self.linked:  # the band runs to the pane's right edge
                body.pad_right(max(0, self.size.width - GUTTER - body.cell_len))
                body.stylize(LINKED)
            text.append_text(body)
            text.append("\n")
        self.update(text, layout=False)

    def line_at(self, y: int) -> int | None:
        return y if 0 <= y < len(self.lines) else None

    def on_mouse_move(self, event: MouseMove) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and (line := self.line_at(offset.y)) is not None:
            self.post_message(CodeLineSelected(line))

    on_click = on_mouse_move

    def action_move(self, step: int) -> None:
        line = 0 if self.cursor is None else min(max(self.cursor + step, 0), len(self.lines) - 1)
        self.cursor = line
        self.post_message(CodeLineSelected(line))
