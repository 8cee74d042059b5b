"""How a model was trained, as its weights' JSON sidecar records it, and the sentences that say
so. Torch-free.

The app's texts say what trained the loaded codebook (`options`, as `vqvae-tui train` writes
them): EMA updates (with their decay), or the gradient of the codebook loss; k-means
initialisation and dead-code restarts where they were on. And they say what it was trained on
(`data.name`): the words for its images (digits, pieces of clothing) and its classes; a sidecar
that does not name its data (older files) is read as images of unknown classes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vqvae_tui.errors import WeightsError


@dataclass(frozen=True)
class TrainingData:
    """A data set, in the words the texts use for it."""

    name: str | None  # MNIST, Fashion-MNIST or IDX files; None: the sidecar does not say
    example: str  # what one image is: digit, piece of clothing, image
    examples: str  # … and many
    classes: tuple[str, ...]  # label → its class's name
    parts: str  # what a picture of it is made of, as the decoder draws it
    note: str | None = None  # what a learner who draws should know of a model trained on it
    framing: str | None = None  # how its pictures sit in the frame, where not as MNIST's digits

    @property
    def known_not_mnist(self) -> bool:
        """Named, and not MNIST: other data than the shipped VAE's and autoencoder's."""
        return self.name not in ("MNIST", None)

    def class_name(self, label: int) -> str:
        return self.classes[label] if 0 <= label < len(self.classes) else f"class {label}"

    def class_title(self, label: int) -> str:
        """A class named for a table's line: digit 3, Dress (3), class 3."""
        if self.name == "MNIST":
            return f"digit {self.class_name(label)}"
        if self.name == "Fashion-MNIST":
            return f"{self.class_name(label)} ({label})"
        return self.class_name(label)


CLASSES = tuple(f"class {label}" for label in range(10))  # a data set whose classes are unnamed
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
DATA_SETS = {  # data.name → its words
    "MNIST": TrainingData("MNIST", "digit", "digits", tuple("0123456789"), "strokes"),
    "Fashion-MNIST": TrainingData(
        "Fashion-MNIST",
        "piece of clothing",
        "pieces of clothing",
        FASHION_CLASSES,
        "shapes",
        note=(
            "This model was trained on Fashion-MNIST: pieces of clothing, not digits. A digit"
            " drawn here (0–9 draw samples) is outside what it learned."
        ),
        framing=(
            "Fashion-MNIST's pictures fill the frame on their longest side, so a picture opened"
            " here is smaller than those this model learned."
        ),
    ),
    "IDX files": TrainingData("IDX files", "image", "images", CLASSES, "shapes"),
}
UNKNOWN_DATA = TrainingData(None, "image", "images", CLASSES, "shapes")


def data_set(name: str | None) -> TrainingData:
    """The words for the data set `name` (unknown data for None or a name not known)."""
    return DATA_SETS.get(name, UNKNOWN_DATA)


def trained_on(sidecar: dict) -> TrainingData:
    """What the (checked) sidecar says its model was trained on."""
    data = sidecar.get("data")
    return data_set(data.get("name") if isinstance(data, dict) else None)


@dataclass(frozen=True)
class CodebookTraining:
    ema_decay: float  # 0: the gradient of the codebook loss moved the codes; else EMA updates did
    kmeans_init: bool  # the codes started as k-means centres of the first batch's encoder vectors
    dead_code_threshold: float  # codes used by fewer positions than this share were restarted

    @property
    def by_ema(self) -> bool:
        return self.ema_decay > 0

    def trained_by(self) -> str:
        """What moved the codes, in a few words."""
        if self.by_ema:
            return f"EMA updates (decay {self.ema_decay:g})"
        return "the gradient of the codebook loss"

    def codebook_loss_role(self) -> str:
        """What the codebook loss was to this codebook's training."""
        if self.by_ema:
            return f"no gradient of it moved these codes: {self.trained_by()} did"
        return "its gradient moved these codes towards the encoder's vectors"

    def codebook_loss_note(self) -> str:
        """The same, in a few words (e: the codes)."""
        return "no gradient: EMA moved e" if self.by_ema else "its gradient moved e"

    def story(self) -> str:
        """How the codes were trained, from the start: a few sentences."""
        if self.by_ema:
            how = (
                f"EMA updates with decay {self.ema_decay:g}, so no gradient moved these codes. "
                "After every batch each code became the running mean of the encoder vectors "
                f"that chose it, in which a batch's weight is multiplied by "
                f"{self.ema_decay:g} at each later batch."
            )
        else:
            how = (
                "no EMA, so the gradient of the codebook loss moved these codes: Adam stepped "
                "each one towards the encoder vectors that chose it."
            )
        start = (
            "They started as k-means centres of the first batch's encoder vectors"
            if self.kmeans_init
            else "They started as random vectors"
        )
        if self.dead_code_threshold > 0:
            restarts = (
                "; a code whose running share of the positions fell below "
                f"{self.dead_code_threshold * 100:g}% was moved onto a random encoder vector."
            )
        else:
            restarts = ", and no unused code was moved (no dead-code restarts)."
        losses = "reconstruction + commitment" if self.by_ema else "all three losses"
        return (
            f"Its sidecar says: {how} {start}{restarts} The encoder and decoder learned from "
            f"{losses}."
        )


def number_in(value: object, name: str, low: float, high: float) -> float:
    """A JSON number (not a boolean) with low ≤ value < high."""
    if type(value) not in (int, float) or not low <= value < high:
        raise ValueError(f"{name} is not a number in [{low:g}, {high:g})")
    return float(value)


def codebook_training(sidecar: dict, where: str | os.PathLike = "sidecar"):
    """How the sidecar says the codebook was trained, or None where it does not say;
    WeightsError (one line, naming `where`) if its training options are malformed."""
    options = sidecar.get("options")
    if options is None:
        return None
    try:
        if not isinstance(options, dict):
            raise ValueError("they are not an object")
        if type(options.get("kmeans_init")) is not bool:
            raise ValueError("kmeans_init is not true or false")
        return CodebookTraining(
            ema_decay=number_in(options.get("ema_decay"), "ema_decay", 0, 1),
            kmeans_init=options["kmeans_init"],
            dead_code_threshold=number_in(
                options.get("dead_code_threshold"), "dead_code_threshold", 0, 1
            ),
        )
    except ValueError as error:
        raise WeightsError(f"{where}: training options: {error}") from None
