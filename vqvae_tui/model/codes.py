"""Working with codes directly: decode any 7×7 grid of codes, sample grids
(uniform, or from the per-position prior measured on the training split)."""

from __future__ import annotations

import numpy as np
import torch

from vqvae_tui.model.config import GRID
from vqvae_tui.model.vqvae import VQVAE


@torch.inference_mode()
def decode(model: VQVAE, codes: np.ndarray) -> np.ndarray:
    """The decoder's picture (28, 28) of a (7, 7) grid of code indices."""
    codes = np.asarray(codes)
    k = model.config.num_codes
    if codes.shape != (GRID, GRID) or codes.min() < 0 or codes.max() >= k:
        raise ValueError(f"decode takes a {GRID}×{GRID} grid of codes in 0..{k - 1}")
    z_q = model.quantizer.codebook[torch.from_numpy(codes.astype(np.int64))]  # (7, 7, D)
    return model.decoder(z_q.unsqueeze(0))[0, 0].numpy().copy()


@torch.inference_mode()
def code_prior(model: VQVAE, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """(49, K): how often each code is chosen at each position over `images` (n, 28, 28)."""
    k = model.config.num_codes
    counts = np.zeros((GRID * GRID, k))
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(np.asarray(images[start : start + batch_size], np.float32))
        _, _, q = model(x.unsqueeze(1))
        codes = q.codes.reshape(-1, GRID * GRID).numpy()
        for position in range(GRID * GRID):
            counts[position] += np.bincount(codes[:, position], minlength=k)
    return counts / counts.sum(axis=1, keepdims=True)


def sample_codes(
    num_codes: int, rng: np.random.Generator, prior: np.ndarray | None = None
) -> np.ndarray:
    """A (7, 7) grid of codes: uniform over the K codes, or each position from its prior."""
    if prior is None:
        return rng.integers(0, num_codes, size=(GRID, GRID))
    cumulative = np.cumsum(prior, axis=1)
    draws = rng.random((GRID * GRID, 1)) * cumulative[:, -1:]
    return (draws > cumulative).sum(axis=1).reshape(GRID, GRID)
