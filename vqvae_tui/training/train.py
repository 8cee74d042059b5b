"""The training loop: minibatch Adam on the three losses, with the codebook options.

Deterministic: the same seed, data and number of threads give the same weights, bit for bit,
and a resumed run gives the same weights as an uninterrupted one (every epoch draws from its own
generator, seeded by the epoch; torch's deterministic kernels, see `deterministic`). A different
number of threads splits sums differently: the weights then differ in their last bits (by about
1e-7 after two epochs).
After every epoch the weights, their sidecar and a resume file holding the optimizer state are
saved as one set (vqvae_tui/files.py): killed at any moment, even while saving, a run leaves the
previous complete epoch or the new one, and `resume` continues from it.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from vqvae_tui.data import Digits, augment
from vqvae_tui.errors import UserError
from vqvae_tui.model import VQVAE, ModelConfig, code_prior, read_metadata
from vqvae_tui.model import load as load_weights
from vqvae_tui.model import save as save_weights
from vqvae_tui.model.code_atlas import measure_atlas
from vqvae_tui.model.config import GRID
from vqvae_tui.options import TrainOptions
from vqvae_tui.training.evaluate import Metrics, evaluate, perplexity
from vqvae_tui.training.saves import (
    check_out,
    check_same_run,
    encode_resume,
    load_resume,
    resume_path,
    saved_epochs,
)


@dataclass
class Progress:
    """What the loop reports after every batch and every epoch."""

    epoch: int  # 1-based
    epochs: int
    step: int  # within the epoch, 1-based
    steps: int
    reconstruction: float
    codebook: float
    commitment: float
    codes_used: int  # codes used at least once in the last batch
    perplexity: float  # of the last batch's codes
    validation: Metrics | None = None  # set at the end of an epoch
    seconds: float = 0.0


@dataclass
class TrainState:
    """Everything besides the model's weights that a resumed run needs."""

    optimizer: torch.optim.Optimizer
    usage: torch.Tensor  # (K,) running share of positions that use each code
    ema_counts: torch.Tensor  # (K,) EMA statistics (used when ema_decay > 0)
    ema_sums: torch.Tensor  # (K, D)
    epoch: int = 0  # epochs completed
    seconds: float = 0.0
    history: list = field(default_factory=list)
    changes: list = field(default_factory=list)  # settings changed mid-run: when, to what


class StopTraining(Exception):
    """Raised by a hook between two batches: the run ends, its last complete epoch saved."""


class Hooks:
    """What a run under control (training/runner.py) adds to the loop; these do nothing."""

    def changes(self) -> dict[str, float]:
        """Before every batch: new values of live settings (settings.LIVE). May wait (a
        paused run) or raise StopTraining."""
        return {}

    def batch_done(self, model: VQVAE, x: torch.Tensor, q, restarted: list[int], progress):
        """After every batch: its input, its quantization, the codes restarted after it."""


USAGE_DECAY = 0.99
RESTARTS_UNTIL = 0.5  # restart dead codes in the first half only: a late restart undoes a
# converged code when the learning rate is too small left to recover from it


def learning_rate(options: TrainOptions, progress: float) -> float:
    """Cosine decay from the full rate to 5% of it over the whole run."""
    return options.learning_rate * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * progress)))


def library_options(config: ModelConfig, options: TrainOptions) -> dict | None:
    """The library quantizer's own training options for ours (None for our quantizer): its EMA
    decay, its k-means on the first batch, and its restarts of codes whose EMA count of
    vectors per batch falls below the threshold's share of a batch's positions."""
    if config.quantizer != "library":
        return None
    positions = options.batch_size * GRID * GRID
    return {
        "ema_decay": options.ema_decay,
        "kmeans_init": options.kmeans_init,
        "dead_code_count": options.dead_code_threshold * positions,
    }


def new_model(config: ModelConfig, options: TrainOptions) -> VQVAE:
    return VQVAE(config, library_options(config, options))


