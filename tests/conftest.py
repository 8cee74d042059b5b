"""Shared fixtures: the MNIST directory (skip, or fail under CI), tiny IDX files, the model."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
MNIST = ROOT.parent / "shared" / "data" / "mnist"
REQUIRE_MNIST = "VQVAE_TUI_REQUIRE_MNIST"  # a missing MNIST is a failure, not a skip
REQUIRE_ALL = "VQVAE_TUI_REQUIRE_ALL"  # set by .ci/run: nothing may be skipped for want of it
FASHION = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist


def skip_unless_required(message: str, *variables: str) -> None:
    """Skip for want of something a user may lack (MNIST, a browser): with a reason locally,
    as a failure where REQUIRE_ALL (or one of `variables`) is set."""
    for variable in (REQUIRE_ALL, *variables):
        if os.environ.get(variable):
            pytest.fail(f"{message}, and {variable} is set")
    pytest.skip(message)


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not (MNIST / "t10k-images-idx3-ubyte.gz").exists():
        skip_unless_required(f"MNIST test set not found at {MNIST}", REQUIRE_MNIST)
    return MNIST


@pytest.fixture(scope="session")
def fashion_dir() -> Path:
    if not (FASHION / "t10k-images-idx3-ubyte.gz").exists():
        skip_unless_required(
            f"Fashion-MNIST not found at {FASHION} (apt-get install dataset-fashion-mnist)"
        )
    return FASHION


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_pair(directory: Path, prefix: str, images: np.ndarray, labels: np.ndarray, gz=True):
    directory.mkdir(parents=True, exist_ok=True)
    for kind, suffix, array, magic in (
        ("images", "idx3-ubyte", images, 2051),
        ("labels", "idx1-ubyte", labels, 2049),
    ):
        data = idx_bytes(array, magic)
        name = f"{prefix}-{kind}-{suffix}"
        if gz:
            (directory / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (directory / name).write_bytes(data)


@pytest.fixture
def tiny_mnist(tmp_path) -> Path:
    return write_tiny_mnist(tmp_path / "tiny")


def write_tiny_mnist(directory: Path) -> Path:
    """A t10k pair of 200 digits drawn from the sample stroke scripts, shifted about."""
    from vqvae_tui.drawing import SAMPLES, draw_strokes

    rng = np.random.default_rng(0)
    images, labels = [], []
    for i in range(200):
        label = (i // 10) % 10  # every label in both splits (validation: i % 10 == 9)
        dx, dy = rng.uniform(-3, 3, size=2)
        strokes = [[(x + dx, y + dy) for x, y in stroke] for stroke in SAMPLES[str(label)]]
        images.append(np.round(draw_strokes(strokes) * 255))
        labels.append(label)
    write_idx_pair(directory, "t10k", np.array(images), np.array(labels))
    return directory


@pytest.fixture(scope="session")
def shipped_model():
    from vqvae_tui.model import load

    return load()


@pytest.fixture(scope="session")
def wide_weights(tmp_path_factory) -> dict[str, Path]:
    """Weights files of a K=32, D=8 and a K=64, D=64 model (scenarios.write_wide_weights)."""
    from scenarios import write_wide_weights

    return write_wide_weights(tmp_path_factory.mktemp("wide"))
