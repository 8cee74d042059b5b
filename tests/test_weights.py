"""Weights: saving, loading, and one clear line for every way a file can be wrong."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file
from terminal import Terminal

from vqvae_tui.errors import WeightsError
from vqvae_tui.model import (
    VAE,
    VQVAE,
    LatentConfig,
    ModelConfig,
    load,
    read_latent_map,
    read_metadata,
    save,
)


@pytest.fixture
def saved(tmp_path):
    torch.manual_seed(0)
    model = VQVAE(ModelConfig(num_codes=12, dim=8))
    save(model, tmp_path / "w", {"seed": 0})
    return model, tmp_path / "w.safetensors", tmp_path / "w.json"


def test_round_trip(saved):
    model, tensors, sidecar = saved
    loaded = load(tensors)
    assert loaded.config == model.config and not loaded.training
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor)
    assert read_metadata(tensors)["seed"] == 0
    assert load(tensors.with_suffix("")).config == model.config  # the stem works too


def test_no_pickle_in_a_weights_file(saved):
    _, tensors, _ = saved
    assert tensors.read_bytes()[8:9] == b"{"  # safetensors: 8-byte length, then a JSON header


def edit_sidecar(sidecar, **changes):
    values = json.loads(sidecar.read_text())
    values.update(changes)
    sidecar.write_text(json.dumps(values))


def fail(path, message):
    with pytest.raises(WeightsError, match=message) as error:
        load(path)
    assert "\n" not in str(error.value)


def test_missing_file(tmp_path):
    fail(tmp_path / "none.safetensors", "no such weights file")


def test_missing_sidecar(saved):
    _, tensors, sidecar = saved
    sidecar.unlink()
    fail(tensors, "missing")


def test_not_safetensors(saved):
    _, tensors, sidecar = saved
    tensors.write_bytes(b"\x80\x04\x95 this is a pickle, not safetensors")
    fail(tensors, "not a safetensors file")


def test_truncated_file_fails_its_checksum_or_format(saved):
    _, tensors, _ = saved
    tensors.write_bytes(tensors.read_bytes()[:-64])
    fail(tensors, "not a safetensors file|checksum")


def test_changed_bytes_fail_the_checksum(saved):
    _, tensors, _ = saved
    data = bytearray(tensors.read_bytes())
    data[-1] ^= 0xFF
    tensors.write_bytes(bytes(data))
    fail(tensors, "checksum")


def test_sidecar_not_json(saved):
    _, tensors, sidecar = saved
    sidecar.write_text("{not json")
    fail(tensors, "not valid JSON")


def test_sidecar_of_something_else(saved):
    _, tensors, sidecar = saved
    sidecar.write_text('{"hello": 1}')
    fail(tensors, "not a vqvae-tui weights sidecar")


def test_config_that_does_not_fit_the_tensors(saved):
    _, tensors, sidecar = saved
    edit_sidecar(sidecar, model={"num_codes": 20, "dim": 8, "beta": 0.25})
    fail(
        tensors, r"quantizer.codebook is torch.float32 \(12, 8\), expected torch.float32 \(20, 8\)"
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"num_codes": -3, "dim": 8, "beta": 0.25}, "wrong config: num_codes"),
        ({"num_codes": 12, "dim": "8", "beta": 0.25}, "wrong config: dim"),
        ({"num_codes": 12, "dim": 8}, "missing model config keys: beta"),
        ({"num_codes": 12, "dim": 8, "beta": 0.25, "depth": 3}, "unknown model config keys: depth"),
        ([12, 8], "not a JSON object"),
    ],
)
def test_wrong_config(saved, config, message):
    _, tensors, sidecar = saved
    edit_sidecar(sidecar, model=config)
    fail(tensors, message)


def test_tensors_of_another_model(saved, tmp_path):
    _, tensors, sidecar = saved
    save_file({"weight": torch.zeros(3)}, tensors)
    edit_sidecar(sidecar, sha256=__import__("hashlib").sha256(tensors.read_bytes()).hexdigest())
    fail(tensors, "tensors do not fit the model .missing: decoder")


def test_non_finite_values(saved):
    model, tensors, _ = saved
    with torch.no_grad():
        model.quantizer.codebook[0, 0] = float("nan")
    save(model, tensors, {})
    fail(tensors, "NaN")


def test_cli_one_line_exit_2_for_corrupt_weights(saved, tmp_path):
    _, tensors, _ = saved
    tensors.write_bytes(b"garbage")
    (tmp_path / "data").mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vqvae_tui",
            "eval",
            "--data",
            str(tmp_path),
            "--weights",
            str(tensors),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("vqvae-tui: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def good_sidecar(tmp_path):
    """Weights saved with every field a training run saves, valid."""
    torch.manual_seed(0)
    model = VQVAE(ModelConfig(num_codes=4, dim=2))
    metadata = {
        "data": {"train": "t10k[i % 10 != 9]", "train_count": 9, "validation": "t10k[i % 10 == 9]",
                 "validation_count": 1},
        "seed": 0,
        "epochs": 2,
        "options": {"epochs": 2, "batch_size": 8, "learning_rate": 0.002, "ema_decay": 0.9,
                    "kmeans_init": True, "dead_code_threshold": 0.01, "augment": 0.1, "seed": 0},
        "validation": {"count": 1, "mse": 0.01, "psnr": 20.0, "bce": 60.0, "codes_used": 4,
                       "perplexity": 3.2, "per_class_mse": {"9": 0.01}},
        "training_seconds": 1.5,
        "history": [{"epoch": 1, "mse": 0.02, "codes_used": 3},
                    {"epoch": 2, "mse": 0.01, "codes_used": 4}],
        "prior": [[0.25] * 4] * 49,
    }  # fmt: skip
    save(model, tmp_path / "w", metadata)
    return tmp_path / "w.safetensors", tmp_path / "w.json"


def test_a_sidecar_with_every_field_loads(tmp_path):
    tensors, _ = good_sidecar(tmp_path)
    assert read_metadata(tensors)["options"]["ema_decay"] == 0.9
    load(tensors)


def change(values: dict, where: str, value):
    """`values` with the field at dotted path `where` set to `value` (or removed: DELETE)."""
    *parents, last = where.split(".")
    inner = values
    for key in parents:
        inner = inner[int(key)] if isinstance(inner, list) else inner[key]
    if value is DELETE:
        del inner[last]
    elif isinstance(inner, list):
        inner[int(last)] = value
    else:
        inner[last] = value
    return values


DELETE = object()
BAD_FIELDS = [
    ("prior", [[0.25] * 4] * 48, "prior is not 49 rows of 4 frequencies"),
    ("prior", [[0.5, 0.5, 0.5, -0.5]] * 49, "prior is not 49 rows"),
    ("prior", [[0.25, 0.25, 0.25, "0.25"]] * 49, "prior is not 49 rows"),
    ("prior", [[0.25, 0.25, 0.25, float("nan")]] * 49, "prior is not 49 rows"),
    ("prior", [[0.25, 0.25, 0.25, True]] * 49, "prior is not 49 rows"),
    ("prior", [[0.1] * 4] * 49, "prior is not 49 rows"),  # rows must sum to 1
    ("prior", "uniform", "prior is not 49 rows"),
    ("options.learning_rate", "fast", "options.learning_rate is not valid"),
    ("options.learning_rate", float("inf"), "options.learning_rate is not valid"),
    ("options.ema_decay", 1.5, "options.ema_decay is not valid"),
    ("options.kmeans_init", 1, "options.kmeans_init is not valid"),
    ("options.seed", 10**30, "options.seed is not valid"),
    ("options.momentum", 0.9, "options has unknown keys: momentum"),
    ("options", [2, 8], "options is not a JSON object"),
    ("seed", -1, "seed is not a whole number"),
    ("seed", 1.5, "seed is not a whole number"),
    ("epochs", True, "epochs is not a whole number"),
    ("epochs", 0, "epochs is not a whole number"),
    ("data.train_count", "9", "data.train_count is not valid"),
    ("data.validation", None, "data.validation is not valid"),
    ("data.name", "CIFAR-10", "data.name 'CIFAR-10' is not a data set known"),
    ("validation.mse", float("nan"), "validation.mse is not valid"),
    ("validation.per_class_mse", {"9": "small"}, "validation.per_class_mse is not valid"),
    ("validation.count", 0, "validation.count is not valid"),
    ("training_seconds", -1, "training_seconds is not a finite number"),
    ("history.1.epoch", 7, r"history\[1\].epoch is not valid"),
    ("history", {"1": 0.1}, "history is not a list"),
    ("sha256", 12, "sha256 is not 64 hexadecimal digits"),
    ("sha256", DELETE, "missing fields: sha256"),
    ("notes", [], "unknown fields: notes"),  # a field no one checks is refused, not ignored
    ("atlas", [], "atlas is not an object"),
    ("model.dim", True, "wrong config: dim"),
]


@pytest.mark.parametrize(("where", "value", "message"), BAD_FIELDS)
def test_every_sidecar_field_is_checked_when_the_weights_load(tmp_path, where, value, message):
    tensors, sidecar = good_sidecar(tmp_path)
    sidecar.write_text(json.dumps(change(json.loads(sidecar.read_text()), where, value)))
    fail(tensors, message)
    with pytest.raises(WeightsError, match=message):
        read_metadata(tensors)


def good_vae_sidecar(tmp_path):
    """A VAE's weights saved with every field its training run saves, valid."""
    torch.manual_seed(0)
    model = VAE(LatentConfig(dim=2, hidden=4))
    metadata = {
        "data": {"train": "t10k[i % 10 != 9]", "train_count": 9, "validation": "t10k[i % 10 == 9]",
                 "validation_count": 1},
        "seed": 0,
        "epochs": 2,
        "options": {"kind": "vae", "epochs": 2, "batch_size": 8, "learning_rate": 0.002,
                    "kl_weight": 1.0, "augment": 0.0, "seed": 0},
        "validation": {"count": 1, "mse": 0.04, "psnr": 14.0, "bce": 138.0,
                       "per_class_mse": {"9": 0.04}, "kl": 6.3, "kl_per_dimension": [3.4, 2.9],
                       "sampled_bce": 139.0, "elbo": -145.6},
        "training_seconds": 1.5,
        "training_cpu_seconds": 2.9,
        "threads": 2,
        "history": [{"epoch": 1, "mse": 0.06, "kl": 0.2}, {"epoch": 2, "mse": 0.04, "kl": 4.4}],
        "latent_map": {"digits": "t10k[i % 10 != 9]", "indices": [0, 3, 6],
                       "labels": [7, 0, 4], "points": [[0.1, -0.2], [1.5, 0.3], [-0.7, 2.0]]},
    }  # fmt: skip
    save(model, tmp_path / "w", metadata)
    return tmp_path / "w.safetensors", tmp_path / "w.json"


