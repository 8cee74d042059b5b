"""The graph view (the VAE's details): the source of `VAE.forward`, read from the running
module, linked both ways with its computational graph drawn live; the two normal curves of each
latent dimension; the KL of each dimension with its formula; and the gradient path of the
reconstruction loss, measured by autograd for the current drawing.

At 80×24 (compact) the graph (without its spacer rows) stands beside the code and a panel of the
KL and gradient numbers; the Input and the normal curves show in the full layout only (the
drawing keys still draw).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll

from vqvae_tui.model.steps import line_of_node, nodes_of_line, vae_source
from vqvae_tui.ui.actions import Action, actions, bindings
from vqvae_tui.ui.messages import CodeLineSelected, NodeSelected
from vqvae_tui.ui.screens.base import DrawingScreen, layout_for
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.code import CodePane
from vqvae_tui.ui.widgets.curves import SUBSCRIPTS, NormalCurves
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.graph import ComputationGraph
from vqvae_tui.ui.widgets.lines import TextLines
from vqvae_tui.ui.widgets.plane import plane_extent

if TYPE_CHECKING:
    from vqvae_tui.model.latent_tracing import GradientPath, VAETrace


def kl_terms(trace: VAETrace) -> list[float]:
    """The KL of each dimension, by the closed form from the numbers on screen."""
    return [
        0.5 * (mean**2 + sigma**2 - log_variance - 1)
        for mean, sigma, log_variance in zip(trace.mean, trace.sigma, trace.log_variance)
    ]


def describe_kl(trace: VAETrace) -> Text:
    """The KL of each dimension from the numbers on screen, by the closed form, beside the
    model's own KL loss."""
    text = Text("KL to N(0, 1), each z:\n", "bold")
    text.append(" KL(N(μ, σ²) ‖ N(0, 1))\n", "dim")
    text.append("  = ½(μ² + σ² − log σ² − 1)\n", "dim")
    terms = kl_terms(trace)
    for i, (mean, sigma, log_variance) in enumerate(
        zip(trace.mean, trace.sigma, trace.log_variance)
    ):
        text.append(f"z{SUBSCRIPTS[i]} ½({mean**2:.3f}+{sigma**2:.4f}{-log_variance:+.3f}−1)\n")
        text.append(f"   = {terms[i]:.3f} nats\n")
    text.append(f"sum             {sum(terms):.3f} nats\n")
    text.append(f"the model's KL  {float(np.sum(trace.kl)):.3f} nats", "bold")
    return text


def describe_compact(trace: VAETrace, path: GradientPath | None) -> Text:
    """The KL and the gradient path in ten lines of thirty columns (the compact layout)."""
    terms = kl_terms(trace)
    text = Text("KL = ½(μ² + σ² − log σ² − 1)\n", "dim")
    text.append(" + ".join(f"z{SUBSCRIPTS[i]} {kl:.3f}" for i, kl in enumerate(terms)) + "\n")
    text.append(f"= {sum(terms):.3f}; model's {float(np.sum(trace.kl)):.3f} nats\n", "bold")
    if path is None:
        return text
    text.append("L: the reconstruction loss\n", "bold")
    text.append("∂L/∂z " + " ".join(f"{value:+8.3f}" for value in path.gradients["z"]) + "\n")
    text.append(f"∂L/∂μ = ∂L/∂z   max|Δ| {path.mean_difference:.0e}\n")
    text.append(f"∂L/∂σ = ε·∂L/∂z max|Δ| {path.sigma_difference:.0e}\n")
    epsilon = "∇ reached" if path.reached["epsilon"] else "✗ not reached"
    text.append(f"ε {epsilon}\n", "bold")
    text.append(
        f"‖∂L/∂θ‖ enc {path.encoder_gradient_norm:.1f} dec {path.decoder_gradient_norm:.1f}"
    )
    return text


def describe_gradient(trace: VAETrace, path: GradientPath) -> Text:
    """Where the reconstruction loss's gradient goes, measured by autograd."""

    def pair(name: str) -> str:
        return " ".join(f"{value:+7.3f}" for value in path.gradients[name])

    text = Text("L: the reconstruction loss\n", "bold")
    text.append(f"∂L/∂z      {pair('z')}\n")
    text.append(f"∂L/∂μ      {pair('mean')} = ∂L/∂z\n")
    text.append(f" max|∂L/∂μ − ∂L/∂z|       {path.mean_difference:.1e}\n", "dim")
    text.append(f"∂L/∂σ      {pair('sigma')} = ε·∂L/∂z\n")
    text.append(f" max|∂L/∂σ − ε·∂L/∂z|     {path.sigma_difference:.1e}\n", "dim")
    text.append(f"∂L/∂log σ² {pair('log_variance')} exp, ×½\n")
    epsilon = "∇ reached" if path.reached["epsilon"] else "✗ not reached: outside the graph"
    text.append(f"ε {epsilon}\n", "bold")
    encoder = "∇ via μ, σ" if path.reached["encoder"] else "✗"
    text.append(f"encoder θ {encoder}: ‖∂L/∂θ‖ {path.encoder_gradient_norm:.2f}\n")
    decoder = "∇" if path.reached["decoder"] else "✗"
    text.append(f"decoder θ {decoder}: ‖∂L/∂θ‖ {path.decoder_gradient_norm:.2f}")
    return text


