"""Colours: greys for values, one distinct colour per code (always shown with its label too)."""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from rich.color import Color, ColorTriplet, ColorType
from rich.style import Style

# One colour per code, for the 64 codes a model may have. The first 20 are the tab20 palette's
# well-separated hues. The other 44 are colours of the xterm palette's 6×6×6 cube, so they stay
# apart at 256 colours too: each in turn the one farthest (in CIELAB) from those before it and
# from the selection's highlight (#ffd75f), leaving out greys (chroma ≤ 25, they would read as
# the matrices' shades) and the darkest and lightest (L* outside 30–92).
CODE_COLOURS = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    "#0000ff", "#ff00ff", "#00ff00", "#005fff", "#5f5f00", "#ff0087", "#8700af", "#00875f",
    "#00ff87", "#00ffd7", "#87d700", "#0087ff", "#af0087", "#af5f00", "#ff0000", "#005f00",
    "#af00ff", "#d75fff", "#87af87", "#ffaf00", "#87afff", "#875f87", "#af8700", "#ff5f87",
    "#ff875f", "#5f8700", "#00d787", "#ff5fd7", "#d7afff", "#ffd700", "#d787ff", "#af005f",
    "#ff005f", "#5f5fd7", "#008787", "#00ffff", "#ffd7af", "#5f00d7", "#d75f5f", "#87ff5f",
    "#87ff00", "#afd75f", "#ff00af", "#5fd7af",
]  # fmt: skip
SHADE_GLYPHS = " ░▒▓█"  # a level 0..255 without colour (NO_COLOR), darkest first


@lru_cache(maxsize=len(CODE_COLOURS))
def code_colour(code: int) -> Color:
    return Color.parse(CODE_COLOURS[code])


def readable_on(colour: Color) -> Color:
    """Black or white, whichever reads better on `colour`."""
    r, g, b = colour.get_truecolor()
    return Color.parse("black" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "white")


def xterm_greys() -> dict[int, int]:
    """The greys every 256-colour terminal shares: value 0..255 → palette number."""
    greys = {8 + 10 * (number - 232): number for number in range(232, 256)}  # the grey ramp
    greys |= {v: 16 + 43 * i for i, v in enumerate((0, 95, 135, 175, 215, 255))}  # cube greys
    return greys


XTERM_GREYS = xterm_greys()


@lru_cache(maxsize=256)
def palette_grey(level: int) -> Color:
    """The xterm palette grey nearest a level 0..255 (at most 8 away), sent as its number.

    `38;5;N` is 13 bytes shorter than truecolor's `38;2;R;G;B`, which matters where a stroke
    repaints many cells (pictures, matrices), and 30 greys change less often than 256 as a
    drawing changes: less to repaint. The colour carries its RGB too, so Textual's filter that
    turns palette colours (which have none) into truecolor leaves it as it is; screenshots and
    colour maths use that RGB.
    """
    level = int(level)  # not a numpy uint8, whose arithmetic wraps around
    value = min(XTERM_GREYS, key=lambda grey_value: abs(grey_value - level))
    number = XTERM_GREYS[value]
    return Color(f"color({number})", ColorType.EIGHT_BIT, number, ColorTriplet(value, value, value))


PALETTE_NUMBER = np.array([palette_grey(level).number for level in range(256)])  # level → N


CUBE = (0, 95, 135, 175, 215, 255)  # the xterm palette's 6×6×6 colour cube, each axis


def xterm_colours() -> dict[tuple[int, int, int], int]:
    """Every colour of the xterm palette from 16 on: (r, g, b) → palette number."""
    colours = {(v, v, v): n for v, n in XTERM_GREYS.items()}
    for number in range(16, 232):
        r, g, b = divmod(number - 16, 36)[0], (number - 16) // 6 % 6, (number - 16) % 6
        colours.setdefault((CUBE[r], CUBE[g], CUBE[b]), number)
    return colours


XTERM_COLOURS = xterm_colours()


@lru_cache(maxsize=1024)
def palette_colour(colour: Color) -> Color:
    """The xterm palette colour nearest `colour`, sent as its number (`38;5;N`, about half
    the bytes of truecolor's `38;2;R;G;B`) and carrying its own RGB (as palette_grey)."""
    if colour.type == ColorType.EIGHT_BIT and colour.triplet is not None:
        return colour
    red, green, blue = colour.get_truecolor()
    rgb = min(
        XTERM_COLOURS,
        key=lambda c: (c[0] - red) ** 2 + (c[1] - green) ** 2 + (c[2] - blue) ** 2,
    )
    number = XTERM_COLOURS[rgb]
    return Color(f"color({number})", ColorType.EIGHT_BIT, number, ColorTriplet(*rgb))


@lru_cache(maxsize=1024)
def palette_style(style: Style) -> Style:
    """A style with its colours as the nearest palette colours (see palette_colour)."""
    return style + Style(
        color=palette_colour(style.color) if style.color is not None else None,
        bgcolor=palette_colour(style.bgcolor) if style.bgcolor is not None else None,
    )


def level(value: float) -> int:
    """A value in [0, 1] (clipped) → 0..255."""
    return int(min(max(value, 0.0), 1.0) * 255 + 0.5)


def shade_glyph(level: float) -> str:
    """A level 0..255 as one of ' ░▒▓█', for NO_COLOR."""
    return SHADE_GLYPHS[int(float(level) * (len(SHADE_GLYPHS) - 1) / 255 + 0.5)]


@lru_cache(maxsize=1024)
def tinted(value: int, tint: Color) -> Color:
    """A grey level pulled towards a highlight colour (a selected patch or row)."""
    r, g, b = tint.get_truecolor()
    return Color.from_rgb(*(int(0.55 * value + 0.45 * c) for c in (r, g, b)))


GREY_NUMBER = [int(number) for number in PALETTE_NUMBER]  # PALETTE_NUMBER, as Python ints
GREY_OF_NUMBER = {palette_grey(level).number: palette_grey(level) for level in range(256)}


def half_block(top: int, bottom: int, tint: Color | None = None) -> Style:
    """The style of '▀' showing two pixels: top as foreground, bottom as background, in
    palette greys (or, in a marked patch, tinted towards `tint` in truecolour)."""
    if tint is None:
        return grey_pair(GREY_NUMBER[top], GREY_NUMBER[bottom])
    return tinted_pair(top, bottom, tint)


@cache  # at most 30 × 30 pairs of palette greys
def grey_pair(top_number: int, bottom_number: int) -> Style:
    return Style(color=GREY_OF_NUMBER[top_number], bgcolor=GREY_OF_NUMBER[bottom_number])


@lru_cache(maxsize=8192)
def tinted_pair(top: int, bottom: int, tint: Color) -> Style:
    return Style(color=tinted(top, tint), bgcolor=tinted(bottom, tint))
