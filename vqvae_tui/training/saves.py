"""A training run's files: where the resume state goes, whether a run may be saved at a path,
the resume state (optimizer and codebook statistics, tied to its weights by their checksum)
written and read back, and what a saved run holds."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import safetensors.torch
import torch

from vqvae_tui.errors import UserError
from vqvae_tui.files import MB, check_writable, exists_current, is_directory, read_current
from vqvae_tui.model import VQVAE, ModelConfig, read_metadata
from vqvae_tui.model.weights import checksum, paths, set_name
from vqvae_tui.options import TrainOptions

if TYPE_CHECKING:
    from vqvae_tui.training.train import TrainState

RESUME_LIMIT = 64 * MB


def resume_path(out: Path) -> Path:
    """`weights/NAME.resume.safetensors`: optimizer and codebook statistics, for --resume."""
    tensors, _ = paths(out)
    return tensors.with_name(tensors.name.removesuffix(".safetensors") + ".resume.safetensors")


def check_out(out: Path) -> None:
    """Fail before training, in one line, if a run could not be saved at `out`."""
    if is_directory(out):
        raise UserError(f"{out}: is a directory; give {out}/NAME to save NAME.safetensors there")
    tensors, sidecar = paths(out)
    check_writable(
        tensors.parent, set_name(out), [tensors.name, sidecar.name, resume_path(out).name]
    )


def encode_resume(model: VQVAE, state: TrainState) -> bytes:
    """The resume state, tied to the weights it continues by their checksum."""
    tensors = {"usage": state.usage, "ema_counts": state.ema_counts, "ema_sums": state.ema_sums}
    for name, parameter in model.named_parameters():
        for slot, value in state.optimizer.state.get(parameter, {}).items():
            tensors[f"optimizer/{name}/{slot}"] = torch.as_tensor(value).contiguous()
    return safetensors.torch.save(tensors, metadata={"weights_sha256": checksum(model)})


def header_metadata(data: bytes) -> dict:
    """The `__metadata__` of a safetensors file (its 8-byte header length, then a JSON header)."""
    length = int.from_bytes(data[:8], "little")
    metadata = json.loads(data[8 : 8 + length]).get("__metadata__") or {}
    return metadata if isinstance(metadata, dict) else {}


def read_resume(out: Path, sha256: str) -> dict[str, torch.Tensor]:
    """The tensors of the resume state saved with the weights whose checksum is `sha256`."""
    path = resume_path(out)
    if not exists_current(path, set_name(out)):
        raise UserError(f"{path}: no resume file (train without --resume to start afresh)")
    try:
        data = read_current(path, set_name(out), RESUME_LIMIT)
        saved_for = header_metadata(data).get("weights_sha256")
        tensors = safetensors.torch.load(data)
    except UserError:
        raise
    except Exception as error:  # corrupt
        raise UserError(f"{path}: cannot resume from it ({error})") from None
    if saved_for != sha256:
        raise UserError(
            f"{path}: saved with other weights than {paths(out)[0].name}; cannot resume from it"
        )
    return tensors


def restore_optimizer(
    out: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer, tensors: dict
) -> None:
    """The optimizer's state from a resume state's `optimizer/NAME/SLOT` tensors."""
    try:
        parameters = dict(model.named_parameters())
        for key, value in tensors.items():
            _, name, slot = key.split("/")
            optimizer.state[parameters[name]][slot] = value
    except Exception as error:  # from another configuration
        raise UserError(f"{resume_path(out)}: cannot resume from it ({error})") from None


def load_resume(out: Path, model: VQVAE, state: TrainState, sha256: str) -> None:
    """The resume state saved with the weights whose checksum is `sha256`, into `state`."""
    tensors = read_resume(out, sha256)
    try:
        state.usage.copy_(tensors.pop("usage"))
        state.ema_counts.copy_(tensors.pop("ema_counts"))
        state.ema_sums.copy_(tensors.pop("ema_sums"))
    except Exception as error:  # from another configuration
        raise UserError(f"{resume_path(out)}: cannot resume from it ({error})") from None
    restore_optimizer(out, model, state.optimizer, tensors)


def saved_epochs(out: Path) -> int:
    """How many epochs the run saved at `out` holds (0: nothing saved there)."""
    if not exists_current(paths(out)[1], set_name(out)):
        return 0
    return read_metadata(out).get("epochs", 0)


def check_same_run(out: Path, metadata: dict, config: ModelConfig, options: TrainOptions):
    """A resumed run must be the run that was saved; only the number of epochs may grow."""
    saved = {**metadata.get("model", {}), **metadata.get("options", {})}
    given = {**config.to_dict(), **asdict(options)}
    changed = [
        f"{k} {saved.get(k)} → {v}" for k, v in given.items() if k != "epochs" and saved.get(k) != v
    ]
    if changed:
        raise UserError(
            f"{out}: --resume with other settings than the saved run: {', '.join(changed)}"
        )
