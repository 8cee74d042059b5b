"""Training and evaluation loops, shared by the CLI and (later) the app. Never imports the UI."""

from vqvae_tui.options import TrainOptions
from vqvae_tui.training.evaluate import Metrics, evaluate, perplexity
from vqvae_tui.training.evaluate_latent import LatentMetrics, evaluate_latent
from vqvae_tui.training.train import Progress, train
from vqvae_tui.training.train_latent import LatentProgress, LatentTrainOptions, train_latent

__all__ = [
    "LatentMetrics",
    "LatentProgress",
    "LatentTrainOptions",
    "Metrics",
    "Progress",
    "TrainOptions",
    "evaluate",
    "evaluate_latent",
    "perplexity",
    "train",
    "train_latent",
]
