"""IDX reading, good files and broken ones; the split; augmentation."""

import gzip
import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import idx_bytes, write_idx_pair

from vqvae_tui.data import augment, read_pair, training_digits, validation_digits
from vqvae_tui.data import test_digits as t10k_digits
from vqvae_tui.errors import DataError

IMAGES = np.arange(5 * 28 * 28, dtype=np.int64).reshape(5, 28, 28) % 256
LABELS = np.array([3, 1, 4, 1, 5])


@pytest.mark.parametrize("gz", [True, False])
def test_reads_gzipped_and_raw_idx(tmp_path, gz):
    write_idx_pair(tmp_path, "t10k", IMAGES, LABELS, gz=gz)
    images, labels = read_pair(tmp_path, "t10k")
    np.testing.assert_array_equal(images, IMAGES)
    np.testing.assert_array_equal(labels, LABELS)


def test_gzip_is_told_by_content_not_name(tmp_path):
    write_idx_pair(tmp_path, "t10k", IMAGES, LABELS, gz=False)
    raw = tmp_path / "t10k-images-idx3-ubyte"
    raw.write_bytes(gzip.compress(raw.read_bytes()))
    images, _ = read_pair(tmp_path, "t10k")
    np.testing.assert_array_equal(images, IMAGES)


def break_images(tmp_path, data: bytes):
    write_idx_pair(tmp_path, "t10k", IMAGES, LABELS, gz=False)
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(data)


GOOD = idx_bytes(IMAGES, 2051)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (idx_bytes(IMAGES, 2049), "wrong magic number 2049"),
        (GOOD[:-100], "truncated"),
        (GOOD[:10], "truncated"),
        (b"\x00\x00", "truncated"),
        (GOOD + b"junk", "junk after"),
        (b"\x1f\x8b" + b"not really gzip", "broken gzip"),
        (gzip.compress(GOOD)[:-20], "broken gzip"),
        (idx_bytes(np.zeros((2, 27, 28)), 2051), "27×28"),
    ],
)
def test_broken_images_file_names_file_and_problem(tmp_path, data, message):
    break_images(tmp_path, data)
    with pytest.raises(DataError, match=message) as error:
        read_pair(tmp_path, "t10k")
    assert "t10k-images-idx3-ubyte" in str(error.value)
    assert "\n" not in str(error.value)


def test_count_mismatch(tmp_path):
    write_idx_pair(tmp_path, "t10k", IMAGES, LABELS[:4])
    with pytest.raises(DataError, match="5 images but t10k-labels-idx1-ubyte.gz has 4 labels"):
        read_pair(tmp_path, "t10k")


def test_missing_directory_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such directory"):
        read_pair(tmp_path / "nowhere", "t10k")
    with pytest.raises(
        DataError, match="has no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz"
    ):
        read_pair(tmp_path, "t10k")


@pytest.mark.parametrize("command", ["eval", "train"])
def test_cli_says_one_line_and_exits_2_for_bad_data(tmp_path, command):
    break_images(tmp_path, GOOD[:-1])
    args = ["--data", str(tmp_path)] + (
        ["--out", str(tmp_path / "w")] if command == "train" else []
    )
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", command, *args], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "t10k-images-idx3-ubyte: truncated" in result.stderr


def test_split_of_a_directory_with_only_the_test_set(tiny_mnist):
    train, val, every = (
        training_digits(tiny_mnist),
        validation_digits(tiny_mnist),
        t10k_digits(tiny_mnist),
    )
    assert (len(train), len(val), len(every)) == (180, 20, 200)
    np.testing.assert_array_equal(val.images, every.images[9::10])
    assert val.source == "t10k[i % 10 == 9]" and train.source == "t10k[i % 10 != 9]"
    assert 0 <= every.images.min() and every.images.max() <= 1 and every.images.dtype == np.float32


def test_a_full_training_set_is_used_when_present(tiny_mnist):
    write_idx_pair(tiny_mnist, "train", IMAGES, LABELS)
    train = training_digits(tiny_mnist)
    assert len(train) == 5 and train.source == "train"


def test_official_mnist_split(mnist_dir):
    train, val = training_digits(mnist_dir), validation_digits(mnist_dir)
    assert (len(train), len(val)) == (9000, 1000)
    assert len(t10k_digits(mnist_dir, "val")) == 1000 and len(t10k_digits(mnist_dir)) == 10_000
    assert np.bincount(val.labels).min() > 70  # every digit is validated


def test_augmentation_is_random_bounded_and_reproducible(tiny_mnist):
    x = torch.from_numpy(t10k_digits(tiny_mnist).images[:64]).unsqueeze(1)
    a = augment(x, torch.Generator().manual_seed(1))
    b = augment(x, torch.Generator().manual_seed(1))
    c = augment(x, torch.Generator().manual_seed(2))
    assert a.shape == x.shape and 0 <= a.min() and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert not torch.allclose(a, x, atol=0.1)


def test_a_batch_of_which_no_digit_was_chosen_is_augmented_as_nothing():
    """A batch of 64 at augment 0.15 chooses none with chance 3e-5: a 60,000-image run hit it."""
    generator = torch.Generator().manual_seed(0)
    state = generator.get_state()
    empty = torch.zeros(0, 1, 28, 28)
    assert augment(empty, generator).shape == (0, 1, 28, 28)
    assert torch.equal(generator.get_state(), state)  # the run's random draws go on as before


def test_augmentation_shifts_the_centre_of_mass():
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 12:16, 12:16] = 1
    moved = augment(x, torch.Generator().manual_seed(0), max_shift=3, scale=(1, 1),
                    max_degrees=0, thickness=(0, 0))  # fmt: skip
    rows = torch.arange(28.0)
    centre = lambda image: float((image.sum(-1) * rows).sum() / image.sum())  # noqa: E731
    assert centre(moved[0, 0]) != pytest.approx(centre(x[0, 0]), abs=0.05)
    assert moved.sum() == pytest.approx(x.sum(), rel=0.05)
