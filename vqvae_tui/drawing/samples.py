"""Sample digits as stroke scripts: the polylines a hand would draw, replayed by the brush.

Never dataset images. Each digit sits, like MNIST's, in the middle 20×20 of the 28×28 canvas.
"""

from __future__ import annotations

import math

Point = tuple[float, float]
Stroke = list[Point]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, steps=12) -> Stroke:
    """Points along an ellipse from angle `start` to `end` (degrees; 0 = right, 90 = down)."""
    return [
        (
            round(cx + rx * math.cos(math.radians(start + (end - start) * i / steps)), 2),
            round(cy + ry * math.sin(math.radians(start + (end - start) * i / steps)), 2),
        )
        for i in range(steps + 1)
    ]


SAMPLES: dict[str, list[Stroke]] = {
    "0": [arc(14, 14, 5.5, 8.5, -90, 270, 24)],
    "1": [[(12.5, 8), (15, 5.5), (15, 22.5)]],
    "2": [arc(14, 10, 5, 4.5, 190, 380) + [(9, 22.5), (20, 22.5)]],
    "3": [arc(13.5, 9.5, 5, 4, 200, 450) + arc(13.5, 18, 5.5, 4.5, -90, 160)],
    "4": [[(16.5, 5.5), (8.5, 17.5), (20.5, 17.5)], [(16.5, 11), (16.5, 23)]],
    "5": [[(19, 5.5), (11, 5.5), (10, 13)] + arc(14, 17, 5.5, 5.5, -120, 150)],
    "6": [[(17.5, 5), (12.5, 10.5), (9.5, 17)] + arc(14, 18, 4.8, 4.8, 180, 540, 20)],
    "7": [[(8.5, 6), (19.5, 6), (12.5, 23)]],
    "8": [arc(14, 9.5, 4.5, 4, 90, 450, 16) + arc(14, 18, 5.5, 4.5, -90, 270, 18)],
    "9": [arc(14, 10, 4.8, 4.5, 0, 360, 18) + [(18.8, 10), (17.5, 23)]],
}
