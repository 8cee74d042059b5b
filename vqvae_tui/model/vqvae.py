"""The VQ-VAE: an encoder, a vector quantizer and a decoder.

Written to be read: the app shows `VectorQuantizer.forward` to learners, one step per line, and
links each line to the matrix it computes through its `# step:` marker.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vqvae_tui.model.config import ModelConfig


class Encoder(nn.Module):
    """28×28 image → 7×7 grid of D-dim vectors (channels last)."""

    def __init__(self, dim: int):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1),  # 28×28 → 14×14
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),  # 14×14 → 7×7
            nn.ReLU(),
            nn.Conv2d(64, dim, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x).permute(0, 2, 3, 1)  # (n, 1, 28, 28) → (n, 7, 7, D)


class Decoder(nn.Module):
    """7×7 grid of D-dim vectors (channels last) → 28×28 image in [0, 1]."""

    def __init__(self, dim: int):
        super().__init__()
        self.layers = nn.Sequential(
            nn.ConvTranspose2d(dim, 64, 3, stride=2, padding=1, output_padding=1),  # → 14×14
            nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1),  # → 28×28
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, z_q: torch.Tensor) -> torch.Tensor:
        return self.layers(z_q.permute(0, 3, 1, 2))  # (n, 7, 7, D) → (n, 1, 28, 28)


@dataclass
class Quantization:
    """Every intermediate of one pass through the quantizer."""

    flat: torch.Tensor  # (n·h·w, D) encoder vectors, one per row
    distances: torch.Tensor  # (n·h·w, K) squared distance of each vector to each code
    codes: torch.Tensor  # (n·h·w,) index of the nearest code
    selected: torch.Tensor  # (n·h·w, D) the chosen codebook vectors
    z_q: torch.Tensor  # (n, h, w, D) the chosen vectors back on the grid
    quantized: torch.Tensor  # (n, h, w, D) z_q going forward (up to rounding), z_e's gradient back


@dataclass
class Losses:
    reconstruction: torch.Tensor  # mean squared error of the pixels
    codebook: torch.Tensor  # ‖sg[z_e] − e‖², moves the codes towards the encoder outputs
    commitment: torch.Tensor  # β‖z_e − sg[e]‖², keeps the encoder near its codes

    @property
    def total(self) -> torch.Tensor:
        return self.reconstruction + self.codebook + self.commitment


class VectorQuantizer(nn.Module):
    """Replaces each encoder vector by its nearest of K codebook vectors."""

    def __init__(self, num_codes: int, dim: int):
        super().__init__()
        self.codebook = nn.Parameter(torch.rand(num_codes, dim) * 2 - 1)

    def forward(self, z_e: torch.Tensor) -> Quantization:
        n, h, w, d = z_e.shape
        flat = z_e.reshape(n * h * w, d)  # step: reshape
        distances = torch.cdist(flat, self.codebook) ** 2  # step: distances
        codes = distances.argmin(dim=1)  # step: argmin
        selected = self.codebook[codes]  # step: lookup
        z_q = selected.reshape(n, h, w, d)  # step: reshape back
        # Forward: the value of z_q. Backward: the gradient skips the argmin and reaches z_e.
        quantized = z_e + (z_q - z_e).detach()  # step: straight-through
        return Quantization(flat, distances, codes, selected, z_q, quantized)

    # Training options, used by the training loop beside the forward pass.

    @torch.no_grad()
    def init_kmeans(self, vectors: torch.Tensor, generator: torch.Generator, iterations=20):
        """k-means initialisation: place the codes on clusters of real encoder outputs."""
        k = self.codebook.shape[0]
        centres = vectors[torch.randperm(len(vectors), generator=generator)[:k]].clone()
        for _ in range(iterations):
            nearest = torch.cdist(vectors, centres).argmin(dim=1)
            counts = torch.bincount(nearest, minlength=k).float()
            sums = torch.zeros_like(centres).index_add_(0, nearest, vectors)
            used = counts > 0
            centres[used] = sums[used] / counts[used, None]
        self.codebook.copy_(centres)

    @torch.no_grad()
    def ema_update(self, flat, codes, counts, sums, decay: float, epsilon=1e-5):
        """EMA codebook update (replaces the codebook loss): each code moves to the running
        mean of the encoder outputs assigned to it. `counts` (K,) and `sums` (K, D) are the
        running statistics, updated in place."""
        k = self.codebook.shape[0]
        one_hot = F.one_hot(codes, k).type(flat.dtype)
        counts.mul_(decay).add_(one_hot.sum(dim=0), alpha=1 - decay)
        sums.mul_(decay).add_(one_hot.T @ flat, alpha=1 - decay)
        total = counts.sum()
        smoothed = (counts + epsilon) / (total + k * epsilon) * total  # no division by zero
        self.codebook.copy_(sums / smoothed[:, None])

    @torch.no_grad()
    def restart_codes(self, dead: torch.Tensor, vectors: torch.Tensor, generator):
        """Move each dead code onto a random current encoder output."""
        picks = torch.randint(len(vectors), (int(dead.sum()),), generator=generator)
        self.codebook[dead] = vectors[picks]


class VQVAE(nn.Module):
    KIND = "vqvae"  # its weights' sidecar says so

    def __init__(self, config: ModelConfig, library_options: dict | None = None):
        """The networks and the quantizer that `config` names; `library_options` are the
        training options of the library's quantizer (see model/library.py)."""
        super().__init__()
        self.config = config
        self.sidecar: dict = {}  # its weights' JSON sidecar, once loaded (weights.load)
        if config.encoder == "mlp":
            from vqvae_tui.model.mlp import MLPDecoder, MLPEncoder

            self.encoder, self.decoder = MLPEncoder(config.dim), MLPDecoder(config.dim)
        else:
            self.encoder, self.decoder = Encoder(config.dim), Decoder(config.dim)
        if config.quantizer == "library":  # the library is imported only by those who use it
            from vqvae_tui.model.library import LibraryQuantizer, UnitLength

            self.quantizer = LibraryQuantizer(config, **(library_options or {}))
            if config.distance == "cosine":
                self.encoder = nn.Sequential(self.encoder, UnitLength())
        else:
            self.quantizer = VectorQuantizer(config.num_codes, config.dim)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, Quantization]:
        """x: (n, 1, 28, 28) in [0, 1] → (reconstruction, z_e, quantization)."""
        z_e = self.encoder(x)
        quantization = self.quantizer(z_e)
        return self.decoder(quantization.quantized), z_e, quantization

    def losses(self, x: torch.Tensor, x_hat: torch.Tensor, q: Quantization) -> Losses:
        """The three VQ-VAE losses, each returned on its own."""
        return Losses(
            reconstruction=F.mse_loss(x_hat, x),
            codebook=F.mse_loss(q.selected, q.flat.detach()),
            commitment=self.config.beta * F.mse_loss(q.flat, q.selected.detach()),
        )
