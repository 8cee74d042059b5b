"""A run's training options (torch-free: the CLI reads their defaults before torch loads)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from vqvae_tui.errors import UserError
from vqvae_tui.model.sidecar import option_problem


@dataclass(frozen=True)
class TrainOptions:
    """The defaults are the shipped recipe (weights/mnist.json's options)."""

    epochs: int = 55
    batch_size: int = 64
    learning_rate: float = 2e-3
    ema_decay: float = 0.95  # 0: the codebook loss trains the codebook; else EMA updates do
    kmeans_init: bool = True  # initialise the codebook by k-means on the first encoder outputs
    dead_code_threshold: float = 0.01  # restart codes used by less than this share of positions
    augment: float = 0.15  # share of each batch augmented (shift, scale, rotation, stroke)
    seed: int = 0

    def __post_init__(self):
        """The rules a saved sidecar's options are checked by (model/sidecar.py)."""
        for option in fields(self):
            problem = option_problem(option.name, getattr(self, option.name))
            if problem is not None:
                raise UserError(f"--{option.name.replace('_', '-')} {problem}")
