"""The settings table: one source for the screen, the train command and the copied command."""

import json
import shlex
from pathlib import Path

import pytest

from vqvae_tui.cli import parser
from vqvae_tui.errors import UserError
from vqvae_tui.model.sidecar import LIVE_SETTINGS
from vqvae_tui.settings import (
    DEFAULTS,
    LIVE,
    SETTINGS,
    command_line,
    data_directory,
    of_arguments,
    split,
)

ROOT = Path(__file__).resolve().parent.parent


def test_the_defaults_are_the_shipped_recipe():
    shipped = json.loads((ROOT / "weights" / "mnist.json").read_text())
    args = parser().parse_args(["train", "--out", "w"])
    config, options = split(of_arguments(args))
    assert config.to_dict() == shipped["model"]
    assert vars(options) == shipped["options"]


def test_every_setting_is_a_train_flag_and_the_copied_line_trains_the_same_run():
    changed = {**DEFAULTS, "num_codes": 32, "dim": 8, "beta": 0.5, "ema_decay": 0.0,
               "kmeans_init": False, "dead_code_threshold": 0.0, "learning_rate": 3e-4,
               "batch_size": 32, "epochs": 3, "augment": 0.0, "seed": 7}  # fmt: skip
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
            split({**DEFAULTS, setting.name: value})


@pytest.mark.parametrize(("name", "value"), [("num_codes", 99), ("learning_rate", 0.0)])
def test_a_bad_setting_is_one_line(name, value):
    with pytest.raises(UserError):
        split({**DEFAULTS, name: value})


def test_data_is_looked_for_in_the_usual_places(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("VQVAE_TUI_DATA", raising=False)
    assert data_directory() is None
    assert data_directory(tmp_path / "given") == tmp_path / "given"
    (tmp_path / "data" / "mnist").mkdir(parents=True)
    (tmp_path / "data" / "mnist" / "t10k-images-idx3-ubyte.gz").write_bytes(b"")
    assert data_directory() == Path("data/mnist")
    monkeypatch.setenv("VQVAE_TUI_DATA", str(tmp_path / "elsewhere"))
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "t10k-images-idx3-ubyte").write_bytes(b"")
    assert data_directory() == tmp_path / "elsewhere"
