"""The VAE screen: Input → the latent map (where the training digits' μ fall, and the Gaussian
your drawing is encoded to, with μ and the sampled z) → Output, the decoder's picture of z.

Drawing moves the Gaussian live. The z cursor decodes any point of the plane: the arrows (on the
map) or a click pin z there; `f` pins z where it is or lets it follow the encoder again; `n`
draws a new ε. μ, σ, ε, z, the reconstruction loss and the KL are shown as numbers, all from the
VAE's trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.geometry import Size
from textual.widgets import Static

from vqvae_tui.model.config import IMAGE
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.messages import LatentPointChosen, LatentStep
from vqvae_tui.ui.screens.base import COMPACT, DrawingScreen
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.lines import TextLines
from vqvae_tui.ui.widgets.picture import THUMBNAIL, BandedPicture, Picture, thumbnail
from vqvae_tui.ui.widgets.plane import LatentPlane, Overlay, nice_extent

if TYPE_CHECKING:
    from vqvae_tui.model.latent_tracing import VAETrace

MAP_LEGEND = (
    "0–9: where training digits' μ fall (bold: many, dim: one)\n"
    "μ mean · z = μ + σ·ε · ╋ pinned z · ⠶ 1σ and 2σ"
)
MAP_COMPACT_LEGEND = "0–9 digits' μ · ⠶ 1σ, 2σ"
VAE_HINTS = (
    "Draw: the Gaussian moves. On a map (Tab): arrows or h j k l move z, a click or drag "
    "puts it there.\nf pin/follow · n new ε · d graph"
)
VAE_COMPACT_HINTS = "Tab: the map\nf pin · n new ε\nd graph view"


ZOOM_REACH = 3.5  # the enlarged view reaches this many σ from μ (at least)
OUTPUT_SHADES = 8  # the output's greys: a 2-D z moves the whole picture at every stroke


def signed(values: np.ndarray, digits: int = 3) -> str:
    return "  ".join(f"{value:+.{digits}f}" for value in values)


def describe_gaussian(trace: VAETrace, compact: bool = False) -> Text:
    """The numbers of this drawing's Gaussian, its sample and its losses (fewer lines in the
    compact layout)."""
    rows = [
        ("μ", trace.mean, None),
        ("σ", trace.sigma, " = exp(½ log σ²)"),
        ("ε", trace.epsilon, f" ~ N(0, I), draw #{trace.noise}"),
        ("z", trace.z, " = μ + σ·ε"),
    ]
    text = Text(no_wrap=True)
    for name, values, formula in rows:
        text.append(f"{name:<8}{signed(values)}\n")
        if formula is not None and not compact:
            text.append(formula + "\n", "dim")
    if trace.cursor is not None:
        text.append(f"{'╋ z':<8}{signed(trace.cursor)}\n", "bold")
        if not compact:
            text.append(" pinned: f follows again\n", "dim")
    elif not compact:
        text.append("z follows the encoder\n", "dim")
    if not compact:
        text.append(f"BCE {trace.reconstruction_loss:.1f} nats  MSE {trace.mse:.4f}\n")
    kl = " + ".join(f"{value:.2f}" for value in trace.kl)
    text.append(f"KL {trace.kl.sum():.2f} = {kl} nats")
    return text


class VAEScreen(DrawingScreen):
    CSS_PATH = "vae.tcss"
    HELP_TITLE = "The VAE screen"
    TRACES = {"vae": False}
    WATCHES = ("vae_trace", "problems")
    MARKS_SELECTION = False  # no VQ-VAE position here

    ACTIONS = actions(
        "vae",
        Action("f", "toggle_pin", "Pin/follow z",
               "Pin z where it is now, or let it follow the encoder again", footer=10),
        Action("n", "new_noise", "New ε", "Draw a new ε: z = μ + σ·ε moves, μ and σ stay",
               footer=11),
        Action("d", "graph", "Graph view",
               "The sampling's source linked with its computational graph, the KL, the gradient",
               footer=12),
        Action("z,escape", "back", "Summary", "Back to the summary screen", footer=13),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="vae")
        monochrome = bool(self.app.monochrome)
        self.canvas = Canvas(monochrome=monochrome, id="vae-input")
        self.map = LatentPlane(id="latent-map")
        # the Gaussian enlarged around μ: no scatter (it would move under it at every stroke)
        self.zoom = LatentPlane(clamp_marks=False, axes=False, id="latent-zoom")
        self.output = BandedPicture(monochrome=monochrome, shades=OUTPUT_SHADES, id="vae-output")
        self.small_output = Picture(monochrome=monochrome, pixels=THUMBNAIL, id="vae-small-output")
        self.numbers = TextLines("loading the VAE…", palette=True, id="vae-numbers")
        self.notice = Static(id="vae-too-small")
        self.mapped = None  # the latent map on the plane now

    def compose(self) -> ComposeResult:
        with Horizontal(id="vae-body"):
            with Vertical(id="vae-left"):
                with Container(classes="panel", id="vae-input-panel"):
                    yield self.canvas
                yield self.numbers
            with Vertical(classes="panel", id="map-panel"):
                yield self.map
                yield Static(MAP_LEGEND, id="map-legend")
                yield Static(MAP_COMPACT_LEGEND, id="map-legend-compact")
            with Vertical(id="vae-right"):
                with Container(classes="panel", id="vae-output-panel"):
                    yield self.output
                    yield self.small_output
                with Container(classes="panel", id="zoom-panel"):
                    yield self.zoom
                yield Static(VAE_HINTS, id="vae-hints")
                yield Static(VAE_COMPACT_HINTS, id="vae-hints-compact")
        yield self.notice
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#vae-input-panel").border_title = f"Input {IMAGE}×{IMAGE}"
        self.query_one("#map-panel").border_title = "Latent map"
        self.query_one("#vae-output-panel").border_title = "Output"
        self.canvas.focus()

    def apply_layout(self, size: Size) -> None:
        self.notice.update(
            f"Enlarge the terminal to at least {COMPACT.width}×{COMPACT.height}"
            f" (now {size.width}×{size.height}).\nq quits, Esc goes back."
        )
        super().apply_layout(size)

    def layout_changed(self, name: str) -> None:
        self.show_map_title()
        self.show()  # the numbers: fewer lines in the compact layout

    def show_map_title(self) -> None:
        title = "Latent map"
        if self.mapped is not None and self.layout_name == "full":
            title += f": μ of {len(self.mapped.labels):,} training digits"
        self.query_one("#map-panel").border_title = title

    # ---- drawing what the VAE computed --------------------------------------------------

    def show(self) -> None:
        super().show()
        trace = self.app.vae_trace
        loaded = self.app.latent_models.get("vae")
        if trace is None or loaded is None:
            problem = self.app.problems.get("vae")
            self.numbers.update(problem or "loading the VAE…")
            return
        latent_map = loaded[1]
        if self.mapped is not latent_map:
            self.mapped = latent_map
            self.map.set_points(latent_map.points, latent_map.labels)
            self.show_map_title()
        overlay = Overlay(
            mean=tuple(trace.mean.tolist()),
            sigma=tuple(trace.sigma.tolist()),
            z=tuple(trace.z.tolist()),
            cursor=None if trace.cursor is None else tuple(trace.cursor.tolist()),
        )
        self.map.show(overlay)
        # the Gaussian is far smaller than a cell of the map: enlarged around μ, it shows
        extent = nice_extent(ZOOM_REACH * float(trace.sigma.max()))
        self.zoom.show(overlay, view=(overlay.mean, extent))
        zoom = self.query_one("#zoom-panel")
        title = f"×{self.map.extent / extent:.0f}: μ ± {extent:g}"
        if zoom.border_title != title:
            zoom.border_title = title
        pinned = trace.cursor is not None
        picture = trace.cursor_reconstruction if pinned else trace.reconstruction
        if self.layout_name == "compact":  # the small Output shows only there
            self.small_output.show(thumbnail(picture))
        else:
            self.output.show(picture)
        self.set_subtitle("vae-output-panel", "decoder(╋ z)" if pinned else "decoder(z)")
        self.set_subtitle("map-panel", "z pinned (f follows)" if pinned else "z follows μ + σ·ε")
        self.numbers.update(describe_gaussian(trace, compact=self.layout_name == "compact"))

    def set_subtitle(self, panel: str, subtitle: str) -> None:
        widget = self.query_one(f"#{panel}")
        if widget.border_subtitle != subtitle:  # a new subtitle repaints the panel
            widget.border_subtitle = subtitle

    # ---- z on the plane -----------------------------------------------------------------

    def bounds(self) -> tuple[float, float]:
        return (-self.map.extent, self.map.extent)

    def on_latent_point_chosen(self, message: LatentPointChosen) -> None:
        if self.app.vae_trace is not None:
            self.session.pin(message.point, self.bounds())

    def on_latent_step(self, message: LatentStep) -> None:
        trace = self.app.vae_trace
        if trace is not None:
            self.session.move_cursor(message.step, tuple(trace.z.tolist()), self.bounds())

    def action_toggle_pin(self) -> None:
        trace = self.app.vae_trace
        if trace is None:
            self.notify("the VAE is still loading", timeout=2)
            return
        pinned = self.session.toggle_pin(tuple(trace.z.tolist()), self.bounds())
        self.notify("z pinned: the map's cursor decodes" if pinned else "z follows the encoder",
                    timeout=1.5)  # fmt: skip

    def action_new_noise(self) -> None:
        self.session.new_noise()

    def action_graph(self) -> None:
        if self.app.screen is self:  # keys already queued may arrive after another opened
            self.app.push_screen("graph")
