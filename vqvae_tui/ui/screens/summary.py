"""The summary screen (the default): Input → Features → Codes → Quantized → Output, with the
Codebook below — the VQ-VAE paper's figure, live — the inspector, the code editor's difference
map and the walkthrough, which runs over these very panels.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
from textual.app import ComposeResult, SystemCommand
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.widgets import Static

from vqvae_tui.model.config import CENTRE, GRID, IMAGE, RECEPTIVE_FIELD
from vqvae_tui.session import Moment, edited_codes, position_label
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.messages import CodeEdited
from vqvae_tui.ui.screens.base import COMPACT, DrawingScreen
from vqvae_tui.ui.screens.walkthrough import (
    SECOND_PART,
    TOUR_ACTIONS,
    TOUR_STEPS,
    Touring,
    TourPanel,
    TourStep,
)
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.codebook import Codebook, CodeCounts
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.grid import LatentGrid
from vqvae_tui.ui.widgets.inspector import Inspector
from vqvae_tui.ui.widgets.picture import Picture

if TYPE_CHECKING:
    from vqvae_tui.model.tracing import Trace

GRIDS = ("features", "codes", "quantized")
PANEL_TITLES = {
    "input-panel": (f"Input {IMAGE}×{IMAGE}", "draw here"),
    "features-panel": ("Features", f"z_e {GRID}×{GRID}×D"),
    "codes-panel": ("Codes", "argmin"),
    "quantized-panel": ("Quantized", "z_q"),
    "output-panel": ("Output", "decoder"),
    "codebook-panel": ("Codebook", "K × D, count"),
    "difference-panel": ("Edits: |edited − model|", "no edits"),
}


def captions(encoder: str) -> str:
    """The captions under the figure. What one vector is computed from depends on the encoder:
    the convolutions see a 7×7 window, the lecture's MLP every pixel."""
    sees = f"{RECEPTIVE_FIELD}×{RECEPTIVE_FIELD} pixels" if encoder == "conv" else "all pixels"
    return (
        f"  encoder: {sees} → one D-vector   nearest code: argmin of d²   look up: code → its"
        f" vector   decoder: {GRID}×{GRID}×D → {IMAGE}×{IMAGE}"
    )


HINTS = (
    "Draw: mouse drag (right button erases), or arrows + space/x, p pen down\n"
    "Inspect: hover a grid, or Tab to it and move with the arrows\n"
    "Edit codes: on the Codes grid type a label, + - or the wheel; n runner-up, r reset\n"
    "0–9 samples · c clear · u undo · Tab next panel · v grid · ? keys"
)


