"""Trace: one forward pass with every intermediate, as numpy — the contract with the UI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vqvae_tui.model.config import IMAGE
from vqvae_tui.model.vqvae import VQVAE


@dataclass(frozen=True, eq=False)  # arrays: two Traces are equal only if identical
class Trace:
    image: np.ndarray  # (28, 28) input pixels in [0, 1]
    features: np.ndarray  # (7, 7, D) encoder output z_e
    flat: np.ndarray  # (49, D) the same vectors, one per row
    distances: np.ndarray  # (49, K) squared distance of each row to each code
    codes: np.ndarray  # (49,) index of the nearest code
    selected: np.ndarray  # (49, D) codebook[codes]
    quantized: np.ndarray  # (7, 7, D) the selected vectors back on the grid
    reconstruction: np.ndarray  # (28, 28) decoder output in [0, 1]
    codebook: np.ndarray  # (K, D)
    reconstruction_loss: float
    codebook_loss: float
    commitment_loss: float  # already multiplied by β


@torch.inference_mode()
def trace(model: VQVAE, image: np.ndarray) -> Trace:
    """Run one 28×28 image in [0, 1] through the model and keep every step."""
    pixels = np.array(image, dtype=np.float32)  # a copy: the caller may go on drawing
    if pixels.shape != (IMAGE, IMAGE):
        raise ValueError(f"trace takes one {IMAGE}×{IMAGE} image, not shape {pixels.shape}")
    if not (np.all(pixels >= 0) and np.all(pixels <= 1)):
        raise ValueError("trace takes pixels in [0, 1]")
    x = torch.from_numpy(pixels).reshape(1, 1, IMAGE, IMAGE)
    x_hat, z_e, q = model(x)
    losses = model.losses(x, x_hat, q)
    return Trace(
        image=pixels,
        features=z_e[0].numpy(),
        flat=q.flat.numpy(),
        distances=q.distances.numpy(),
        codes=q.codes.numpy(),
        selected=q.selected.numpy(),
        quantized=q.z_q[0].numpy(),
        reconstruction=x_hat[0, 0].numpy(),
        codebook=model.quantizer.codebook.detach().numpy().copy(),
        reconstruction_loss=float(losses.reconstruction),
        codebook_loss=float(losses.codebook),
        commitment_loss=float(losses.commitment),
    )
