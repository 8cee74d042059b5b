"""The latent map: the training digits' places on a 2-D latent plane, and the encoded Gaussian.

Each cell of the scatter shows the digit most of its points are, as the digit itself in its
label's colour (bold where many points fall, dim where one does), so the map reads without
colour. Over it: the encoded Gaussian's 1σ and 2σ ellipses (braille dots, two a cell across and
four down), μ ('μ'), the sampled z ('z') and a pinned z ('╋'). The scatter is drawn once (and
again on a resize); new numbers repaint only the cells the overlay leaves or reaches, in bands
8 cells wide (see bands.py). The arrows (and h j k l) move the z cursor a cell, a click or a
drag puts it under the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.events import MouseDown, MouseMove, MouseUp, Resize
from textual.geometry import Offset

from vqvae_tui.ui.actions import actions, bindings, moves
from vqvae_tui.ui.colours import code_colour
from vqvae_tui.ui.messages import LatentPointChosen, LatentStep
from vqvae_tui.ui.widgets.bands import Banded

BAND = 8  # cells a band
DOTS = (2, 4)  # braille dots of a cell: across, down
BRAILLE = 0x2800
DOT_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))  # [column][row] of a cell's dots
RINGS = (1, 2)  # the ellipses drawn: 1σ and 2σ
CROWDED = 4  # points in a cell that make its digit bold


@dataclass(frozen=True)
class Overlay:
    """What is drawn over the scatter."""

    mean: tuple[float, float] | None = None
    sigma: tuple[float, float] | None = None
    z: tuple[float, float] | None = None
    cursor: tuple[float, float] | None = None  # a pinned z
    extra: tuple[tuple[float, float, str], ...] = ()  # more marked points: (x, y, glyph)


def plane_extent(points: np.ndarray) -> float:
    """Half the side of the square of the plane to draw: the digits' 99.5th percentile of
    |coordinate|, at least 3 (the prior's 3σ), rounded up to a half."""
    reach = float(np.percentile(np.abs(points), 99.5)) if len(points) else 3.0
    return max(3.0, np.ceil(reach * 2) / 2)


class LatentMap(Banded, can_focus=True):
    """A square of the latent plane, [−extent, extent]², as wide as it is tall (a cell is two
    dots across and four down, about twice as tall as wide)."""

    COMPONENT_CLASSES = {
        "latent-map--ring-1",  # the 1σ ellipse
        "latent-map--ring-2",  # the 2σ ellipse
        "latent-map--marker",  # μ, z and the cursor
        "latent-map--axis",  # the axes through 0
    }

    DEFAULT_CSS = """
    LatentMap {
        width: 1fr;
        height: 1fr;
        & > .latent-map--ring-1 { color: #ffd75f; text-style: bold; }
        & > .latent-map--ring-2 { color: #af875f; }
        & > .latent-map--marker { color: #ffffff; text-style: bold reverse; }
        & > .latent-map--axis { color: #3a3a3a; }
    }
    """

    ACTIONS = actions("map", moves("z cursor"))
    BINDINGS = bindings(ACTIONS)
    HELP = "A click or a drag on the map pins z under the mouse."

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.points = np.zeros((0, 2), np.float32)
        self.labels = np.zeros(0, np.int64)
        self.extent = 3.0
        self.columns = self.rows = 0  # the plane's cells (the widget may be larger)
        self.top = 0  # the lines above the plane, which stands in the middle
        self.scatter: list[list[Segment]] = []  # [row][column], drawn once a size
        self.overlay = Overlay()
        self.drawn: dict[tuple[int, int], Segment] = {}  # the overlay's cells now
        self.dragging = False
        self.blank = Segment(" ", Style())  # an empty cell, on the background once styled

    # ---- the plane and its cells ----------------------------------------------------------

    def set_points(self, points: np.ndarray, labels: np.ndarray) -> None:
        """The digits to scatter (n, 2) and their labels (n,)."""
        self.points, self.labels = np.asarray(points), np.asarray(labels)
        self.extent = plane_extent(self.points)
        self.draw_scatter()

    def line_count(self) -> int:
        return self.top + self.rows

    def on_resize(self, event: Resize) -> None:
        columns = min(event.size.width, 2 * event.size.height) // 2 * 2
        top = (event.size.height - columns // 2) // 2
        if (columns, columns // 2, top) != (self.columns, self.rows, self.top):
            self.columns, self.rows, self.top = columns, columns // 2, top
            self.draw_scatter()

    def cell_of(self, point) -> tuple[int, int] | None:
        """The (column, row) of a point of the plane, None outside it."""
        if not self.columns:
            return None
        x, y = point
        column = int(np.floor((x + self.extent) / (2 * self.extent) * self.columns))
        row = int(np.floor((self.extent - y) / (2 * self.extent) * self.rows))
        return (column, row) if 0 <= column < self.columns and 0 <= row < self.rows else None

    def point_of(self, column: int, row: int) -> tuple[float, float]:
        """The centre of a cell, on the plane."""
        step_x, step_y = 2 * self.extent / self.columns, 2 * self.extent / self.rows
        return (-self.extent + (column + 0.5) * step_x, self.extent - (row + 0.5) * step_y)

    @property
    def step(self) -> tuple[float, float]:
        """The plane's width and height of one cell."""
        return 2 * self.extent / max(self.columns, 1), 2 * self.extent / max(self.rows, 1)

    def draw_scatter(self) -> None:
        """Each cell's digit: the label most of its points have (ties: the smaller label)."""
        if not self.columns:
            return
        counts = np.zeros((self.rows, self.columns, 10), np.int64)
        for (x, y), label in zip(self.points, self.labels):
            cell = self.cell_of((x, y))
            if cell is not None:
                counts[cell[1], cell[0], label] += 1
        axis = self.get_component_rich_style("latent-map--axis", partial=True)
        base = self.rich_style  # the background, under every cell
        self.blank = Segment(" ", base)
        centre = self.cell_of((0.0, 0.0))
        self.scatter = []
        for row in range(self.rows):
            line = []
            for column in range(self.columns):
                here = counts[row, column]
                total = int(here.sum())
                if total:
                    label = int(here.argmax())
                    style = Style(color=code_colour(label), bold=total >= CROWDED, dim=total == 1)
                    line.append(Segment(str(label), base + style))
                elif centre is not None and (row == centre[1] or column == centre[0]):
                    line.append(Segment("┼" if (column, row) == centre else "·", base + axis))
                else:
                    line.append(self.blank)
            self.scatter.append(line)
        self.drawn = self.overlay_cells(self.overlay)
        self.set_edges([*range(0, self.columns, BAND), self.columns])
        for band in self.bands:
            band.styles.height = self.line_count()
        self.refresh_lines(range(self.line_count()))

    # ---- the overlay ----------------------------------------------------------------------

    def show(self, overlay: Overlay) -> None:
        """New numbers: repaint only the cells whose overlay changed."""
        if overlay == self.overlay:
            return
        self.overlay = overlay
        drawn = self.overlay_cells(overlay)
        changed = {cell for cell in drawn.keys() | self.drawn.keys()}
        changed = {cell for cell in changed if drawn.get(cell) != self.drawn.get(cell)}
        self.drawn = drawn
        self.refresh_cells((column, self.top + row) for column, row in changed)

    def overlay_cells(self, overlay: Overlay) -> dict[tuple[int, int], Segment]:
        """(column, row) → what the overlay draws there."""
        cells: dict[tuple[int, int], Segment] = {}
        if not self.columns:
            return cells
        base = self.rich_style
        if overlay.mean is not None and overlay.sigma is not None:
            for ring in reversed(RINGS):  # the 1σ ring over the 2σ one
                style = base + self.get_component_rich_style(
                    f"latent-map--ring-{ring}", partial=True
                )
                for cell, bits in self.ellipse(overlay.mean, overlay.sigma, ring).items():
                    cells[cell] = Segment(chr(BRAILLE + bits), style)
        marker = base + self.get_component_rich_style("latent-map--marker", partial=True)
        marks = [
            (*point, glyph)
            for point, glyph in ((overlay.z, "z"), (overlay.mean, "μ"), (overlay.cursor, "╋"))
            if point
        ]
        for x, y, glyph in [*overlay.extra, *marks]:  # fmt: skip
            cell = self.cell_of(self.clamped((x, y)))
            if cell is not None:
                cells[cell] = Segment(glyph, marker)
        return cells

    def clamped(self, point) -> tuple[float, float]:
        """A point kept on the plane (a mark beyond its edge stands on the edge)."""
        reach = self.extent * (1 - 1e-6)
        return tuple(float(min(max(value, -reach), reach)) for value in point)

    def ellipse(self, mean, sigma, k: float) -> dict[tuple[int, int], int]:
        """The braille dots of the ellipse at k σ around μ: (column, row) → dot bits."""
        across, down = DOTS
        dots_x = self.columns * across / (2 * self.extent)  # dots per unit of the plane
        dots_y = self.rows * down / (2 * self.extent)
        radius = max(k * sigma[0] * dots_x, k * sigma[1] * dots_y)
        angles = np.linspace(0, 2 * np.pi, max(16, int(8 * radius)), endpoint=False)
        x = (mean[0] + self.extent + k * sigma[0] * np.cos(angles)) * dots_x
        y = (self.extent - mean[1] - k * sigma[1] * np.sin(angles)) * dots_y
        inside = (x >= 0) & (x < self.columns * across) & (y >= 0) & (y < self.rows * down)
        cells: dict[tuple[int, int], int] = {}
        for dot_x, dot_y in zip(x[inside].astype(int), y[inside].astype(int)):
            cell = (int(dot_x) // across, int(dot_y) // down)
            bit = DOT_BITS[dot_x % across][dot_y % down]
            cells[cell] = cells.get(cell, 0) | bit
        return cells

    def cell(self, x: int, y: int) -> Segment:
        y -= self.top
        drawn = self.drawn.get((x, y))
        if drawn is not None:
            return drawn
        if 0 <= y < len(self.scatter) and x < len(self.scatter[y]):
            return self.scatter[y][x]
        return self.blank

    def text(self, row: int) -> str:
        """The characters of a row of the plane (for tests)."""
        return "".join(self.cell(x, self.top + row).text for x in range(self.columns))

    # ---- the z cursor: keys and mouse -----------------------------------------------------

    def action_move(self, rows: int, columns: int) -> None:
        step_x, step_y = self.step
        self.post_message(LatentStep((columns * step_x, -rows * step_y)))

    def cell_under(self, screen_offset: Offset) -> tuple[int, int]:
        """The cell under a screen position (kept on the plane)."""
        offset = screen_offset - self.content_region.offset
        return (
            min(max(offset.x, 0), self.columns - 1),
            min(max(offset.y - self.top, 0), self.rows - 1),
        )

    def on_mouse_down(self, event: MouseDown) -> None:
        if not self.columns:
            return
        self.dragging = True
        self.capture_mouse()
        self.post_message(LatentPointChosen(self.point_of(*self.cell_under(event.screen_offset))))

    def on_mouse_move(self, event: MouseMove) -> None:
        if self.dragging:
            point = self.point_of(*self.cell_under(event.screen_offset))
            self.post_message(LatentPointChosen(point))

    def on_mouse_up(self, event: MouseUp) -> None:
        if self.dragging:
            self.dragging = False
            self.release_mouse()
