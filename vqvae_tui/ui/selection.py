"""What is selected: a latent position or a code. One value, set by the app, read by widgets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vqvae_tui.model.config import GRID


@dataclass(frozen=True)
class Selection:
    position: int | None = None  # 0..48, row-major over the 7×7 grid
    code: int | None = None  # a codebook row

    def code_of_interest(self, codes: np.ndarray | None) -> int | None:
        """The codebook row to highlight: the chosen code, or the selected position's code."""
        if self.code is not None:
            return self.code
        if self.position is not None and codes is not None:
            return int(codes[self.position])
        return None


def position_label(position: int) -> str:
    return f"({position // GRID},{position % GRID})"
