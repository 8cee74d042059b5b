"""The graph view (the VAE's details): the source of `VAE.forward`, read from the running
module, linked both ways with its computational graph drawn live; the two normal curves of each
latent dimension; the KL of each dimension with its formula; and the gradient path of the
reconstruction loss, measured by autograd for the current drawing.
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
from vqvae_tui.ui.screens.base import DrawingScreen
from vqvae_tui.ui.widgets.canvas import Canvas
from vqvae_tui.ui.widgets.code import CodePane
from vqvae_tui.ui.widgets.curves import SUBSCRIPTS, NormalCurves
from vqvae_tui.ui.widgets.footer import KeyFooter
from vqvae_tui.ui.widgets.graph import ComputationGraph
from vqvae_tui.ui.widgets.lines import TextLines
from vqvae_tui.ui.widgets.plane import plane_extent

if TYPE_CHECKING:
    from vqvae_tui.model.latent_tracing import GradientPath, VAETrace


def describe_kl(trace: VAETrace) -> Text:
    """The KL of each dimension from the numbers on screen, by the closed form, beside the
    model's own KL loss."""
    text = Text("KL to N(0, 1), each z:\n", "bold")
    text.append(" KL(N(μ, σ²) ‖ N(0, 1))\n", "dim")
    text.append("  = ½(μ² + σ² − log σ² − 1)\n", "dim")
    total = 0.0
    for i, (mean, sigma, log_variance) in enumerate(
        zip(trace.mean, trace.sigma, trace.log_variance)
    ):
        kl = 0.5 * (mean**2 + sigma**2 - log_variance - 1)
        total += kl
        text.append(f"z{SUBSCRIPTS[i]} ½({mean**2:.3f}+{sigma**2:.4f}{-log_variance:+.3f}−1)\n")
        text.append(f"   = {kl:.3f} nats\n")
    text.append(f"sum             {total:.3f} nats\n")
    text.append(f"the model's KL  {float(np.sum(trace.kl)):.3f} nats", "bold")
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
        }
        for panel, title in titles.items():
            self.query_one(f"#{panel}").border_title = title
        self.canvas.focus()

    def show(self) -> None:
        super().show()
        trace, path = self.app.vae_trace, self.app.gradients
        lines = {line_of_node(node) for node in self.linked_nodes} - {None}
        self.code.show(lines, self.code_cursor)
        self.graph.show(trace, path, self.linked_nodes, self.focused_node)
        loaded = self.app.latent_models.get("vae")
        if trace is None or loaded is None:
            self.kl.update(self.app.problems.get("vae") or "loading the VAE…")
            return
        self.curves.show(trace, plane_extent(loaded[1].points))
        self.kl.update(describe_kl(trace))
        if path is not None:
            self.gradient.update(describe_gradient(trace, path))

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
