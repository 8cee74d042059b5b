"""The collapse lab's presets (vqvae_tui/presets.py): valid pairs of settings that differ where
their names say, on the same data and seed, short enough to watch."""

import pytest

from vqvae_tui.presets import CLASSIC, FAILURE, LAB_EPOCHS, PRESETS, differences, settings
from vqvae_tui.settings import DEFAULTS, split

SAME = ("num_codes", "dim", "beta", "encoder", "learning_rate", "batch_size", "epochs", "augment",
        "seed")  # fmt: skip


@pytest.mark.parametrize("preset", PRESETS, ids=[p.title for p in PRESETS])
def test_each_preset_is_two_valid_runs_that_differ_on_the_same_data_and_seed(preset):
    a, b = preset.sides
    split(a.values), split(b.values)  # each side valid (UserError otherwise)
    assert set(a.values) == set(b.values) == set(DEFAULTS)
    assert a.values != b.values and a.name != b.name
    for name in SAME:
        assert a.values[name] == b.values[name], name
    assert a.values["epochs"] == LAB_EPOCHS and a.values["augment"] == 0
    assert differences(a, b) and len(differences(a, b)) == len(differences(b, a))
    assert "\n" not in preset.explanation and len(preset.explanation) <= 160


def test_the_classic_failure_against_the_full_fix_and_each_single_fix():
    assert FAILURE == {"ema_decay": 0.0, "kmeans_init": False, "dead_code_threshold": 0.0}
    assert CLASSIC.values == {**DEFAULTS, "epochs": LAB_EPOCHS, "augment": 0.0, **FAILURE}
    full = PRESETS[0].b.values
    assert full == {**DEFAULTS, "epochs": LAB_EPOCHS, "augment": 0.0}  # the shipped recipe
    assert full["kmeans_init"] and full["ema_decay"] and full["dead_code_threshold"]
    singles = {}
    for preset in PRESETS[1:4]:
        assert preset.a is CLASSIC
        (changed,) = [n for n in FAILURE if preset.b.values[n] != CLASSIC.values[n]]
        singles[changed] = preset.b.values[changed]
    assert singles == {"dead_code_threshold": 0.02, "kmeans_init": True, "ema_decay": 0.95}


def test_the_library_preset_differs_by_the_rotation_trick_alone():
    a, b = PRESETS[4].sides
    assert a.values["quantizer"] == b.values["quantizer"] == "library"
    assert differences(b, a) == [("rotation trick", "on")]
    assert differences(a, b) == [("rotation trick", "off")]


def test_differences_read_as_the_screen_shows_settings():
    a, b = PRESETS[0].sides
    assert differences(a, b) == [
        ("codebook update", "loss"), ("k-means init", "off"), ("dead restart", "off")
    ]  # fmt: skip
    assert differences(b, a) == [
        ("codebook update", "EMA 0.95"), ("k-means init", "on"), ("dead restart", "0.01")
    ]  # fmt: skip


def test_settings_follow_what_a_value_depends_on():
    assert settings(rotation_trick=True)["quantizer"] == "library"  # as with_value makes it
    assert settings()["epochs"] == LAB_EPOCHS
