"""The JSON sidecar of a weights file: every field it may hold, and how each is checked.

The checksum in the sidecar covers the tensors only, so every other field is checked here when
the weights load, before anything uses it: a field that is wrong refuses the whole file in one
line. `FIELDS` is the one table of fields; a new field gets its row (and its checker) there.
The rules for the training options are here too, so the train command checks its arguments
by the same rules its saved sidecar is checked by.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from vqvae_tui.errors import WeightsError
from vqvae_tui.model.config import GRID, KINDS, LATENT, LatentConfig, ModelConfig

WEIGHTS_FORMAT = "vqvae-tui weights"
SEED_LIMIT = 2**32  # seeds are whole numbers below this, as numpy's and most tools' are
REQUIRED = ("format", "model", "sha256")


class FieldError(ValueError):
    """What is wrong with one field; the caller names the file."""


def whole(value: object, low: int = 0, high: float = math.inf) -> bool:
    """A JSON whole number (not a boolean) in [low, high)."""
    return type(value) is int and low <= value < high


def number(value: object, low: float = 0.0, high: float = math.inf) -> bool:
    """A finite JSON number (not a boolean) in [low, high]."""
    return type(value) in (int, float) and math.isfinite(value) and low <= value <= high


def count(value: object) -> bool:
    """A whole number ≥ 0: how many of something."""
    return whole(value, 0)


def positive_count(value: object) -> bool:
    return whole(value, 1)


# name → (the rule, what it says when broken); TrainOptions checks its arguments by these
TRAINING_OPTIONS: dict[str, tuple[Callable[[object], bool], str]] = {
    "epochs": (positive_count, "a whole number ≥ 1"),
    "batch_size": (positive_count, "a whole number ≥ 1"),
    "learning_rate": (lambda v: number(v) and v > 0, "a finite number > 0"),
    "ema_decay": (lambda v: number(v, 0, 1) and v < 1, "in [0, 1) (0 turns EMA off)"),
    "kmeans_init": (lambda v: type(v) is bool, "true or false"),
    "dead_code_threshold": (lambda v: number(v, 0, 1) and v < 1, "a share of positions in [0, 1)"),
    "augment": (lambda v: number(v, 0, 1), "a share of each batch in [0, 1]"),
    "seed": (lambda v: whole(v, 0, SEED_LIMIT), f"a whole number from 0 to {SEED_LIMIT - 1}"),
}
SHARED_OPTIONS = ("epochs", "batch_size", "learning_rate", "augment", "seed")
# the VAE's and the autoencoder's (LatentTrainOptions checks its arguments by these)
LATENT_TRAINING_OPTIONS: dict[str, tuple[Callable[[object], bool], str]] = {
    "kind": (lambda v: v in ("vae", "ae"), "vae or ae"),
    **{name: TRAINING_OPTIONS[name] for name in SHARED_OPTIONS},
    "kl_weight": (lambda v: number(v, 0, 100), "a number from 0 to 100"),
}


def option_problem(name: str, value: object, rules: dict = TRAINING_OPTIONS) -> str | None:
    """What is wrong with the training option `name` set to `value`, or None."""
    rule, says = rules[name]
    return None if rule(value) else f"must be {says}"


def kind_of(sidecar: dict) -> str:
    """The kind of model a checked sidecar describes; files from before the VAE have none."""
    return sidecar.get("kind", "vqvae")


def check_kind(value: object, sidecar: dict) -> None:
    if value not in KINDS:
        raise FieldError(f"unknown kind of model {str(value)[:40]!r} (known: {', '.join(KINDS)})")


def fields_of(value: object, what: str, checks: dict[str, Callable[[object], bool]]) -> None:
    """`value` is an object whose every key is one of `checks`, each value passing its check."""
    if not isinstance(value, dict):
        raise FieldError(f"{what} is not a JSON object")
    unknown = sorted(set(value) - set(checks))
    if unknown:
        raise FieldError(f"{what} has unknown keys: {', '.join(unknown)}")
    for key, check in checks.items():
        if key in value and not check(value[key]):
            raise FieldError(f"{what}.{key} is not valid ({str(value[key])[:40]})")


def check_format(value: object, sidecar: dict) -> None:
    if value != WEIGHTS_FORMAT:
        raise FieldError(f"not a vqvae-tui weights sidecar (no format: {WEIGHTS_FORMAT!r})")


def check_model(value: object, sidecar: dict) -> None:
    config = ModelConfig if kind_of(sidecar) == "vqvae" else LatentConfig
    try:
        config.from_dict(value)
    except WeightsError as error:
        raise FieldError(f"wrong config: {error}") from None


def check_sha256(value: object, sidecar: dict) -> None:
    if not (isinstance(value, str) and re.fullmatch("[0-9a-f]{64}", value)):
        raise FieldError("sha256 is not 64 hexadecimal digits")


def short_text(value: object) -> bool:
    return isinstance(value, str) and len(value) < 1000


def check_data(value: object, sidecar: dict) -> None:
    checks = {"train": short_text, "train_count": positive_count}
    fields_of(
        value, "data", {**checks, "validation": short_text, "validation_count": positive_count}
    )


def check_seed(value: object, sidecar: dict) -> None:
    if not whole(value, 0, SEED_LIMIT):
        raise FieldError(f"seed is not a whole number from 0 to {SEED_LIMIT - 1}")


def check_epochs(value: object, sidecar: dict) -> None:
    if not whole(value, 1):
        raise FieldError("epochs is not a whole number ≥ 1")


def check_options(value: object, sidecar: dict) -> None:
    from vqvae_tui.model.trained import codebook_training  # what the texts read of them

    if kind_of(sidecar) != "vqvae":
        fields_of(value, "options", {n: rule for n, (rule, _) in LATENT_TRAINING_OPTIONS.items()})
        if value.get("kind", kind_of(sidecar)) != kind_of(sidecar):
            raise FieldError(f"options.kind is not the sidecar's kind ({kind_of(sidecar)})")
        return
    fields_of(value, "options", {name: rule for name, (rule, _) in TRAINING_OPTIONS.items()})
    try:
        codebook_training(sidecar, "")
    except WeightsError as error:
        raise FieldError(str(error).removeprefix(": ")) from None


def per_class_mse(value: object) -> bool:
    """Digit label → the MSE of its digits."""
    return isinstance(value, dict) and all(
        isinstance(label, str) and len(label) < 20 and number(mse) for label, mse in value.items()
    )


def decibels(value: object) -> bool:
    """A PSNR: a number, infinite when the MSE is 0."""
    return type(value) in (int, float) and not math.isnan(value)


def finite(value: object) -> bool:
    """A finite JSON number of either sign (an ELBO)."""
    return type(value) in (int, float) and math.isfinite(value)


def per_dimension(value: object) -> bool:
    """One number ≥ 0 for each of z's dimensions (the KL of each)."""
    return isinstance(value, list) and len(value) == LATENT and all(number(v) for v in value)


