"""The app: owns the model, the pixels, the Trace and the selection; widgets render from them.

Input → Features → Codes → Quantized → Output, with the Codebook below: the VQ-VAE paper's
figure, live. The model loads in a worker so the first frame comes at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.geometry import Size
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Static

from vqvae_tui.drawing import SAMPLES, paint
from vqvae_tui.errors import UserError
from vqvae_tui.ui.messages import (
    CodeEdited,
    CodeSelected,
    MatrixLinked,
    Paint,
    PositionSelected,
)
from vqvae_tui.ui.selection import Selection, position_label
from vqvae_tui.ui.tour import STEPS, Moment, Step, TourPanel
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.code import CodeLineSelected
from vqvae_tui.ui.widgets.codebook import Codebook, CodeCounts
from vqvae_tui.ui.widgets.grid import LatentGrid
from vqvae_tui.ui.widgets.inspector import Inspector
from vqvae_tui.ui.widgets.picture import SIZE, Picture

if TYPE_CHECKING:  # types only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import StraightThrough, Trace

FULL = (120, 40)
COMPACT = (80, 24)
UNDO_DEPTH = 100
SAMPLE_SEGMENTS_PER_TICK = 2
SAMPLE_TICK = 1 / 60


def layout_for(width: int, height: int) -> str:
    if width >= FULL[0] and height >= FULL[1]:
        return "full"
    if width >= COMPACT[0] and height >= COMPACT[1]:
        return "compact"
    return "tiny"


class VQVAEApp(App):
    TITLE = "vqvae-tui"
    CSS_PATH = "app.tcss"
    ALLOW_SELECT = False  # a drag draws; text selection would repaint the screen on every move
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", key_display="?", id="app.help"),
        Binding("c", "clear", "Clear", id="app.clear"),
        Binding("u", "undo", "Undo", id="app.undo"),
        Binding("v", "cycle_grid", "Grid", id="app.grid"),
        Binding("d", "details", "Details", id="app.details"),
        Binding("g", "generate", "Generate", id="app.generate"),
        Binding("a", "atlas", "Atlas", id="app.atlas"),
        Binding("escape", "tour_leave", "Leave", priority=True, id="tour.leave"),
        Binding("right", "tour_next", "Next", priority=True, id="tour.next"),
        Binding("n,space", "tour_next", "Next", show=False, priority=True, id="tour.next.alt"),
        Binding("left", "tour_previous", "Back", priority=True, id="tour.back"),
        Binding("p", "tour_previous", "Back", show=False, priority=True, id="tour.back.alt"),
        Binding("w", "tour", "Walkthrough", id="app.tour"),
        Binding("escape", "deselect", "Deselect", show=False, id="app.deselect"),
        Binding("r", "reset_edits", "Reset edits", show=False, id="app.reset"),
        Binding("e", "export", "Export", show=False, id="app.export"),
        Binding("s", "screenshot_svg", "Screenshot", show=False, id="app.screenshot"),
        Binding("n", "runner_up", "Try runner-up", show=False, id="app.runner_up"),
        *(
            Binding(str(d), f"sample('{d}')", f"Sample {d}", show=False, id=f"app.sample{d}")
            for d in range(10)
        ),
    ]

    # vars, not reactives: a change re-renders only the widgets that show it, never the screen
    trace: var[Trace | None] = var(None, init=False)
    selection: var[Selection] = var(Selection, init=False)
    layout_name: var[str] = var("full", init=False)

    def __init__(
        self, weights: Path | None = None, model=None, opened=None, tour: int | None = None
    ):
        """`opened`: (pixels, edits) of a state file to start from (`--open`); `tour`: the
        walkthrough's step (1-based) to start at."""
        super().__init__()
        self.weights = weights
        self.error: str | None = None  # why the app could not go on, said by the CLI
        self.model = model
        self.monochrome = bool(os.environ.get("NO_COLOR"))
        self.image = np.zeros((SIZE, SIZE), dtype=np.float32)
        self.opened_edits: dict[int, int] = {}
        self.tour_step: int | None = None  # 0-based, while the walkthrough runs
        self.tour_start = tour
        self.tour_entered = None  # the Moment the current step began
        self.tour_done: set[int] = set()  # steps whose task is done
        self.tour = TourPanel(id="tour")
        if opened is not None:
            pixels, self.opened_edits = opened
            self.image[:] = pixels
        self.undo_stack: list[np.ndarray] = []
        self.trace_pending = False
        self.sample_strokes: list[tuple] = []  # segments of a sample still to draw
        self.sample_timer = None  # draws them, a few a tick, while animations are on
        self.compact_grid = "codes"  # which grid the compact layout shows
        self.canvas = Canvas(monochrome=self.monochrome, id="input")
        self.output = Picture(monochrome=self.monochrome, id="output")
        self.grids = {
            kind: LatentGrid(kind, id=kind) for kind in ("features", "codes", "quantized")
        }
        self.codebook = Codebook(id="codebook")
        self.code_counts = CodeCounts(id="code-counts")
        self.inspector = Inspector("loading model…", id="inspector")
        self.notice = Static(id="too-small")
        self.difference = Picture(monochrome=self.monochrome, id="difference")
        self.edits: dict[int, int] = {}  # latent position → the code the user set there
        # (trace, edits, decoded output, |difference| from the model's own codes): decoded once
        # per trace and edits, not at every hover
        self.edited: tuple[Trace, dict[int, int], np.ndarray, np.ndarray] | None = None
        self.details = None  # the details screen, made when first shown (it needs torch)
        self.linked_matrix: str | None = None  # details: the matrix linked to its code lines
        self.code_cursor: int | None = None  # details: the code line under the cursor
        self.straight: tuple[Trace, StraightThrough] | None = None  # details: for this trace

    # ---- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="figure"):
            with Container(id="input-panel", classes="panel") as self.canvas_panel:
                yield self.canvas
            yield Static("→", classes="arrow", id="arrow-encoder")
            with Container(id="features-panel", classes="panel grid-panel"):
                yield self.grids["features"]
            yield Static("→", classes="arrow", id="arrow-nearest")
            with Container(id="codes-panel", classes="panel grid-panel"):
                yield self.grids["codes"]
            yield Static("→", classes="arrow", id="arrow-lookup")
            with Container(id="quantized-panel", classes="panel grid-panel"):
                yield self.grids["quantized"]
            yield Static("→", classes="arrow", id="arrow-decoder")
            with Container(id="output-panel", classes="panel") as self.output_panel:
                yield self.output
        yield Static(id="captions")
        with Horizontal(id="lower"):
            with Container(id="codebook-panel", classes="panel"):
                with Horizontal(id="codebook-rows"):
                    yield self.codebook
                    yield self.code_counts
            with Vertical(id="side"):
                yield self.inspector
                with Horizontal(id="side-row"):
                    yield self.tour
                    yield Static(id="hints")
                    with Container(id="difference-panel", classes="panel") as self.difference_panel:
                        yield self.difference
        yield self.notice
        yield Footer()

    def on_mount(self) -> None:
        titles = {
            "input-panel": ("Input 28×28", "draw here"),
            "features-panel": ("Features", "z_e 7×7×D"),
            "codes-panel": ("Codes", "argmin"),
            "quantized-panel": ("Quantized", "z_q"),
            "output-panel": ("Output", "decoder"),
            "codebook-panel": ("Codebook", "K × D, count"),
            "difference-panel": ("Edits: |edited − model|", "no edits"),
        }
        for panel, (title, subtitle) in titles.items():
            widget = self.query_one(f"#{panel}")
            widget.border_title, widget.border_subtitle = title, subtitle
        self.query_one("#captions", Static).update(
            "  encoder: 4×4 pixels → one D-vector   nearest code: argmin of d²"
            "   look up: code → its vector   decoder: 7×7×D → 28×28"
        )
        self.query_one("#hints", Static).update(
            "Draw: mouse drag (right button erases), or arrows + space/x, p pen down\n"
            "Inspect: hover a grid, or Tab to it and move with the arrows\n"
            "Edit codes: on the Codes grid type a label, + - or the wheel; n runner-up, r reset\n"
            "0–9 samples · c clear · u undo · Tab next panel · v grid · ? keys"
        )
        self.apply_layout(self.size)
        self.canvas.focus()
        if self.tour_start is not None:
            self.start_tour(min(max(self.tour_start, 1), len(STEPS)) - 1)
        if self.model is None:
            self.load_model()
        else:
            self.apply_opened_edits()
            self.update_trace()

    def on_resize(self, event: Resize) -> None:
        self.apply_layout(event.size)

    def apply_layout(self, size: Size) -> None:
        self.layout_name = layout_for(size.width, size.height)
        self.notice.update(
            f"Enlarge the terminal to at least {COMPACT[0]}×{COMPACT[1]}"
            f" (now {size.width}×{size.height}).\nq quits."
        )

    def watch_layout_name(self, name: str) -> None:
        for screen in {self.screen, self.details} - {None}:
            for each in ("full", "compact", "tiny"):
                screen.set_class(each == name, f"-{each}")
        self.codebook.compact = name == "compact"
        self.codebook.refresh(layout=True)  # a strip in compact, rows in full
        self.show_compact_grid()
        self.refresh_widgets()

    def show_compact_grid(self) -> None:
        for kind in ("features", "codes", "quantized"):
            self.query_one(f"#{kind}-panel").set_class(kind != self.compact_grid, "-hidden-compact")

    def action_cycle_grid(self) -> None:
        order = ["features", "codes", "quantized"]
        self.compact_grid = order[(order.index(self.compact_grid) + 1) % len(order)]
        self.show_compact_grid()
        if self.layout_name == "compact":
            self.notify(f"showing {self.compact_grid}", timeout=1.5)

    # ---- the model ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load_model(self) -> None:
        import torch

        from vqvae_tui.model import load

        torch.set_num_threads(1)  # one 28×28 image: threads cost more than they save

        try:
            model = load(self.weights)
        except UserError as error:
            self.error = str(error)
            self.call_from_thread(self.exit, return_code=2)
            return
        self.call_from_thread(self.model_loaded, model)

    def model_loaded(self, model) -> None:
        self.model = model
        self.apply_opened_edits()
        self.update_trace()

    def apply_opened_edits(self) -> None:
        """The edits of an opened state file, once the model says how many codes there are."""
        k = self.model.config.num_codes
        if any(code >= k for code in self.opened_edits.values()):
            self.error = f"the opened state edits codes beyond this model's {k}"
            self.exit(return_code=2)
            return
        self.edits.update(self.opened_edits)
        self.opened_edits = {}

    def request_trace(self) -> None:
        """Trace after the events already queued: a burst of input costs one forward pass."""
        if not self.trace_pending:
            self.trace_pending = True
            self.call_later(self.update_trace)

    def update_trace(self) -> None:
        from vqvae_tui.model import trace, trace_and_straight_through

        self.trace_pending = False
        if self.model is None:
            return
        if self.details_shown:  # the details show the straight-through too: one pass for both
            self.straight = trace_and_straight_through(self.model, self.image)
            self.trace = self.straight[0]
        else:
            self.trace = trace(self.model, self.image)

    def watch_trace(self) -> None:
        self.refresh_widgets()

    def watch_selection(self) -> None:
        self.refresh_widgets()

    def refresh_widgets(self) -> None:
        trace, selection = self.trace, self.selection
        if self.details_shown:
            self.refresh_details()
            return
        self.canvas.show(self.image)
        if trace is not None:
            self.show_output(trace)
        for grid in self.grids.values():
            grid.show(trace, selection, self.edits)
        self.codebook.show(trace, selection)
        self.code_counts.show(trace, selection)
        self.inspector.show(trace, selection)
        self.canvas.mark(selection.position, self.canvas.cursor)
        self.output.mark(selection.position)
        subtitle = (
            "draw here"
            if selection.position is None
            else f"patch {position_label(selection.position)}"
        )
        if self.canvas_panel.border_subtitle != subtitle:  # a new subtitle repaints the panel
            self.canvas_panel.border_subtitle = subtitle
        if self.tour_step is not None:
            self.show_tour()

    # ---- the walkthrough ----------------------------------------------------------------

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("tour_next", "tour_previous", "tour_leave"):
            return self.tour_step is not None  # otherwise the keys go to the focused panel
        if action in ("details", "generate", "atlas", "tour"):
            return self.screen is self.screen_stack[0]  # other screens open from the summary
        return True

    def moment(self) -> Moment:
        return Moment(self.image.copy(), self.selection.position, dict(self.edits))

    def action_tour(self) -> None:
        """A guided walk through one forward pass of the live drawing."""
        self.start_tour(0 if self.tour_step is None else self.tour_step)

    def start_tour(self, step: int) -> None:
        self.tour_step = step
        self.tour_entered = self.moment()
        self.screen.set_class(True, "-touring")
        self.refresh_bindings()  # the footer shows the tour's keys (check_action), not the panel's
        self.show_tour()

    def action_tour_next(self) -> None:
        if self.tour_step is not None and self.tour_step < len(STEPS) - 1:
            self.start_tour(self.tour_step + 1)

    def action_tour_previous(self) -> None:
        if self.tour_step is not None and self.tour_step > 0:
            self.start_tour(self.tour_step - 1)

    def action_tour_leave(self) -> None:
        self.tour_step = None
        self.screen.set_class(False, "-touring")
        self.refresh_bindings()
        for panel in self.query(".panel"):
            panel.set_class(False, "-tour-target")

    def tour_line(self, step: Step) -> str | None:
        """The line of the quantizer's source that the step talks about."""
        if step.marker is None or self.model is None:
            return None
        from vqvae_tui.model.steps import quantizer_source, steps

        line = next(s.line for s in steps() if s.name == step.marker)
        return quantizer_source().lines[line]

    def show_tour(self) -> None:
        step = STEPS[self.tour_step]
        for panel in self.query(".panel"):
            panel.set_class(panel.id == step.panel, "-tour-target")
        trace, position = self.trace, self.selection.position
        if (
            step.task is not None
            and trace is not None
            and self.tour_step not in self.tour_done
            and step.task.done(trace, self.tour_entered, self.moment())
        ):
            self.tour_done.add(self.tour_step)
            self.notify(f"Step {self.tour_step + 1}: done! {step.task.text}", timeout=3)
        beta = self.model.config.beta if self.model is not None else 0.25
        self.tour.show(
            self.tour_step, trace, 24 if position is None else position, beta,
            self.tour_line(step), self.tour_step in self.tour_done,
        )  # fmt: skip

    def show_output(self, trace: Trace) -> None:
        """The decoder's output: of the nearest codes, or of the edited ones, with the
        difference between the two."""
        from vqvae_tui.model import decode
        from vqvae_tui.ui.widgets.grid import edited_codes

        if not self.edits:
            self.output.show(trace.reconstruction)
            self.difference.show(np.zeros_like(trace.reconstruction))
        else:
            if self.edited is None or self.edited[:2] != (trace, self.edits):
                codes = edited_codes(trace.codes, self.edits).reshape(7, 7)
                output = decode(self.model, codes)
                # the model's own codes decoded the same way: exactly zero where no edit reaches
                own = decode(self.model, trace.codes.reshape(7, 7))
                self.edited = trace, dict(self.edits), output, np.abs(output - own)
            self.output.show(self.edited[2])
            self.difference.show(self.edited[3])
        count = len(self.edits)
        for panel, subtitle in (
            (self.difference_panel, f"{count} edited" if count else "no edits"),
            (self.output_panel, f"decoder · {count} edited" if count else "decoder"),
        ):
            if panel.border_subtitle != subtitle:  # a new subtitle repaints the panel
                panel.border_subtitle = subtitle

    def on_code_edited(self, message: CodeEdited) -> None:
        if self.trace is None:
            return
        if message.code == int(self.trace.codes[message.position]):
            self.edits.pop(message.position, None)  # back to its nearest code: no edit
        else:
            self.edits[message.position] = message.code
        self.refresh_widgets()

    def action_reset_edits(self) -> None:
        """Every position back to its nearest code."""
        if self.edits:
            self.edits.clear()
            self.refresh_widgets()

    def action_runner_up(self) -> None:
        """Preview the selected position with its runner-up code (again: back to the nearest)."""
        from vqvae_tui.ui.widgets.inspector import runner_up

        position = self.selection.position
        if self.trace is None or position is None:
            self.notify("select a position first (a grid, and the arrows)", timeout=2)
            return
        code = runner_up(self.trace.distances[position])
        nearest = int(self.trace.codes[position])
        self.post_message(CodeEdited(position, nearest if position in self.edits else code))

    # ---- export -------------------------------------------------------------------------

    def action_export(self) -> None:
        """Save the state (pixels, codes, every Trace matrix, losses, edits) as JSON."""
        from vqvae_tui.state import write_state

        if self.trace is None:
            self.notify("the model is still loading", timeout=2)
            return
        path = Path.cwd() / f"vqvae-tui-state-{time.strftime('%Y%m%d-%H%M%S')}.json"
        try:
            write_state(path, self.trace, self.edits)
        except OSError as error:
            self.notify(f"could not write {path}: {error.strerror}", severity="error")
            return
        self.notify(f"saved {path} (open it with: vqvae-tui --open {path.name})", timeout=6)

    def action_screenshot_svg(self) -> None:
        """Save what the terminal shows now as an SVG."""
        try:
            path = self.save_screenshot(path=str(Path.cwd()))
        except OSError as error:
            self.notify(f"could not save the screenshot: {error.strerror}", severity="error")
            return
        self.notify(f"saved {path}", timeout=6)

    # ---- the details screen -------------------------------------------------------------

    @property
    def details_shown(self) -> bool:
        return self.details is not None and self.screen is self.details

    def model_ready(self) -> bool:
        """Whether the model has loaded; says so if not."""
        if self.model is None:
            self.notify("the model is still loading", timeout=2)
        return self.model is not None

    def action_details(self) -> None:
        """Reveal the quantizer's details: its matrices, its source, the losses."""
        if not self.model_ready():
            return
        if self.details is None:
            from vqvae_tui.ui.details import DetailsScreen

            self.details = DetailsScreen(monochrome=self.monochrome)
            self.install_screen(self.details, name="details")
        self.push_screen("details", callback=lambda _: self.refresh_widgets())
        self.details.set_class(True, f"-{self.layout_name}")
        self.call_after_refresh(self.refresh_details)

    def refresh_details(self) -> None:
        from vqvae_tui.model import straight_through

        trace = self.trace
        if trace is not None and (self.straight is None or self.straight[0] is not trace):
            # once a trace (not at every hover), on the very pixels the trace was made of
            self.straight = trace, straight_through(self.model, trace.image)
        straight = None if self.straight is None else self.straight[1]
        self.details.show(trace, self.selection, self.linked_matrix, self.code_cursor, straight)

    def on_matrix_linked(self, message: MatrixLinked) -> None:
        self.linked_matrix = message.field
        self.refresh_widgets()

    def on_code_line_selected(self, message: CodeLineSelected) -> None:
        from vqvae_tui.model.steps import matrix_of

        self.code_cursor = message.line
        self.linked_matrix = matrix_of(message.line)
        self.refresh_widgets()

    # ---- the latent space: generated codes and the atlas ----------------------------------

    def action_generate(self) -> None:
        """Draw random grids of codes (uniform, or from the prior) and decode them."""
        if not self.model_ready():
            return
        from vqvae_tui.ui.codes import GenerateScreen

        self.push_screen(GenerateScreen(self.model, self.weights, monochrome=self.monochrome))

    def action_atlas(self) -> None:
        """What each code draws when it fills the grid."""
        if not self.model_ready():
            return
        from vqvae_tui.ui.codes import AtlasScreen

        self.push_screen(AtlasScreen(self.model, monochrome=self.monochrome))

    # ---- drawing ------------------------------------------------------------------------

    def push_undo(self) -> None:
        self.undo_stack.append(self.image.copy())
        del self.undo_stack[:-UNDO_DEPTH]

    def show_image(self) -> None:
        """The new pixels on the canvas in view at once; the rest after the next trace."""
        shown = self.details if self.details_shown else self
        shown.canvas.show(self.image)
        self.request_trace()

    def on_paint(self, message: Paint) -> None:
        if message.new_stroke:
            self.stop_sample()
            self.push_undo()
        paint(self.image, message.start, message.end, erase=message.erase)
        self.show_image()

    def action_clear(self) -> None:
        self.stop_sample()
        if self.image.any():
            self.push_undo()
            self.image[:] = 0
            self.show_image()

    def action_undo(self) -> None:
        self.stop_sample()
        if self.undo_stack:
            self.image = self.undo_stack.pop()
            self.show_image()

    def action_sample(self, digit: str) -> None:
        """Draw a sample digit stroke by stroke (at once when animations are off)."""
        self.stop_sample()
        self.push_undo()
        self.image[:] = 0
        self.sample_strokes = [
            (start, end)
            for stroke in SAMPLES[digit]
            for start, end in zip(stroke, stroke[1:] or stroke)
        ]
        if self.animation_level == "none":
            self.draw_sample_segments(len(self.sample_strokes))
        else:
            self.sample_timer = self.set_interval(SAMPLE_TICK, self.draw_sample_tick)

    def draw_sample_tick(self) -> None:
        self.draw_sample_segments(SAMPLE_SEGMENTS_PER_TICK)

    def draw_sample_segments(self, count: int) -> None:
        for start, end in self.sample_strokes[:count]:
            paint(self.image, start, end)
        del self.sample_strokes[:count]
        if not self.sample_strokes:
            self.stop_sample()
        self.show_image()

    def stop_sample(self) -> None:
        if self.sample_timer is not None:
            self.sample_timer.stop()
            self.sample_timer = None
        self.sample_strokes = []

    # ---- selection ----------------------------------------------------------------------

    def on_position_selected(self, message: PositionSelected) -> None:
        self.selection = Selection(position=message.position)

    def on_code_selected(self, message: CodeSelected) -> None:
        self.selection = Selection(code=message.code)

    def action_deselect(self) -> None:
        self.selection = Selection()

    # ---- help and the command palette ---------------------------------------------------

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def get_system_commands(self, screen: Screen):
        yield from super().get_system_commands(screen)
        for digit in range(10):
            yield SystemCommand(
                f"Sample {digit}", f"Draw a sample {digit}, stroke by stroke",
                lambda d=str(digit): self.action_sample(d),
            )  # fmt: skip
        yield SystemCommand(
            "Paint", "Paint at the canvas cursor", lambda: self.canvas.action_dab(False)
        )
        yield SystemCommand(
            "Erase", "Erase at the canvas cursor", lambda: self.canvas.action_dab(True)
        )
        yield SystemCommand(
            "Pen up/down", "Draw while the cursor moves", self.canvas.action_toggle_pen
        )
        yield SystemCommand(
            "Reveal quantizer details",
            "The six steps as live matrices beside their code, the losses (d)",
            self.action_details,
        )
        yield SystemCommand(
            "Generate codes", "Decode random grids of codes, uniform or from the prior (g)",
            self.action_generate,
        )  # fmt: skip
        yield SystemCommand("Code atlas", "What each code draws alone (a)", self.action_atlas)
        yield SystemCommand("Reset edits", "Every position back to its nearest code (r)",
                            self.action_reset_edits)  # fmt: skip
        yield SystemCommand(
            "Try runner-up", "Decode the selected position with its runner-up code (n)",
            self.action_runner_up,
        )  # fmt: skip
        yield SystemCommand("Export state", "Save pixels, codes, matrices, losses, edits (e)",
                            self.action_export)  # fmt: skip
        yield SystemCommand(
            "Screenshot", "Save the screen as an SVG (s)", self.action_screenshot_svg
        )
        yield SystemCommand(
            "Walkthrough", "A guided tour of one forward pass (w)", self.action_tour
        )
        for number, step in enumerate(STEPS, 1):
            yield SystemCommand(
                f"Tour step {number}: {step.title}", "Enter the walkthrough at this step",
                lambda n=number - 1: self.start_tour(n),
            )  # fmt: skip
        yield SystemCommand("Clear", "Clear the input canvas", self.action_clear)
        yield SystemCommand("Undo", "Undo the last stroke", self.action_undo)
        yield SystemCommand("Deselect", "Clear the selected position or code", self.action_deselect)
        yield SystemCommand(
            "Next grid", "Compact layout: show the next latent grid", self.action_cycle_grid
        )
        for panel in ("input", "features", "codes", "quantized", "codebook"):
            yield SystemCommand(
                f"Focus {panel}", f"Move the keyboard to the {panel} panel",
                lambda p=panel: self.query_one(f"#{p}").focus(),
            )  # fmt: skip
