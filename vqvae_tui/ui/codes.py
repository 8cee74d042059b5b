"""Poking the discrete latent space directly: generate code grids, and the code atlas."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from vqvae_tui.model import CODE_LABELS, atlas, decode, read_prior, sample_codes
from vqvae_tui.ui.widgets.grid import LatentGrid
from vqvae_tui.ui.widgets.picture import Picture

THUMBNAIL = 14  # atlas tiles: 28×28 pictures averaged down to 14×14


class BackScreen(Screen):
    """A screen over the summary that its key (or Esc) closes."""

    def action_back(self) -> None:
        if self.app.screen is self:  # keys already queued may arrive after it closed
            self.app.pop_screen()


class GenerateScreen(BackScreen):
    """Draw a random 7×7 grid of codes, uniformly or from the prior, and decode it."""

    BINDINGS = [
        Binding("space,n", "another", "Another", id="generate.another"),
        Binding("m", "switch_mode", "Uniform/prior", id="generate.mode"),
        Binding("g,escape", "back", "Back", id="generate.back"),
    ]

    def __init__(self, model, weights, monochrome: bool = False, seed: int = 0):
        super().__init__(id="generate")
        self.model = model
        self.prior = read_prior(weights)
        self.mode = "prior" if self.prior is not None else "uniform"
        self.rng = np.random.default_rng(seed)
        self.grid = LatentGrid("codes", id="generated-codes")
        self.picture = Picture(monochrome=monochrome, id="generated")
        self.about = Static(id="generate-about")
        self.codes: np.ndarray | None = None
        self.image: np.ndarray | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="generate-row"):
            with Container(classes="panel", id="generated-codes-panel"):
                yield self.grid
            yield Static("→", classes="arrow")
            with Container(classes="panel", id="generated-panel"):
                yield self.picture
            yield self.about
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#generated-codes-panel").border_title = "Codes"
        self.query_one("#generated-panel").border_title = "Decoded"
        self.action_another()

    def action_another(self) -> None:
        prior = self.prior if self.mode == "prior" else None
        self.codes = sample_codes(self.model.config.num_codes, self.rng, prior)
        self.image = decode(self.model, self.codes)
        self.grid.show_codes(self.codes)
        self.picture.show(self.image)
        self.about.update(self.describe())

    def action_switch_mode(self) -> None:
        if self.prior is None:
            self.notify("these weights were saved without a prior: uniform only", timeout=3)
            return
        self.mode = "uniform" if self.mode == "prior" else "prior"
        self.action_another()

    def describe(self) -> str:
        k = self.model.config.num_codes
        source = (
            "each position drawn from how often the training digits chose each code there"
            if self.mode == "prior"
            else f"each position drawn uniformly from the {k} codes"
        )
        return (
            f"Generated codes: {self.mode}\n{source}.\n\n"
            "The decoder turns any grid of codes into a picture; codes drawn from the prior "
            "look like digits more often than uniform ones.\n\n"
            "space: another · m: uniform/prior · g or Esc: back"
        )


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A 28×28 picture averaged over 2×2 blocks."""
    return image.reshape(THUMBNAIL, 2, THUMBNAIL, 2).mean(axis=(1, 3))


class AtlasScreen(BackScreen):
    """For each code, the decoder's picture of a grid filled with that code alone."""

    BINDINGS = [Binding("a,escape", "back", "Back", id="atlas.back")]

    def __init__(self, model, monochrome: bool = False):
        super().__init__(id="atlas")
        self.pictures = atlas(model)
        self.tiles = [
            Picture(monochrome=monochrome, pixels=THUMBNAIL, id=f"atlas-{code}")
            for code in range(len(self.pictures))
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="atlas-body"):
            yield Static("Code atlas: what each code draws when it fills the whole 7×7 grid")
            with Grid(id="atlas-grid"):
                for code, tile in enumerate(self.tiles):
                    with Container(classes="panel atlas-tile") as box:
                        box.border_title = f"code {CODE_LABELS[code]}"
                        yield tile
        yield Footer()

    def on_mount(self) -> None:
        for tile, picture in zip(self.tiles, self.pictures):
            tile.show(thumbnail(picture))
