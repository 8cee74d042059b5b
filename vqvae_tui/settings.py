"""Every setting of a training run, stated once: the training screen's rows, the train
command's flags and the `vqvae-tui train …` line a run's settings are copied as all come from
`SETTINGS`. A new setting (an encoder, a quantizer) is one more row here.

Defaults are the shipped recipe (the options weights/mnist.json records): a user who asks for
nothing special trains the good model. Never imports the UI (nor torch).
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, fields
from pathlib import Path

from vqvae_tui.errors import UserError, WeightsError
from vqvae_tui.model.config import (
    CODE_LABELS,
    DISTANCES,
    ENCODERS,
    MAX_DIM,
    QUANTIZERS,
    ModelConfig,
)
from vqvae_tui.options import TrainOptions


@dataclass(frozen=True)
class Setting:
    name: str  # the field of ModelConfig or TrainOptions it sets
    flag: str  # the train command's option
    title: str  # the screen's label
    hint: str  # one line: what it does
    choices: tuple  # the values the screen steps through (the CLI takes any in range)
    range: str  # the values allowed, in words
    live: bool = False  # can change while a run trains, without a reset
    kind: type = float

    @property
    def default(self):
        return DEFAULTS[self.name]

    def shown(self, value) -> str:
        """How a value reads on the screen."""
        if self.name == "ema_decay":
            return "loss" if not value else f"EMA {value:g}"
        if self.kind is bool:
            return "on" if value else "off"
        if self.name == "dead_code_threshold" and not value:
            return "off"
        return f"{value:g}" if self.kind is float else str(value)

    def argument(self, value) -> str:
        """The flag and value as the train command takes them."""
        if self.kind is bool:
            return self.flag if value else "--no-" + self.flag.removeprefix("--")
        return f"{self.flag} {value:g}" if self.kind is float else f"{self.flag} {value}"

    def next_value(self, value, step: int):
        """The choice after `value` (step 1) or before it (-1), staying at the ends. A number
        between two choices goes to the next one in that direction."""
        choices = self.choices
        if self.kind in (bool, str):
            index = choices.index(value) + step if value in choices else 0
            return choices[max(0, min(len(choices) - 1, index))]
        beyond = [c for c in choices if (c > value if step > 0 else c < value)]
        if not beyond:
            return choices[-1] if step > 0 else choices[0]
        return min(beyond) if step > 0 else max(beyond)

    def live_in(self, values: dict) -> bool:
        """Whether it changes mid-run for a run of these settings: the library quantizer's
        restarts are built into it."""
        library = values.get("quantizer") == "library"
        return self.live and not (library and self.name == "dead_code_threshold")

    @property
    def vqvae_only(self) -> bool:
        """A setting of the VQ-VAE's alone (not of `train --model vae|ae`)."""
        return self.name not in LATENT_SHARED


DEFAULTS = {f.name: f.default for cls in (ModelConfig, TrainOptions) for f in fields(cls)}

