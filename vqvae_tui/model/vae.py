"""The VAE and the plain autoencoder: a 2-D latent between the VQ-VAE's own networks.

Both use the VQ-VAE's Encoder and Decoder (so the three compare fairly), with a dense layer each
way between the 7×7×D grid and z. Written to be read: the app shows `VAE.forward` to learners,
one step per line, and links each line to its node of the computational graph through its
`# step:` marker.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vqvae_tui.model.config import GRID, POSITIONS, LatentConfig
from vqvae_tui.model.vqvae import Decoder, Encoder


class LatentEncoder(nn.Module):
    """28×28 image → `outputs` numbers: the VQ-VAE's encoder, then a dense bottleneck."""

    def __init__(self, config: LatentConfig, outputs: int):
        super().__init__()
        self.convolutions = Encoder(config.dim)  # → (n, 7, 7, D)
        self.dense = nn.Sequential(
            nn.Flatten(),
            nn.Linear(POSITIONS * config.dim, config.hidden),
            nn.ReLU(),
            nn.Linear(config.hidden, outputs),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dense(self.convolutions(x))  # (n, 1, 28, 28) → (n, outputs)


class LatentDecoder(nn.Module):
    """z → 28×28 image in [0, 1]: a dense layer up to the 7×7×D grid, then the VQ-VAE's
    decoder."""

    def __init__(self, config: LatentConfig):
        super().__init__()
        self.dim = config.dim
        self.dense = nn.Sequential(
            nn.Linear(config.latent, config.hidden),
            nn.ReLU(),
            nn.Linear(config.hidden, POSITIONS * config.dim),
            nn.ReLU(),
        )
        self.convolutions = Decoder(config.dim)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        grid = self.dense(z).reshape(len(z), GRID, GRID, self.dim)
        return self.convolutions(grid)  # (n, latent) → (n, 1, 28, 28)


@dataclass
class Sampling:
    """Every intermediate of one pass through the VAE's sampling."""

    mean: torch.Tensor  # (n, latent) μ
    log_variance: torch.Tensor  # (n, latent) log σ²
    sigma: torch.Tensor  # (n, latent) σ
    epsilon: torch.Tensor  # (n, latent) the noise ε ~ N(0, I)
    z: torch.Tensor  # (n, latent) μ + σ·ε


@dataclass
class VAELosses:
    reconstruction: torch.Tensor  # binary cross-entropy summed over the pixels (nats an image)
    kl: torch.Tensor  # (latent,) KL(N(μ, σ²) ‖ N(0, 1)) of each dimension (nats an image)

    def total(self, kl_weight: float = 1.0) -> torch.Tensor:
        """The negative ELBO when kl_weight is 1 (a β-VAE's loss otherwise)."""
        return self.reconstruction + kl_weight * self.kl.sum()


def reconstruction_loss(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy summed over the pixels, the mean over the images (nats)."""
    return F.binary_cross_entropy(x_hat, x, reduction="sum") / len(x)


class VAE(nn.Module):
    """A variational autoencoder: the encoder gives a Gaussian, z is drawn from it."""

    KIND = "vae"  # its weights' sidecar says so

    def __init__(self, config: LatentConfig = LatentConfig()):
        super().__init__()
        self.config = config
        self.encoder = LatentEncoder(config, 2 * config.latent)  # μ and log σ² of each dimension
        self.decoder = LatentDecoder(config)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        """x: (n, 1, 28, 28) in [0, 1] → (reconstruction, sampling); `generator` draws ε."""
        mean, log_variance = self.encoder(x).chunk(2, dim=1)  # step: encoder
        sigma = torch.exp(0.5 * log_variance)  # step: log-var trick
        epsilon = torch.randn(sigma.shape, generator=generator)  # step: noise
        # The noise comes from outside the graph: the gradient reaches μ and σ, never ε.
        z = mean + sigma * epsilon  # step: reparameterization
        x_hat = self.decoder(z)  # step: decoder
        return x_hat, Sampling(mean, log_variance, sigma, epsilon, z)

    def losses(self, x: torch.Tensor, x_hat: torch.Tensor, s: Sampling) -> VAELosses:
        """The reconstruction loss and the KL of each dimension, each returned on its own."""
        kl = 0.5 * (s.mean**2 + s.sigma**2 - s.log_variance - 1)  # closed form, per dimension
        return VAELosses(reconstruction_loss(x_hat, x), kl.mean(dim=0))


class Autoencoder(nn.Module):
    """A plain autoencoder: the same networks, z = the encoder's output, no KL."""

    KIND = "ae"

    def __init__(self, config: LatentConfig = LatentConfig()):
        super().__init__()
        self.config = config
        self.encoder = LatentEncoder(config, config.latent)
        self.decoder = LatentDecoder(config)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: (n, 1, 28, 28) in [0, 1] → (reconstruction, z)."""
        z = self.encoder(x)
        return self.decoder(z), z
