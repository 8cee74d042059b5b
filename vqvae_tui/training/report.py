"""What the train and eval commands print: a rich progress bar with live losses, and tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vqvae_tui.model.trained import TrainingData
from vqvae_tui.training.evaluate import Metrics
from vqvae_tui.training.evaluate_latent import LatentMetrics
from vqvae_tui.training.train import Progress as TrainProgress
from vqvae_tui.training.train_latent import LatentProgress


class TrainingDisplay:
    """A progress bar over all steps with the last batch's losses and codebook use."""

    LOSSES = (
        "rec {task.fields[rec]:.4f}  cb {task.fields[cb]:.4f}"
        "  commit {task.fields[commit]:.4f}  codes {task.fields[codes]}"
        "  ppl {task.fields[ppl]:.1f}"
    )

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.bar = Progress(
            TextColumn("epoch {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(self.LOSSES),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.task = None

    def __enter__(self) -> TrainingDisplay:
        return self  # the bar starts with the first batch, so early errors print alone

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.task is not None:
            self.bar.stop()

    def fields(self, p: TrainProgress) -> dict:
        """The values of LOSSES for one batch."""
        return dict(
            rec=p.reconstruction,
            cb=p.codebook,
            commit=p.commitment,
            codes=p.codes_used,
            ppl=p.perplexity,
        )

    def validated(self, v: Metrics) -> str:
        """An epoch's validation figures, in words."""
        return (
            f"validation MSE {v.mse:.5f}, PSNR {v.psnr:.2f} dB, codes used {v.codes_used},"
            f" perplexity {v.perplexity:.2f}"
        )

    def update(self, p: TrainProgress | LatentProgress) -> None:
        fields = {"epoch": f"{p.epoch}/{p.epochs}", **self.fields(p)}
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task("train", total=p.epochs * p.steps, **fields)
        self.bar.update(self.task, completed=(p.epoch - 1) * p.steps + p.step, **fields)
        if p.validation is not None:
            self.bar.console.print(
                f"epoch {p.epoch}/{p.epochs}: {self.validated(p.validation)} ({p.seconds:.0f} s)"
            )


class LatentTrainingDisplay(TrainingDisplay):
    """The same bar for the VAE and the autoencoder: the reconstruction loss (and the VAE's
    KL)."""

    LOSSES = "bce {task.fields[rec]:.1f}  kl {task.fields[kl]:.2f}"

    def __init__(self, console: Console | None = None, kind: str = "vae"):
        if kind != "vae":
            self.LOSSES = "bce {task.fields[rec]:.1f}"
        super().__init__(console)

    def fields(self, p: LatentProgress) -> dict:
        return dict(rec=p.reconstruction, kl=p.kl)

    def validated(self, v: LatentMetrics) -> str:
        kl = "" if v.kl is None else f", KL {v.kl:.2f}, ELBO {v.elbo:.1f}"
        return f"validation MSE {v.mse:.5f}, BCE {v.bce:.1f}{kl}"


def print_metrics(
    metrics: Metrics, title: str, data: TrainingData, console: Console | None = None
) -> None:
    """The figures of a VQ-VAE over the images of `data` (their classes named by it)."""
    console = console or Console()
    console.print(title)
    table = Table(show_header=False)
    table.add_row("per-pixel MSE", f"{metrics.mse:.5f}")
    table.add_row("PSNR", f"{metrics.psnr:.2f} dB")
    table.add_row("BCE (summed per image)", f"{metrics.bce:.2f}")
    table.add_row("codes used", str(metrics.codes_used))
    table.add_row("perplexity", f"{metrics.perplexity:.2f}")
    for label, mse in metrics.per_class_mse.items():  # the labels of the data evaluated
        table.add_row(f"MSE of {data.class_title(int(label))}", f"{mse:.5f}")
    console.print(table)


def print_latent_metrics(
    metrics: LatentMetrics, title: str, data: TrainingData, console: Console | None = None
):
    """The figures of a VAE or an autoencoder over the images of `data`."""
    console = console or Console()
    console.print(title)
    table = Table(show_header=False)
    table.add_row(
        "per-pixel MSE (z = μ)" if metrics.kl is not None else "per-pixel MSE", f"{metrics.mse:.5f}"
    )
    table.add_row("PSNR", f"{metrics.psnr:.2f} dB")
    table.add_row("BCE (summed per image)", f"{metrics.bce:.2f}")
    if metrics.kl is not None:
        per_dimension = " + ".join(f"{kl:.2f}" for kl in metrics.kl_per_dimension)
        table.add_row("KL (nats per image)", f"{metrics.kl:.2f} = {per_dimension}")
        table.add_row("BCE of a sampled z", f"{metrics.sampled_bce:.2f}")
        table.add_row("ELBO (nats per image)", f"{metrics.elbo:.2f}")
    for label, mse in metrics.per_class_mse.items():  # the labels of the data evaluated
        table.add_row(f"MSE of {data.class_title(int(label))}", f"{mse:.5f}")
    console.print(table)
