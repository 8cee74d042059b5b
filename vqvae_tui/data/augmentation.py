"""Augmentation for 28×28 digits: shift, scale, rotation and stroke thickness.

People draw digits off-centre, small or large, tilted, with a thick or thin brush; MNIST digits
are centred by their centre of mass in a 20×20 box. These transforms close that gap.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def augment(
    x: torch.Tensor,
    generator: torch.Generator,
    max_shift: float = 3.0,
    scale: tuple[float, float] = (0.8, 1.15),
    max_degrees: float = 15.0,
    thickness: tuple[float, float] = (-0.5, 1.0),
) -> torch.Tensor:
    """A randomly moved, scaled, rotated and thickened or thinned copy of x (n, 1, 28, 28)."""
    n, _, size, _ = x.shape
    if n == 0:  # a batch of which no digit was chosen (affine_grid refuses an empty one)
        return x

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    angle = uniform(-max_degrees, max_degrees) * math.pi / 180
    zoom = uniform(*scale)
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * max_shift * 2 / size
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    # affine_grid maps output coordinates to input ones: the inverse of the wanted transform
    theta = torch.stack(
        [torch.stack([cos, -sin, -shift[:, 0]], 1), torch.stack([sin, cos, -shift[:, 1]], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    moved = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    # > 0 blends towards a 3×3 dilation (thicker), < 0 towards an erosion (thinner)
    amount = uniform(*thickness).view(n, 1, 1, 1)
    thicker = F.max_pool2d(moved, 3, stride=1, padding=1)
    thinner = -F.max_pool2d(-moved, 3, stride=1, padding=1)
    target = torch.where(amount > 0, thicker, thinner)
    return (moved + amount.abs() * (target - moved)).clamp(0, 1)