def test_a_vae_sidecar_with_every_field_loads(tmp_path):
    tensors, _ = good_vae_sidecar(tmp_path)
    assert read_metadata(tensors)["kind"] == "vae" and load(tensors, kind="vae").KIND == "vae"
    assert read_latent_map(tensors).labels.tolist() == [7, 0, 4]
    with pytest.raises(WeightsError, match="of kind vae .VAE., not vqvae .VQ-VAE."):
        load(tensors)


BAD_VAE_FIELDS = [
    ("kind", "gan", "unknown kind of model 'gan'"),
    ("kind", DELETE, "wrong config"),  # no kind: a VQ-VAE's sidecar, whose config this is not
    ("model.hidden", True, "wrong config: hidden"),
    ("model.latent", 3, "wrong config: latent must be 2"),
    ("options.kind", "ae", "options.kind is not the sidecar's kind"),
    ("options.kl_weight", -1, "options.kl_weight is not valid"),
    ("options.ema_decay", 0.9, "options has unknown keys: ema_decay"),
    ("validation.kl", float("nan"), "validation.kl is not valid"),
    ("validation.kl_per_dimension", [1.0], "validation.kl_per_dimension is not valid"),
    ("validation.elbo", "low", "validation.elbo is not valid"),
    ("validation.codes_used", 3, "validation has unknown keys: codes_used"),
    ("history.0.kl", -1, r"history\[0\].kl is not valid"),
    ("threads", 0, "threads is not a whole number"),
    ("training_cpu_seconds", "long", "training_cpu_seconds is not a finite number"),
    ("latent_map.points", [[0.1, -0.2], [1.5]], "latent_map is not points"),
    ("latent_map.labels", [7, 0, 10], "latent_map is not points"),
    ("latent_map.points.2.1", float("inf"), "latent_map is not points"),
    ("latent_map.indices", DELETE, "latent_map is not points"),
    ("latent_map.colours", [], "latent_map has unknown keys: colours"),
    ("prior", [[0.25] * 4] * 49, "prior is a VQ-VAE's field, not a VAE's"),
    ("atlas", {}, "atlas is a VQ-VAE's field"),
]