def new_state(model: VQVAE, options: TrainOptions) -> TrainState:
    quantizer = model.quantizer
    if model.config.quantizer != "library":  # the library sets up its codebook itself
        quantizer.codebook.requires_grad_(options.ema_decay == 0)
    parameters = [p for p in model.parameters() if p.requires_grad]
    k, d = quantizer.codebook.shape
    return TrainState(
        optimizer=torch.optim.Adam(parameters, lr=options.learning_rate),
        usage=torch.full((k,), 1.0 / k),
        ema_counts=torch.ones(k),
        ema_sums=quantizer.codebook.detach().clone(),
    )


def batches(images: torch.Tensor, options, epoch: int, steps: int):
    """The epoch's batches (step, x, the epoch's generator) in the run's order, each augmented
    as `options` say."""
    generator = torch.Generator().manual_seed(options.seed * 1_000_003 + epoch)
    order = torch.randperm(len(images), generator=generator)
    for step in range(steps):
        x = images[order[step * options.batch_size : (step + 1) * options.batch_size]]
        x = x.contiguous(memory_format=torch.channels_last)
        if options.augment:
            chosen = torch.rand(len(x), generator=generator) < options.augment
            x = x.clone()
            x[chosen] = augment(x[chosen], generator)
        yield step, x, generator


def set_learning_rate(optimizer: torch.optim.Optimizer, options, progress: float) -> None:
    """The schedule's learning rate at `progress` (0 → 1 over the run) on every group."""
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(options, progress)


def take_changes(hooks, model: VQVAE, options, state, epoch: int, step: int):
    """The live settings `hooks` changed before this batch, applied (β to the model, the rest
    to the options returned) and recorded in `state.changes`."""
    for name, value in hooks.changes().items():
        if name == "beta":
            model.config = replace(model.config, beta=value)
        else:
            options = replace(options, **{name: value})
        state.changes.append(
            {"epoch": epoch + 1, "step": step + 1, "setting": name, "value": value}
        )
    return options


def data_record(train_digits: Digits, validation: Digits) -> dict:
    """What the sidecar says of the data: the data set's name (where it was read from a
    directory), and which images of it trained and validated."""
    named = {} if train_digits.name is None else {"name": train_digits.name}
    return {
        **named,
        "train": train_digits.source,
        "train_count": len(train_digits),
        "validation": validation.source,
        "validation_count": len(validation),
    }


def batch_losses(model: VQVAE, x: torch.Tensor):
    x_hat, _, q = model(x)
    return model.losses(x, x_hat, q), q


def deterministic(function: Callable) -> Callable:
    """Run `function` with torch's deterministic kernels. With more than one thread, the
    gradient of `codebook[codes]` (an indexed add of 49·batch rows into K) otherwise sums in an
    order that changes from run to run: two runs of the codebook loss differed by up to 5e-7."""

    @functools.wraps(function)
    def with_deterministic_kernels(*args, **kwargs):
        before = torch.are_deterministic_algorithms_enabled()
        torch.use_deterministic_algorithms(True)
        try:
            return function(*args, **kwargs)
        finally:
            torch.use_deterministic_algorithms(before)

    return with_deterministic_kernels