class GraphScreen(DrawingScreen):
    CSS_PATH = "graph.tcss"
    HELP_TITLE = "The graph view"
    TRACES = {"vae": True}  # with the gradient path measured
    WATCHES = ("vae_trace", "problems")
    MARKS_SELECTION = False  # no VQ-VAE position here

    ACTIONS = actions(
        "graph",
        Action("n", "new_noise", "New ε", "Draw a new ε: z = μ + σ·ε moves, μ and σ stay",
               footer=10),
        Action("d,escape", "back", "VAE", "Back to the VAE screen", footer=11),
    )  # fmt: skip
    BINDINGS = bindings(ACTIONS)

    def __init__(self):
        super().__init__(id="graph")
        self.source = vae_source()
        self.canvas = Canvas(monochrome=bool(self.app.monochrome), id="graph-input")
        self.graph = ComputationGraph(id="computation-graph")
        self.curves = NormalCurves(id="normal-curves")
        self.kl = TextLines("loading the VAE…", id="kl")
        self.gradient = TextLines(id="gradient-path")
        self.code = CodePane(self.source, id="vae-code")
        self.small_code = CodePane(self.source, id="vae-code-compact")  # beside the graph
        self.small_numbers = TextLines(id="graph-numbers")  # the KL and gradient, compact
        self.focused_node: str | None = None
        self.linked_nodes: set[str] = set()
        self.code_cursor: int | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="graph-body"):
            with Horizontal(id="graph-top"):
                with Vertical(id="graph-left"):
                    with Container(classes="panel", id="graph-input-panel"):
                        yield self.canvas
                    yield self.kl
                with Container(classes="panel", id="graph-panel"):
                    yield self.graph
                with Vertical(id="graph-right"):
                    with Container(classes="panel", id="curves-panel"):
                        yield self.curves
                    with Container(classes="panel", id="gradient-panel"):
                        yield self.gradient
                    with Container(classes="panel", id="vae-code-compact-panel"):
                        yield self.small_code
                    with Container(classes="panel", id="graph-numbers-panel"):
                        yield self.small_numbers
            with Container(classes="panel", id="vae-code-panel"):
                yield self.code
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        titles = {
            "graph-input-panel": "Input",
            "graph-panel": "Computational graph, live",
            "curves-panel": "Normal curves of z₁ and z₂",
            "gradient-panel": "Gradient path, by autograd",
            "vae-code-panel": "VAE.forward — model/vae.py",
            "vae-code-compact-panel": "VAE.forward",
            "graph-numbers-panel": "KL, gradient by autograd",
        }
        for panel, title in titles.items():
            self.query_one(f"#{panel}").border_title = title
        compact = layout_for(self.app.size) == "compact"
        (self.graph if compact else self.canvas).focus()  # the canvas is hidden at 80×24

    def show(self) -> None:
        super().show()
        trace, path = self.app.vae_trace, self.app.gradients
        compact = self.layout_name == "compact"
        lines = {line_of_node(node) for node in self.linked_nodes} - {None}
        (self.small_code if compact else self.code).show(lines, self.code_cursor)
        self.graph.show(trace, path, self.linked_nodes, self.focused_node)
        loaded = self.app.latent_models.get("vae")
        if trace is None or loaded is None:
            problem = self.app.problems.get("vae") or "loading the VAE…"
            (self.small_numbers if compact else self.kl).update(problem)
            return
        if compact:
            self.small_numbers.update(describe_compact(trace, path))
            return
        self.curves.show(trace, plane_extent(loaded[1].points))
        self.kl.update(describe_kl(trace))
        if path is not None:
            self.gradient.update(describe_gradient(trace, path))

    def layout_changed(self, name: str) -> None:
        compact = name == "compact"
        self.graph.set_compact(compact)
        if compact and self.focused in (self.canvas, self.code):  # hidden there
            self.graph.focus()
        elif not compact and self.focused is self.small_code:
            self.code.focus()
        self.show()

    def on_node_selected(self, message: NodeSelected) -> None:
        """A node: its line of code, and the other nodes that line computes."""
        self.focused_node = message.node
        line = line_of_node(message.node)
        self.linked_nodes = set(nodes_of_line(line)) if line is not None else {message.node}
        self.show()

    def on_code_line_selected(self, message: CodeLineSelected) -> None:
        """A line of code: the nodes it computes."""
        self.code_cursor = message.line
        self.linked_nodes = set(nodes_of_line(message.line))
        self.focused_node = None
        self.show()

    def action_new_noise(self) -> None:
        self.session.new_noise()
