"""Where the data to train on is: the directory given, or the usual places, each named by what it
holds (MNIST, Fashion-MNIST, or other IDX files); or, when there is none, what to do.

A directory is read only as far as its headers (and the first test labels, which tell MNIST from
Fashion-MNIST: the two share one format), so looking costs milliseconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vqvae_tui.data.idx import IMAGES_MAGIC, LABELS_MAGIC, find, idx_shape, read_head
from vqvae_tui.data.mnist import VALIDATION_EVERY
from vqvae_tui.errors import DataError

DATA_VARIABLE = "VQVAE_TUI_DATA"  # directories to look in first, separated by os.pathsep
CHECKOUT = Path(__file__).resolve().parents[2]  # a source checkout's root
DEBIAN_DATASETS = Path("/usr/share/datasets")  # where Debian's dataset-* packages put theirs
TEST_SETS = {  # a test set's first ten labels → its name
    (7, 2, 1, 0, 4, 1, 4, 9, 5, 9): "MNIST",
    (9, 2, 1, 1, 6, 1, 4, 6, 5, 7): "Fashion-MNIST",
}
TEST_SET_SIZE = 10_000
HOW_TO_GET_DATA = (
    "pass --data DIR (a directory of IDX files such as t10k-images-idx3-ubyte.gz and"
    " t10k-labels-idx1-ubyte.gz), put MNIST's IDX files in ./data/mnist, or install"
    " Fashion-MNIST: apt-get install dataset-fashion-mnist"
)
NO_DATA = f"no MNIST-format data found: {HOW_TO_GET_DATA}"


@dataclass(frozen=True)
class DataSource:
    """A directory of MNIST-format IDX files that training can read."""

    name: str  # MNIST, Fashion-MNIST, or IDX files
    directory: Path
    test_images: int  # t10k-*: the validation split is taken from these
    train_images: int  # train-*; 0 when there are none (then 9 in 10 test images train)

    @property
    def training_images(self) -> int:
        return self.train_images or self.test_images - self.validation_images

    @property
    def validation_images(self) -> int:
        return self.test_images // VALIDATION_EVERY  # those with i % 10 == 9

    def describe(self) -> str:
        """One line: what it is, where, and what it trains and validates on."""
        if self.train_images:
            training = f"{self.train_images:,} training images"
        else:
            training = (
                f"{self.training_images:,} training images (no train-* files: 9 in 10 of its"
                f" {self.test_images:,} test images)"
            )
        return (
            f"{self.name} in {self.directory}: {training},"
            f" {self.validation_images:,} for validation"
        )


@dataclass(frozen=True)
class Found:
    """What the usual places hold."""

    sources: list[DataSource] = field(default_factory=list)  # in the order looked at
    problems: list[str] = field(default_factory=list)  # places there but unusable, one line each

    @property
    def advice(self) -> str | None:
        """What to do, when nothing usable was found."""
        return None if self.sources else NO_DATA


def pair_size(directory: Path, prefix: str, required: bool) -> int:
    """How many images the `prefix` pair of IDX files holds (0 for an absent optional pair)."""
    names = {kind: f"{prefix}-{kind}-{suffix}" for kind, suffix in
             (("images", "idx3-ubyte"), ("labels", "idx1-ubyte"))}  # fmt: skip
    paths = {kind: find(directory, name) for kind, name in names.items()}
    if not required and paths["images"] is None and paths["labels"] is None:
        return 0
    for kind, path in paths.items():
        if path is None:
            raise DataError(f"{directory}: has no {names[kind]} or {names[kind]}.gz")
    count, rows, columns = idx_shape(paths["images"], IMAGES_MAGIC)
    (labels,) = idx_shape(paths["labels"], LABELS_MAGIC)
    if (rows, columns) != (28, 28):
        raise DataError(f"{paths['images']}: images are {rows}×{columns}, the model takes 28×28")
    if labels != count:
        raise DataError(f"{paths['images']}: {count} images but {labels} labels")
    return count


def name_of_test_set(directory: Path, count: int) -> str:
    labels = find(directory, "t10k-labels-idx1-ubyte")
    first = tuple(read_head(labels, 8 + 10)[8:])
    return TEST_SETS.get(first, "IDX files") if count == TEST_SET_SIZE else "IDX files"


def data_source(directory: str | os.PathLike) -> DataSource:
    """The data in one directory; DataError (one line) if training cannot read it."""
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise DataError(f"{directory}: no such directory")
    test = pair_size(directory, "t10k", required=True)
    train = pair_size(directory, "train", required=False)
    return DataSource(name_of_test_set(directory, test), directory, test, train)


def usual_places() -> list[Path]:
    """Where data is looked for, in this order: $VQVAE_TUI_DATA; ./data/mnist and torchvision's
    ./data/MNIST/raw (and the same for Fashion-MNIST); ~/.cache/vqvae-tui/; this project's
    ../shared/data/mnist (from here, and from the source checkout); Debian's datasets."""
    variable = os.environ.get(DATA_VARIABLE, "")
    here = Path.cwd()
    places = [Path(part).expanduser() for part in variable.split(os.pathsep) if part]
    places += [here / "data" / "mnist", here / "data" / "MNIST" / "raw"]
    places += [here / "data" / "fashion-mnist", here / "data" / "FashionMNIST" / "raw"]
    try:
        cache = Path.home() / ".cache" / "vqvae-tui"
        places += [cache / "mnist", cache / "fashion-mnist"]
    except RuntimeError:  # no home directory
        pass
    places += [here.parent / "shared" / "data" / "mnist"]
    places += [CHECKOUT.parent / "shared" / "data" / "mnist"]
    places += [DEBIAN_DATASETS / "mnist", DEBIAN_DATASETS / "fashion-mnist"]
    return places


def find_data(places: list[Path] | None = None) -> Found:
    """Every place (default: the usual ones) that holds data training can read, once each."""
    found = Found()
    seen = set()
    for place in usual_places() if places is None else places:
        if not place.is_dir() or place.resolve() in seen:
            continue
        seen.add(place.resolve())
        try:
            found.sources.append(data_source(place))
        except DataError as error:
            found.problems.append(str(error))
    return found


def choose_data(given: str | os.PathLike | None = None, name: str | None = None) -> DataSource:
    """The directory given (which must hold data), else the first usual place that does (of
    the data set `name`, if given); DataError saying what to do if there is none."""
    if given is not None:
        return data_source(given)
    found = [s for s in find_data().sources if name is None or s.name == name]
    if not found:
        raise DataError(f"no {name or 'MNIST-format'} data found: {HOW_TO_GET_DATA}")
    return found[0]
