"""Terminal plots as grids of characters, in plain Python (the UI's chart widgets draw them).

A line plot and a scatter use braille cells (2×4 dots a character), so a 60×8 panel holds
120×32 dots; usage bars use eighth blocks. Each cell also says which series owns it (−1:
none), so a widget can colour it. Never imports the UI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

BRAILLE = 0x2800
DOT_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][column] of a cell
DOT_ARRAY = np.array(DOT_BITS, dtype=np.int32)
EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass
class Plot:
    """Rows of characters, the series owning each cell, and the values' range."""

    text: list[str]
    owners: list[list[int]]
    low: float
    high: float
    ends: list = field(default_factory=list)  # each series' last value's (row, column), or None


class Dots:
    """A width×height grid of braille cells, dots set by series."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.bits = np.zeros((height, width), dtype=np.int32)
        self.owners = np.full((height, width), -1, dtype=np.int32)

    def set(self, x: int, y: int, owner: int) -> None:
        """Dot (x, y), y from the top, x from the left, in dots."""
        if 0 <= x < 2 * self.width and 0 <= y < 4 * self.height:
            self.bits[y // 4, x // 2] |= DOT_BITS[y % 4][x % 2]
            self.owners[y // 4, x // 2] = owner

    def set_columns(self, columns, tops, bottoms, owner: int) -> None:
        """In each dot column of `columns`, every dot from its top to its bottom row."""
        columns, tops, bottoms = (np.asarray(a, dtype=np.int64) for a in (columns, tops, bottoms))
        lengths = bottoms - tops + 1
        xs = np.repeat(columns, lengths)
        ys = np.repeat(tops - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        keep = (xs >= 0) & (xs < 2 * self.width) & (ys >= 0) & (ys < 4 * self.height)
        xs, ys = xs[keep], ys[keep]
        np.bitwise_or.at(self.bits, (ys // 4, xs // 2), DOT_ARRAY[ys % 4, xs % 2])
        self.owners[ys // 4, xs // 2] = owner

    def rows(self) -> list[str]:
        return ["".join(chr(BRAILLE + int(b)) if b else " " for b in row) for row in self.bits]


def value_range(values: np.ndarray, log: bool) -> tuple[float, float]:
    finite = values[np.isfinite(values) & ((values > 0) if log else True)]
    if not len(finite):
        return (1.0, 10.0) if log else (0.0, 1.0)
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        low, high = (low / 2, high * 2) if log else (low - 0.5, high + 0.5)
    return low, high


def line_plot(series: list[list[float]], width: int, height: int, log: bool = False) -> Plot:
    """Series over one x axis (their index), scaled together; `log`: a log10 y axis. Each dot
    column shows the range of the values that fall in it, joined to the column before."""
    dots = Dots(max(width, 1), max(height, 1))
    arrays = [np.asarray(s, dtype=np.float64) for s in series]
    everything = np.concatenate(arrays) if arrays else np.zeros(0)
    low, high = value_range(everything, log)
    longest = max((len(a) for a in arrays), default=0)
    columns, rows = 2 * dots.width, 4 * dots.height

    def dot_row(values: np.ndarray) -> np.ndarray:
        v = np.log10(np.clip(values, low, None)) if log else values
        lo, hi = (math.log10(low), math.log10(high)) if log else (low, high)
        scaled = np.clip((v - lo) / (hi - lo), 0, 1)
        return (rows - 1 - np.round(scaled * (rows - 1))).astype(int)

    ends = []
    for owner, values in enumerate(arrays):
        if not len(values):
            ends.append(None)
            continue
        x = np.round(np.arange(len(values)) * (columns - 1) / max(longest - 1, 1)).astype(int)
        y = dot_row(values)
        ends.append((int(y[-1]) // 4, int(x[-1]) // 2))
        starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])  # x only grows: runs of columns
        tops, bottoms = np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts)
        firsts, lasts = y[starts], y[np.r_[starts[1:], len(y)] - 1]
        segments = []  # (column, top, bottom) in dots
        previous = None  # (column, row) of the last value drawn
        for column, top, bottom, first, last in zip(x[starts], tops, bottoms, firsts, lasts):
            column, top, bottom, first = int(column), int(top), int(bottom), int(first)
            if previous is not None:  # a straight line from the column before
                (x0, y0), span = previous, column - previous[0]
                for step in range(1, span):
                    start = y0 + (first - y0) * (step - 1) / span
                    end = y0 + (first - y0) * step / span
                    segments.append((x0 + step, round(min(start, end)), round(max(start, end))))
                joined = round(y0 + (first - y0) * (span - 1) / span)
                top, bottom = min(top, joined), max(bottom, joined)
            segments.append((column, top, bottom))
            previous = (column, int(last))
        dots.set_columns(*zip(*segments), owner)
    return Plot(dots.rows(), dots.owners.tolist(), low, high, ends)


def scatter(points: list, labelled: list, width: int, height: int) -> Plot:
    """2-D `points` as dots (owner 0) and `labelled` points as their index's cell (owner
    1 + index; the widget writes the label there), over the range of both."""
    dots = Dots(max(width, 1), max(height, 1))
    every = np.asarray(list(points) + list(labelled), dtype=np.float64).reshape(-1, 2)
    if not len(every):
        return Plot(dots.rows(), dots.owners.tolist(), 0.0, 1.0)
    low, high = every.min(axis=0), every.max(axis=0)
    span = np.where(high > low, high - low, 1.0)

    def cells(xy) -> np.ndarray:  # in dots: x right, y down
        scaled = (np.asarray(xy, dtype=np.float64).reshape(-1, 2) - low) / span
        return np.stack([
            np.round(scaled[:, 0] * (2 * dots.width - 1)),
            np.round((1 - scaled[:, 1]) * (4 * dots.height - 1)),
        ], axis=1).astype(int)  # fmt: skip

    for x, y in cells(points):
        dots.set(int(x), int(y), 0)
    text = [list(row) for row in dots.rows()]
    owners = dots.owners
    for index, (x, y) in enumerate(cells(labelled)):
        row, column = int(y) // 4, int(x) // 2
        text[row][column] = "•"
        owners[row, column] = 1 + index
    return Plot(["".join(row) for row in text], owners.tolist(), float(low[1]), float(high[1]))


def bars(counts: list[int], height: int) -> list[str]:
    """One column a count, as tall as its share of the largest, in eighth blocks; the top row
    first. A count of 0 is an empty column (the widget marks it dead)."""
    values = np.asarray(counts, dtype=np.float64)
    largest = values.max() if len(values) and values.max() > 0 else 1.0
    eighths = np.round(values / largest * 8 * height).astype(int)
    eighths[(values > 0) & (eighths == 0)] = 1  # used at all: at least a sliver
    below = (height - 1 - np.arange(height))[:, None] * 8  # eighths below each row's
    levels = np.clip(eighths[None, :] - below, 0, 8).tolist()
    return ["".join(EIGHTHS[level] for level in row) for row in levels]
