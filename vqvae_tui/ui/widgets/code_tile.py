"""A small picture with a caption: a code's mean training window in the atlas's index (a click
selects the code), or one of the training windows nearest a code."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Click
from textual.widgets import Static

from vqvae_tui.model.code_atlas import WINDOW
from vqvae_tui.model.config import PATCH
from vqvae_tui.ui.messages import CodeSelected
from vqvae_tui.ui.widgets.picture import Picture

WINDOW_PATCHES = WINDOW // PATCH  # a window is 3×3 patches; its middle one is the position's
MIDDLE = WINDOW_PATCHES * WINDOW_PATCHES // 2


class WindowTile(Vertical):
    """A window of pixels (WINDOW × WINDOW) above a one-line caption."""

    DEFAULT_CSS = """
    WindowTile {
        width: auto;
        height: auto;
        & > Static { width: 100%; height: 1; }
    }
    """

    def __init__(self, *, monochrome: bool, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.picture = Picture(monochrome=monochrome, pixels=WINDOW, patches=WINDOW_PATCHES)
        self.caption = Static()

    def compose(self) -> ComposeResult:
        yield self.picture
        yield self.caption

    def show(self, pixels: np.ndarray | None, caption: str | Text, mark: bool = False) -> None:
        """New pixels (None: black) and caption; `mark` tints the middle patch."""
        self.picture.show(np.zeros((WINDOW, WINDOW)) if pixels is None else pixels)
        self.picture.mark(MIDDLE if mark else None)
        self.caption.update(caption)


class CodeTile(WindowTile):
    """One code of the atlas's index; a click selects it."""

    def __init__(self, code: int, *, monochrome: bool):
        super().__init__(monochrome=monochrome, id=f"code-tile-{code}", classes="code-tile")
        self.code = code

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(CodeSelected(self.code))
