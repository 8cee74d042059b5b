"""The architecture's settings, as stored in a weights file's JSON sidecar."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from vqvae_tui.errors import WeightsError

IMAGE = 28  # the side of an input picture, in pixels
GRID = 7  # a 28×28 image becomes a 7×7 grid of vectors
POSITIONS = GRID * GRID  # latent positions, row-major over the grid
PATCH = IMAGE // GRID  # each position stands for a 4×4 patch of pixels
RECEPTIVE_FIELD = 7  # the encoder's vector at a position depends on the 7×7 pixels that end at
# its patch's bottom-right corner: two 3×3 convolutions of stride 2 reach 3 pixels up and left
CENTRE = POSITIONS // 2  # the middle position, where a cursor starts
# One character per code, so a grid cell holds its label: digits, capitals, small letters and
# two signs. Small letters are also keys; on the Codes grid they are typed after `=`.
CODE_LABELS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz@#"
MAX_DIM = 64  # the longest code vectors every screen of the explainer can show
ENCODERS = ("conv", "mlp")  # the shipped convolutions, or the lecture's MLP (model/mlp.py)
QUANTIZERS = ("ours", "library")  # model/vqvae.py, or vector-quantize-pytorch (model/library.py)
DISTANCES = ("euclidean", "cosine")
OPTIONAL = ("encoder", "quantizer", "rotation_trick", "distance")  # sidecars before them: defaults


@dataclass(frozen=True)
class ModelConfig:
    num_codes: int = 20  # K, the codebook's size
    dim: int = 16  # D, the length of each vector
    beta: float = 0.25  # weight of the commitment loss
    encoder: str = "conv"  # the encoder and its mirror, the decoder: conv or mlp
    quantizer: str = "ours"  # ours, or library (vector-quantize-pytorch's VectorQuantize)
    rotation_trick: bool = False  # library only: z_e's gradient by the rotation trick
    distance: str = "euclidean"  # library only: or cosine (z_e and the codes of unit length)

    def __post_init__(self):
        # type(...) is int: a JSON true is a Python int too, and no count of codes
        if type(self.num_codes) is not int or not 2 <= self.num_codes <= len(CODE_LABELS):
            raise WeightsError(f"num_codes must be an integer from 2 to {len(CODE_LABELS)}")
        if type(self.dim) is not int or not 1 <= self.dim <= MAX_DIM:
            raise WeightsError(f"dim must be an integer from 1 to {MAX_DIM}")
        if type(self.beta) not in (int, float) or not 0 <= self.beta <= 10:
            raise WeightsError("beta must be a number from 0 to 10")
        for name, choices in (
            ("encoder", ENCODERS), ("quantizer", QUANTIZERS), ("distance", DISTANCES)
        ):  # fmt: skip
            if getattr(self, name) not in choices:
                raise WeightsError(f"{name} must be one of {', '.join(choices)}")
        if not isinstance(self.rotation_trick, bool):
            raise WeightsError("rotation_trick must be true or false")
        if self.quantizer != "library" and (self.rotation_trick or self.distance != "euclidean"):
            raise WeightsError("rotation_trick and cosine distance need quantizer library")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: object) -> ModelConfig:
        return config_from_dict(cls, values, OPTIONAL)


def config_from_dict(cls, values: object, optional: tuple = ()):
    """A config dataclass from a sidecar's JSON object, which must name each field once."""
    if not isinstance(values, dict):
        raise WeightsError("the model config is not a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise WeightsError(f"unknown model config keys: {', '.join(unknown)}")
    missing = sorted(known - set(values) - set(optional))
    if missing:
        raise WeightsError(f"missing model config keys: {', '.join(missing)}")
    return cls(**values)


LATENT = 2  # the VAE's and the autoencoder's z: a point of the plane, so it can be drawn
KINDS = {"vqvae": "VQ-VAE", "vae": "VAE", "ae": "autoencoder"}  # a sidecar's "kind" → its name


@dataclass(frozen=True)
class LatentConfig:
    """The VAE's and the plain autoencoder's architecture: the VQ-VAE's convolutions (with
    D = `dim`) and, between them and z, a dense layer of `hidden` units each way."""

    latent: int = LATENT  # the dimensions of z
    dim: int = 16  # channels of the 7×7 grid, as the VQ-VAE's D
    hidden: int = 64  # units of the dense layer between the grid and z

    def __post_init__(self):
        if type(self.latent) is not int or self.latent != LATENT:
            raise WeightsError(f"latent must be {LATENT}: the app draws z on a plane")
        if type(self.dim) is not int or not 1 <= self.dim <= 256:
            raise WeightsError("dim must be an integer from 1 to 256")
        if type(self.hidden) is not int or not 1 <= self.hidden <= 4096:
            raise WeightsError("hidden must be an integer from 1 to 4096")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: object) -> LatentConfig:
        return config_from_dict(cls, values)
