"""The latent map: the training digits' places on a 2-D latent plane, and the encoded Gaussian.

Each cell of the scatter shows the digit most of its points are, as the digit itself in its
label's colour (bold where many points fall, dim where one does), so the map reads without
colour. Over it: the encoded Gaussian's 1σ and 2σ ellipses (braille dots, two a cell across and
four down), μ ('μ'), the sampled z ('z'), a pinned z ('╋') and other marked points. A plane
shows a square window of the latent plane (`set_view`): the whole map, or an enlarged part of it
around μ. The scatter is drawn once a view and size; new numbers repaint only the cells whose
look changed, in bands 4 cells wide (see bands.py). The arrows (and h j k l) move the z cursor a
cell, a click or a drag puts it under the mouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.segment import Segment
from rich.style import Style
from textual.events import MouseDown, MouseMove, MouseUp, Resize
from textual.geometry import Offset

from vqvae_tui.plots import BRAILLE, DOT_ARRAY
from vqvae_tui.ui.actions import actions, bindings, moves
from vqvae_tui.ui.colours import code_colour, palette_colour, palette_style
from vqvae_tui.ui.messages import LatentPointChosen, LatentStep
from vqvae_tui.ui.widgets.bands import Banded

PLANE_BAND = 8  # cells a band: a moved mark repaints at most its band's part of a line
DOTS = (2, 4)  # braille dots of a cell: across, down
DOT_BIT_ARRAY = DOT_ARRAY.T  # [column][row] of a cell's dots
RINGS = (1, 2)  # the ellipses drawn: 1σ and 2σ
CROWDED = 4  # points in a cell that make its digit bold
EMPTY, AXIS, ORIGIN = -1, -2, -3  # what a scatter cell without digits shows


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


NICE = (1, 2, 2.5, 5)  # the half-sides of an enlarged view: these times a power of ten


def nice_extent(reach: float) -> float:
    """The smallest half-side of the form NICE × 10^k that is at least `reach`: a scale that
    holds still while σ changes a little."""
    power = 10.0 ** np.floor(np.log10(max(reach, 1e-9)))
    return next(n * power for n in (*NICE, 10) if n * power >= reach)


@lru_cache(maxsize=256)
def digit_segment(label: int, count: int, base: Style) -> Segment:
    """A scatter cell: its digit in its colour, bold where crowded, dim where alone."""
    style = Style(color=palette_colour(code_colour(label)), bold=count >= CROWDED, dim=count == 1)
    return Segment(str(label), base + style)


class LatentPlane(Banded, can_focus=True):
    """A square of the latent plane, [−extent, extent]², as wide as it is tall (a cell is two
    dots across and four down, about twice as tall as wide)."""

    COMPONENT_CLASSES = {
        "latent-plane--ring-1",  # the 1σ ellipse
        "latent-plane--ring-2",  # the 2σ ellipse
        "latent-plane--marker",  # μ, z and the cursor
        "latent-plane--axis",  # the axes through 0
    }

    DEFAULT_CSS = """
    LatentPlane {
        width: 1fr;
        height: 1fr;
        & > .latent-plane--ring-1 { color: #ffd75f; text-style: bold; }
        & > .latent-plane--ring-2 { color: #af875f; }
        & > .latent-plane--marker { color: #ffffff; text-style: bold reverse; }
        & > .latent-plane--axis { color: #3a3a3a; }
    }
    """

    ACTIONS = actions("map", moves("z cursor"))
    BINDINGS = bindings(ACTIONS)
    HELP = "A click or a drag on the map pins z under the mouse."

    def __init__(self, *, clamp_marks: bool = True, axes: bool = True, id: str | None = None):
        """`clamp_marks`: a mark beyond the view stands on its edge (else it is not drawn);
        `axes`: the axes through 0 are drawn where no digit is."""
        super().__init__(id=id)
        self.clamp_marks = clamp_marks
        self.axes = axes
        self.points = np.zeros((0, 2), np.float32)
        self.labels = np.zeros(0, np.int64)
        self.centre = (0.0, 0.0)  # the view: a square of half-side `extent` around `centre`
        self.extent = 3.0
        self.columns = self.rows = 0  # the plane's cells (the widget may be larger)
        self.top = 0  # the lines above the plane, which stands in the middle
        self.scatter = np.zeros((0, 0, 2), np.int64)  # [row, column]: (label or AXIS…, count)
        self.scatter_cells: list[list[Segment]] = []  # [row][column]: what the scatter shows
        self.overlay = Overlay()
        self.drawn: dict[tuple[int, int], Segment] = {}  # the overlay's cells now
        self.dragging = False
        self.blank = Segment(" ", Style())  # an empty cell, on the background once styled

    # ---- the plane and its cells ----------------------------------------------------------

    def set_points(self, points: np.ndarray, labels: np.ndarray) -> None:
        """The digits to scatter (n, 2) and their labels (n,); the view: the whole map."""
        self.points, self.labels = np.asarray(points), np.asarray(labels)
        self.set_view((0.0, 0.0), plane_extent(self.points))

    def set_view(self, centre: tuple[float, float], extent: float) -> bool:
        """Show the square of half-side `extent` around `centre` (the scatter and the overlay
        drawn again); False if it is shown already."""
        if (tuple(centre), extent) == (self.centre, self.extent):
            return False
        self.centre, self.extent = (float(centre[0]), float(centre[1])), float(extent)
        self.draw_scatter()
        return True

    def line_count(self) -> int:
        return self.top + self.rows

    def on_resize(self, event: Resize) -> None:
        columns = min(event.size.width, 2 * event.size.height) // 2 * 2
        top = (event.size.height - columns // 2) // 2
        if (columns, columns // 2, top) != (self.columns, self.rows, self.top):
            self.columns, self.rows, self.top = columns, columns // 2, top
            self.draw_scatter()

    def cells_of(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (columns, rows) of points (n, 2) of the plane; outside the view: −1 or past."""
        x0, y0 = self.centre
        columns = np.floor((points[:, 0] - x0 + self.extent) / (2 * self.extent) * self.columns)
        rows = np.floor((y0 + self.extent - points[:, 1]) / (2 * self.extent) * self.rows)
        return columns.astype(np.int64), rows.astype(np.int64)

    def cell_of(self, point) -> tuple[int, int] | None:
        """The (column, row) of a point of the plane, None outside the view."""
        if not self.columns:
            return None
        columns, rows = self.cells_of(np.asarray([point], dtype=np.float64))
        column, row = int(columns[0]), int(rows[0])
        return (column, row) if 0 <= column < self.columns and 0 <= row < self.rows else None

    def point_of(self, column: int, row: int) -> tuple[float, float]:
        """The centre of a cell, on the plane."""
        step_x, step_y = self.step
        x0, y0 = self.centre
        return (x0 - self.extent + (column + 0.5) * step_x, y0 + self.extent - (row + 0.5) * step_y)

    @property
    def step(self) -> tuple[float, float]:
        """The plane's width and height of one cell."""
        return 2 * self.extent / max(self.columns, 1), 2 * self.extent / max(self.rows, 1)

    def draw_scatter(self) -> None:
        """Each cell's digit: the label most of its points have (ties: the smaller label), or
        the axes through 0; repaints the cells that look different (all, at a new size)."""
        if not self.columns:
            return
        # the background, under every cell; palette colours throughout (fewer bytes a cell)
        blank = Segment(" ", palette_style(self.rich_style))
        drawn_already = blank == self.blank and self.scatter.shape[:2] == (self.rows, self.columns)
        if drawn_already and not (len(self.points) or self.axes):
            self.redraw_overlay()  # a new view of a plane without digits or axes: the overlay
            return
        scatter = self.scatter_of_view()
        resized = scatter.shape != self.scatter.shape
        changed = [] if resized else np.argwhere((scatter != self.scatter).any(axis=2)).tolist()
        self.scatter = scatter
        if resized or blank != self.blank:
            self.blank = blank
            self.scatter_cells = [[self.scatter_cell(*cell) for cell in row]
                                  for row in scatter.tolist()]  # fmt: skip
        else:
            for row, column in changed:
                self.scatter_cells[row][column] = self.scatter_cell(*scatter[row, column].tolist())
        if resized:
            self.drawn = self.overlay_cells(self.overlay)
            self.set_edges([*range(0, self.columns, PLANE_BAND), self.columns])
            for band in self.bands:
                band.styles.height = self.line_count()
            self.refresh_lines(range(self.line_count()))
        else:
            self.refresh_cells((column, self.top + row) for row, column in changed)
            self.redraw_overlay()

    def scatter_of_view(self) -> np.ndarray:
        """[row, column]: (the label most of the cell's points have or AXIS, ORIGIN, EMPTY;
        how many points it has)."""
        scatter = np.zeros((self.rows, self.columns, 2), np.int64)
        scatter[..., 0] = EMPTY
        if len(self.points):
            counts = np.zeros((self.rows, self.columns, 10), np.int64)
            columns, rows = self.cells_of(self.points.astype(np.float64))
            inside = (columns >= 0) & (columns < self.columns) & (rows >= 0) & (rows < self.rows)
            np.add.at(counts, (rows[inside], columns[inside], self.labels[inside]), 1)
            totals = counts.sum(axis=2)
            scatter = np.stack([np.where(totals > 0, counts.argmax(axis=2), EMPTY), totals], axis=2)
        if not self.axes:
            return scatter
        empty = scatter[..., 1] == 0
        zero_columns, zero_rows = self.cells_of(np.zeros((1, 2)))  # where the axes cross
        zero_column, zero_row = int(zero_columns[0]), int(zero_rows[0])
        if 0 <= zero_row < self.rows:
            scatter[zero_row, empty[zero_row], 0] = AXIS
        if 0 <= zero_column < self.columns:
            scatter[empty[:, zero_column], zero_column, 0] = AXIS
        origin = self.cell_of((0.0, 0.0))
        if origin is not None and empty[origin[1], origin[0]]:
            scatter[origin[1], origin[0], 0] = ORIGIN
        return scatter

    def scatter_cell(self, label: int, count: int) -> Segment:
        """What a cell of the scatter shows: its digit, the axes, or the background."""
        if label >= 0:
            return digit_segment(label, count, self.blank.style)
        if label == EMPTY:
            return self.blank
        axis = palette_style(self.get_component_rich_style("latent-plane--axis", partial=True))
        return Segment("┼" if label == ORIGIN else "·", self.blank.style + axis)

    # ---- the overlay ----------------------------------------------------------------------

    def show(self, overlay: Overlay, view: tuple[tuple[float, float], float] | None = None):
        """New numbers (and a new view: centre, extent): repaint only the cells that look
        different."""
        if overlay != self.overlay:
            self.overlay = overlay
            if view is None or not self.set_view(*view):
                self.redraw_overlay()
        elif view is not None:
            self.set_view(*view)

    def redraw_overlay(self) -> None:
        """The overlay in the view now: repaint the cells it leaves or reaches."""
        drawn = self.overlay_cells(self.overlay)
        changed = {cell for cell in drawn.keys() | self.drawn.keys()}
        changed = {cell for cell in changed if drawn.get(cell) != self.drawn.get(cell)}
        self.drawn = drawn
        self.refresh_cells((column, self.top + row) for column, row in changed)

    def overlay_cells(self, overlay: Overlay) -> dict[tuple[int, int], Segment]:
        """(column, row) → what the overlay draws there."""
        cells: dict[tuple[int, int], Segment] = {}
        if not self.columns:
            return cells
        base = self.blank.style
        if overlay.mean is not None and overlay.sigma is not None:
            for ring in reversed(RINGS):  # the 1σ ring over the 2σ one
                style = base + palette_style(
                    self.get_component_rich_style(f"latent-plane--ring-{ring}", partial=True)
                )
                for cell, bits in self.ellipse(overlay.mean, overlay.sigma, ring).items():
                    cells[cell] = Segment(chr(BRAILLE + bits), style)
        marker = base + palette_style(
            self.get_component_rich_style("latent-plane--marker", partial=True)
        )
        marks = [
            (*point, glyph)
            for point, glyph in ((overlay.z, "z"), (overlay.mean, "μ"), (overlay.cursor, "╋"))
            if point
        ]
        for x, y, glyph in [*overlay.extra, *marks]:  # fmt: skip
            cell = self.cell_of(self.clamped((x, y)) if self.clamp_marks else (x, y))
            if cell is not None:
                cells[cell] = Segment(glyph, marker)
        return cells

    def clamped(self, point) -> tuple[float, float]:
        """A point kept in the view (a mark beyond its edge stands on the edge)."""
        reach = self.extent * (1 - 1e-6)
        return tuple(
            float(min(max(value, middle - reach), middle + reach))
            for value, middle in zip(point, self.centre)
        )

    def ellipse(self, mean, sigma, k: float) -> dict[tuple[int, int], int]:
        """The braille dots of the ellipse at k σ around μ: (column, row) → dot bits."""
        across, down = DOTS
        dots_x = self.columns * across / (2 * self.extent)  # dots per unit of the plane
        dots_y = self.rows * down / (2 * self.extent)
        radius = max(k * sigma[0] * dots_x, k * sigma[1] * dots_y)
        angles = np.linspace(0, 2 * np.pi, max(16, int(8 * radius)), endpoint=False)
        x0, y0 = self.centre
        x = (mean[0] - x0 + self.extent + k * sigma[0] * np.cos(angles)) * dots_x
        y = (y0 + self.extent - mean[1] - k * sigma[1] * np.sin(angles)) * dots_y
        inside = (x >= 0) & (x < self.columns * across) & (y >= 0) & (y < self.rows * down)
        dot_x, dot_y = x[inside].astype(int), y[inside].astype(int)
        keys = (dot_x // across) * self.rows + dot_y // down  # a cell: column × rows + row
        bits = DOT_BIT_ARRAY[dot_x % across, dot_y % down]
        cells: dict[tuple[int, int], int] = {}
        for key, bit in zip(keys.tolist(), bits.tolist()):
            cell = divmod(key, self.rows)
            cells[cell] = cells.get(cell, 0) | bit
        return cells

    def cell(self, x: int, y: int) -> Segment:
        y -= self.top
        drawn = self.drawn.get((x, y))
        if drawn is not None:
            return drawn
        if not (0 <= y < self.rows and 0 <= x < self.columns):
            return self.blank
        return self.scatter_cells[y][x]

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
