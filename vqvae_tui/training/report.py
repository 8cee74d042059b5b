"""What the train and eval commands print: a rich progress bar with live losses, and tables."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from vqvae_tui.training.evaluate import Metrics
from vqvae_tui.training.train import Progress as TrainProgress


class TrainingDisplay:
    """A progress bar over all steps with the last batch's losses and codebook use."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.bar = Progress(
            TextColumn("epoch {task.fields[epoch]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "rec {task.fields[rec]:.4f}  cb {task.fields[cb]:.4f}"
                "  commit {task.fields[commit]:.4f}  codes {task.fields[codes]}"
                "  ppl {task.fields[ppl]:.1f}"
            ),
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

    def update(self, p: TrainProgress) -> None:
        fields = dict(
            epoch=f"{p.epoch}/{p.epochs}",
            rec=p.reconstruction,
            cb=p.codebook,
            commit=p.commitment,
            codes=p.codes_used,
            ppl=p.perplexity,
        )
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task("train", total=p.epochs * p.steps, **fields)
        self.bar.update(self.task, completed=(p.epoch - 1) * p.steps + p.step, **fields)
        if p.validation is not None:
            v = p.validation
            self.bar.console.print(
                f"epoch {p.epoch}/{p.epochs}: validation MSE {v.mse:.5f}, PSNR {v.psnr:.2f} dB,"
                f" codes used {v.codes_used}, perplexity {v.perplexity:.2f} ({p.seconds:.0f} s)"
            )


def print_metrics(metrics: Metrics, title: str, console: Console | None = None) -> None:
    console = console or Console()
    console.print(title)
    table = Table(show_header=False)
    table.add_row("per-pixel MSE", f"{metrics.mse:.5f}")
    table.add_row("PSNR", f"{metrics.psnr:.2f} dB")
    table.add_row("BCE (summed per image)", f"{metrics.bce:.2f}")
    table.add_row("codes used", str(metrics.codes_used))
    table.add_row("perplexity", f"{metrics.perplexity:.2f}")
    for label, mse in metrics.per_class_mse.items():
        table.add_row(f"MSE of digit {label}", f"{mse:.5f}")
    console.print(table)
