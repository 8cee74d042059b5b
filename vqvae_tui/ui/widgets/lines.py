"""Lines of text that repaint only the lines that changed: for panels whose numbers change at
every stroke beside words that do not."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.ui.colours import palette_style


class TextLines(Widget):
    DEFAULT_CSS = """
    TextLines { height: auto; }
    """

    def __init__(self, text: str = "", *, palette: bool = False, id: str | None = None):
        """`palette`: send its colours as the nearest palette colours (fewer bytes a line, for
        lines that change at every stroke)."""
        super().__init__(id=id)
        self.palette = palette
        self.lines: list[Text] = Text(text).split("\n")

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)

    def update(self, text: Text | str) -> None:
        text = Text(text) if isinstance(text, str) else text
        if text.no_wrap:  # its lines as they are (render_line crops them to the width)
            lines = list(text.split("\n", allow_blank=True))
        else:
            lines = list(text.wrap(self.app.console, max(self.size.width, 10)))
        if len(lines) != len(self.lines):
            self.lines = lines
            self.refresh(layout=True)
            return
        for y, (old, new) in enumerate(zip(self.lines, lines)):
            if old.plain != new.plain or old.spans != new.spans:
                self.refresh(Region(0, y, self.size.width, 1))
        self.lines = lines

    def render(self) -> Text:  # for tests and screenshots: the whole text
        return Text("\n").join(self.lines)

    def render_line(self, y: int) -> Strip:
        if y >= len(self.lines):
            return Strip.blank(self.size.width, self.rich_style)
        segments = list(self.lines[y].render(self.app.console))
        base = self.rich_style
        strip = Strip(segments).apply_style(base).crop_extend(0, self.size.width, base)
        if self.palette:
            strip = Strip(
                [Segment(text, palette_style(style) if style else style, control)
                 for text, style, control in strip]
            )  # fmt: skip
        return strip
