"""The soft round brush every picture is drawn with: the user's mouse and keys, and the samples.

Coordinates are floats in pixel units, x to the right and y down, (0, 0) the top-left corner of
the 28×28 image; pixel (row, col) has its centre at (col + 0.5, row + 0.5).
"""

from __future__ import annotations

import numpy as np

from vqvae_tui.model.config import IMAGE

RADIUS = 0.9  # full intensity within this distance of the stroke's centre line
SOFTNESS = 1.0  # then fading to nothing over this distance, like a pen on paper

_centres = np.arange(IMAGE, dtype=np.float32) + 0.5
_X, _Y = np.meshgrid(_centres, _centres)


def coverage(start: tuple[float, float], end: tuple[float, float]) -> np.ndarray:
    """How much the segment start→end covers each pixel, (28, 28) in [0, 1]."""
    (x0, y0), (x1, y1) = start, end
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else np.clip(((_X - x0) * dx + (_Y - y0) * dy) / length2, 0, 1)
    distance = np.hypot(_X - (x0 + t * dx), _Y - (y0 + t * dy))
    return np.clip((RADIUS + SOFTNESS - distance) / SOFTNESS, 0, 1)


def paint(image: np.ndarray, start, end, erase: bool = False) -> None:
    """Draw (or erase) the segment start→end into `image` in place; pixels stay in [0, 1]."""
    cover = coverage(start, end)
    if erase:
        np.minimum(image, 1 - cover, out=image)
    else:
        np.maximum(image, cover, out=image)


def draw_strokes(strokes, image: np.ndarray | None = None) -> np.ndarray:
    """Draw polylines [[(x, y), ...], ...] into a new (or the given) image and return it."""
    image = np.zeros((IMAGE, IMAGE), dtype=np.float32) if image is None else image
    for stroke in strokes:
        points = list(stroke)
        for start, end in zip(points, points[1:] or points):
            paint(image, start, end)
    return image