SHARED_VALIDATION = {
    "count": positive_count, "mse": number, "psnr": decibels, "bce": number,
    "per_class_mse": per_class_mse,
}  # fmt: skip
VALIDATION = {
    "vqvae": {**SHARED_VALIDATION, "codes_used": count, "perplexity": number},
    "vae": {
        **SHARED_VALIDATION, "kl": number, "kl_per_dimension": per_dimension,
        "sampled_bce": number, "elbo": finite,
    },
    "ae": SHARED_VALIDATION,
}  # fmt: skip
HISTORY = {"vqvae": {"mse": number, "codes_used": count}, "vae": {"mse": number, "kl": number}}


def check_validation(value: object, sidecar: dict) -> None:
    fields_of(value, "validation", VALIDATION[kind_of(sidecar)])


def check_training_seconds(value: object, sidecar: dict) -> None:
    if not number(value):
        raise FieldError("training_seconds is not a finite number ≥ 0")


def check_training_cpu_seconds(value: object, sidecar: dict) -> None:
    if not number(value):
        raise FieldError("training_cpu_seconds is not a finite number ≥ 0")


def check_history(value: object, sidecar: dict) -> None:
    if not isinstance(value, list):
        raise FieldError("history is not a list of epochs")
    for index, entry in enumerate(value):
        fields_of(entry, f"history[{index}]", {
            "epoch": lambda v, epoch=index + 1: whole(v, 1) and v == epoch,  # 1, 2, 3, …
            **HISTORY.get(kind_of(sidecar), {"mse": number}),
        })  # fmt: skip


def vqvae_only(name: str, sidecar: dict) -> None:
    if kind_of(sidecar) != "vqvae":
        raise FieldError(f"{name} is a VQ-VAE's field, not a {KINDS[kind_of(sidecar)]}'s")


