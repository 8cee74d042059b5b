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


@dataclass(frozen=True)
class StraightThrough:
    """The straight-through estimator, measured on one image."""

    forward_difference: float  # max |quantized − z_q|: forward, the output is z_q (up to rounding)
    gradient_difference: float  # max |∂L/∂z_e − ∂L/∂quantized|: backward, copied to z_e (0)
    gradient_norm: float  # ‖∂L/∂quantized‖, the gradient of this image's reconstruction loss L
    reconstruction_loss: float
    codebook_loss: float
    commitment_loss: float  # already multiplied by β


def one_image(image: np.ndarray, caller: str) -> tuple[np.ndarray, torch.Tensor]:
    """Check one 28×28 image in [0, 1]: its pixels (a copy) and the (1, 1, 28, 28) model input."""
    pixels = np.array(image, dtype=np.float32)  # a copy: the caller may go on drawing
    if pixels.shape != (IMAGE, IMAGE):
        raise ValueError(f"{caller} takes one {IMAGE}×{IMAGE} image, not shape {pixels.shape}")
    if not (np.all(pixels >= 0) and np.all(pixels <= 1)):
        raise ValueError(f"{caller} takes pixels in [0, 1]")
    return pixels, torch.from_numpy(pixels).reshape(1, 1, IMAGE, IMAGE)


def as_trace(model: VQVAE, pixels: np.ndarray, x_hat, z_e, q, losses) -> Trace:
    """The numpy Trace of one forward pass's tensors (detached: no autograd in a Trace)."""

    def array(tensor: torch.Tensor) -> np.ndarray:
        return tensor.detach().numpy()

    return Trace(
        image=pixels,
        features=array(z_e[0]),
        flat=array(q.flat),
        distances=array(q.distances),
        codes=array(q.codes),
        selected=array(q.selected),
        quantized=array(q.z_q[0]),
        reconstruction=array(x_hat[0, 0]),
        codebook=array(model.quantizer.codebook).copy(),
        reconstruction_loss=float(losses.reconstruction),
        codebook_loss=float(losses.codebook),
        commitment_loss=float(losses.commitment),
    )


@torch.inference_mode()
def trace(model: VQVAE, image: np.ndarray) -> Trace:
    """Run one 28×28 image in [0, 1] through the model and keep every step."""
    pixels, x = one_image(image, "trace")
    x_hat, z_e, q = model(x)
    return as_trace(model, pixels, x_hat, z_e, q, model.losses(x, x_hat, q))


def straight_through(model: VQVAE, image: np.ndarray) -> StraightThrough:
    """Run one 28×28 image in [0, 1] through the model with autograd and measure the
    straight-through estimator: forward it gives z_q, backward it copies ∂L/∂quantized to z_e.

    Only ∂L/∂z_e and ∂L/∂quantized are computed: the parameters get no gradient.
    """
    return measured_pass(model, image, "straight_through")[1]


def trace_and_straight_through(model: VQVAE, image: np.ndarray) -> tuple[Trace, StraightThrough]:
    """The Trace and the straight-through estimator of one image from the same forward pass
    (one pass instead of two, for the details screen, which shows both at every stroke)."""
    return measured_pass(model, image, "trace_and_straight_through")


def measured_pass(model: VQVAE, image: np.ndarray, caller: str) -> tuple[Trace, StraightThrough]:
    pixels, x = one_image(image, caller)
    training = model.training
    if training:  # eval() walks every module: skipped when there is nothing to switch
        model.eval()
    try:
        with torch.enable_grad():
            x_hat, z_e, q = model(x)
            losses = model.losses(x, x_hat, q)
            grad_z_e, grad_quantized = torch.autograd.grad(
                losses.reconstruction, (z_e, q.quantized)
            )
    finally:
        if training:
            model.train()
    with torch.no_grad():
        traced = as_trace(model, pixels, x_hat, z_e, q, losses)
        return traced, StraightThrough(
            forward_difference=(q.quantized - q.z_q).abs().max().item(),
            gradient_difference=(grad_z_e - grad_quantized).abs().max().item(),
            gradient_norm=grad_quantized.norm().item(),
            reconstruction_loss=losses.reconstruction.item(),
            codebook_loss=losses.codebook.item(),
            commitment_loss=losses.commitment.item(),
        )
