"""MNIST-format data: IDX files, the split, augmentation. Never imports the UI."""

from vqvae_tui.data.augment import augment
from vqvae_tui.data.idx import read_idx, read_pair
from vqvae_tui.data.mnist import (
    Digits,
    read,
    test_digits,
    training_digits,
    validation_digits,
    validation_mask,
)

__all__ = [
    "Digits",
    "augment",
    "read",
    "read_idx",
    "read_pair",
    "test_digits",
    "training_digits",
    "validation_digits",
    "validation_mask",
]
