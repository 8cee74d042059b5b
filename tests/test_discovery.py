"""Finding data to train on: the directory given, the usual places, what each holds, and what
to do when there is none."""

import gzip
import subprocess
import sys

import numpy as np
import pytest
from conftest import write_idx_pair

from vqvae_tui.data import choose_data, data_source, discovery, find_data, usual_places
from vqvae_tui.errors import DataError

MNIST_FIRST = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
FASHION_FIRST = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]


def write_test_set(directory, first_labels, count=10_000, train=0):
    """A test set of `count` blank images whose labels begin with `first_labels`."""
    labels = np.resize(np.array(first_labels), count)
    write_idx_pair(directory, "t10k", np.zeros((count, 28, 28)), labels)
    if train:
        write_idx_pair(directory, "train", np.zeros((train, 28, 28)), np.zeros(train))
    return directory


def test_any_idx_directory_is_found_with_its_sizes(tiny_mnist):
    source = data_source(tiny_mnist)
    assert (source.name, source.directory, source.test_images, source.train_images) == (
        "IDX files", tiny_mnist, 200, 0,
    )  # fmt: skip
    assert (source.training_images, source.validation_images) == (180, 20)
    assert source.describe() == (
        f"IDX files in {tiny_mnist}: 180 training images (no train-* files: 9 in 10 of its 200"
        " test images), 20 for validation"
    )


@pytest.mark.parametrize(
    ("first", "name"), [(MNIST_FIRST, "MNIST"), (FASHION_FIRST, "Fashion-MNIST")]
)
def test_mnist_and_fashion_mnist_are_told_apart_by_their_test_labels(tmp_path, first, name):
    assert data_source(write_test_set(tmp_path / "a", first)).name == name
    # the same labels in a set of another size are not that set
    assert data_source(write_test_set(tmp_path / "b", first, count=500)).name == "IDX files"
    assert data_source(write_test_set(tmp_path / "c", first[::-1])).name == "IDX files"


def test_a_training_set_beside_the_test_set_is_what_trains(tmp_path):
    source = data_source(write_test_set(tmp_path, MNIST_FIRST, train=300))
    assert (source.train_images, source.training_images, source.validation_images) == (
        300, 300, 1000,
    )  # fmt: skip
    assert "300 training images, 1,000 for validation" in source.describe()


def test_the_real_mnist(mnist_dir):
    source = data_source(mnist_dir)
    assert (source.name, source.test_images, source.train_images) == ("MNIST", 10_000, 0)
    assert "9,000 training images" in source.describe()


def test_debians_fashion_mnist(fashion_dir):
    source = data_source(fashion_dir)
    assert (source.name, source.test_images, source.train_images) == (
        "Fashion-MNIST", 10_000, 60_000,
    )  # fmt: skip
    assert source in find_data().sources  # one of the usual places


def no_labels(d):
    write_test_set(d, MNIST_FIRST, count=20)
    (d / "t10k-labels-idx1-ubyte.gz").unlink()


def not_idx(d):
    d.mkdir()
    (d / "t10k-images-idx3-ubyte").write_bytes(b"hello")
    (d / "t10k-labels-idx1-ubyte").write_bytes(b"hello")


def broken_gzip(d):
    d.mkdir()
    (d / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8bxx")
    (d / "t10k-labels-idx1-ubyte").write_bytes(b"")


def half_a_training_set(d):
    write_test_set(d, MNIST_FIRST, count=20)
    write_idx_pair(d, "train", np.zeros((5, 28, 28)), np.zeros(5))
    (d / "train-labels-idx1-ubyte.gz").unlink()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: None, "no such directory"),
        (lambda d: d.mkdir(), "has no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz"),
        (no_labels, "has no t10k-labels-idx1-ubyte"),
        (not_idx, "not an IDX images file"),
        (broken_gzip, "cannot be read"),
        (
            lambda d: write_idx_pair(d, "t10k", np.zeros((5, 28, 28)), np.zeros(4)),
            "5 images but 4 labels",
        ),
        (
            lambda d: write_idx_pair(d, "t10k", np.zeros((5, 32, 32)), np.zeros(5)),
            "images are 32×32, the model takes 28×28",
        ),
        (half_a_training_set, "has no train-labels-idx1-ubyte"),
    ],
    ids=["missing", "empty", "no labels", "not idx", "broken gzip", "counts", "size", "half train"],
)
def test_a_directory_training_cannot_read_says_why_in_one_line(tmp_path, make, message):
    directory = tmp_path / "data"
    make(directory)
    with pytest.raises(DataError, match=message) as error:
        data_source(directory)
    assert "\n" not in str(error.value) and str(directory) in str(error.value)


