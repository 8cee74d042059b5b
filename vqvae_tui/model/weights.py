"""Weights on disk: `NAME.safetensors` (tensors only, no pickle) + `NAME.json` (everything else).

The two (and any companion file, such as training's resume state) are saved together as one
set (vqvae_tui/files.py): a crash at any moment leaves the previous complete set or the new
one. Loading checks every way a file can be wrong, every sidecar field included
(model/sidecar.py), and says so in one line (WeightsError).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from vqvae_tui.errors import WeightsError
from vqvae_tui.files import (
    MB,
    exists_current,
    finish_saving,
    is_directory,
    read_current,
    write_together,
)
from vqvae_tui.model.config import KINDS, LatentConfig, ModelConfig
from vqvae_tui.model.sidecar import WEIGHTS_FORMAT, check_sidecar, kind_of
from vqvae_tui.model.vae import VAE, Autoencoder
from vqvae_tui.model.vqvae import VQVAE

PACKAGE = Path(__file__).resolve().parent.parent
TENSORS_LIMIT = 64 * MB  # the largest model the config allows (K=36, D=256) is under 2 MB
SIDECAR_LIMIT = 16 * MB
READ_ATTEMPTS = 3  # a save that switches the set between reading the two files: read again
MODELS = {
    "vqvae": (VQVAE, ModelConfig),
    "vae": (VAE, LatentConfig),
    "ae": (Autoencoder, LatentConfig),
}
SHIPPED = {"vqvae": "mnist", "vae": "mnist-vae", "ae": "mnist-ae"}  # kind → shipped weights


def default_path(kind: str = "vqvae") -> Path:
    """The shipped MNIST weights of a kind of model: inside the installed package, or in a
    source checkout."""
    name = f"{SHIPPED[kind]}.safetensors"
    installed = PACKAGE / "_weights" / name
    return installed if installed.exists() else PACKAGE.parent / "weights" / name


def paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """`weights/mnist`, `weights/mnist.safetensors` or `weights/mnist.json` → both files."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    if stem.name in ("", ".", ".."):
        raise WeightsError(f"{path}: not a name for weights (give DIRECTORY/NAME)")
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def set_name(path: str | os.PathLike) -> str:
    """The name of the set of files the weights `path` belong to: `mnist` for weights/mnist."""
    return paths(path)[0].name.removesuffix(".safetensors")


def encode_tensors(model: VQVAE) -> bytes:
    """The model's tensors as a safetensors file (deterministic: same tensors, same bytes)."""
    tensors = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    return save_tensors(tensors, metadata={"format": WEIGHTS_FORMAT})


def checksum(model: VQVAE) -> str:
    """The SHA-256 of the model's weights file, as its sidecar records it."""
    return hashlib.sha256(encode_tensors(model)).hexdigest()


