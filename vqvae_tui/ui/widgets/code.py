"""The code pane: the quantizer's own forward pass, read from the running module, highlighted.

Lines computed by the linked matrix are drawn on the `code-pane--linked` band; the keyboard line
cursor ('▶') and the mouse pick a line, and the screen links that line's step to its matrix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.syntax import Syntax
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from vqvae_tui.ui.actions import actions, bindings, moves
from vqvae_tui.ui.messages import CodeLineSelected
from vqvae_tui.ui.widgets.hover import HoverSelects

if TYPE_CHECKING:  # torch loads in a worker, after the first frame
    from vqvae_tui.model.steps import Source

GUTTER = 6  # cursor mark and line number
THEME = "monokai"


class CodePane(HoverSelects, Static, can_focus=True):
    COMPONENT_CLASSES = {
        "code-pane--linked",  # the lines that compute the linked matrix
        "code-pane--cursor",  # the keyboard's line mark
        "code-pane--number",  # line numbers
    }

    DEFAULT_CSS = """
    CodePane {
        & > .code-pane--linked { background: $code-linked; }
        & > .code-pane--cursor { text-style: bold; }
        & > .code-pane--number { text-style: dim; }
    }
    """

    ACTIONS = actions("code", moves("line", grid=False, arrows="up down"))
    BINDINGS = bindings(ACTIONS)

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
        style = {
            name: self.get_component_rich_style(f"code-pane--{name}", partial=True)
            for name in ("linked", "cursor", "number")
        }
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, line in enumerate(self.lines):
            number = self.source.first_line + index
            text.append("▶" if index == self.cursor else " ", style["cursor"])
            text.append(f"{number:>4} ", style["number"])
            body = line.copy()
            if index in self.linked:  # the band runs to the pane's right edge
                body.pad_right(max(0, self.size.width - GUTTER - body.cell_len))
                body.stylize(style["linked"])
            text.append_text(body)
            text.append("\n")
        self.update(text, layout=False)

    def target_at(self, x: int, y: int) -> int | None:
        return y if 0 <= y < len(self.lines) else None

    def selected(self, target: int) -> Message:
        return CodeLineSelected(target)

    def action_move(self, step: int) -> None:
        line = 0 if self.cursor is None else min(max(self.cursor + step, 0), len(self.lines) - 1)
        self.cursor = line
        self.post_message(CodeLineSelected(line))
