"""vector-quantize-pytorch's `VectorQuantize` behind our quantizer's interface.

The lecture's first exercise trains with the library's quantizer. Here it gives the same
`Quantization` as ours (model/vqvae.py), so every screen shows it as it shows ours. One call to
the library finds the nearest codes, looks up their vectors and routes z_e's gradient (the
straight-through estimator, or the rotation trick); `forward` lays its results out step by step.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from vector_quantize_pytorch import VectorQuantize
from vector_quantize_pytorch.vector_quantize_pytorch import cdist, l2norm

from vqvae_tui.model.config import ModelConfig
from vqvae_tui.model.vqvae import Quantization

LIBRARY_DECAY = 0.8  # the library's own EMA decay, for a cosine codebook built without one


class UnitLength(nn.Module):
    """z_e scaled to length 1: what a cosine codebook compares, so that the distances shown are
    the squared distances of the vectors shown."""

    def forward(self, z_e: torch.Tensor) -> torch.Tensor:
        return F.normalize(z_e, dim=-1)


class LibraryQuantizer(nn.Module):
    """The library's quantizer. Training options are the library's own: an EMA decay (else the
    codebook learns from the codebook loss), k-means initialisation from the first batch, and
    restarts of codes whose EMA count of vectors falls below `dead_code_count`.

    A cosine codebook can only learn by EMA in the library; built without a decay (to be loaded,
    not trained) it gets the library's default.
    """

    def __init__(
        self,
        config: ModelConfig,
        ema_decay: float | None = None,
        kmeans_init: bool = False,
        dead_code_count: float = 0.0,
    ):
        super().__init__()
        cosine = config.distance == "cosine"
        if cosine and ema_decay == 0:
            raise ValueError("the library learns a cosine codebook by EMA only: give a decay")
        ema = bool(ema_decay) or (ema_decay is None and cosine)
        self.library = VectorQuantize(
            dim=config.dim,
            codebook_size=config.num_codes,
            use_cosine_sim=cosine,
            rotation_trick=config.rotation_trick,
            commitment_weight=0.0,  # VQVAE.losses computes the three losses, as for ours
            learnable_codebook=not ema,
            ema_update=ema,
            decay=ema_decay or LIBRARY_DECAY,
            kmeans_init=kmeans_init,
            threshold_ema_dead_code=dead_code_count,
        )

    @property
    def codebook(self) -> torch.Tensor:
        """(K, D) the library's codebook (of unit vectors, for cosine)."""
        return self.library.codebook

    def train(self, mode: bool = True) -> LibraryQuantizer:
        """The library routes z_e's gradient in training mode only, so it stays in training
        mode; out of it, `forward` freezes its codebook instead."""
        super().train(mode)
        self.library.train()
        return self

    def forward(self, z_e: torch.Tensor) -> Quantization:
        n, h, w, d = z_e.shape
        flat = z_e.reshape(n * h * w, d)  # step: reshape
        distances = self.distances(flat)  # step: distances
        frozen = not self.training  # out of training the codebook does not learn
        # One call: the nearest codes, and the output whose gradient reaches z_e.
        output, codes, _ = self.library(flat[None], freeze_codebook=frozen)  # step: argmin
        selected = self.codebook[codes[0]]  # step: lookup
        z_q = selected.reshape(n, h, w, d)  # step: reshape back
        # The library's output: z_q going forward; going back, z_e gets the gradient of the
        # straight-through estimator (or of the rotation trick, if the config asks for it).
        quantized = output.reshape(n, h, w, d)  # step: straight-through
        return Quantization(flat, distances, codes[0], selected, z_q, quantized)

    def restarted_codes(self) -> list[int]:
        """The codes the library restarted in the last forward pass (its dead-code
        replacement, inside that pass), read before anything else moves them: a restarted
        code holds exactly what the library's `replace` wrote, its EMA count the reset count
        and its EMA sum its new vector times that count."""
        codebook = self.library._codebook
        if not codebook.has_dead_code_replacement:
            return []
        reset = codebook.reset_cluster_size
        written = (codebook.cluster_size[0] == reset) & (
            codebook.embed_avg[0] == codebook.embed[0] * reset
        ).all(dim=-1)
        return written.nonzero().flatten().tolist()

    def distances(self, flat: torch.Tensor) -> torch.Tensor:
        """(N, K) the library's own comparison of each vector with each code, as a squared
        distance: ‖z_e − e‖², or for cosine 2 − 2·cos(z_e, e), that of unit vectors."""
        codebook = self.codebook[None]
        if self.library.use_cosine_sim:
            similarity = torch.einsum("h n d, h c d -> h n c", l2norm(flat[None]), codebook)
            return 2 - 2 * similarity[0]
        return cdist(flat[None], codebook)[0] ** 2
