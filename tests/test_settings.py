"""The settings table: one source for the screen, the train command and the copied command."""

import json
import shlex
from pathlib import Path

import pytest

from vqvae_tui.cli import parser
from vqvae_tui.errors import UserError
from vqvae_tui.model import ModelConfig
from vqvae_tui.model.sidecar import LIVE_SETTINGS
from vqvae_tui.settings import (
    BY_NAME,
    DEFAULTS,
    LIVE,
    SETTINGS,
    command_line,
    of_arguments,
    split,
    with_value,
)

ROOT = Path(__file__).resolve().parent.parent


def test_the_defaults_are_the_shipped_recipe():
    shipped = json.loads((ROOT / "weights" / "mnist.json").read_text())
    args = parser().parse_args(["train", "--out", "w"])
    config, options = split(of_arguments(args))
    assert config == ModelConfig.from_dict(shipped["model"])
    assert vars(options) == shipped["options"]


def test_every_setting_is_a_train_flag_and_the_copied_line_trains_the_same_run():
    changed = {**DEFAULTS, "num_codes": 32, "dim": 8, "beta": 0.5, "ema_decay": 0.0,
               "kmeans_init": False, "dead_code_threshold": 0.0, "learning_rate": 3e-4,
               "batch_size": 32, "epochs": 3, "augment": 0.0, "seed": 7, "encoder": "mlp",
               "quantizer": "library", "rotation_trick": True, "distance": "cosine"}  # fmt: skip
    for values in (DEFAULTS, changed):
        line = command_line(values, Path("/data/my mnist"), Path("runs/one"))
        words = shlex.split(line)
        assert words[:2] == ["vqvae-tui", "train"]
        args = parser().parse_args(words[1:])
        assert of_arguments(args) == values
        assert args.data == Path("/data/my mnist") and args.out == Path("runs/one")
    assert {setting.name for setting in SETTINGS} == set(DEFAULTS)


def test_live_settings_are_those_the_sidecar_records():
    assert sorted(LIVE) == sorted(LIVE_SETTINGS)


def test_every_choice_the_screen_offers_is_valid():
    for setting in SETTINGS:
        assert setting.default in setting.choices, setting.name
        for value in setting.choices:
            split(with_value(DEFAULTS, setting.name, value))
        library = with_value(DEFAULTS, "quantizer", "library")
        for value in setting.choices:
            split(with_value(library, setting.name, value))


def test_library_only_options_pick_the_library_and_ours_turns_them_off():
    values = with_value(DEFAULTS, "rotation_trick", True)
    assert values["quantizer"] == "library" and values["rotation_trick"]
    values = with_value(values, "distance", "cosine")
    assert with_value(values, "quantizer", "ours") == {**DEFAULTS, "quantizer": "ours"}


@pytest.mark.parametrize(
    ("name", "value", "step", "expected"),
    [("num_codes", 20, 1, 24), ("num_codes", 20, -1, 16), ("num_codes", 22, 1, 24),
     ("num_codes", 22, -1, 20), ("num_codes", 64, 1, 64), ("learning_rate", 2e-3, 1, 5e-3),
     ("encoder", "conv", 1, "mlp"), ("encoder", "mlp", 1, "mlp"), ("encoder", "mlp", -1, "conv"),
     ("kmeans_init", False, 1, True), ("ema_decay", 0.0, -1, 0.0)],
)  # fmt: skip
def test_a_setting_steps_through_its_choices(name, value, step, expected):
    assert BY_NAME[name].next_value(value, step) == expected


@pytest.mark.parametrize(("name", "value"), [("num_codes", 99), ("learning_rate", 0.0)])
def test_a_bad_setting_is_one_line(name, value):
    with pytest.raises(UserError):
        split({**DEFAULTS, name: value})
