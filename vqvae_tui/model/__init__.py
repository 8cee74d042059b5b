"""The PyTorch VQ-VAE, its Trace and its weights. Never imports the UI."""

from vqvae_tui.model.config import CODE_LABELS, GRID, IMAGE, ModelConfig
from vqvae_tui.model.trace import Trace, trace
from vqvae_tui.model.vqvae import VQVAE, Decoder, Encoder, Losses, Quantization, VectorQuantizer
from vqvae_tui.model.weights import default_path, load, read_metadata, save

__all__ = [
    "CODE_LABELS",
    "GRID",
    "IMAGE",
    "VQVAE",
    "Decoder",
    "Encoder",
    "Losses",
    "ModelConfig",
    "Quantization",
    "Trace",
    "VectorQuantizer",
    "default_path",
    "load",
    "read_metadata",
    "save",
    "trace",
]
