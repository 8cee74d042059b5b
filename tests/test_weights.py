"""Weights: saving, loading, and one clear line for every way a file can be wrong."""

import json
import subprocess
import sys

import pytest
import torch
from safetensors.torch import save_file

from vqvae_tui.errors import WeightsError
from vqvae_tui.model import VQVAE, ModelConfig, load, read_metadata, save


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