@pytest.mark.parametrize(("where", "value", "message"), BAD_VAE_FIELDS)
def test_every_vae_sidecar_field_is_checked_when_the_weights_load(tmp_path, where, value, message):
    tensors, sidecar = good_vae_sidecar(tmp_path)
    sidecar.write_text(json.dumps(change(json.loads(sidecar.read_text()), where, value)))
    with pytest.raises(WeightsError, match=message) as error:
        load(tensors, kind=None)
    assert "\n" not in str(error.value)


def test_a_latent_map_on_a_vqvae_is_refused(tmp_path):
    tensors, sidecar = good_sidecar(tmp_path)
    values = {**json.loads(sidecar.read_text()), "latent_map": {"digits": "x"}}
    sidecar.write_text(json.dumps(values))
    fail(tensors, "latent_map is a VAE's or an autoencoder's field, not a VQ-VAE's")


def test_save_refuses_a_vae_sidecar_that_would_not_load(tmp_path):
    model = VAE(LatentConfig(dim=2, hidden=4))
    with pytest.raises(WeightsError, match="latent_map is not points"):
        save(model, tmp_path / "w", {"latent_map": {"digits": "", "indices": [], "labels": [],
                                                    "points": []}})  # fmt: skip
    assert not list(tmp_path.iterdir())


