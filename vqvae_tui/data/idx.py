"""Reading MNIST-format IDX files, gzipped or raw, with one clear line for every fault."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from vqvae_tui.errors import DataError

IMAGES_MAGIC = 2051  # unsigned bytes, 3 dimensions: count, rows, cols
LABELS_MAGIC = 2049  # unsigned bytes, 1 dimension: count
GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, un-gzipped if it is gzipped (told by its content, not its name)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot be read ({error.strerror})") from None
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: broken gzip data ({error})") from None


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of a file, un-gzipped if it is gzipped: a header, without reading
    the rest."""
    try:
        with path.open("rb") as file:
            gzipped = file.read(2) == GZIP_MAGIC
        opened = gzip.open(path, "rb") if gzipped else path.open("rb")
        with opened as file:
            return file.read(size)
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, EOFError, zlib.error) as error:
        raise DataError(f"{path}: cannot be read ({error})") from None


def idx_shape(path: Path, magic: int) -> tuple[int, ...]:
    """The shape an IDX file's header promises (its magic number checked), read from its head."""
    ndim = magic & 0xFF
    head = read_head(path, 4 + 4 * ndim)
    kind = "images" if magic == IMAGES_MAGIC else "labels"
    if len(head) < 4 + 4 * ndim or int.from_bytes(head[:4], "big") != magic:
        raise DataError(f"{path}: not an IDX {kind} file (no magic number {magic})")
    return tuple(int.from_bytes(head[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))


def read_idx(path: Path, magic: int) -> np.ndarray:
    """One IDX file of unsigned bytes whose header starts with `magic`, as a uint8 array."""
    data = read_bytes(path)
    kind = "images" if magic == IMAGES_MAGIC else "labels"
    if len(data) < 4:
        raise DataError(f"{path}: truncated: {len(data)} bytes, too short for an IDX header")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise DataError(f"{path}: wrong magic number {found} (an IDX {kind} file has {magic})")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated: {len(data)} bytes, the header alone needs {header}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) < expected:
        raise DataError(
            f"{path}: truncated: the header promises {shape[0]} {kind} ({expected} bytes)"
            f" but the file has {len(data)} bytes"
        )
    if len(data) > expected:
        raise DataError(f"{path}: {len(data) - expected} bytes of junk after the {kind}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def find(directory: Path, name: str) -> Path | None:
    """`name` or `name.gz` in `directory`, whichever exists."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def read_pair(directory: str | Path, prefix: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 28, 28) uint8 and labels (n,) uint8 of `prefix` (`train` or `t10k`)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory}: no such directory")
    paths = {}
    for kind, suffix in (("images", "idx3-ubyte"), ("labels", "idx1-ubyte")):
        name = f"{prefix}-{kind}-{suffix}"
        paths[kind] = find(directory, name)
        if paths[kind] is None:
            raise DataError(f"{directory}: has no {name} or {name}.gz")
    images = read_idx(paths["images"], IMAGES_MAGIC)
    labels = read_idx(paths["labels"], LABELS_MAGIC)
    if images.shape[1:] != (28, 28):
        rows, cols = images.shape[1:]
        raise DataError(f"{paths['images']}: images are {rows}×{cols}, the model takes 28×28")
    if len(images) != len(labels):
        raise DataError(
            f"{paths['images']}: {len(images)} images but {paths['labels'].name}"
            f" has {len(labels)} labels"
        )
    return images, labels
