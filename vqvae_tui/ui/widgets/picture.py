"""A 28×28 picture as one Line-API widget: 28 columns × 14 rows of half-blocks.

Each cell is '▀' with the top pixel as foreground and the bottom pixel as background, in the
xterm palette's 30 greys (see colours.palette_grey). With NO_COLOR it falls back to shade
glyphs ( ░▒▓█), so the picture still reads. Only the cells that look different are refreshed.
A picture is divided into patches (by default the latent grid's: a 4×4 patch per position), one
of which can be marked; a PatchPicker also says which patch was clicked.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.events import Click
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from vqvae_tui.model.config import GRID, IMAGE
from vqvae_tui.ui.colours import (
    GREY_NUMBER,
    PALETTE_NUMBER,
    grey_pair,
    half_block,
    palette_grey,
    shade_glyph,
)
from vqvae_tui.ui.messages import PatchPicked
from vqvae_tui.ui.widgets.bands import Banded

THUMBNAIL = IMAGE // 2  # small pictures: averaged down over 2×2 blocks
PICTURE_BAND = 4  # cells a band of a BandedPicture


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A picture averaged over 2×2 blocks."""
    return image.reshape(THUMBNAIL, 2, THUMBNAIL, 2).mean(axis=(1, 3))


def shown_levels(pixels: np.ndarray, shades: int | None = None) -> np.ndarray:
    """Pixels in [0, 1] (clipped) as levels 0..255, in `shades` greys if given."""
    values = np.clip(pixels, 0, 1)
    if shades is not None:
        values = np.round(values * (shades - 1)) / (shades - 1)
    return (values * 255 + 0.5).astype(np.uint8)


