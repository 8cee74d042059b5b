"""The MNIST splits: which digits train, which validate, which test.

Only the 10,000-digit test set may be at hand, so it is split deterministically: index i with
i % 10 == 9 validates (1,000 digits from both writer halves), the other 9,000 train. A directory
that also holds the 60,000 training digits (`train-*`) trains on those instead. Which data set a
directory holds (MNIST or Fashion-MNIST: the two share one format) its first test labels tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vqvae_tui.data.idx import LABELS_MAGIC, find, idx_shape, read_head, read_pair
from vqvae_tui.errors import DataError

VALIDATION_EVERY = 10  # i % 10 == 9 is validation
TEST_SETS = {  # a test set's first ten labels → its name
    (7, 2, 1, 0, 4, 1, 4, 9, 5, 9): "MNIST",
    (9, 2, 1, 1, 6, 1, 4, 6, 5, 7): "Fashion-MNIST",
}
TEST_SET_SIZE = 10_000
OTHER_DATA = "IDX files"  # the name of any other directory of IDX files


@dataclass(frozen=True)
class Digits:
    images: np.ndarray  # (n, 28, 28) float32 in [0, 1]
    labels: np.ndarray  # (n,) int64
    source: str  # what these digits are, for the weights' metadata
    name: str | None = None  # the data set's (data_set_name); None: not read from a directory

    def __len__(self) -> int:
        return len(self.labels)


def data_set_name(directory: str | Path) -> str:
    """MNIST, Fashion-MNIST, or IDX files: which data set the directory's test set is."""
    labels = find(Path(directory), "t10k-labels-idx1-ubyte")
    if labels is None or idx_shape(labels, LABELS_MAGIC) != (TEST_SET_SIZE,):
        return OTHER_DATA
    return TEST_SETS.get(tuple(read_head(labels, 8 + 10)[8:]), OTHER_DATA)


def validation_mask(count: int) -> np.ndarray:
    return np.arange(count) % VALIDATION_EVERY == VALIDATION_EVERY - 1


def read(directory: str | Path, prefix: str, mask_name: str = "all") -> Digits:
    """Digits of `prefix` in `directory`; `mask_name` is all, train (i % 10 != 9) or val."""
    images, labels = read_pair(directory, prefix)
    keep = {
        "all": np.ones(len(labels), dtype=bool),
        "val": validation_mask(len(labels)),
        "train": ~validation_mask(len(labels)),
    }[mask_name]
    rule = {"all": "", "val": "[i % 10 == 9]", "train": "[i % 10 != 9]"}[mask_name]
    if not len(labels):
        raise DataError(f"{directory}: the {prefix} files hold no digits")
    if not keep.any():  # the validation split, of fewer than 10 digits
        raise DataError(
            f"{directory}: only {len(labels)} digits in {prefix}, so its split {rule} is empty"
            f" (it needs at least {VALIDATION_EVERY} digits)"
        )
    return Digits(
        images=images[keep].astype(np.float32) / 255.0,
        labels=labels[keep].astype(np.int64),
        source=f"{prefix}{rule}",
        name=data_set_name(directory),
    )


def training_digits(directory: str | Path) -> Digits:
    """The full training set if the directory has one, else the 9,000 non-validation test digits."""
    directory = Path(directory)
    if find(directory, "train-images-idx3-ubyte") is not None:
        return read(directory, "train")
    return read(directory, "t10k", "train")


def validation_digits(directory: str | Path) -> Digits:
    """The 1,000 validation digits: test-set indices with i % 10 == 9."""
    return read(directory, "t10k", "val")


def test_digits(directory: str | Path, split: str = "all") -> Digits:
    """Every test digit (`all`) or only the validation split (`val`)."""
    return read(directory, "t10k", split)
