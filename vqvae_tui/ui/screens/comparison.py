"""Three autoencoders side by side: the same drawing through the plain autoencoder, the VAE and
the VQ-VAE, each with its latent (a point; a Gaussian; 49 codes), its reconstruction and its
error; and what each latent allows: random draws from N(0, I) decoded by the autoencoder and the
VAE (where they fall is marked a, b on their maps), random codes from the prior for the VQ-VAE.
The walkthrough's second part runs over this screen.

At 120×40 the pictures are 28×28 and the input is a canvas; at 80×24 (compact) every picture is a
14×14 thumbnail (the input too: the drawing keys still draw) and one draw of each model is shown,
so that everything fits without scrolling; the walkthrough's words take the draws' place.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.containers import Container, Horizontal, VerticalScroll
from textual.widgets import Static

from vqvae_tui.model.config import GRID, IMAGE
from vqvae_tui.model.trained import TrainingData, trained_on
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.screens.base import DrawingScreen, layout_for
from vqvae_tui.ui.screens.walkthrough import (
    PRIOR_DISK,
    SECOND_PART,
    TOUR_ACTIONS,
    TOUR_STEPS,
    Comparison,
    PlaneFacts,
    Touring,
    TourPanel,
)
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.inspector import code_text
from vqvae_tui.ui.widgets.picture import THUMBNAIL, Picture, thumbnail
from vqvae_tui.ui.widgets.plane import LatentPlane, Overlay

MODEL_NAMES = {"ae": "Autoencoder", "vae": "VAE", "vqvae": "VQ-VAE"}  # in the order shown
SHORT_NAMES = {"ae": "AE", "vae": "VAE", "vqvae": "VQ-VAE"}  # compact: the name and its error
LATENTS = {"ae": "z: a point", "vae": "N(μ, σ²): a Gaussian", "vqvae": f"{GRID}×{GRID} codes"}
COMPACT_LATENTS = {**LATENTS, "vae": "N(μ, σ²)"}  # in a 20-column panel
DRAWS = 2  # random draws per model
COMPACT_DRAWS = 1  # … shown in the compact layout
DRAW_NAMES = "ab"
SPACING_SAMPLE = 500  # mapped digits whose nearest neighbours measure the map's spacing
COMPACT_ABOUT = "Below: a draw from N(0, I) (a on the maps), codes from the prior.\nn new · w tour"
WHAT_IT_SHOWS = (
    "What each latent allows: decode a random draw. From N(0, I) for the autoencoder and the "
    "VAE (a, b on their maps), from the codes' prior for the VQ-VAE.\n"
    "n: new draws · w: the walkthrough's second part · t or Esc: back"
)


def nearest(points: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each target: the index of the nearest of `points`, and its distance."""
    distances = np.sqrt(((targets[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    return distances.argmin(axis=1), distances.min(axis=1)


def spacing(points: np.ndarray) -> float:
    """The median distance from a mapped digit to its nearest other one (over a sample)."""
    sample = points[:SPACING_SAMPLE]
    distances = np.sqrt(((sample[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    distances[np.arange(len(sample)), np.arange(len(sample))] = np.inf
    return float(np.median(distances.min(axis=1)))


def vqvae_title(data: TrainingData) -> str:
    """The VQ-VAE's column, named with its data where that is known not to be the other two's
    (MNIST)."""
    return MODEL_NAMES["vqvae"] + (f" · {data.name}" if data.known_not_mnist else "")


def codes_text(codes: np.ndarray, narrow: bool = False) -> Text:
    """A grid of codes, one label on its code's colour a cell (two columns a code if narrow,
    else three)."""
    text = Text(no_wrap=True)
    for row in np.asarray(codes).reshape(GRID, GRID):
        for code in row:
            label = code_text(int(code))
            text.append_text(label[1:] if narrow else label)
        text.append("\n")
    return text


class ComparisonScreen(Touring, DrawingScreen):
    CSS_PATH = "comparison.tcss"
    HELP_TITLE = "Three autoencoders"
    TRACES = {"ae": False, "vae": False, "vqvae": False}
    WATCHES = ("trace", "vae_trace", "ae_trace", "problems")
    MARKS_SELECTION = False  # no VQ-VAE position here

    ACTIONS = actions(
        "comparison",
        Action("n", "new_draws", "New draws",
               "Decode new random draws: from N(0, I), and codes from the prior", footer=10),
        Action("w", "tour", "Walkthrough", "The walkthrough's second part, over this screen",
               footer=11),
        Action("t,escape", "back", "Summary", "Back to the summary screen", footer=12),
        TOUR_ACTIONS,
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self, seed: int = 0):
        super().__init__(id="comparison")
        monochrome = bool(self.app.monochrome)
        self.rng = np.random.default_rng(seed)
        self.canvas = Canvas(monochrome=monochrome, id="comparison-input")
        self.outputs = {
            kind: Picture(monochrome=monochrome, id=f"{kind}-output") for kind in MODEL_NAMES
        }
        # the compact layout's thumbnails of the input and of the three reconstructions
        self.small = {
            kind: Picture(monochrome=monochrome, pixels=THUMBNAIL, id=f"{kind}-small")
            for kind in ("input", *MODEL_NAMES)
        }
        self.maps = {kind: LatentPlane(id=f"{kind}-map") for kind in ("ae", "vae")}
        self.codes = Static(id="vqvae-codes")
        self.draws = {
            kind: [
                Picture(monochrome=monochrome, pixels=THUMBNAIL, id=f"{kind}-draw-{i}")
                for i in range(DRAWS)
            ]
            for kind in MODEL_NAMES
        }
        for widget in (self.canvas, *self.outputs.values()):
            widget.add_class("comparison-large")
        for widget in self.small.values():
            widget.add_class("comparison-small")
        for pictures in self.draws.values():
            for widget in pictures[COMPACT_DRAWS:]:
                widget.add_class("draw-extra")
        self.tour = TourPanel(id="comparison-tour")
        self.wide_tour = TourPanel(id="comparison-tour-compact")  # 80×24: below, 78 columns
        self.points: dict[str, np.ndarray] = {}  # kind → the draws from N(0, I) on its plane
        self.spacings: dict[str, float] = {}  # kind → its map's spacing
        self.covers: dict[str, float] = {}  # kind → its map's share of digits near the prior
        self.mapped: dict[str, object] = {}  # kind → the latent map on its plane now
        self.prior: np.ndarray | None = None
        self.drawn_with = None  # the models the draws were decoded by
        self.tour_step: int | None = None  # 0-based within the second part, while it runs

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="comparison-body"):
            with Horizontal(classes="comparison-row", id="outputs-row"):
                with Container(classes="panel", id="comparison-input-panel"):
                    yield self.canvas
                    yield self.small["input"]
                for kind, picture in self.outputs.items():
                    with Container(classes="panel", id=f"{kind}-panel"):
                        yield picture
                        yield self.small[kind]
            with Horizontal(classes="comparison-row", id="latents-row"):
                yield self.tour
                yield Static(WHAT_IT_SHOWS, id="comparison-about")
                yield Static(COMPACT_ABOUT, id="comparison-about-compact")
                for kind in MODEL_NAMES:
                    with Container(classes="panel latent-panel", id=f"{kind}-latent-panel"):
                        yield self.maps[kind] if kind in self.maps else self.codes
            with Horizontal(classes="comparison-row", id="draws-row"):
                yield Static(id="comparison-numbers")
                for kind, pictures in self.draws.items():
                    with Horizontal(classes="panel draws-panel", id=f"{kind}-draws-panel"):
                        yield from pictures
            yield self.wide_tour
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#comparison-input-panel").border_title = f"Input {IMAGE}×{IMAGE}"
        for kind, name in MODEL_NAMES.items():
            self.query_one(f"#{kind}-panel").border_title = name
        self.query_one("#ae-draws-panel").border_title = "draws from N(0, I)"
        self.query_one("#vae-draws-panel").border_title = "draws from N(0, I)"
        self.query_one("#vqvae-draws-panel").border_title = "codes drawn"
        if layout_for(self.app.size) != "compact":  # at 80×24 the canvas is hidden
            self.canvas.focus()

    # ---- drawing what the three models computed ------------------------------------------

    def loaded(self) -> dict | None:
        """kind → (model, latent map or None), once all three have loaded."""
        app = self.app
        models = {kind: app.latent_models.get(kind) for kind in ("ae", "vae")}
        if app.model is None or None in models.values():
            return None
        return {**models, "vqvae": (app.model, None)}

    def show(self) -> None:
        super().show()
        self.show_small_input()
        app = self.app
        loaded = self.loaded()
        traces = {"ae": app.ae_trace, "vae": app.vae_trace, "vqvae": app.trace}
        numbers = self.query_one("#comparison-numbers", Static)
        problems = "; ".join(app.problems.get(kind, "") for kind in ("ae", "vae")).strip("; ")
        if loaded is None or None in traces.values():
            numbers.update(problems or "loading the three models…")
            if self.tour_step is not None:
                self.show_tour()
            return
        for kind in ("ae", "vae"):
            latent_map = loaded[kind][1]
            if self.mapped.get(kind) is not latent_map:
                self.mapped[kind] = latent_map
                self.maps[kind].set_points(latent_map.points, latent_map.labels)
                self.spacings[kind] = spacing(latent_map.points)
                radii = np.linalg.norm(latent_map.points, axis=1)
                self.covers[kind] = float((radii <= PRIOR_DISK).mean())
                panel = self.query_one(f"#{kind}-latent-panel")
                panel.border_subtitle = f"{self.covers[kind]:.0%} in |z| ≤ {PRIOR_DISK:g}"
        if self.drawn_with != [model for model, _ in loaded.values()]:
            self.decode_draws(loaded)
        compact = self.layout_name == "compact"
        for kind, trace in traces.items():
            if compact:
                self.small[kind].show(thumbnail(trace.reconstruction))
            else:
                self.outputs[kind].show(trace.reconstruction)
        ae, vae, vq = traces["ae"], traces["vae"], traces["vqvae"]
        self.maps["ae"].show(Overlay(z=tuple(ae.z.tolist()), extra=self.marks("ae")))
        self.maps["vae"].show(
            Overlay(
                mean=tuple(vae.mean.tolist()),
                sigma=tuple(vae.sigma.tolist()),
                z=tuple(vae.z.tolist()),
                extra=self.marks("vae"),
            )
        )
        self.codes.update(codes_text(vq.codes, narrow=compact))
        errors = {"ae": ae.mse, "vae": vae.mse, "vqvae": vq.reconstruction_loss}
        for kind, error in errors.items():
            panel = self.query_one(f"#{kind}-panel")
            if compact:  # one border line: the name and the error in the title
                title, subtitle = f"{SHORT_NAMES[kind]} MSE {error:.4f}", None
            else:
                name = vqvae_title(trained_on(app.model.sidecar)) if kind == "vqvae" else None
                title, subtitle = name or MODEL_NAMES[kind], f"MSE {error:.4f}"
            if (panel.border_title, panel.border_subtitle) != (title, subtitle):
                panel.border_title, panel.border_subtitle = title, subtitle
        covers = (
            f"\n|z| ≤ {PRIOR_DISK:g}: AE {self.covers['ae']:.0%}, VAE {self.covers['vae']:.0%}"
            if compact
            else ""
        )  # the maps' subtitles say it in the full layout
        numbers.update(
            f"z = ({ae.z[0]:+.2f}, {ae.z[1]:+.2f})\n"
            f"μ = ({vae.mean[0]:+.2f}, {vae.mean[1]:+.2f})\n"
            f"σ = ({vae.sigma[0]:.3f}, {vae.sigma[1]:.3f})\n"
            f"KL {vae.kl.sum():.2f} nats\n"
            f"{len(set(vq.codes.tolist()))} distinct codes{covers}"
        )
        if self.tour_step is not None:
            self.show_tour()

    def show_drawing(self) -> None:
        super().show_drawing()
        self.show_small_input()

    def show_small_input(self) -> None:
        if self.layout_name == "compact":  # the compact layout's input: a thumbnail
            self.small["input"].show(thumbnail(self.session.image))

    def layout_changed(self, name: str) -> None:
        if name == "compact" and self.focused is self.canvas:  # hidden there
            self.set_focus(None)
        elif name == "full" and self.focused is None:
            self.canvas.focus()
        latents = COMPACT_LATENTS if name == "compact" else LATENTS
        for kind, title in latents.items():
            self.query_one(f"#{kind}-latent-panel").border_title = title
        self.show()  # thumbnails or pictures, titles, one draw or two on the maps

    def marks(self, kind: str) -> tuple[tuple[float, float, str], ...]:
        """The draws, marked on a map by their names (at 80×24 those shown, or all while the
        walkthrough, which speaks of them all, hides the draws' row)."""
        few = self.layout_name == "compact" and self.tour_step is None
        shown = COMPACT_DRAWS if few else DRAWS
        return tuple(
            (float(x), float(y), DRAW_NAMES[i])
            for i, (x, y) in enumerate(self.points[kind][:shown])
        )

    def decode_draws(self, loaded: dict) -> None:
        """Draw from the priors and decode: N(0, I) on the two planes, codes for the VQ-VAE."""
        from vqvae_tui.model import decode, decode_points, prior_draws, prior_of, sample_codes

        self.drawn_with = [model for model, _ in loaded.values()]
        for kind in ("ae", "vae"):
            self.points[kind] = prior_draws(self.rng, DRAWS)
            pictures = decode_points(loaded[kind][0], self.points[kind])
            for picture, widget in zip(pictures, self.draws[kind]):
                widget.show(thumbnail(picture))
        vqvae = loaded["vqvae"][0]
        self.prior = prior_of(vqvae.sidecar)  # the shown weights' own (a run's, after w)
        for widget in self.draws["vqvae"]:
            codes = sample_codes(vqvae.config.num_codes, self.rng, self.prior)
            widget.show(thumbnail(decode(vqvae, codes)))
        panel = self.query_one("#vqvae-draws-panel")
        panel.border_subtitle = "from the prior" if self.prior is not None else "uniformly"

    def action_new_draws(self) -> None:
        loaded = self.loaded()
        if loaded is None:
            self.notify("the models are still loading", timeout=2)
            return
        self.decode_draws(loaded)
        self.show()

    # ---- the walkthrough's second part ---------------------------------------------------

    def enter_tour(self, number: int) -> None:
        """Start the second part at step `number` (0-based within it)."""
        self.tour_step = min(max(number, 0), len(SECOND_PART) - 1)
        self.set_class(True, "-touring")
        self.refresh_bindings()
        if self.is_mounted:  # else it shows the step once it is
            self.show()

    def action_tour(self) -> None:
        self.enter_tour(0 if self.tour_step is None else self.tour_step)

    def action_tour_leave(self) -> None:
        super().action_tour_leave()
        self.show()  # at 80×24 the maps mark only the draws shown again

    def action_tour_next(self) -> None:
        if self.tour_step is not None and self.tour_step < len(SECOND_PART) - 1:
            self.enter_tour(self.tour_step + 1)

    def action_tour_previous(self) -> None:
        if self.tour_step is None:
            return
        if self.tour_step > 0:
            self.enter_tour(self.tour_step - 1)
        elif self.app.screen is self:  # back to the first part's last step, on the summary
            self.action_tour_leave()
            self.app.pop_screen()
            self.app.screen.enter_tour(len(TOUR_STEPS))

    def show_tour(self) -> None:
        step = SECOND_PART[self.tour_step]
        for panel in self.query(".panel"):
            panel.set_class(panel.id in step.panels, "-tour-target")
        facts = self.facts()
        words = step.explain(facts) if facts is not None else None
        for tour in (self.tour, self.wide_tour):
            tour.show_words(len(TOUR_STEPS) + self.tour_step, step.title, words)

    def facts(self) -> Comparison | None:
        app = self.app
        if None in (app.ae_trace, app.vae_trace, app.trace) or not self.points:
            return None
        planes = {}
        for kind in ("ae", "vae"):
            latent_map = self.mapped[kind]
            indices, gaps = nearest(latent_map.points, self.points[kind])
            planes[kind] = PlaneFacts(
                cover=self.covers[kind],
                gaps=tuple(gaps.tolist()),
                nearest=tuple(latent_map.labels[indices].tolist()),
                spacing=self.spacings[kind],
            )
        return Comparison(
            ae=app.ae_trace, vae=app.vae_trace, vqvae=app.trace,
            ae_plane=planes["ae"], vae_plane=planes["vae"], prior=self.prior is not None,
            vqvae_data=trained_on(app.model.sidecar),
        )  # fmt: skip

    def commands(self) -> Iterable[SystemCommand]:
        yield from super().commands()
        for number, step in enumerate(SECOND_PART, len(TOUR_STEPS) + 1):
            yield SystemCommand(
                f"Tour step {number}: {step.title}", "Enter the walkthrough at this step",
                lambda n=number - len(TOUR_STEPS) - 1: self.enter_tour(n),
            )  # fmt: skip
