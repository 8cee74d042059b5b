"""The lecture's MLP encoder and decoder: fully connected layers in place of convolutions.

They keep the convolutions' shapes (a 28×28 image ↔ a 7×7 grid of D-dim vectors, channels last),
so the quantizer and every screen work as they are. Unlike a convolution, every position of the
grid is computed from every pixel: a position has no patch of the image of its own.
"""

from __future__ import annotations

import torch
from torch import nn

from vqvae_tui.model.config import GRID, IMAGE

HIDDEN = 512  # units of the one hidden layer each way


class MLPEncoder(nn.Module):
    """28×28 image → 7×7 grid of D-dim vectors (channels last), through one hidden layer."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.layers = nn.Sequential(
            nn.Flatten(),  # (n, 1, 28, 28) → (n, 784)
            nn.Linear(IMAGE * IMAGE, HIDDEN),
            nn.ReLU(),
            nn.Linear(HIDDEN, GRID * GRID * dim),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).reshape(-1, GRID, GRID, self.dim)  # → (n, 7, 7, D)


class MLPDecoder(nn.Module):
    """7×7 grid of D-dim vectors (channels last) → 28×28 image in [0, 1]."""

    def __init__(self, dim: int):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),  # (n, 7, 7, D) → (n, 49·D)
            nn.Linear(GRID * GRID * dim, HIDDEN),
            nn.ReLU(),
            nn.Linear(HIDDEN, IMAGE * IMAGE),
            nn.Sigmoid(),
        )

    def forward(self, z_q: torch.Tensor) -> torch.Tensor:
        return self.layers(z_q).reshape(-1, 1, IMAGE, IMAGE)  # → (n, 1, 28, 28)