def test_a_bad_prior_stops_the_app_at_load_not_on_the_generate_screen(tmp_path):
    tensors, sidecar = good_sidecar(tmp_path)
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "prior": [[2.0] * 4] * 49}))
    terminal = Terminal("--weights", str(tensors))  # a real terminal
    assert terminal.ended() == 2
    [line] = terminal.left_behind()
    assert line.startswith("vqvae-tui: ") and line.endswith("prior is not 49 rows of 4 frequencies")


@pytest.mark.parametrize(
    ("shape", "message"),
    [("deep", "nested too deep"), ("huge", "too large"), ("directory", "is a directory")],
)
def test_a_sidecar_too_deep_too_large_or_not_a_file(saved, shape, message):
    _, tensors, sidecar = saved
    if shape == "deep":
        sidecar.write_text("[" * 100_000 + "]" * 100_000)
    elif shape == "huge":
        sidecar.write_text('{"format": "vqvae-tui weights", "pad": "' + "x" * (17 << 20) + '"}')
    else:
        sidecar.unlink()
        sidecar.mkdir()
    fail(tensors, message)


@pytest.mark.parametrize(
    "weights", ["/", ".", "", "..", "{tmp}", "{tmp}/w.safetensors/", "{tmp}/" + "n" * 300]
)
def test_eval_of_weights_that_are_no_file_is_one_line_exit_2(tmp_path, weights):
    weights = weights.format(tmp=tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(tmp_path), "--weights", weights],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("vqvae-tui: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_weights_files_are_written_with_the_users_umask(tmp_path, umask):
    previous = os.umask(umask)
    try:
        save(VQVAE(ModelConfig(num_codes=4, dim=2)), tmp_path / "w", {}, {"w.extra": b"x"})
    finally:
        os.umask(previous)
    for name in ("w.safetensors", "w.json", "w.extra"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name


def every_step_of_a_save_cut_short(monkeypatch, tmp_path, model_a, model_b):
    """Save model_a; then save model_b, cut short (an exception) at each of its file
    operations in turn: yields after each cut."""
    import vqvae_tui.files as files

    operations = ("mkdir", "open", "rename", "replace", "rmdir", "fsync")
    step, cut_at = [0], [None]

    def counted(name, function):
        def operation(*args, **kwargs):
            step[0] += 1
            if step[0] == cut_at[0]:
                raise Cut
            return function(*args, **kwargs)

        return operation

    for name in operations:
        monkeypatch.setattr(files.os, name, counted(name, getattr(os, name)))
    monkeypatch.setattr(files.Path, "mkdir", counted("mkdir", Path.mkdir))
    monkeypatch.setattr(files.Path, "rmdir", counted("rmdir", Path.rmdir))
    total = None
    for cut in range(1, 100):
        out = tmp_path / str(cut)
        save(model_a, out / "w", {"epochs": 1})
        step[0], cut_at[0] = 0, cut
        try:
            save(model_b, out / "w", {"epochs": 2})
        except Cut:
            cut_at[0] = None
            yield out / "w"
            continue
        total = step[0]
        break
    assert total is not None and total >= 10  # every operation of the save was cut once


class Cut(BaseException):
    pass


def test_a_save_cut_short_at_any_step_leaves_the_old_set_or_the_new(monkeypatch, tmp_path):
    torch.manual_seed(0)
    model_a, model_b = VQVAE(ModelConfig(num_codes=4, dim=2)), VQVAE(ModelConfig(4, 2))
    seen = set()
    for out in every_step_of_a_save_cut_short(monkeypatch, tmp_path, model_a, model_b):
        loaded = load(out)
        epochs = read_metadata(out)["epochs"]
        expected = model_a if epochs == 1 else model_b
        for name, tensor in expected.state_dict().items():
            assert torch.equal(loaded.state_dict()[name], tensor), (out, name)
        seen.add(epochs)
    assert seen == {1, 2}


@pytest.mark.parametrize("weights", [".", "", "deep"])
def test_the_app_given_weights_it_cannot_load_ends_in_one_line(tmp_path, weights):
    """In a real terminal: the UI comes up, the model fails to load, one line is left."""
    if weights == "deep":
        save(VQVAE(ModelConfig(num_codes=4, dim=2)), tmp_path / "deep", {})
        (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    terminal = Terminal("--weights", weights, cwd=tmp_path)
    assert terminal.ended() == 2
    [line] = terminal.left_behind()
    expected = "nested too deep" if weights == "deep" else "is a directory, not a weights file"
    assert line.startswith("vqvae-tui: ") and expected in line
