"""The app: loads the model in a worker, then shows a sample digit and its reconstruction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.errors import UserError


def half_blocks(image: np.ndarray) -> Text:
    """A 28×28 picture as 14 lines of '▀' with grey foreground (top) and background (bottom)."""
    text = Text()
    for row in range(0, image.shape[0], 2):
        for top, bottom in zip(image[row], image[row + 1]):
            t, b = int(top * 255), int(bottom * 255)
            text.append("▀", style=f"rgb({t},{t},{t}) on rgb({b},{b},{b})")
        text.append("\n")
    return text


class VQVAEApp(App):
    TITLE = "vqvae-tui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, weights: Path | None = None, mouse: bool = True):
        super().__init__()
        self.weights = weights
        self.mouse = mouse

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading model…", id="pictures")
        yield Footer()

    def on_mount(self) -> None:
        self.load_model()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_model(self) -> None:
        from vqvae_tui.model import load, trace

        try:
            model = load(self.weights)
        except UserError as error:
            self.call_from_thread(self.exit, return_code=2, message=str(error))
            return
        result = trace(model, draw_strokes(SAMPLES["3"]))
        pictures = Text("input → VQ-VAE → reconstruction\n\n")
        for left, right in zip(
            half_blocks(result.image).split("\n"), half_blocks(result.reconstruction).split("\n")
        ):
            pictures.append_text(left + Text("    ") + right + Text("\n"))
        self.call_from_thread(self.query_one("#pictures", Static).update, pictures)