def changed_cells(old: np.ndarray, new: np.ndarray, monochrome: bool) -> np.ndarray:
    """Which cells (two pixels tall) of a picture look different: (rows / 2, columns)."""
    if monochrome:
        changed = new != old
    else:  # a level is shown as its palette grey: only a new grey needs repainting
        changed = PALETTE_NUMBER[new] != PALETTE_NUMBER[old]
    return changed.reshape(len(new) // 2, 2, new.shape[1]).any(axis=1)


def pixel_cell(top: int, bottom: int, monochrome: bool, style: Style | None = None) -> Segment:
    """A cell of a picture: '▀' in the two pixels' greys, or (NO_COLOR) a shade glyph."""
    if monochrome:
        return Segment(shade_glyph(max(top, bottom)), style or Style())
    return grey_cell(GREY_NUMBER[top], GREY_NUMBER[bottom])


@cache  # at most 30 × 30 pairs of palette greys
def grey_cell(top_number: int, bottom_number: int) -> Segment:
    return Segment("▀", grey_pair(top_number, bottom_number))


class Picture(Widget):
    """Shows pixels in [0, 1]; marks one patch (a latent position) and a pixel cursor."""

    COMPONENT_CLASSES = {
        "picture--cursor",  # the keyboard's pixel cursor
        "picture--patch",  # the selected position's patch: tinted by its colour (NO_COLOR: style)
    }

    DEFAULT_CSS = """
    Picture {
        width: auto;
        height: auto;
        & > .picture--cursor { color: #ffd75f; text-style: bold; }
        & > .picture--patch { color: #ffd75f; text-style: reverse; }
    }
    """

    def __init__(
        self,
        *,
        monochrome: bool = False,
        pixels: int = IMAGE,
        patches: int = GRID,
        shades: int | None = None,
        id: str | None = None,
    ):
        """`shades`: show this many greys only (None: all the palette's), so that a picture
        that changes a little everywhere at every stroke repaints fewer cells."""
        super().__init__(id=id)
        self.monochrome = monochrome
        self.shades = shades
        self.pixels = pixels  # its side: 28, or smaller for a thumbnail
        self.patches = patches  # patches along a side: the latent grid's by default
        self.side = pixels // patches  # a patch's side, in pixels
        self.levels = np.zeros((pixels, pixels), dtype=np.uint8)
        self.patch: int | None = None  # the marked patch, row-major (a latent position)
        self.cursor: tuple[int, int] | None = None  # pixel (row, col)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.pixels

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.pixels // 2

    def refresh_rows(self, rows) -> None:
        for row in sorted({int(row) for row in rows}):
            self.refresh(Region(0, row, self.pixels, 1))

    def show(self, pixels: np.ndarray) -> None:
        """New pixels; repaints only the span of cells that look different in each row."""
        levels = shown_levels(pixels, self.shades)
        changed = changed_cells(self.levels, levels, self.monochrome)
        self.levels = levels
        for row in np.flatnonzero(changed.any(axis=1)):
            columns = np.flatnonzero(changed[row])
            start, end = int(columns[0]), int(columns[-1]) + 1
            self.refresh(Region(start, int(row), end - start, 1))

    def mark(self, patch: int | None = None, cursor: tuple[int, int] | None = None) -> None:
        """Move the patch highlight and the cursor, refreshing only the rows they touch."""
        rows = []
        for old, new in ((self.patch, patch), (self.cursor, cursor)):
            if old != new:
                rows += self.rows_of(old) + self.rows_of(new)
        self.patch, self.cursor = patch, cursor
        self.refresh_rows(rows)

    def rows_of(self, mark) -> list[int]:
        if mark is None:
            return []
        if isinstance(mark, tuple):
            return [mark[0] // 2]
        top = (mark // self.patches) * self.side // 2
        return list(range(top, top + max(self.side // 2, 1)))

    def render_line(self, y: int) -> Strip:
        if y >= self.pixels // 2:
            return Strip.blank(self.size.width, self.rich_style)
        top, bottom = self.levels[2 * y], self.levels[2 * y + 1]
        in_patch = np.zeros(self.pixels, dtype=bool)
        if y in self.rows_of(self.patch):
            column = (self.patch % self.patches) * self.side
            in_patch[column : column + self.side] = True
        patch = self.get_component_rich_style("picture--patch", partial=True)
        tint: Color = patch.color
        segments = []
        for x in range(self.pixels):
            if self.cursor in ((2 * y, x), (2 * y + 1, x)):
                cursor = self.get_component_rich_style("picture--cursor", partial=True)
                style = cursor + Style(bgcolor=half_block(top[x], bottom[x]).bgcolor)
                segments.append(Segment("▀" if self.cursor[0] == 2 * y else "▄", style))
            elif self.monochrome:
                style = patch.without_color if in_patch[x] else None
                segments.append(pixel_cell(top[x], bottom[x], True, style))
            elif in_patch[x]:
                segments.append(Segment("▀", half_block(top[x], bottom[x], tint)))
            else:
                segments.append(pixel_cell(top[x], bottom[x], False))
        return Strip(segments, self.pixels).simplify()


class PatchPicker(Picture):
    """A picture whose patches can be clicked: a click posts PatchPicked with the patch."""

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.x >= self.pixels or 2 * offset.y >= self.pixels:
            return
        row, column = 2 * offset.y // self.side, offset.x // self.side
        self.post_message(PatchPicked(self, row * self.patches + column))


class BandedPicture(Banded):
    """A picture without marks, drawn in bands a few cells wide: for a picture that changes a
    little everywhere at every stroke (the VAE's output, which a 2-D z moves as a whole), a
    changed cell repaints at most its band's part of a line (see bands.py)."""

    DEFAULT_CSS = """
    BandedPicture { width: auto; height: auto; }
    """

    def __init__(self, *, monochrome: bool = False, shades: int | None = None, id=None):
        super().__init__(id=id)
        self.monochrome = monochrome
        self.shades = shades
        self.levels = np.zeros((IMAGE, IMAGE), dtype=np.uint8)
        self.cells = [[banded_cell(0, 0, monochrome)] * IMAGE for _ in range(IMAGE // 2)]  # [y][x]

    def on_mount(self) -> None:
        self.set_edges([*range(0, IMAGE, PICTURE_BAND), IMAGE])

    def line_count(self) -> int:
        return IMAGE // 2

    def show(self, pixels: np.ndarray) -> None:
        """New pixels; repaints only the cells that look different."""
        levels = shown_levels(pixels, self.shades)
        changed = np.argwhere(changed_cells(self.levels, levels, self.monochrome)).tolist()
        self.levels = levels
        tops, bottoms = levels[0::2].tolist(), levels[1::2].tolist()
        for y, x in changed:
            self.cells[y][x] = banded_cell(tops[y][x], bottoms[y][x], self.monochrome)
        self.refresh_cells((x, y) for y, x in changed)

    def cell(self, x: int, y: int) -> Segment:
        return self.cells[y][x]


@lru_cache(maxsize=4096)
def banded_cell(top: int, bottom: int, monochrome: bool) -> Segment:
    """A cell of a BandedPicture showing two pixels' levels; one Segment for each look."""
    if not monochrome and PALETTE_NUMBER[top] == PALETTE_NUMBER[bottom]:
        # one grey: a space on that grey, a background alone (fewer bytes to send)
        return Segment(" ", Style(bgcolor=palette_grey(top)))
    return pixel_cell(top, bottom, monochrome)