@deterministic
def train(
    train_digits: Digits,
    validation: Digits,
    out: str | Path,
    config: ModelConfig = ModelConfig(),
    options: TrainOptions = TrainOptions(),
    resume: bool = False,
    report: Callable[[Progress], None] = lambda progress: None,
    hooks: Hooks = Hooks(),
) -> VQVAE:
    """Train a VQ-VAE, saving `out`.safetensors/.json after every epoch; return the model.
    `hooks` may change the live settings between batches (learning rate, β, the dead-code
    threshold), which the sidecar then records with when they changed."""
    out = Path(out)
    check_out(out)
    if not len(train_digits) or not len(validation):
        raise UserError("training needs at least one training and one validation digit")
    if resume:
        if not saved_epochs(out):
            raise UserError(f"{out}: no run to resume (nothing saved there yet)")
        metadata = read_metadata(out)
        model = new_model(config, options)
        model.load_state_dict(load_weights(out).state_dict())
        check_same_run(out, metadata, config, options)
        if metadata["epochs"] >= options.epochs:
            raise UserError(
                f"{out}: the run is complete ({metadata['epochs']} epochs); give --epochs more"
                " than that to continue it"
            )
        state = new_state(model, options)
        load_resume(out, model, state, metadata["sha256"])
        state.epoch = int(metadata["epochs"])
        state.seconds = float(metadata.get("training_seconds", 0.0))
        state.history = list(metadata.get("history", []))
    else:
        torch.manual_seed(options.seed)
        model = new_model(config, options)
        state = new_state(model, options)
    model.train().to(memory_format=torch.channels_last)  # ~1.7× faster convolutions on CPU
    images = torch.from_numpy(train_digits.images).unsqueeze(1)
    steps = math.ceil(len(images) / options.batch_size)
    quantizer = model.quantizer
    ours = config.quantizer != "library"  # the library does its EMA, k-means and restarts

    for epoch in range(state.epoch, options.epochs):
        started = time.perf_counter()
        for step, x, generator in batches(images, options, epoch, steps):
            options = take_changes(hooks, model, options, state, epoch, step)
            set_learning_rate(
                state.optimizer, options, (epoch * steps + step) / (options.epochs * steps)
            )
            if ours and epoch == 0 and step == 0 and options.kmeans_init:
                with torch.no_grad():
                    quantizer.init_kmeans(model.encoder(x).reshape(-1, config.dim), generator)
                    state.ema_sums.copy_(quantizer.codebook * state.ema_counts[:, None])
            losses, q = batch_losses(model, x)
            restarted = [] if ours else quantizer.restarted_codes()  # before the step moves them
            loss = losses.reconstruction + losses.commitment
            if not options.ema_decay:
                loss = loss + losses.codebook
            state.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            state.optimizer.step()

            flat = q.flat.detach()
            counts = torch.bincount(q.codes, minlength=config.num_codes).float()
            if ours and options.ema_decay:
                quantizer.ema_update(
                    flat, q.codes, state.ema_counts, state.ema_sums, options.ema_decay
                )
            state.usage.mul_(USAGE_DECAY).add_(counts / counts.sum(), alpha=1 - USAGE_DECAY)
            if ours and options.dead_code_threshold and epoch < RESTARTS_UNTIL * options.epochs:
                dead = state.usage < options.dead_code_threshold
                if dead.any():
                    restarted = dead.nonzero().flatten().tolist()
                    quantizer.restart_codes(dead, flat, generator)
                    state.usage[dead] = 1.0 / config.num_codes
                    state.ema_counts[dead] = state.ema_counts.mean()
                    state.ema_sums[dead] = quantizer.codebook[dead] * state.ema_counts[dead, None]
            batch = Progress(
                epoch=epoch + 1,
                epochs=options.epochs,
                step=step + 1,
                steps=steps,
                reconstruction=losses.reconstruction.item(),
                codebook=losses.codebook.item(),
                commitment=losses.commitment.item(),
                codes_used=int((counts > 0).sum()),
                perplexity=perplexity(counts),
                seconds=state.seconds + time.perf_counter() - started,
            )
            report(batch)
            hooks.batch_done(model, x, q, restarted, batch)
        state.epoch = epoch + 1
        model.eval()
        metrics = evaluate(model, validation)
        state.seconds += time.perf_counter() - started  # the epoch's training and validation
        state.history.append({"epoch": state.epoch, **metrics.summary()})
        metadata = {
            "data": data_record(train_digits, validation),
            "seed": options.seed,
            "epochs": state.epoch,
            "options": asdict(options),
            "validation": metrics.to_dict(),
            "training_seconds": round(state.seconds, 1),
            "history": state.history,
        }
        if state.changes:
            metadata["changes"] = state.changes
        if state.epoch == options.epochs:  # the run is complete: measure the codes' prior and atlas
            metadata["prior"] = np.round(code_prior(model, train_digits.images), 6).tolist()
            metadata["atlas"] = measure_atlas(model, train_digits).to_json()
        model.train()
        save_weights(model, out, metadata, {resume_path(out).name: encode_resume(model, state)})
        report(
            replace(
                batch,
                codes_used=metrics.codes_used,
                perplexity=metrics.perplexity,
                validation=metrics,
                seconds=state.seconds,
            )
        )
    return model.eval()
