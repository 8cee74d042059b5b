"""Training and evaluation loops, shared by the CLI and (later) the app. Never imports the UI."""

from vqvae_tui.options import TrainOptions
from vqvae_tui.training.evaluate import Metrics, evaluate, perplexity
from vqvae_tui.training.train import Progress, train

__all__ = ["Metrics", "Progress", "TrainOptions", "evaluate", "perplexity", "train"]