class SummaryScreen(Touring, DrawingScreen):
    CSS_PATH = "summary.tcss"
    HELP_TITLE = "The summary screen"

    ACTIONS = actions(
        "summary",
        Action("d", "details", "Details",
               "The quantizer's six steps as live matrices beside their code, the losses",
               footer=10),
        Action("w", "tour", "Walkthrough", "A guided tour of one forward pass of your drawing",
               footer=11),
        Action("g", "generate", "Generate",
               "Decode random grids of codes, uniform or from the prior", footer=12),
        Action("a", "atlas", "Atlas",
               "What each code stands for: placed, where it is chosen, its training windows",
               footer=13),
        Action("z", "vae", "VAE", "A VAE with a 2-D latent: the map, the Gaussian, any z decoded",
               footer=14),
        Action("t", "comparison", "Three AEs",
               "The drawing through a plain autoencoder, the VAE and the VQ-VAE, side by side",
               footer=15),
        Action("L", "training", "Train",
               "The training lab: train a model here and watch its losses, usage and codes",
               footer=16),
        Action("v", "cycle_grid", "Next grid", "Compact layout: show the next latent grid",
               footer=32),
        Action("n", "runner_up", "Try runner-up",
               "Decode the selected position with its runner-up code (again: undo)"),
        Action("r", "reset_edits", "Reset edits", "Every position back to its nearest code"),
        Action("escape", "deselect", "Deselect", "Clear the selected position or code"),
        TOUR_ACTIONS,
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="summary")
        monochrome = bool(self.app.monochrome)
        self.captions = Static(captions("conv"), id="captions")
        self.captioned = None  # the model the captions are of
        self.canvas = Canvas(monochrome=monochrome, id="input")
        self.output = Picture(monochrome=monochrome, id="output")
        self.difference = Picture(monochrome=monochrome, id="difference")
        self.grids = {kind: LatentGrid(kind, id=kind) for kind in GRIDS}
        self.codebook = Codebook(id="codebook")
        self.code_counts = CodeCounts(id="code-counts")
        self.inspector = Inspector("loading model…", id="inspector")
        self.notice = Static(id="too-small")
        self.tour = TourPanel(id="tour")
        self.compact_grid = "codes"  # which grid the compact layout shows
        # (trace, edits, decoded output, |difference| from the model's own codes): decoded once
        # per trace and edits, not at every hover
        self.edited: tuple[Trace, dict[int, int], np.ndarray, np.ndarray] | None = None
        self.tour_step: int | None = None  # 0-based, while the walkthrough runs
        self.tour_entered: Moment | None = None  # the state when the current step began
        self.tour_done: set[int] = set()  # steps whose task is done

    def compose(self) -> ComposeResult:
        with Horizontal(id="figure"):
            with self.panel("input-panel"):
                yield self.canvas
            yield Static("→", classes="arrow", id="arrow-encoder")
            with self.panel("features-panel", "panel grid-panel"):
                yield self.grids["features"]
            yield Static("→", classes="arrow", id="arrow-nearest")
            with self.panel("codes-panel", "panel grid-panel"):
                yield self.grids["codes"]
            yield Static("→", classes="arrow", id="arrow-lookup")
            with self.panel("quantized-panel", "panel grid-panel"):
                yield self.grids["quantized"]
            yield Static("→", classes="arrow", id="arrow-decoder")
            with self.panel("output-panel"):
                yield self.output
        yield self.captions
        with Horizontal(id="lower"):
            with self.panel("codebook-panel"):
                with VerticalScroll(id="codebook-scroll") as rows:  # K rows may not fit
                    rows.can_focus = False  # Tab goes to the codebook, its rows follow it
                    with Horizontal(id="codebook-rows"):
                        yield self.codebook
                        yield self.code_counts
            with Vertical(id="side"):
                yield self.inspector
                with Horizontal(id="side-row"):
                    yield self.tour
                    yield Static(HINTS, id="hints")
                    with self.panel("difference-panel"):
                        yield self.difference
        yield self.notice
        yield KeyFooter()

    @staticmethod
    def panel(panel: str, classes: str = "panel") -> Container:
        """A panel's box with its title and subtitle, there from the first frame."""
        box = Container(id=panel, classes=classes)
        box.border_title, box.border_subtitle = PANEL_TITLES[panel]
        return box

    def on_mount(self) -> None:
        super().on_mount()
        self.canvas.focus()
        self.watch(
            self.query_one("#codebook-scroll"), "show_vertical_scrollbar", self.mark_scrolling
        )

    # ---- layout -------------------------------------------------------------------------

    def apply_layout(self, size: Size) -> None:
        self.notice.update(
            f"Enlarge the terminal to at least {COMPACT.width}×{COMPACT.height}"
            f" (now {size.width}×{size.height}).\nq quits."
        )
        super().apply_layout(size)

    def mark_scrolling(self, scrolls: bool) -> None:
        """'↕' in the codebook's subtitle while its rows are more than it can show (its
        scrollbar shown). Called as the layout decides it, so a resize posts the screen no
        message: a message between two queued Resize events keeps Textual from merging them,
        and the two sizes would then lay the screen out in turn for ever."""
        subtitle = PANEL_TITLES["codebook-panel"][1]
        self.set_subtitle("codebook-panel", f"{subtitle} ↕" if scrolls else subtitle)

    def layout_changed(self, name: str) -> None:
        self.codebook.compact = name == "compact"
        self.codebook.refresh(layout=True)  # a strip in compact, rows in full
        self.show_compact_grid()
        self.refresh_bindings()  # v is a key of the compact layout only

    def show_compact_grid(self) -> None:
        for kind in GRIDS:
            self.query_one(f"#{kind}-panel").set_class(kind != self.compact_grid, "-hidden-compact")

    def action_cycle_grid(self) -> None:
        self.compact_grid = GRIDS[(GRIDS.index(self.compact_grid) + 1) % len(GRIDS)]
        self.show_compact_grid()
        self.notify(f"showing {self.compact_grid}", timeout=1.5)

    # ---- drawing what the model computed --------------------------------------------------

    def show(self) -> None:
        super().show()
        trace, selection, edits = self.app.trace, self.app.selection, self.session.edits
        if self.app.model is not None and self.app.model is not self.captioned:
            self.captioned = self.app.model
            self.captions.update(captions(self.captioned.config.encoder))
            self.query_one("#codebook-panel").border_title = f"Codebook · {self.app.model_name}"
        if trace is not None:
            self.show_output(trace)
        for grid in self.grids.values():
            grid.show(trace, selection, edits)
        self.codebook.show(trace, selection)
        self.code_counts.show(trace, selection)
        self.inspector.show(trace, selection)
        self.output.mark(selection.position)
        subtitle = (
            "draw here"
            if selection.position is None
            else f"patch {position_label(selection.position)}"
        )
        self.set_subtitle("input-panel", subtitle)
        if self.tour_step is not None:
            self.show_tour()

    def set_subtitle(self, panel: str, subtitle: str) -> None:
        widget = self.query_one(f"#{panel}")
        if widget.border_subtitle != subtitle:  # a new subtitle repaints the panel
            widget.border_subtitle = subtitle

    def show_output(self, trace: Trace) -> None:
        """The decoder's output: of the nearest codes, or of the edited ones, with the
        difference between the two."""
        from vqvae_tui.model import decode

        edits = self.session.edits
        if not edits:
            self.output.show(trace.reconstruction)
            self.difference.show(np.zeros_like(trace.reconstruction))
        else:
            if self.edited is None or self.edited[:2] != (trace, edits):
                model = self.app.model
                output = decode(model, edited_codes(trace.codes, edits).reshape(GRID, GRID))
                # the model's own codes decoded the same way: exactly zero where no edit reaches
                own = decode(model, trace.codes.reshape(GRID, GRID))
                self.edited = trace, dict(edits), output, np.abs(output - own)
            self.output.show(self.edited[2])
            self.difference.show(self.edited[3])
        count = len(edits)
        self.set_subtitle("difference-panel", f"{count} edited" if count else "no edits")
        self.set_subtitle("output-panel", f"decoder · {count} edited" if count else "decoder")

    # ---- editing codes ------------------------------------------------------------------

    def on_code_edited(self, message: CodeEdited) -> None:
        trace = self.app.trace
        if trace is not None:
            self.session.set_code(
                message.position, message.code, int(trace.codes[message.position])
            )
            self.show()

    def action_reset_edits(self) -> None:
        if self.session.reset_edits():
            self.show()

    def action_runner_up(self) -> None:
        position, trace = self.app.selection.position, self.app.trace
        if trace is None or position is None:
            self.notify("select a position first (a grid, and the arrows)", timeout=2)
            return
        self.session.toggle_runner_up(position, trace.distances[position])
        self.show()

    def action_deselect(self) -> None:
        self.session.deselect()

    # ---- the other screens --------------------------------------------------------------

    def open(self, screen: str) -> None:
        if self.app.model is None:
            self.notify("the model is still loading", timeout=2)
        elif self.app.screen is self:  # keys already queued may arrive after another opened
            self.app.push_screen(screen)

    def action_details(self) -> None:
        self.open("details")

    def action_generate(self) -> None:
        self.open("generate")

    def action_atlas(self) -> None:
        self.open("atlas")

    def action_vae(self) -> None:
        if self.app.screen is self:  # the VAE loads when its screen first needs it
            self.app.push_screen("vae")

    def action_comparison(self) -> None:
        self.open("comparison")

    def action_training(self) -> None:
        self.open("training")

    # ---- the walkthrough ----------------------------------------------------------------

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "cycle_grid":
            return self.layout_name == "compact"
        return super().check_action(action, parameters)

    def enter_tour(self, number: int) -> None:
        """Start the walkthrough at step `number` (1-based, kept within the steps; those past
        the first part's run on the comparison screen)."""
        if number > len(TOUR_STEPS):
            self.start_second_part(number - len(TOUR_STEPS) - 1)
        else:
            self.start_tour(max(number, 1) - 1)

    def start_second_part(self, step: int) -> None:
        """The walkthrough's second part, over the comparison screen (from its step `step`)."""
        if self.app.screen is self:  # keys already queued may arrive after it opened
            self.action_tour_leave()
            self.app.push_screen("comparison")
            self.app.screen.enter_tour(step)

    def action_tour(self) -> None:
        """A guided walk through one forward pass of the live drawing."""
        self.start_tour(0 if self.tour_step is None else self.tour_step)

    def start_tour(self, step: int) -> None:
        self.tour_step = step
        self.tour_entered = self.session.moment()
        self.set_class(True, "-touring")
        self.refresh_bindings()  # the footer shows the tour's keys (check_action), not the panel's
        self.show_tour()

    def action_tour_next(self) -> None:
        if self.tour_step is not None and self.tour_step < len(TOUR_STEPS) - 1:
            self.start_tour(self.tour_step + 1)
        elif self.tour_step is not None:
            self.start_second_part(0)

    def action_tour_previous(self) -> None:
        if self.tour_step is not None and self.tour_step > 0:
            self.start_tour(self.tour_step - 1)

    def tour_line(self, step: TourStep) -> str | None:
        """The line of the quantizer's source that the step talks about."""
        if step.marker is None or self.app.model is None:
            return None
        from vqvae_tui.model.steps import quantizer_source, quantizer_steps

        quantizer = type(self.app.model.quantizer)
        line = next(s.line for s in quantizer_steps(quantizer) if s.name == step.marker)
        return quantizer_source(quantizer).lines[line]

    def show_tour(self) -> None:
        step = TOUR_STEPS[self.tour_step]
        for panel in self.query(".panel"):
            panel.set_class(panel.id == step.panel, "-tour-target")
        trace, position = self.app.trace, self.app.selection.position
        if (
            step.task is not None
            and trace is not None
            and self.tour_step not in self.tour_done
            and step.task.done(trace.codes, self.tour_entered, self.session.moment())
        ):
            self.tour_done.add(self.tour_step)
            self.notify(f"Step {self.tour_step + 1}: done! {step.task.text}", timeout=3)
        self.tour.show(
            self.tour_step, trace, CENTRE if position is None else position, self.app.model,
            self.tour_line(step), self.tour_step in self.tour_done,
        )  # fmt: skip

    # ---- the command palette ------------------------------------------------------------

    def commands(self) -> Iterable[SystemCommand]:
        yield from super().commands()
        for number, step in enumerate([*TOUR_STEPS, *SECOND_PART], 1):
            yield SystemCommand(
                f"Tour step {number}: {step.title}", "Enter the walkthrough at this step",
                lambda n=number: self.enter_tour(n),
            )  # fmt: skip
        for panel in ("input", *GRIDS, "codebook"):
            yield SystemCommand(
                f"Focus {panel}", f"Move the keyboard to the {panel} panel (Tab)",
                self.query_one(f"#{panel}").focus,
            )  # fmt: skip
