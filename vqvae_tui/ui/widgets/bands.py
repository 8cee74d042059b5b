"""Wide Line-API widgets drawn as a row of narrow bands, so a small change writes few bytes.

When part of a line changes, Textual rewrites that line from the left edge of the widget that
holds it up to the change: one changed cell at the right end of a 20-cell matrix costs 20 cells
of output (25–40 bytes each). A Banded widget keeps the data and says what each of its cells
looks like; it is drawn by Band children a few cells wide, so a change costs at most a band.
A band line already drawn with the same cells is the same Strip again (its cells are the key):
a picture that moves back and forth, or the overlay of a plane, repaints from the cache.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import pairwise
from typing import Self

from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

STRIPS_KEPT = 4096  # band lines a Banded widget keeps drawn (then it starts again)


class Band(Widget):
    """Columns start..stop of its Banded parent's lines.

    A band draws its lines itself, without Textual's styles cache: it has no border, padding,
    tint or opacity, so that cache would only copy each new line into new Strips (five or so a
    line, each with seven caches of its own). Here a line drawn stays the same Strip until it is
    refreshed, and a line that looks as one drawn before is that Strip again, so its filtered,
    divided and rendered forms come from the caches it carries.
    """

    def __init__(self, start: int, stop: int, height: int):
        super().__init__()
        self.start, self.stop = start, stop
        self.styles.width = stop - start
        self.styles.height = height
        self.drawn: dict[int, Strip] = {}  # line → its Strip, until the line is refreshed

    def refresh(self, *regions: Region, **options) -> Self:
        """Draw these regions' lines again (all lines, without regions) at the next frame."""
        if regions:
            for region in regions:
                for y in region.line_range:
                    self.drawn.pop(y, None)
        else:
            self.drawn.clear()
        return super().refresh(*regions, **options)

    def render_lines(self, crop: Region) -> list[Strip]:
        """The lines of `crop`, with the app's line filters (NO_COLOR, dimming) applied as
        Textual applies them."""
        filters = self.get_line_filters()
        background = self.background_colors[1] if filters else None
        strips = []
        for y in crop.line_range:
            strip = self.drawn.get(y)
            if strip is None:
                strip = self.drawn[y] = self.render_line(y)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, self.size.width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        owner = self.parent
        if not isinstance(owner, Banded) or y >= owner.line_count():
            return Strip.blank(self.stop - self.start, self.rich_style)
        cells = tuple(owner.cell(x, y) for x in range(self.start, self.stop))
        strip = owner.strips.get(cells)
        if strip is None:
            if len(owner.strips) >= STRIPS_KEPT:
                owner.strips.clear()
            strip = owner.strips[cells] = Strip(cells, self.stop - self.start).simplify()
        return strip


class Banded(Widget):
    """A widget of `line_count()` lines whose cells come from `cell(x, y)`, drawn in bands."""

    DEFAULT_CSS = """
    Banded { layout: horizontal; width: auto; height: auto; }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self.edges: list[int] = []  # the bands' columns: edges[i]..edges[i + 1]
        self.bands: list[Band] = []
        self.strips: dict[tuple[Segment, ...], Strip] = {}  # a band line's cells → its Strip

    def line_count(self) -> int:
        raise NotImplementedError

    def cell(self, x: int, y: int) -> Segment:
        """One cell: a one-character segment."""
        raise NotImplementedError

    def set_edges(self, edges: list[int]) -> None:
        """Cut the widget into bands at these columns (from 0 to its width)."""
        if edges != self.edges:
            self.edges = edges
            self.remove_children()
            self.bands = [Band(start, stop, self.line_count()) for start, stop in pairwise(edges)]
            self.mount_all(self.bands)

    def text(self, y: int) -> str:
        """The characters shown on line y, across all bands."""
        return "".join(segment.text for band in self.bands for segment in band.render_line(y))

    def refresh_cells(self, cells: Iterable[tuple[int, int]]) -> None:
        """Repaint these (x, y) cells: in each band, a line up to its rightmost changed cell."""
        reach: dict[tuple[int, int], int] = {}  # (band, line) → rightmost changed column
        for x, y in cells:
            band = bisect_right(self.edges, x) - 1
            if 0 <= band < len(self.bands):
                reach[band, y] = max(reach.get((band, y), x), x)
        regions: dict[int, list[Region]] = {}
        for (band, y), x in reach.items():
            regions.setdefault(band, []).append(Region(0, y, x - self.edges[band] + 1, 1))
        for band, band_regions in regions.items():
            self.bands[band].refresh(*band_regions)  # one call a band: each call has a cost

    def refresh_lines(self, lines: Iterable[int]) -> None:
        """Repaint whole lines."""
        lines = set(lines)
        if not lines:
            return  # refresh() with no region would repaint every line
        for band in self.bands:
            band.refresh(*(Region(0, y, band.stop - band.start, 1) for y in lines))
