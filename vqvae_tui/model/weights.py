"""Weights on disk: `NAME.safetensors` (tensors only, no pickle) + `NAME.json` (everything else).

Loading checks every way a file can be wrong and says so in one line (WeightsError).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from vqvae_tui.errors import WeightsError
from vqvae_tui.model.code_atlas import atlas_of
from vqvae_tui.model.config import GRID, ModelConfig
from vqvae_tui.model.trained import codebook_training
from vqvae_tui.model.vqvae import VQVAE

WEIGHTS_FORMAT = "vqvae-tui weights"
PACKAGE = Path(__file__).resolve().parent.parent


def default_path() -> Path:
    """The shipped MNIST weights: inside the installed package, or in a source checkout."""
    installed = PACKAGE / "_weights" / "mnist.safetensors"
    return installed if installed.exists() else PACKAGE.parent / "weights" / "mnist.safetensors"


def paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """`weights/mnist`, `weights/mnist.safetensors` or `weights/mnist.json` → both files."""
    path = Path(path)
    stem = path.with_suffix("") if path.suffix in (".safetensors", ".json") else path
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(model: VQVAE, path: str | os.PathLike, metadata: dict) -> Path:
    """Save the model's tensors and a JSON sidecar with its config and `metadata`."""
    tensors_path, json_path = paths(path)
    tensors = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    data = save_tensors(tensors, metadata={"format": WEIGHTS_FORMAT})
    sidecar = {
        "format": WEIGHTS_FORMAT,
        "model": model.config.to_dict(),
        **metadata,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    write_atomically(tensors_path, data)
    write_atomically(json_path, (json.dumps(sidecar, indent=2) + "\n").encode())
    return tensors_path


def read_metadata(path: str | os.PathLike) -> dict:
    """The JSON sidecar of a weights file, checked to be a vqvae-tui sidecar."""
    tensors_path, json_path = paths(path)
    if not json_path.exists():
        raise WeightsError(f"{json_path}: missing (every weights file needs its JSON sidecar)")
    try:
        sidecar = json.loads(json_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WeightsError(f"{json_path}: not valid JSON ({error})") from None
    if not isinstance(sidecar, dict) or sidecar.get("format") != WEIGHTS_FORMAT:
        raise WeightsError(
            f"{json_path}: not a vqvae-tui weights sidecar (no format: {WEIGHTS_FORMAT!r})"
        )
    return sidecar


def read_prior(path: str | os.PathLike | None = None) -> np.ndarray | None:
    """The per-position code frequencies (49, K) measured on the training split and saved by
    the training command, or None for weights saved without them."""
    path = default_path() if path is None else path
    return prior_of(read_metadata(path), paths(path)[1])


def prior_of(sidecar: dict, where: str | os.PathLike = "sidecar") -> np.ndarray | None:
    """The prior of a sidecar (read_prior), or None; WeightsError if it is malformed."""
    if "prior" not in sidecar:
        return None
    k = ModelConfig.from_dict(sidecar.get("model")).num_codes
    try:
        prior = np.asarray(sidecar["prior"], dtype=np.float64)
    except (TypeError, ValueError):
        prior = np.zeros(0)
    if (
        prior.shape != (GRID * GRID, k)
        or (prior < 0).any()
        or not np.allclose(prior.sum(1), 1, atol=1e-4)
    ):
        raise WeightsError(f"{where}: prior is not {GRID * GRID} rows of {k} frequencies")
    return prior / prior.sum(axis=1, keepdims=True)


def load(path: str | os.PathLike | None = None) -> VQVAE:
    """Load and validate a weights file; the shipped MNIST model when `path` is None."""
    tensors_path, json_path = paths(default_path() if path is None else path)
    if not tensors_path.exists():
        raise WeightsError(f"{tensors_path}: no such weights file")
    sidecar = read_metadata(tensors_path)
    try:
        config = ModelConfig.from_dict(sidecar.get("model"))
    except WeightsError as error:
        raise WeightsError(f"{json_path}: wrong config: {error}") from None
    try:
        data = tensors_path.read_bytes()
        tensors = load_tensors(data)
    except Exception as error:  # safetensors raises several kinds for a corrupt file
        raise WeightsError(f"{tensors_path}: not a safetensors file ({error})") from None
    if sidecar.get("sha256") != hashlib.sha256(data).hexdigest():
        raise WeightsError(f"{tensors_path}: does not match the checksum in {json_path.name}")
    model = VQVAE(config)
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
                f" {expected[name].dtype} {tuple(expected[name].shape)} for K={config.num_codes},"
                f" D={config.dim}"
            )
        if not torch.isfinite(tensor).all():
            raise WeightsError(f"{tensors_path}: {name} holds NaN or infinite values")
    codebook_training(sidecar, json_path)  # a malformed field is refused here, not when shown
    prior_of(sidecar, json_path)
    atlas_of(sidecar, config.num_codes, json_path)
    model.load_state_dict(tensors)
    model.sidecar = sidecar  # what the texts and the atlas say of these weights
    return model.eval()