def test_every_usable_place_is_found_once_in_order_with_the_problems_of_the_others(
    tmp_path, tiny_mnist
):
    broken = tmp_path / "broken"
    broken.mkdir()
    mnist = write_test_set(tmp_path / "mnist", MNIST_FIRST)
    places = [tmp_path / "absent", tiny_mnist, broken, mnist, tiny_mnist / ".." / "tiny"]
    found = find_data(places)
    assert [source.directory for source in found.sources] == [tiny_mnist, mnist]
    assert [source.name for source in found.sources] == ["IDX files", "MNIST"]
    assert found.problems == [
        f"{broken}: has no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz"
    ]
    assert found.advice is None
    nothing = find_data([tmp_path / "absent", broken])
    assert nothing.sources == [] and "apt-get install dataset-fashion-mnist" in nothing.advice


def test_the_usual_places(tmp_path, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv("VQVAE_TUI_DATA", f"{first}:{second}")
    monkeypatch.chdir(tmp_path)
    places = usual_places()
    assert places[:2] == [first, second]  # the variable first
    assert tmp_path / "data" / "mnist" in places
    assert tmp_path / "data" / "MNIST" / "raw" in places  # where torchvision puts MNIST
    assert tmp_path / "data" / "FashionMNIST" / "raw" in places
    assert tmp_path.parent / "shared" / "data" / "mnist" in places
    assert places[-1] == discovery.DEBIAN_DATASETS / "fashion-mnist"
    write_test_set(tmp_path / "data" / "MNIST" / "raw", MNIST_FIRST, count=30)
    found = find_data()
    assert found.sources[0].directory == tmp_path / "data" / "MNIST" / "raw"


def test_choose_the_given_directory_else_the_first_found(tmp_path, tiny_mnist, monkeypatch):
    fashion = write_test_set(tmp_path / "fashion", FASHION_FIRST)
    monkeypatch.setattr(discovery, "usual_places", lambda: [tiny_mnist, fashion])
    assert choose_data(fashion).name == "Fashion-MNIST"
    assert choose_data().directory == tiny_mnist
    assert choose_data(name="Fashion-MNIST").directory == fashion
    with pytest.raises(DataError, match="no MNIST data found: pass --data DIR"):
        choose_data(name="MNIST")
    with pytest.raises(DataError, match="has no t10k-images"):
        choose_data(tmp_path)  # a directory given is never swapped for another
    monkeypatch.setattr(discovery, "usual_places", lambda: [])
    with pytest.raises(DataError, match="^no MNIST-format data found: pass --data DIR") as error:
        choose_data()
    assert "\n" not in str(error.value)


def test_looking_reads_headers_only(tmp_path):
    """A directory's images are not read (a set of 10,000 would take a while): only the heads."""
    directory = write_test_set(tmp_path, MNIST_FIRST)
    images = directory / "t10k-images-idx3-ubyte.gz"
    data = gzip.decompress(images.read_bytes())
    images.write_bytes(gzip.compress(data[: 16 + 784]))  # truncated after one image
    assert data_source(directory).test_images == 10_000  # the header's promise


def test_train_without_data_trains_on_the_first_place_found(tiny_mnist, tmp_path):
    env = {"VQVAE_TUI_DATA": str(tiny_mnist), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "train", "--out", str(tmp_path / "w"),
         "--epochs", "1", "--codes", "4", "--dim", "2", "--batch-size", "64"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"training on IDX files in {tiny_mnist}: 180 training images")
    assert (tmp_path / "w.safetensors").exists()