def save(
    model: VQVAE,
    path: str | os.PathLike,
    metadata: dict,
    companions: dict[str, bytes] | None = None,
) -> Path:
    """Save the model's tensors and a JSON sidecar with its config and `metadata`, with
    `companions` (file name → bytes, beside them) as one set: all old or all new."""
    tensors_path, json_path = paths(path)
    data = encode_tensors(model)
    sidecar = {
        "format": WEIGHTS_FORMAT,
        "kind": model.KIND,
        "model": model.config.to_dict(),
        **metadata,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    check_sidecar(sidecar, str(json_path))  # what is saved must load
    files = {tensors_path.name: data, **(companions or {})}
    files[json_path.name] = (json.dumps(sidecar, indent=2) + "\n").encode()
    write_together(tensors_path.parent, set_name(path), files)
    return tensors_path


def parse_sidecar(data: bytes, json_path: Path) -> dict:
    try:
        sidecar = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise WeightsError(f"{json_path}: not valid JSON ({error})") from None
    except RecursionError:
        raise WeightsError(f"{json_path}: not valid JSON (nested too deep)") from None
    return check_sidecar(sidecar, str(json_path))


def read_sidecar(json_path: Path) -> dict:
    if not exists_current(json_path, set_name(json_path)):
        raise WeightsError(f"{json_path}: missing (every weights file needs its JSON sidecar)")
    data = read_current(json_path, set_name(json_path), SIDECAR_LIMIT, WeightsError)
    return parse_sidecar(data, json_path)


def read_metadata(path: str | os.PathLike) -> dict:
    """The JSON sidecar of a weights file, every field checked."""
    return read_sidecar(paths(path)[1])


def read_prior(path: str | os.PathLike | None = None) -> np.ndarray | None:
    """The per-position code frequencies (49, K) measured on the training split and saved by
    the training command, or None for weights saved without them."""
    return prior_of(read_metadata(default_path() if path is None else path))


def prior_of(sidecar: dict) -> np.ndarray | None:
    """The prior of a sidecar checked when it was read (read_prior), or None."""
    if "prior" not in sidecar:
        return None
    prior = np.asarray(sidecar["prior"], dtype=np.float64)
    return prior / prior.sum(axis=1, keepdims=True)


def read_weights(tensors_path: Path, json_path: Path) -> tuple[bytes, dict]:
    """The bytes of a weights file and its sidecar, of one saved set (the checksum agrees)."""
    name = set_name(tensors_path)
    try:
        finish_saving(tensors_path.parent, name)  # a save cut short: its files into place
    except OSError:  # a directory we may not write: read the set where it waits
        pass
    for _ in range(READ_ATTEMPTS):
        if not exists_current(tensors_path, name):
            raise WeightsError(f"{tensors_path}: no such weights file")
        data = read_current(tensors_path, name, TENSORS_LIMIT, WeightsError)
        sidecar = read_sidecar(json_path)
        if sidecar["sha256"] == hashlib.sha256(data).hexdigest():
            return data, sidecar
    parse_tensors(data, tensors_path)  # not safetensors at all: say that rather
    raise WeightsError(f"{tensors_path}: does not match the checksum in {json_path.name}")


def parse_tensors(data: bytes, tensors_path: Path) -> dict[str, torch.Tensor]:
    try:
        return load_tensors(data)
    except Exception as error:  # safetensors raises several kinds for a corrupt file
        raise WeightsError(f"{tensors_path}: not a safetensors file ({error})") from None


@dataclass(frozen=True, eq=False)
class LatentMap:
    """Where training digits land on a VAE's or autoencoder's latent plane, for the scatter."""

    points: np.ndarray  # (n, 2) float32: the VAE's μ (the autoencoder's z) of each digit
    labels: np.ndarray  # (n,) int64: each digit's label
    indices: np.ndarray  # (n,) int64: each digit's index among `digits`
    digits: str  # which digits: the training split they were taken from


def read_latent_map(path: str | os.PathLike | None = None, kind: str = "vae") -> LatentMap:
    """The latent map saved in the sidecar by the training command (checked with it;
    WeightsError if absent); of the shipped weights of `kind` when `path` is None."""
    path = default_path(kind) if path is None else path
    values = read_metadata(path).get("latent_map")
    if values is None:
        raise WeightsError(f"{paths(path)[1]}: has no latent map (saved by train --model vae|ae)")
    return LatentMap(
        points=np.asarray(values["points"], dtype=np.float32),
        labels=np.asarray(values["labels"], dtype=np.int64),
        indices=np.asarray(values["indices"], dtype=np.int64),
        digits=values["digits"],
    )


def load(path: str | os.PathLike | None = None, kind: str | None = "vqvae"):
    """Load and validate a weights file of a `kind` of model (None: whichever its sidecar
    says); the shipped MNIST model of that kind when `path` is None."""
    path = default_path(kind or "vqvae") if path is None else Path(path)
    if is_directory(path):
        raise WeightsError(f"{path}: is a directory, not a weights file (give NAME.safetensors)")
    tensors_path, json_path = paths(path)
    data, sidecar = read_weights(tensors_path, json_path)
    found = kind_of(sidecar)
    if kind is not None and found != kind:
        raise WeightsError(
            f"{tensors_path}: the weights of a model of kind {found} ({KINDS[found]}),"
            f" not {kind} ({KINDS[kind]})"
        )
    return from_bytes(data, sidecar, tensors_path)


def from_bytes(data: bytes, sidecar: dict, tensors_path: Path | str):
    """The model of a weights file's bytes and its checked sidecar (read from disk, or sent by
    a training run); `tensors_path` names them in a WeightsError."""
    model_class, config_class = MODELS[kind_of(sidecar)]
    config = config_class.from_dict(sidecar["model"])
    tensors = parse_tensors(data, tensors_path)
    model = model_class(config)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    if missing or unexpected:
        raise WeightsError(
            f"{tensors_path}: tensors do not fit the model (missing:"
            f" {', '.join(missing) or 'none'}; unexpected: {', '.join(unexpected) or 'none'})"
        )
    for name, tensor in tensors.items():
        if tensor.shape != expected[name].shape or tensor.dtype != expected[name].dtype:
            raise WeightsError(
                f"{tensors_path}: {name} is {tensor.dtype} {tuple(tensor.shape)}, expected"
                f" {expected[name].dtype} {tuple(expected[name].shape)} for"
                f" {', '.join(f'{key}={value}' for key, value in config.to_dict().items())}"
            )
        if not torch.isfinite(tensor).all():
            raise WeightsError(f"{tensors_path}: {name} holds NaN or infinite values")
    model.load_state_dict(tensors)
    model.sidecar = sidecar  # what the texts and the atlas say of these weights
    return model.eval()
