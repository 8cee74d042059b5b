"""The code atlas: for each code, the decoder's picture of a grid filled with that code alone."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Container, Grid, Vertical
from textual.widgets import Static

from vqvae_tui.model.config import CODE_LABELS, GRID, IMAGE
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.screens.base import ExplainerScreen
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.picture import Picture

THUMBNAIL = IMAGE // 2  # atlas tiles: pictures averaged down over 2×2 blocks


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A picture averaged over 2×2 blocks."""
    return image.reshape(THUMBNAIL, 2, THUMBNAIL, 2).mean(axis=(1, 3))


class AtlasScreen(ExplainerScreen):
    """For each code, the decoder's picture of a grid filled with that code alone."""

    CSS_PATH = "atlas.tcss"
    HELP_TITLE = "The code atlas"

    ACTIONS = actions(
        "atlas", Action("a,escape", "back", "Back", "Back to the summary screen", footer=10)
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="atlas")
        self.model = None  # the model whose codes are drawn
        self.grid = Grid(id="atlas-grid")
        self.tiles: list[Picture] = []  # one a code

    def compose(self) -> ComposeResult:
        with Vertical(id="atlas-body"):
            yield Static(
                f"Code atlas: what each code draws when it fills the whole {GRID}×{GRID} grid"
            )
            yield self.grid
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.show()

    def show(self) -> None:
        """The tiles of the app's model (drawn again when it holds another)."""
        from vqvae_tui.model import atlas

        if self.app.model is self.model or not self.grid.is_mounted:
            return
        self.model = self.app.model
        monochrome = bool(self.app.monochrome)
        self.tiles = []
        boxes = []
        for code, picture in enumerate(atlas(self.model)):
            tile = Picture(monochrome=monochrome, pixels=THUMBNAIL, id=f"atlas-{code}")
            tile.show(thumbnail(picture))
            box = Container(tile, classes="panel atlas-tile")
            box.border_title = f"code {CODE_LABELS[code]}"
            self.tiles.append(tile)
            boxes.append(box)
        self.grid.remove_children()
        self.grid.mount_all(boxes)
