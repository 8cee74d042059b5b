"""Evaluation of the VAE and the plain autoencoder: reconstruction from z = μ, the KL, the ELBO."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F

from vqvae_tui.data import Digits
from vqvae_tui.model import VAE, Autoencoder

EVALUATION_NOISE = 0  # the seed of the ε that the ELBO's one-sample estimate draws


@dataclass(frozen=True)
class LatentMetrics:
    count: int  # digits evaluated
    mse: float  # per-pixel mean squared error, decoded from z = μ (the autoencoder's z)
    psnr: float  # dB, 10·log10(1 / mse)
    bce: float  # binary cross-entropy summed over the 784 pixels, decoded from z = μ
    per_class_mse: dict  # digit label ("0".."9") → mse
    kl: float | None = None  # VAE: KL(N(μ, σ²) ‖ N(0, I)) summed over z's dimensions (nats)
    kl_per_dimension: list | None = None  # VAE: the KL of each dimension
    sampled_bce: float | None = None  # VAE: the BCE decoded from one z = μ + σ·ε a digit
    elbo: float | None = None  # VAE: −(sampled_bce + kl), a one-sample estimate (nats a digit)

    def to_dict(self) -> dict:
        return {name: value for name, value in asdict(self).items() if value is not None}

    def summary(self) -> dict:
        """What the training history keeps of each epoch."""
        kl = {} if self.kl is None else {"kl": round(self.kl, 4)}
        return {"mse": round(self.mse, 6), **kl}


@torch.inference_mode()
def evaluate_latent(model: VAE | Autoencoder, digits: Digits, batch_size: int = 1000):
    """The figures of a VAE or autoencoder over `digits` (the VAE's reconstruction from z = μ)."""
    vae = isinstance(model, VAE)
    generator = torch.Generator().manual_seed(EVALUATION_NOISE)
    squared_errors, bces, kls, sampled_bces = [], [], [], []
    for start in range(0, len(digits), batch_size):
        x = torch.from_numpy(digits.images[start : start + batch_size]).unsqueeze(1)
        if vae:
            x_sampled, s = model(x, generator)
            x_hat = model.decoder(s.mean)
            kls.append(0.5 * (s.mean**2 + s.sigma**2 - s.log_variance - 1))
            sampled_bces.append(per_image_bce(x_sampled, x))
        else:
            x_hat, _ = model(x)
        squared_errors.append(((x_hat - x) ** 2).mean(dim=(1, 2, 3)))
        bces.append(per_image_bce(x_hat, x))
    per_image = torch.cat(squared_errors).double().numpy()
    mse = float(per_image.mean())
    extra = {}
    if vae:
        kl = torch.cat(kls).double().mean(dim=0)
        sampled_bce = float(torch.cat(sampled_bces).double().mean())
        extra = dict(
            kl=float(kl.sum()),
            kl_per_dimension=kl.tolist(),
            sampled_bce=sampled_bce,
            elbo=-(sampled_bce + float(kl.sum())),
        )
    return LatentMetrics(
        count=len(digits),
        mse=mse,
        psnr=10 * math.log10(1 / mse) if mse > 0 else math.inf,
        bce=float(torch.cat(bces).double().mean()),
        per_class_mse={
            str(label): float(per_image[digits.labels == label].mean())
            for label in np.unique(digits.labels)
        },
        **extra,
    )


def per_image_bce(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy(x_hat, x, reduction="none").sum(dim=(1, 2, 3))
