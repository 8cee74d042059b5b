"""The two normal curves of each latent dimension: N(0, 1) with ε marked, N(μ, σ²) with z
marked, on one axis (the latent plane's), in braille dots (two a cell across, four down).

Each curve is scaled to its own peak (N(μ, σ²) of a digit is far narrower than N(0, 1)), so the
shapes compare and the marks read: z stands in N(μ, σ²) exactly where ε stands in N(0, 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.text import Text

from vqvae_tui.plots import BRAILLE, DOT_BITS
from vqvae_tui.ui.widgets.lines import TextLines
from vqvae_tui.ui.widgets.plane import DOTS

if TYPE_CHECKING:
    from vqvae_tui.model.latent_tracing import VAETrace

PLOT_ROWS = 2  # cells tall: 8 dots
LABEL = 11  # columns before a plot: the curve's name, or its marked value
SUBSCRIPTS = "₁₂"


def curve(mean: float, sigma: float, columns: int, extent: float) -> list[str]:
    """The braille rows of N(mean, sigma²) over [−extent, extent], scaled to its peak."""
    across, down = DOTS
    dots_x, dots_y = columns * across, PLOT_ROWS * down
    x = -extent + (np.arange(dots_x) + 0.5) * 2 * extent / dots_x
    # the peak of the density over these dots (a narrow curve may fall between two of them)
    density = np.exp(-0.5 * ((x - mean) / sigma) ** 2)
    if density.max() > 0:
        density = density / density.max()
    heights = np.round((1 - density) * (dots_y - 1)).astype(int)  # 0 is the top dot
    cells = np.zeros((PLOT_ROWS, columns), dtype=int)
    for column, height in enumerate(heights):
        neighbours = heights[max(column - 1, 0) : column + 2]  # steep parts drawn joined
        for dot_y in range(height, max(height, int(neighbours.max())) + 1):
            cells[dot_y // down, column // across] |= DOT_BITS[dot_y % down][column % across]
    return ["".join(chr(BRAILLE + bits) for bits in row) for row in cells]


def marker_row(value: float, columns: int, extent: float) -> str:
    """'▲' under a value of the axis (at the edge if beyond it)."""
    column = int((value + extent) / (2 * extent) * columns)
    column = min(max(column, 0), columns - 1)
    return " " * column + "▲" + " " * (columns - column - 1)


def axis_row(columns: int, extent: float) -> str:
    """Whole numbers of the axis, each at its column (every other one if they would touch)."""
    row = [" "] * columns
    step = 1 if columns / (2 * extent) >= 4 else 2
    for value in range(-int(extent) // step * step, int(extent) + 1, step):
        label = f"{value:+d}" if value else "0"
        column = int((value + extent) / (2 * extent) * columns) - len(label) // 2
        if 0 <= column and column + len(label) <= columns:
            row[column : column + len(label)] = label
    return "".join(row)


class NormalCurves(TextLines):
    COMPONENT_CLASSES = {"curves--prior", "curves--posterior", "curves--mark"}

    DEFAULT_CSS = """
    NormalCurves {
        & > .curves--prior { color: $text-muted; }
        & > .curves--posterior { color: #ffd75f; }
        & > .curves--mark { text-style: bold; }
    }
    """

    def show(self, trace: VAETrace, extent: float) -> None:
        columns = max(self.size.width - LABEL, 8)
        style = {
            name: self.get_component_rich_style(f"curves--{name}", partial=True)
            for name in ("prior", "posterior", "mark")
        }
        text = Text(no_wrap=True)
        for i in range(len(trace.mean)):
            sub = SUBSCRIPTS[i]
            rows = [
                ("N(0, 1)", 0.0, 1.0, f"ε{sub} {trace.epsilon[i]:+.3f}", trace.epsilon[i], "prior"),
                (f"N(μ{sub}, σ{sub}²)", trace.mean[i], trace.sigma[i],
                 f"z{sub} {trace.z[i]:+.3f}", trace.z[i], "posterior"),
            ]  # fmt: skip
            for name, mean, sigma, mark, at, kind in rows:
                for row, dots in enumerate(curve(float(mean), float(sigma), columns, extent)):
                    text.append(f"{name:<{LABEL}}" if row == 0 else " " * LABEL)
                    text.append(dots + "\n", style[kind])
                text.append(f"{mark:<{LABEL}}", style["mark"])
                text.append(marker_row(float(at), columns, extent) + "\n", style["mark"])
        text.append(" " * LABEL + axis_row(columns, extent))
        self.update(text)
