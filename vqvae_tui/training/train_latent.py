"""The training loop of the VAE and the plain autoencoder: minibatch Adam on the reconstruction
loss (binary cross-entropy summed over the pixels) and, for the VAE, the KL.

Built from the VQ-VAE loop's shared pieces (its learning-rate schedule, its checks of where it
saves, its resume file and its check that a resumed run is the saved one), with the same
promises: deterministic for a seed (ε is drawn from each epoch's own generator), a resumed run
ends with the same weights as an uninterrupted one, weights and resume state saved as one set
after every epoch (vqvae_tui/files.py). A complete
run also saves the latent map: where every third training digit lands on the plane.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import safetensors.torch
import torch

from vqvae_tui.data import Digits
from vqvae_tui.errors import UserError
from vqvae_tui.model import VAE, Autoencoder, LatentConfig, encode, read_metadata
from vqvae_tui.model import load as load_weights
from vqvae_tui.model import save as save_weights
from vqvae_tui.model.sidecar import LATENT_TRAINING_OPTIONS, option_problem
from vqvae_tui.model.vae import reconstruction_loss
from vqvae_tui.model.weights import checksum
from vqvae_tui.training.evaluate_latent import LatentMetrics, evaluate_latent
from vqvae_tui.training.saves import (
    check_out,
    check_same_run,
    read_resume,
    restore_optimizer,
    resume_path,
    saved_epochs,
)
from vqvae_tui.training.train import batches, data_record, deterministic, set_learning_rate

LATENT_MODELS = {"vae": VAE, "ae": Autoencoder}
MAP_EVERY = 3  # the latent map keeps every third training digit: 3,000 of the 9,000


@dataclass(frozen=True)
class LatentTrainOptions:
    kind: str = "vae"  # vae or ae
    epochs: int = 30
    batch_size: int = 128
    learning_rate: float = 2e-3
    kl_weight: float = 1.0  # the KL's weight in the VAE's loss (1: the negative ELBO)
    augment: float = 0.0  # share of each batch that is augmented (shift, scale, rotation, stroke)
    seed: int = 0

    def __post_init__(self):
        """The rules a saved sidecar's options are checked by (model/sidecar.py)."""
        for option in fields(self):
            problem = option_problem(
                option.name, getattr(self, option.name), LATENT_TRAINING_OPTIONS
            )
            if problem is not None:
                name = "model" if option.name == "kind" else option.name.replace("_", "-")
                raise UserError(f"--{name} {problem}")
        if self.kind == "ae" and self.kl_weight != 1.0:
            raise UserError("--kl-weight is the VAE's: the autoencoder has no KL")


@dataclass
class LatentProgress:
    """What the loop reports after every batch and every epoch."""

    epoch: int  # 1-based
    epochs: int
    step: int  # within the epoch, 1-based
    steps: int
    reconstruction: float  # the batch's binary cross-entropy, summed over pixels (nats an image)
    kl: float  # the batch's KL, summed over z's dimensions (0 for the autoencoder)
    validation: LatentMetrics | None = None  # set at the end of an epoch
    seconds: float = 0.0


def encode_resume(model, optimizer: torch.optim.Optimizer) -> bytes:
    """The optimizer's state, for --resume, tied to the weights it continues by their checksum
    (the VQ-VAE loop's resume file, without its codebook statistics)."""
    tensors = {}
    for name, parameter in model.named_parameters():
        for slot, value in optimizer.state.get(parameter, {}).items():
            tensors[f"optimizer/{name}/{slot}"] = torch.as_tensor(value).contiguous()
    return safetensors.torch.save(tensors, metadata={"weights_sha256": checksum(model)})


def load_resume(out: Path, model, optimizer: torch.optim.Optimizer, sha256: str) -> None:
    """The optimizer's state saved with the weights whose checksum is `sha256`."""
    restore_optimizer(out, model, optimizer, read_resume(out, sha256))


def latent_map(model, digits: Digits) -> dict:
    """Where every MAP_EVERY-th digit lands on the plane, with its label: for the scatter."""
    indices = np.arange(0, len(digits), MAP_EVERY)
    points = encode(model, digits.images[indices])
    return {
        "digits": digits.source,
        "indices": indices.tolist(),
        "labels": digits.labels[indices].tolist(),
        "points": np.round(points.astype(np.float64), 5).tolist(),
    }


