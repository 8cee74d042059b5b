"""The child's side of a training run (training/runner.py): the loop's hooks, which take the
parent's commands between batches and send what the run sees as events."""

from __future__ import annotations

from pathlib import Path

import torch

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model.config import GRID
from vqvae_tui.model.sidecar import WEIGHTS_FORMAT, check_sidecar
from vqvae_tui.model.weights import checksum, encode_tensors
from vqvae_tui.settings import LIVE, split
from vqvae_tui.training.evaluate import perplexity
from vqvae_tui.training.runner import VIEW_DIGITS, VIEW_EVERY, VIEW_POINTS, describe, saved_words
from vqvae_tui.training.train import Hooks, StopTraining, train


def pixels(images: torch.Tensor) -> list[list[int]]:
    """Images in [0, 1] as rows of 0–255 levels, one list per image (row-major)."""
    levels = (images.detach().clamp(0, 1) * 255).round().to(torch.uint8)
    return levels.reshape(len(images), -1).tolist()


def principal_axes(vectors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean of `vectors` (n, D) and their first two principal axes (2, D), each axis's
    sign fixed (its largest component positive) so a view does not flip between batches."""
    mean = vectors.mean(dim=0)
    _, _, axes = torch.linalg.svd(vectors - mean, full_matrices=False)
    axes = axes[:2]
    if len(axes) < 2:  # D = 1: the second axis is zero
        axes = torch.cat([axes, torch.zeros(2 - len(axes), vectors.shape[1])])
    largest = axes.abs().argmax(dim=1)
    signs = torch.sign(axes[torch.arange(2), largest])
    return mean, axes * torch.where(signs == 0, 1.0, signs)[:, None]


class Controlled(Hooks):
    def __init__(self, connection, settings: dict, data: Path, out: Path):
        self.connection = connection
        self.settings = dict(settings)
        self.data = data
        self.out = out
        self.paused = False
        self.step_once = False  # a step was asked for: run one batch, then pause
        self.pause_after = False
        self.pending: dict[str, float] = {}  # live settings' new values, for the next batch
        self.epoch = 0
        self.counts: torch.Tensor | None = None  # codes chosen over the epoch so far
        self.last = None  # (model, batch) of the last batch: what a view shows
        self.progress = None

    def send(self, event: dict) -> None:
        self.connection.send(event)

    def run(self) -> None:
        config, options = split(self.settings)
        train_digits = training_digits(self.data)
        validation = validation_digits(self.data)
        self.digits = torch.from_numpy(validation.images[:VIEW_DIGITS]).unsqueeze(1)
        generator = torch.Generator().manual_seed(options.seed)
        self.random_codes = torch.randint(
            config.num_codes, (VIEW_DIGITS, GRID, GRID), generator=generator
        )  # the same grids all run long: watch the decoder learn them
        self.send({
            "kind": "started", **describe(self.settings), "data": str(self.data),
            "out": str(self.out), "train_count": len(train_digits),
            "validation_count": len(validation),
            "steps": -(-len(train_digits) // options.batch_size),
        })  # fmt: skip
        try:
            train(train_digits, validation, self.out, config, options, report=self.report,
                  hooks=self)  # fmt: skip
        except StopTraining:
            self.quiet_send({"kind": "stopped", "message": saved_words(self.out)})
            return
        self.send({"kind": "finished", "message": saved_words(self.out)})

    def quiet_send(self, event: dict) -> None:
        try:
            self.send(event)
        except (BrokenPipeError, OSError):
            pass  # the app is gone

    # ---- commands, between batches ------------------------------------------------------

    def take_commands(self, wait: bool) -> None:
        """Handle the commands sent so far (with `wait`: at least one, waiting for it)."""
        while wait or self.connection.poll():
            wait = False
            try:
                command, *arguments = self.connection.recv()
            except EOFError:  # the app is gone: end, the last epoch saved
                raise StopTraining from None
            if command == "stop":
                raise StopTraining
            if command == "pause" and not self.paused:
                self.paused = True
                self.send({"kind": "state", "state": "paused"})
                self.send_view()
            elif command == "resume" and self.paused:
                self.paused = False
                self.send({"kind": "state", "state": "running"})
            elif command == "step":
                self.paused, self.step_once = False, True
            elif command == "change" and arguments and arguments[0] in LIVE:
                self.pending[arguments[0]] = arguments[1]
            elif command == "weights":
                self.send_weights()

    def changes(self) -> dict[str, float]:
        self.take_commands(wait=False)
        while self.paused:
            self.take_commands(wait=True)
        if self.step_once:
            self.step_once, self.pause_after = False, True
        changes, self.pending = self.pending, {}
        for name, value in changes.items():
            self.settings[name] = value
            self.send({"kind": "changed", "setting": name, "value": value})
        return changes

    # ---- what the run sees --------------------------------------------------------------

    def batch_done(self, model, x, q, restarted: list[int], progress) -> None:
        k = model.config.num_codes
        if progress.epoch != self.epoch:
            self.epoch, self.counts = progress.epoch, torch.zeros(k, dtype=torch.long)
        self.counts += torch.bincount(q.codes.detach(), minlength=k)
        active = int((self.counts > 0).sum())
        self.last, self.progress = (model, x), progress
        self.send({
            "kind": "batch", "epoch": progress.epoch, "epochs": progress.epochs,
            "step": progress.step, "steps": progress.steps,
            "reconstruction": progress.reconstruction, "codebook": progress.codebook,
            "commitment": progress.commitment, "counts": self.counts.tolist(),
            "active": active, "perplexity": perplexity(self.counts.float()), "dead": k - active,
        })  # fmt: skip
        if restarted:
            self.send({"kind": "restart", "epoch": progress.epoch, "step": progress.step,
                       "codes": restarted})  # fmt: skip
        if progress.step == 1 or progress.step % VIEW_EVERY == 0 or self.pause_after:
            self.send_view()
        if self.pause_after:
            self.pause_after, self.paused = False, True
            self.send({"kind": "state", "state": "paused"})

    def report(self, progress) -> None:
        if progress.validation is not None:
            v = progress.validation
            self.send({
                "kind": "epoch", "epoch": progress.epoch, "mse": v.mse,
                "codes_used": v.codes_used, "perplexity": v.perplexity,
                "saved": saved_words(self.out),
            })  # fmt: skip

    @torch.no_grad()
    def send_view(self) -> None:
        if self.last is None:
            return
        model, x = self.last
        model.eval()  # looks only: the library's quantizer learns at any forward pass in training
        try:
            self.send_view_of(model, x)
        finally:
            model.train()

    def send_view_of(self, model, x: torch.Tensor) -> None:
        vectors = model.encoder(x).reshape(-1, model.config.dim)
        picks = torch.linspace(0, len(vectors) - 1, min(VIEW_POINTS, len(vectors))).long()
        vectors = vectors[picks]
        mean, axes = principal_axes(vectors)
        codebook = model.quantizer.codebook
        reconstructions, _, _ = model(self.digits)
        decoded = model.decoder(codebook[self.random_codes])
        self.send({
            "kind": "view", "epoch": self.progress.epoch, "step": self.progress.step,
            "points": ((vectors - mean) @ axes.T).tolist(),
            "codes": ((codebook - mean) @ axes.T).tolist(),
            "digits": pixels(self.digits), "reconstructions": pixels(reconstructions),
            "decoded": pixels(decoded),
        })  # fmt: skip

    def send_weights(self) -> None:
        """The current tensors, and a sidecar true of them: the run's settings now, and the
        epochs it has completed (the one under way is part-trained)."""
        if self.last is None:
            self.send({"kind": "weights", "tensors": None})
            return
        model, _ = self.last
        config, options = split(self.settings)
        sidecar = {
            "format": WEIGHTS_FORMAT, "model": config.to_dict(),
            "options": describe(self.settings)["options"], "seed": options.seed,
            "sha256": checksum(model),
        }  # fmt: skip
        check_sidecar(sidecar, "the run's weights")
        self.send({
            "kind": "weights", "tensors": encode_tensors(model), "sidecar": sidecar,
            "epoch": self.progress.epoch, "step": self.progress.step,
        })  # fmt: skip
