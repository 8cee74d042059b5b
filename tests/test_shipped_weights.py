"""The shipped weights: valid, as good as promised, and reproducing their recorded figures."""

import json
import subprocess
import sys

import pytest

from vqvae_tui.data import validation_digits
from vqvae_tui.model import default_path, read_metadata
from vqvae_tui.training import evaluate


def test_shipped_weights_record_how_they_were_made():
    metadata = read_metadata(default_path())
    assert metadata["model"] == {"num_codes": 20, "dim": 16, "beta": 0.25}
    assert metadata["data"]["validation"] == "t10k[i % 10 == 9]"
    assert metadata["data"]["name"] == "MNIST"
    assert {"seed", "epochs", "options", "validation", "training_seconds"} <= set(metadata)
    assert metadata["training_seconds"] <= 300  # trained from scratch in at most 5 minutes


def test_shipped_weights_reproduce_their_validation_figures(shipped_model, mnist_dir):
    recorded = read_metadata(default_path())["validation"]
    metrics = evaluate(shipped_model, validation_digits(mnist_dir))
    assert metrics.count == recorded["count"] == 1000
    assert metrics.mse == pytest.approx(recorded["mse"], rel=1e-4)
    assert metrics.bce == pytest.approx(recorded["bce"], rel=1e-4)
    assert metrics.perplexity == pytest.approx(recorded["perplexity"], rel=1e-4)
    assert metrics.codes_used == recorded["codes_used"]
    assert validation_digits(mnist_dir).name == read_metadata(default_path())["data"]["name"]
    for label, mse in recorded["per_class_mse"].items():
        assert metrics.per_class_mse[label] == pytest.approx(mse, rel=1e-4)


def test_shipped_weights_meet_the_quality_bar(shipped_model, mnist_dir):
    metrics = evaluate(shipped_model, validation_digits(mnist_dir))
    assert metrics.mse <= 0.0060  # half the web explainer's 0.0119
    assert metrics.codes_used == 20


def test_eval_cli_json_on_the_validation_split(mnist_dir):
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(mnist_dir), "--split", "val",
         "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    recorded = read_metadata(default_path())["validation"]
    assert figures["mse"] == pytest.approx(recorded["mse"], rel=1e-4)
    assert figures["psnr"] == pytest.approx(recorded["psnr"], rel=1e-4)
    assert figures["codes_used"] == 20


def test_eval_cli_table_over_the_whole_test_set(mnist_dir):
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(mnist_dir)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "10000 digits" in result.stdout and "per-pixel MSE" in result.stdout