def batch_loss(model, x: torch.Tensor, options: LatentTrainOptions, generator):
    """The loss to minimise, and its reconstruction and KL parts (as floats)."""
    if isinstance(model, VAE):
        x_hat, sampling = model(x, generator)
        losses = model.losses(x, x_hat, sampling)
        kl = losses.kl.sum()
        return losses.total(options.kl_weight), losses.reconstruction.item(), kl.item()
    x_hat, _ = model(x)
    reconstruction = reconstruction_loss(x_hat, x)
    return reconstruction, reconstruction.item(), 0.0


@deterministic
def train_latent(
    train_digits: Digits,
    validation: Digits,
    out: str | Path,
    config: LatentConfig = LatentConfig(),
    options: LatentTrainOptions = LatentTrainOptions(),
    resume: bool = False,
    report: Callable[[LatentProgress], None] = lambda progress: None,
):
    """Train a VAE or an autoencoder, saving `out`.safetensors/.json after every epoch; return
    the model."""
    out = Path(out)
    check_out(out)
    if not len(train_digits) or not len(validation):
        raise UserError("training needs at least one training and one validation digit")
    start, seconds, cpu_seconds, history = 0, 0.0, 0.0, []
    if resume:
        if not saved_epochs(out):
            raise UserError(f"{out}: no run to resume (nothing saved there yet)")
        metadata = read_metadata(out)
        model = load_weights(out, kind=options.kind)
        check_same_run(out, metadata, config, options)
        if metadata["epochs"] >= options.epochs:
            raise UserError(
                f"{out}: the run is complete ({metadata['epochs']} epochs); give --epochs more"
                " than that to continue it"
            )
        optimizer = torch.optim.Adam(model.parameters(), lr=options.learning_rate)
        load_resume(out, model, optimizer, metadata["sha256"])
        start = int(metadata["epochs"])
        seconds = float(metadata.get("training_seconds", 0.0))
        cpu_seconds = float(metadata.get("training_cpu_seconds", 0.0))
        history = list(metadata.get("history", []))
    else:
        torch.manual_seed(options.seed)
        model = LATENT_MODELS[options.kind](config)
        optimizer = torch.optim.Adam(model.parameters(), lr=options.learning_rate)
    model.train().to(memory_format=torch.channels_last)  # faster convolutions on CPU
    images = torch.from_numpy(train_digits.images).unsqueeze(1)
    steps = math.ceil(len(images) / options.batch_size)

    for epoch in range(start, options.epochs):
        started, cpu_started = time.perf_counter(), time.process_time()
        for step, x, generator in batches(images, options, epoch, steps):
            set_learning_rate(optimizer, options, (epoch * steps + step) / (options.epochs * steps))
            loss, reconstruction, kl = batch_loss(model, x, options, generator)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            batch = LatentProgress(
                epoch=epoch + 1,
                epochs=options.epochs,
                step=step + 1,
                steps=steps,
                reconstruction=reconstruction,
                kl=kl,
                seconds=seconds + time.perf_counter() - started,
            )
            report(batch)
        model.eval()
        metrics = evaluate_latent(model, validation)
        seconds += time.perf_counter() - started  # the epoch's training and validation
        cpu_seconds += time.process_time() - cpu_started  # … on all cores (the same on a busy
        # machine, where the seconds that pass depend on what else runs)
        history.append({"epoch": epoch + 1, **metrics.summary()})
        metadata = {
            "data": data_record(train_digits, validation),
            "seed": options.seed,
            "epochs": epoch + 1,
            "options": asdict(options),
            "validation": metrics.to_dict(),
            "training_seconds": round(seconds, 1),
            "training_cpu_seconds": round(cpu_seconds, 1),
            "threads": torch.get_num_threads(),
            "history": history,
        }
        if epoch + 1 == options.epochs:  # the run is complete: where the digits land
            metadata["latent_map"] = latent_map(model, train_digits)
        model.train()
        save_weights(model, out, metadata, {resume_path(out).name: encode_resume(model, optimizer)})
        report(replace(batch, validation=metrics, seconds=seconds))
    return model.eval()