SETTINGS: tuple[Setting, ...] = (
    Setting("num_codes", "--codes", "K codes", "the codebook's size: how many codes to learn",
            (4, 8, 12, 16, 20, 24, 32, len(CODE_LABELS)), f"2–{len(CODE_LABELS)}", kind=int),
    Setting("dim", "--dim", "D dims", "the length of each code vector",
            (2, 4, 8, 16, 32, MAX_DIM), f"1–{MAX_DIM}", kind=int),
    Setting("beta", "--beta", "β commitment",
            "weight of the commitment loss (keeps the encoder near its codes)",
            (0.05, 0.1, 0.25, 0.5, 1.0, 2.0), "0–10", live=True),
    Setting("ema_decay", "--ema-decay", "codebook update",
            "codebook loss, or EMA: each code moves to the mean of its vectors",
            (0.0, 0.9, 0.95, 0.99), "0 (codebook loss), or a decay in (0, 1)"),
    Setting("kmeans_init", "--kmeans-init", "k-means init",
            "place the codes on k-means clusters of the first batch's encoder outputs",
            (False, True), "on or off", kind=bool),
    Setting("dead_code_threshold", "--dead-code-threshold", "dead restart",
            "restart codes used by less than this share of positions (ours: in the first half;"
            " the library: by its EMA count, all run)",
            (0.0, 0.002, 0.005, 0.01, 0.02, 0.05), "a share in [0, 1); 0 off", live=True),
    Setting("encoder", "--encoder", "encoder",
            "conv: the shipped conv nets; mlp: the lecture's MLP (per-position dense layers)",
            ENCODERS, " or ".join(ENCODERS), kind=str),
    Setting("quantizer", "--quantizer", "quantizer",
            "ours (model/vqvae.py), or vector-quantize-pytorch's VectorQuantize",
            QUANTIZERS, " or ".join(QUANTIZERS), kind=str),
    Setting("rotation_trick", "--rotation-trick", "rotation trick",
            "library only: pass z_e's gradient by the rotation trick, not straight through",
            (False, True), "on or off (quantizer library)", kind=bool),
    Setting("distance", "--distance", "distance",
            "library only: euclidean, or cosine (z_e and the codes of unit length)",
            DISTANCES, " or ".join(DISTANCES) + " (cosine: quantizer library)", kind=str),
    Setting("learning_rate", "--learning-rate", "learning rate",
            "Adam's rate before the cosine decay (to 5% of it at the end)",
            (1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 1e-2), "> 0", live=True),
    Setting("batch_size", "--batch-size", "batch size", "digits per step",
            (16, 32, 64, 128, 256), "≥ 1", kind=int),
    Setting("epochs", "--epochs", "epochs", "passes over the training digits",
            (1, 2, 5, 10, 20, 30, 55), "≥ 1", kind=int),
    Setting("augment", "--augment", "augment",
            "share of each batch shifted, scaled, rotated or restroked",
            (0.0, 0.15, 0.3, 0.5), "a share in [0, 1]"),
    Setting("seed", "--seed", "seed", "seeds the initial weights and the batches' order",
            (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), f"0–{2**32 - 1}", kind=int),
)  # fmt: skip
LATENT_SHARED = ("dim", "learning_rate", "batch_size", "epochs", "augment", "seed")  # vae, ae too
LIVE = tuple(setting.name for setting in SETTINGS if setting.live)
BY_NAME = {setting.name: setting for setting in SETTINGS}


LIBRARY_ONLY = {"rotation_trick": False, "distance": "euclidean"}  # → their value with ours


def with_value(values: dict, name: str, value) -> dict:
    """The settings with `name` set to `value`, and what it depends on made to fit: turning on
    a library-only option picks the library's quantizer, choosing ours turns them off."""
    values = {**values, name: value}
    if name in LIBRARY_ONLY and value != LIBRARY_ONLY[name]:
        values["quantizer"] = "library"
    if name == "quantizer" and value != "library":
        values.update(LIBRARY_ONLY)
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Every setting as an option of the train command, its default the shipped recipe's
    (left unset when not given: `given` tells which were)."""
    for setting in SETTINGS:
        help = f"{setting.hint} ({setting.range}; default {setting.shown(setting.default)})"
        help = help.replace("%", "%%")  # argparse formats help with %
        if setting.kind is bool:
            parser.add_argument(
                setting.flag, action=argparse.BooleanOptionalAction, dest=setting.name,
                help=help,
            )  # fmt: skip
        else:
            choices = setting.choices if setting.kind is str else None
            parser.add_argument(
                setting.flag, type=setting.kind, dest=setting.name, choices=choices, help=help
            )


def given(args: argparse.Namespace) -> dict:
    """The settings given on the command line (name → value)."""
    return {s.name: getattr(args, s.name) for s in SETTINGS if getattr(args, s.name) is not None}


def split(values: dict) -> tuple[ModelConfig, TrainOptions]:
    """The model's config and the training options of a run's settings (name → value), each
    checked by its own rules (one line: UserError)."""
    model = {f.name for f in fields(ModelConfig)}
    try:
        config = ModelConfig(**{k: v for k, v in values.items() if k in model})
    except WeightsError as error:
        raise UserError(f"bad model options: {error}") from None
    return config, TrainOptions(**{k: v for k, v in values.items() if k not in model})


def of_arguments(args: argparse.Namespace) -> dict:
    """Every setting: those given, the recipe's defaults for the rest."""
    return {**DEFAULTS, **given(args)}


def command_line(values: dict, data: Path, out: Path) -> str:
    """The `vqvae-tui train …` command that trains a run with these settings."""
    words = [
        "vqvae-tui train",
        f"--data {shlex.quote(str(data))}",
        f"--out {shlex.quote(str(out))}",
    ]
    words += [setting.argument(values[setting.name]) for setting in SETTINGS]
    return " ".join(words)
