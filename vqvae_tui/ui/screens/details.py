"""The details screen: the six steps of vector quantization as live matrices, beside the very
source that computes them (linked both ways through its `# step:` markers), with the losses and
the straight-through estimator at work on the current drawing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, HorizontalScroll, Vertical, VerticalScroll
from textual.widgets import Static

from vqvae_tui.model.config import CODE_LABELS, GRID, POSITIONS
from vqvae_tui.model.steps import line_of, matrix_of, quantizer_source
from vqvae_tui.model.trained import codebook_training
from vqvae_tui.model.vqvae import VectorQuantizer
from vqvae_tui.session import Selection, position_label
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.messages import CodeLineSelected, MatrixLinked
from vqvae_tui.ui.screens.base import DrawingScreen
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.code import CodePane
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.lines import TextLines
from vqvae_tui.ui.widgets.matrix import HeatMatrix, VectorGrid

if TYPE_CHECKING:  # types only: torch loads in a worker, after the first frame
    from vqvae_tui.model.tracing import StraightThrough, Trace
    from vqvae_tui.model.vqvae import VQVAE

MATRIX_TITLES = {  # Trace field → its title: the step that makes it, its name, its shape
    "flat": f"① z_e  {POSITIONS}×D",
    "distances": f"② d² {POSITIONS}×K ③argmin",
    "selected": f"④ e  {POSITIONS}×D",
    "quantized": f"⑤ z_q  {GRID}×{GRID}×D",
}

SHOWN_WITH = {"codes": "distances"}  # the argmin's codes stand beside the distances


def panel_of(field: str | None) -> str | None:
    """The panel that shows a Trace field."""
    return SHOWN_WITH.get(field, field)


def lines_of_panel(panel: str | None, quantizer: type = VectorQuantizer) -> set[int]:
    """The lines of a quantizer's source that compute what a panel shows."""
    fields = [field for field in (*SHOWN_WITH, *MATRIX_TITLES) if panel_of(field) == panel]
    return {line for field in fields for line in line_of(field, quantizer)}


class DetailsScreen(DrawingScreen):
    CSS_PATH = "details.tcss"
    HELP_TITLE = "The details screen"
    TRACES = {"vqvae": True}  # with the straight-through estimator measured

    ACTIONS = actions(
        "details",
        Action("d,escape", "back", "Summary", "Back to the summary screen", footer=10),
    )
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="details")
        monochrome = bool(self.app.monochrome)
        self.quantizer = type(self.app.model.quantizer)  # its source is the one shown
        self.source = quantizer_source(self.quantizer)
        self.canvas = Canvas(monochrome=monochrome, id="details-input")
        self.matrices = {
            field: VectorGrid(monochrome=monochrome, id=f"matrix-{field}")
            if field == "quantized"
            else HeatMatrix(field, monochrome=monochrome, id=f"matrix-{field}")
            for field in MATRIX_TITLES
        }
        self.code = CodePane(self.source, id="code")
        self.panels: dict[str, Vertical] = {}  # Trace field → the box of its matrix
        self.row = TextLines(id="row-numbers")
        self.losses = TextLines(id="losses")
        self.linked_matrix: str | None = None  # the matrix linked to its code lines
        self.code_cursor: int | None = None  # the code line under the cursor

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="details-body"):
            with Horizontal(id="details-top"):
                with Vertical(id="details-left"):
                    with Container(classes="panel", id="details-input-panel"):
                        yield self.canvas
                    yield self.row
                    yield Static(
                        "shade: row min ■ → max □\nargmin: label right of row", id="legend"
                    )
                with HorizontalScroll(id="details-matrices") as matrices:  # a large K or D
                    matrices.can_focus = False  # Tab goes to the matrices, which it scrolls to
                    for field, title in MATRIX_TITLES.items():
                        with Vertical(classes="matrix-panel", id=f"panel-{field}") as box:
                            self.panels[field] = box
                            yield Static(title, classes="matrix-title")
                            yield self.matrices[field]
                            if field == "quantized":
                                yield self.losses
            with Container(classes="panel", id="code-panel"):
                yield self.code
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#details-input-panel").border_title = "Input"
        self.query_one("#code-panel").border_title = self.source.title

    def show(self) -> None:
        super().show()
        trace, selection, straight = self.app.trace, self.app.selection, self.app.straight
        panel = panel_of(self.linked_matrix)
        for field, matrix in self.matrices.items():
            matrix.show(trace, selection)
            box = self.panels[field]
            if box.has_class("-linked") != (field == panel):  # a class change restyles the box
                box.set_class(field == panel, "-linked")
        self.code.show(lines_of_panel(panel, self.quantizer), self.code_cursor)
        if trace is not None:
            self.row.update(describe_row(trace, selection, self.linked_matrix))
        if straight is not None:
            self.losses.update(describe_losses(straight, self.app.model))

    def on_matrix_linked(self, message: MatrixLinked) -> None:
        self.linked_matrix = message.field
        self.show()

    def on_code_line_selected(self, message: CodeLineSelected) -> None:
        self.code_cursor = message.line
        self.linked_matrix = matrix_of(message.line, self.quantizer)
        self.show()
        if self.linked_matrix is not None:  # where the matrices scroll, bring it into view
            box = self.panels[panel_of(self.linked_matrix)]
            self.query_one("#details-matrices").scroll_to_widget(box, animate=False)


