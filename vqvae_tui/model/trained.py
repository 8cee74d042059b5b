"""How a model's codebook was trained, as its weights' JSON sidecar records it (`options`, as
`vqvae-tui train` writes them), and the sentences that say so. Torch-free.

The app's texts say what trained the loaded codebook: EMA updates (with their decay), or the
gradient of the codebook loss; k-means initialisation and dead-code restarts where they were on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from vqvae_tui.errors import WeightsError


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
