"""One pass of one image through any of the three models: what the app runs at each stroke."""

from __future__ import annotations

import numpy as np

from vqvae_tui.model.latent_tracing import trace_ae, trace_vae, trace_vae_and_gradients
from vqvae_tui.model.tracing import trace, trace_and_straight_through


def one_pass(kind: str, model, image: np.ndarray, noise: int = 0, cursor=None, measured=False):
    """(trace, measurements) of one image through a model of `kind`: for the VQ-VAE its
    straight-through estimator, for the VAE its gradient path, both measured by autograd in
    the same pass when `measured` (else None). The VAE draws ε from seed `noise` and decodes
    `cursor` too."""
    if kind == "vqvae":
        return trace_and_straight_through(model, image) if measured else (trace(model, image), None)
    if kind == "vae":
        if measured:
            return trace_vae_and_gradients(model, image, noise, cursor)
        return trace_vae(model, image, noise, cursor), None
    return trace_ae(model, image), None