ROW_HEIGHT = 8  # details.tcss: #row-numbers
ROW_LINES = ROW_HEIGHT - 1  # the lines under the row's head
ROW_NUMBERS = 5  # numbers a line ("+0.12 ", in the 30 columns of #details-left)
ROW_DISTANCES = 3  # distances a line ("A  0.52 ")


def numbers(name: str, values: np.ndarray) -> str:
    """`name: v1 v2 …`, or as many values as the lines hold, saying which: `name 1–29 of 64:`."""
    fits = ROW_LINES * ROW_NUMBERS - 1  # the name takes the first line's first place
    if len(values) > fits:
        fits -= ROW_NUMBERS  # a longer name: one line less of numbers
        name = f"{name} 1–{fits} of {len(values)}"
    return f"{name}: " + " ".join(f"{v:+.2f}" for v in values[:fits])


def describe_row(trace: Trace, selection: Selection, linked: str | None) -> Text:
    """The exact numbers of the focused row of the linked matrix (the distances by default):
    all of them, or as many as the panel holds (then the nearest codes, for the distances)."""
    p = selection.position
    if p is None:
        return Text("Focus a row: Tab to a matrix, ↑↓ (or hover); or pick a line of code.")
    code = int(trace.codes[p])
    head = f"row {p} {position_label(p)} → code {CODE_LABELS[code]}\n"
    if linked == "flat":
        return Text(head + numbers("z_e", trace.flat[p]))
    if linked in ("selected", "quantized"):
        return Text(head + numbers(f"e_{CODE_LABELS[code]}", trace.selected[p]))
    distances = trace.distances[p]
    shown = list(range(len(distances)))
    text = Text(head)
    if len(shown) > ROW_LINES * ROW_DISTANCES:  # the nearest, nearest first
        shown = np.argsort(distances, kind="stable")[: (ROW_LINES - 1) * ROW_DISTANCES].tolist()
        text.append(f"the {len(shown)} nearest of {len(distances)} codes:\n")
    for place, k in enumerate(shown):
        if place:
            text.append(" " if place % ROW_DISTANCES else "\n")
        text.append(f"{CODE_LABELS[k]} {distances[k]:5.2f}", "bold reverse" if k == code else "")
    return text


def describe_losses(straight: StraightThrough, model: VQVAE) -> Text:
    """The three losses of this drawing and the straight-through estimator, computed live, and
    what trained the codes (the weights' sidecar)."""
    training = codebook_training(model.sidecar)
    role = "training not recorded" if training is None else training.codebook_loss_note()
    return Text(
        f"reconstruction    {straight.reconstruction_loss:.5f}\n"
        " mean (x − x̂)²\n"
        f"codebook          {straight.codebook_loss:.5f}\n"
        " mean (sg[z_e] − e)²\n"
        f" {role}\n"
        f"commitment β={model.config.beta:<4g} {straight.commitment_loss:.5f}\n"
        " β·mean (z_e − sg[e])²\n"
        "straight-through, q =\n"
        " z_e + (z_q − z_e).detach()\n"
        f" fwd max|q − z_q|   {straight.forward_difference:.1e}\n"
        f" bwd max|∂z_e − ∂q| {straight.gradient_difference:.1e}\n"
        f"     ‖∂L/∂q‖        {straight.gradient_norm:.1e}"
    )
