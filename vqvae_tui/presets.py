"""The collapse lab's presets: pairs of run settings, A against B, that differ in how the
codebook is started and kept alive. Plain Python (no torch, no Textual): each side is the
shipped recipe (settings.DEFAULTS) with a few values changed by `with_value`, and both sides
of a pair share the data, the seed and everything else not named.

Runs are short so a class can watch one to its end: LAB_EPOCHS epochs without augmentation.
The explanations say what to watch for, never what the run will do: the numbers on screen
are the run's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from vqvae_tui.settings import DEFAULTS, SETTINGS, with_value

LAB_EPOCHS = 2  # short enough to watch (benchmarks/bench_collapse.py measures a pair)
LAB = {"epochs": LAB_EPOCHS, "augment": 0.0}  # both sides of every preset
FAILURE = {"ema_decay": 0.0, "kmeans_init": False, "dead_code_threshold": 0.0}
# A never-chosen code's running share (training.train.USAGE_DECAY 0.99 a batch, from 1/K) falls
# under the recipe's 1% only after ~160 batches, past the first epoch of MNIST's 141: under 2%
# after ~90, so restarts alone come in the first half of a 2-epoch run, where they are made.
RESTART = 0.02


def settings(**changes) -> dict:
    """The shipped recipe with the lab's short run and `changes`, each made by `with_value`
    (so what a value depends on follows it)."""
    changes = {**LAB, **changes}
    return reduce(lambda values, item: with_value(values, *item), changes.items(), DEFAULTS)


@dataclass(frozen=True)
class Side:
    name: str  # a few words: "classic failure", "k-means only"
    values: dict  # every setting of the run


@dataclass(frozen=True)
class Preset:
    title: str
    explanation: str  # one line: what the pair tells apart, and what to watch for
    a: Side
    b: Side

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.a, self.b


def differences(side: Side, other: Side) -> list[tuple[str, str]]:
    """The settings (title, value as shown) where `side` differs from `other`, in the
    settings table's order."""
    return [
        (setting.title, setting.shown(side.values[setting.name]))
        for setting in SETTINGS
        if side.values[setting.name] != other.values[setting.name]
    ]


CLASSIC = Side("classic failure", settings(**FAILURE))
LIBRARY = {"quantizer": "library", **FAILURE}

PRESETS: tuple[Preset, ...] = (
    Preset(
        "The classic failure against the full fix",
        "A: random codes learnt by the codebook loss, never restarted. B: the shipped recipe:"
        " k-means start, EMA updates, restarts. Watch how many codes each keeps.",
        CLASSIC, Side("full fix", settings()),
    ),
    Preset(
        "The failure against restarts alone",
        "B restarts each code whose running share of positions falls under 2%, in the first"
        " half of the run. Watch its ↻ marks, and whether those codes stay alive.",
        CLASSIC, Side("restarts only", settings(**{**FAILURE, "dead_code_threshold": RESTART})),
    ),
    Preset(
        "The failure against k-means alone",
        "B starts its codes on k-means clusters of the first batch's encoder outputs, then"
        " learns them by the codebook loss. Watch whether that start lasts.",
        CLASSIC, Side("k-means only", settings(**{**FAILURE, "kmeans_init": True})),
    ),
    Preset(
        "The failure against EMA alone",
        "B moves each code to the running mean of the vectors it wins (EMA 0.95), not by"
        " the codebook loss; random start, no restarts. Watch its unused codes.",
        CLASSIC, Side("EMA only", settings(**{**FAILURE, "ema_decay": 0.95})),
    ),
    Preset(
        "The library's quantizer: straight-through against the rotation trick",
        "Both: vector-quantize-pytorch's VectorQuantize, random start, codebook loss, no"
        " restarts. B passes z_e's gradient by the rotation trick. Watch the codes used.",
        Side("library, straight-through", settings(**LIBRARY)),
        Side("library, rotation trick", settings(**LIBRARY, rotation_trick=True)),
    ),
)  # fmt: skip
