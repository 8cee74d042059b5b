"""Training the VAE and the plain autoencoder: it learns, it is deterministic, it resumes, it
saves the latent map, and `train`/`eval` speak for both on the command line."""

import json
import subprocess
import sys

import numpy as np
import pytest
from test_training import same, tensors_of

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.errors import UserError, WeightsError
from vqvae_tui.model import LatentConfig, encode, load, read_latent_map, read_metadata
from vqvae_tui.training import LatentTrainOptions, train_latent

CONFIG = LatentConfig(dim=4, hidden=16)


def run(tiny_mnist, out, kind="vae", epochs=2, report=lambda p: None, resume=False, **options):
    return train_latent(
        training_digits(tiny_mnist),
        validation_digits(tiny_mnist),
        out,
        CONFIG,
        LatentTrainOptions(kind=kind, epochs=epochs, batch_size=16, **options),
        resume=resume,
        report=report,
    )


@pytest.mark.parametrize("kind", ["vae", "ae"])
def test_a_short_run_lowers_the_loss_and_saves_its_kind_and_latent_map(tiny_mnist, tmp_path, kind):
    seen = []
    model = run(tiny_mnist, tmp_path / "w", kind, epochs=4, report=seen.append)
    epochs = [p for p in seen if p.validation is not None]
    assert [p.epoch for p in epochs] == [1, 2, 3, 4]
    assert epochs[-1].validation.mse < epochs[0].validation.mse
    assert seen[-1].reconstruction < seen[0].reconstruction
    assert (seen[-1].kl > 0) == (kind == "vae")
    metadata = read_metadata(tmp_path / "w")
    assert metadata["kind"] == kind and metadata["model"] == CONFIG.to_dict()
    assert metadata["data"]["name"] == "IDX files"
    assert metadata["options"]["kind"] == kind and len(metadata["history"]) == 4
    assert ("kl" in metadata["validation"]) == (kind == "vae")
    loaded = load(tmp_path / "w", kind=kind)
    assert loaded.KIND == kind and same(tensors_of(loaded), tensors_of(model))
    latent_map = read_latent_map(tmp_path / "w")
    train = training_digits(tiny_mnist)
    assert latent_map.digits == train.source == "t10k[i % 10 != 9]"
    assert latent_map.indices.tolist() == list(range(0, len(train), 3))
    np.testing.assert_array_equal(latent_map.labels, train.labels[latent_map.indices])
    recomputed = encode(loaded, train.images[latent_map.indices])
    np.testing.assert_allclose(latent_map.points, recomputed, atol=1e-5)


def test_same_seed_same_weights(tiny_mnist, tmp_path):
    a = tensors_of(run(tiny_mnist, tmp_path / "a"))
    b = tensors_of(run(tiny_mnist, tmp_path / "b"))
    c = tensors_of(run(tiny_mnist, tmp_path / "c", seed=1))
    assert same(a, b) and not same(a, c)
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()


def test_interrupted_run_resumes_to_the_same_weights(tiny_mnist, tmp_path):
    whole = tensors_of(run(tiny_mnist, tmp_path / "whole", epochs=3))

    def interrupt(progress):
        if progress.epoch == 3 and progress.step == 2 and progress.validation is None:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(tiny_mnist, tmp_path / "cut", epochs=3, report=interrupt)
    assert read_metadata(tmp_path / "cut")["epochs"] == 2
    assert "latent_map" not in read_metadata(tmp_path / "cut")  # saved when the run completes
    resumed = tensors_of(run(tiny_mnist, tmp_path / "cut", epochs=3, resume=True))
    assert same(whole, resumed)
    assert read_metadata(tmp_path / "cut")["epochs"] == 3


def test_resume_refuses_another_kind_or_other_settings(tiny_mnist, tmp_path):
    run(tiny_mnist, tmp_path / "w", epochs=1)
    with pytest.raises(WeightsError, match="kind vae"):
        run(tiny_mnist, tmp_path / "w", "ae", epochs=2, resume=True)
    with pytest.raises(UserError, match="kl_weight 1.0 → 0.5"):
        run(tiny_mnist, tmp_path / "w", epochs=2, resume=True, kl_weight=0.5)


def test_options_are_checked():
    with pytest.raises(UserError, match="the autoencoder has no KL"):
        LatentTrainOptions(kind="ae", kl_weight=0.5)
    with pytest.raises(UserError, match="--model must be"):
        LatentTrainOptions(kind="gan")


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "vqvae_tui", *map(str, args)], capture_output=True, text=True
    )


def test_cli_trains_a_vae_and_eval_reports_its_kind_kl_and_elbo(tiny_mnist, tmp_path):
    out = tmp_path / "v"
    trained = cli("train", "--model", "vae", "--data", tiny_mnist, "--out", out, "--dim", "4",
                  "--hidden", "16", "--epochs", "2", "--batch-size", "16")  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "validation MSE" in trained.stderr and "KL" in trained.stderr
    result = cli("eval", "--data", tiny_mnist, "--weights", out, "--split", "val", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["kind"] == "vae" and figures["count"] == 20
    assert set(figures) >= {"mse", "bce", "kl", "elbo", "kl_per_dimension", "per_class_mse"}
    recorded = read_metadata(out)["validation"]
    for name in ("mse", "bce", "kl", "elbo"):
        assert figures[name] == pytest.approx(recorded[name], rel=1e-5), name
    assert figures["kl"] == pytest.approx(sum(figures["kl_per_dimension"]))
    assert figures["elbo"] == pytest.approx(-(figures["sampled_bce"] + figures["kl"]))
    table = cli("eval", "--data", tiny_mnist, "--weights", out)
    assert table.returncode == 0 and "ELBO" in table.stdout
    assert "VAE (trained on IDX files) on" in table.stdout and "MSE of class 3" in table.stdout


def test_cli_eval_of_an_autoencoder_has_no_kl(tiny_mnist, tmp_path):
    out = tmp_path / "a"
    trained = cli("train", "--model", "ae", "--data", tiny_mnist, "--out", out, "--dim", "4",
                  "--hidden", "16", "--epochs", "1")  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    figures = json.loads(cli("eval", "--data", tiny_mnist, "--weights", out, "--json").stdout)
    assert figures["kind"] == "ae" and "kl" not in figures and "elbo" not in figures


@pytest.mark.parametrize(
    "args, message",
    [
        (("--model", "vae", "--codes", "8"), "--codes: not an option of --model vae"),
        (("--model", "ae", "--kl-weight", "2"), "the autoencoder has no KL"),
        (("--hidden", "8"), "--hidden: not an option of --model vqvae"),
        (("--model", "vae", "--hidden", "0"), "hidden must be an integer"),
    ],
)
def test_cli_refuses_options_of_another_model_in_one_line(tiny_mnist, tmp_path, args, message):
    result = cli("train", "--data", tiny_mnist, "--out", tmp_path / "w", *args)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