def check_prior(value: object, sidecar: dict) -> None:
    import numpy as np  # here: the CLI reads the option rules before `serve` may import numpy

    vqvae_only("prior", sidecar)
    k = sidecar["model"]["num_codes"]
    message = f"prior is not {GRID * GRID} rows of {k} frequencies"
    if not (
        isinstance(value, list)
        and len(value) == GRID * GRID
        and all(isinstance(row, list) and len(row) == k for row in value)
        and all(number(p, 0, 1) for row in value for p in row)
    ):
        raise FieldError(message)
    if not np.allclose(np.asarray(value, dtype=np.float64).sum(axis=1), 1, atol=1e-4):
        raise FieldError(message)


def check_atlas(value: object, sidecar: dict) -> None:
    from vqvae_tui.model.code_atlas import atlas_of  # torch: only for sidecars with an atlas

    vqvae_only("atlas", sidecar)
    try:
        atlas_of(sidecar, sidecar["model"]["num_codes"], "")
    except WeightsError as error:
        raise FieldError(str(error).removeprefix(": ")) from None


def check_threads(value: object, sidecar: dict) -> None:
    if not positive_count(value):
        raise FieldError("threads is not a whole number ≥ 1")


def check_latent_map(value: object, sidecar: dict) -> None:
    """Where training digits land on the plane: n points of z's dimensions, their n labels
    0-9 and their n indices among the digits named."""
    if kind_of(sidecar) == "vqvae":
        raise FieldError("latent_map is a VAE's or an autoencoder's field, not a VQ-VAE's")
    message = f"latent_map is not points (n, {LATENT}) with n labels 0-9 and n indices"
    fields_of(value, "latent_map", {
        "digits": short_text, "indices": lambda v: isinstance(v, list),
        "labels": lambda v: isinstance(v, list), "points": lambda v: isinstance(v, list),
    })  # fmt: skip
    if set(value) != {"digits", "indices", "labels", "points"}:
        raise FieldError(message)
    points, labels, indices = value["points"], value["labels"], value["indices"]
    if not (
        0 < len(labels) == len(points) == len(indices)
        and all(whole(label, 0, 10) for label in labels)
        and all(whole(index) for index in indices)
        and all(
            isinstance(point, list) and len(point) == LATENT and all(finite(v) for v in point)
            for point in points
        )
    ):
        raise FieldError(message)


LIVE_SETTINGS = ("beta", "dead_code_threshold", "learning_rate")  # what may change mid-run


def check_changes(value: object, sidecar: dict) -> None:
    if not isinstance(value, list):
        raise FieldError("changes is not a list of settings changed mid-run")
    for index, entry in enumerate(value):
        fields_of(entry, f"changes[{index}]", {
            "epoch": positive_count, "step": positive_count,
            "setting": lambda v: v in LIVE_SETTINGS, "value": number,
        })  # fmt: skip


# Every field a sidecar may hold, checked in this order (the model before what depends on it).
FIELDS: dict[str, Callable[[object, dict], None]] = {
    "format": check_format,
    "kind": check_kind,
    "model": check_model,
    "sha256": check_sha256,
    "data": check_data,
    "seed": check_seed,
    "epochs": check_epochs,
    "options": check_options,
    "validation": check_validation,
    "training_seconds": check_training_seconds,
    "training_cpu_seconds": check_training_cpu_seconds,
    "threads": check_threads,
    "history": check_history,
    "prior": check_prior,
    "atlas": check_atlas,
    "latent_map": check_latent_map,
    "changes": check_changes,
}


def check_sidecar(sidecar: object, where: str) -> dict:
    """`sidecar` if every field of it is valid, else WeightsError naming `where` and the field."""
    if not isinstance(sidecar, dict) or sidecar.get("format") != WEIGHTS_FORMAT:
        raise WeightsError(
            f"{where}: not a vqvae-tui weights sidecar (no format: {WEIGHTS_FORMAT!r})"
        )
    unknown = sorted(set(sidecar) - set(FIELDS))
    if unknown:
        raise WeightsError(f"{where}: unknown fields: {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in sidecar]
    if missing:
        raise WeightsError(f"{where}: missing fields: {', '.join(missing)}")
    for name, check in FIELDS.items():
        if name in sidecar:
            try:
                check(sidecar[name], sidecar)
            except FieldError as error:
                raise WeightsError(f"{where}: {error}") from None
    return sidecar
