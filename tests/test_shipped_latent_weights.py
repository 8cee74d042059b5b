"""The shipped VAE and autoencoder: valid, as good as promised, their latent maps the encodings of
the stored digits, and their recorded figures reproduced by `eval`."""

import json
import subprocess
import sys

import numpy as np
import pytest

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model import default_path, encode, load, read_latent_map, read_metadata
from vqvae_tui.training import evaluate_latent

KINDS = ("vae", "ae")
WEB_VAE_MSE = 0.0398  # the web VAE Explainer's model on the MNIST test set (mean KL ≈ 4.9)


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_weights_record_how_they_were_made(kind):
    metadata = read_metadata(default_path(kind))
    assert metadata["kind"] == kind and metadata["options"]["kind"] == kind
    assert metadata["model"] == {"latent": 2, "dim": 64, "hidden": 128}
    assert metadata["data"]["validation"] == "t10k[i % 10 == 9]"
    assert metadata["data"]["train_count"] == 9000 and metadata["seed"] == 0
    assert metadata["data"]["name"] == "MNIST"
    assert {"epochs", "options", "validation", "training_seconds", "history"} <= set(metadata)
    # the CPU time of the run (one thread): within the 5 minutes of DESIGN.md's budget
    assert metadata["training_cpu_seconds"] <= 300
    assert load(kind=kind).KIND == kind


def test_old_sidecars_without_a_kind_are_vqvaes():
    metadata = read_metadata(default_path())
    assert "kind" not in metadata and load().KIND == "vqvae"


@pytest.mark.parametrize("kind", KINDS)
def test_the_latent_map_is_the_encodings_of_the_stored_digits(kind, mnist_dir):
    latent_map = read_latent_map(kind=kind)
    train = training_digits(mnist_dir)
    assert latent_map.digits == train.source and len(latent_map.labels) == 3000
    np.testing.assert_array_equal(latent_map.labels, train.labels[latent_map.indices])
    some = latent_map.indices[::97]  # recompute a few dozen of them
    recomputed = encode(load(kind=kind), train.images[some])
    np.testing.assert_allclose(latent_map.points[::97], recomputed, atol=1e-4)


def test_the_vae_beats_the_web_explainers_mse_with_a_reasonable_kl(mnist_dir):
    metrics = evaluate_latent(load(kind="vae"), validation_digits(mnist_dir))
    assert metrics.mse < WEB_VAE_MSE  # decoded from z = μ
    assert 2 < metrics.kl < 10  # nats: neither collapsed to the prior nor far from it
    assert all(kl > 0.5 for kl in metrics.kl_per_dimension)  # both dimensions used
    assert metrics.elbo == pytest.approx(-(metrics.sampled_bce + metrics.kl))


@pytest.mark.parametrize("kind", KINDS)
def test_shipped_weights_reproduce_their_validation_figures(kind, mnist_dir):
    recorded = read_metadata(default_path(kind))["validation"]
    metrics = evaluate_latent(load(kind=kind), validation_digits(mnist_dir)).to_dict()
    assert metrics.keys() == recorded.keys()
    for name in ("mse", "bce", "psnr") + (("kl", "sampled_bce", "elbo") if kind == "vae" else ()):
        assert metrics[name] == pytest.approx(recorded[name], rel=1e-4), name


def test_eval_cli_json_of_the_shipped_vae(mnist_dir):
    result = subprocess.run(
        [sys.executable, "-m", "vqvae_tui", "eval", "--data", str(mnist_dir), "--split", "val",
         "--model", "vae", "--json"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    recorded = read_metadata(default_path("vae"))["validation"]
    assert figures["kind"] == "vae"
    for name in ("mse", "bce", "kl", "elbo"):
        assert figures[name] == pytest.approx(recorded[name], rel=1e-4), name
