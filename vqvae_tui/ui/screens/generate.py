"""Generated codes: a random grid of codes, drawn uniformly or from the prior, decoded at once."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Container, Horizontal
from textual.widgets import Static

from vqvae_tui.model.trained import UNKNOWN_DATA, trained_on
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.screens.base import ExplainerScreen
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.grid import LatentGrid
from vqvae_tui.ui.widgets.picture import Picture


class GenerateScreen(ExplainerScreen):
    """Draw a random grid of codes, uniformly or from the prior, and decode it."""

    CSS_PATH = "generate.tcss"
    HELP_TITLE = "Generated codes"

    ACTIONS = actions(
        "generate",
        Action("space,n", "another", "Another", "Draw and decode another grid of codes",
               footer=10),
        Action("m", "switch_mode", "Uniform/prior",
               "Draw codes uniformly, or from how often the training images chose them",
               footer=11),
        Action("g,escape", "back", "Back", "Back to the summary screen", footer=12),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self, seed: int = 0):
        super().__init__(id="generate")
        self.rng = np.random.default_rng(seed)
        self.grid = LatentGrid("codes", id="generated-codes")
        self.picture = Picture(monochrome=bool(self.app.monochrome), id="generated")
        self.about = Static(id="generate-about")
        self.model = None  # the model whose codes are drawn
        self.prior: np.ndarray | None = None
        self.data = UNKNOWN_DATA  # what the model was trained on, in words
        self.mode = "uniform"
        self.codes: np.ndarray | None = None  # the grid drawn last, and its picture
        self.image: np.ndarray | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="generate-row"):
            with Container(classes="panel", id="generated-codes-panel"):
                yield self.grid
            yield Static("→", classes="arrow")
            with Container(classes="panel", id="generated-panel"):
                yield self.picture
            yield self.about
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#generated-codes-panel").border_title = "Codes"
        self.query_one("#generated-panel").border_title = "Decoded"

    def show(self) -> None:
        """A first grid, and a new one whenever the app holds another model."""
        if self.app.model is not self.model:
            from vqvae_tui.model import prior_of

            self.model = self.app.model
            self.prior = prior_of(self.model.sidecar)  # the loaded weights' own
            self.data = trained_on(self.model.sidecar)
            self.mode = "prior" if self.prior is not None else "uniform"
            self.action_another()

    def action_another(self) -> None:
        from vqvae_tui.model import decode, sample_codes

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
            f"each position drawn from how often the training {self.data.examples} chose each"
            " code there"
            if self.mode == "prior"
            else f"each position drawn uniformly from the {k} codes"
        )
        return (
            f"Generated codes: {self.mode}\n{source}.\n\n"
            "The decoder turns any grid of codes into a picture. The prior draws each position "
            "on its own, so neighbouring codes need not fit together; a prior learned over "
            "whole grids (the VQ-VAE paper's PixelCNN) would make them.\n\n"
            "space: another · m: uniform/prior · g or Esc: back"
        )
