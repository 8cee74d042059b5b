"""Drawing on the 28×28 canvas: the brush and the sample stroke scripts. numpy only."""

from vqvae_tui.drawing.brush import coverage, draw_strokes, paint
from vqvae_tui.drawing.samples import SAMPLES

__all__ = ["SAMPLES", "coverage", "draw_strokes", "paint"]
