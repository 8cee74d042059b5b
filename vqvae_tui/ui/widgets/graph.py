"""The VAE's computational graph, drawn in the terminal with live values.

x → encoder → μ and log σ² → ×½ → exp → σ; ε ~ N(0, I) on its own branch (no parameters);
× and + → z → decoder → x̂. Each node is a bracketed label with its values beside or below it.
At 80×24 the graph is drawn without the links between the log-var trick's steps (21 rows).
Nodes linked to the selected line of code are drawn in the `graph--linked` style, the focused
node reversed; nodes the reconstruction loss's gradient reaches (measured by autograd) carry
'∇', and those it never reaches (x, ε) '✗'. The arrows (or hover, or a click) pick a node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text
from textual.message import Message

from vqvae_tui.ui.actions import actions, bindings, moves
from vqvae_tui.ui.messages import NodeSelected
from vqvae_tui.ui.widgets.hover import HoverSelects
from vqvae_tui.ui.widgets.lines import TextLines

if TYPE_CHECKING:
    from vqvae_tui.model.latent_tracing import GradientPath, VAETrace

TEMPLATE = (  # one free cell after each label, for its gradient mark
    "               [x]   your drawing",
    "                │",
    "            [encoder]  θ: conv + dense",
    "       ┌────────┴───────┐",
    "      [μ]             [log σ²]",
    "",
    "       │                │",
    "       │              [×½]",
    "       │                │",
    "       │              [exp]",
    "       │                │",
    "       │               [σ]",
    "       │                │    ┌─[ε ~ N(0, I)]",
    "       │                │    │",
    "       │                │    │  no parameters",
    "       │               [×] ◀─┘",
    "       │                │",
    "       └──────▶[+] ◀────┘",
    "                │",
    "               [z]",
    "                │",
    "            [decoder]  θ: dense + conv",
    "                │",
    "               [x̂]  decoder(z)",
)
SPACERS = (6, 8, 10)  # TEMPLATE's links between the log-var trick's steps, not drawn at 80×24
COMPACT_TEMPLATE = tuple(line for row, line in enumerate(TEMPLATE) if row not in SPACERS)
LABELS = {  # node → its bracketed label in TEMPLATE
    "x": "[x]", "encoder": "[encoder]", "mean": "[μ]", "log_variance": "[log σ²]",
    "half": "[×½]", "exp": "[exp]", "sigma": "[σ]", "epsilon": "[ε ~ N(0, I)]", "times": "[×]",
    "plus": "[+]", "z": "[z]", "decoder": "[decoder]", "x_hat": "[x̂]",
}  # fmt: skip
ORDER = tuple(LABELS)  # the keyboard's order: the forward pass
BELOW = {"mean": (1, -5), "log_variance": (1, -2), "epsilon": (1, 2), "times": (1, 3)}
# nodes whose values stand on the next line, at this many columns from the label's start
REACHED, UNREACHED = "∇", "✗"  # does the gradient reach the node? (in the cell after it)


def places(template: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """node → (row, column) of its label in a template."""
    found = {}
    for node, label in LABELS.items():
        row = next(row for row, line in enumerate(template) if label in line)
        found[node] = (row, template[row].index(label))
    return found


PLACES = places(TEMPLATE)
COMPACT_PLACES = places(COMPACT_TEMPLATE)


def pair(values: np.ndarray) -> str:
    return " ".join(f"{value:+.3f}" for value in values)


def node_values(trace: VAETrace) -> dict[str, str]:
    """What each node shows: its live values."""
    return {
        "mean": pair(trace.mean),
        "log_variance": pair(trace.log_variance),
        "half": pair(0.5 * trace.log_variance),
        "sigma": pair(trace.sigma),
        "epsilon": pair(trace.epsilon),
        "times": "σ·ε " + pair(trace.sigma * trace.epsilon),
        "z": pair(trace.z),
    }


class ComputationGraph(HoverSelects, TextLines, can_focus=True):
    COMPONENT_CLASSES = {
        "graph--node",  # a node's label
        "graph--linked",  # the nodes of the selected line of code
        "graph--focus",  # the node under the keyboard or the mouse
        "graph--gradient",  # the ∇ marks
    }

    DEFAULT_CSS = """
    ComputationGraph {
        & > .graph--node { text-style: bold; }
        & > .graph--linked { background: $code-linked; color: $accent; }
        & > .graph--focus { text-style: bold reverse; }
        & > .graph--gradient { color: #ff8787; }
    }
    """

    ACTIONS = actions("graph", moves("node", grid=False))
    BINDINGS = bindings(ACTIONS)

    def __init__(self, *, id: str | None = None):
        super().__init__("\n".join(TEMPLATE), id=id)
        self.template, self.places = TEMPLATE, PLACES  # the compact ones at 80×24
        self.focused_node: str | None = None
        self.spans: dict[str, tuple[int, int, int]] = {}  # node → (row, start, end) on screen

    def show(
        self,
        trace: VAETrace | None,
        path: GradientPath | None,
        linked: set[str],
        focused: str | None,
    ) -> None:
        self.focused_node = focused
        self.update(self.drawing(trace, path, linked, focused))

    def set_compact(self, compact: bool) -> None:
        """Draw the compact template (three rows fewer) or the full one, from the next show."""
        self.template, self.places = (
            (COMPACT_TEMPLATE, COMPACT_PLACES) if compact else (TEMPLATE, PLACES)
        )

    def drawing(self, trace, path, linked: set[str], focused: str | None) -> Text:
        lines = [Text(line, no_wrap=True) for line in self.template]
        values = node_values(trace) if trace is not None else {}
        style = {
            name: self.get_component_rich_style(f"graph--{name}", partial=True)
            for name in ("node", "linked", "focus", "gradient")
        }
        self.spans = {}
        for node, (row, column) in self.places.items():
            end = column + len(LABELS[node])
            lines[row].stylize(style["node"], column, end)
            if node in linked:
                lines[row].stylize(style["linked"], column, end)
            if node == focused:
                lines[row].stylize(style["focus"], column, end)
            self.spans[node] = (row, column, end)
            if path is not None:
                mark = REACHED if path.reached[node] else UNREACHED
                lines[row] = written(lines[row], end, mark, style["gradient"])
            if node in values:
                down, offset = BELOW.get(node, (0, 3))
                at = column + offset if down else end + offset
                lines[row + down] = written(lines[row + down], at, values[node])
        return Text("\n", no_wrap=True).join(lines)

    def target_at(self, x: int, y: int) -> int | None:
        for index, node in enumerate(ORDER):
            row, start, end = self.spans.get(node, (-1, 0, 0))
            if y == row and start <= x < end:
                return index
        return None

    def selected(self, target: int) -> Message:
        return NodeSelected(ORDER[target])

    def action_move(self, step: int) -> None:
        at = ORDER.index(self.focused_node) if self.focused_node in ORDER else -step
        self.focused_node = ORDER[min(max(at + step, 0), len(ORDER) - 1)]
        self.post_message(NodeSelected(self.focused_node))


def written(line: Text, column: int, words: str, style="") -> Text:
    """The line with words put at a column, over what was there (padded if it was short)."""
    line = line.copy()
    if len(line) < column:
        line.append(" " * (column - len(line)))
    rest = line[column + len(words) :] if len(line) > column + len(words) else Text()
    new = line[:column]
    new.append(words, style)
    new.append_text(rest)
    new.no_wrap = True
    return new
