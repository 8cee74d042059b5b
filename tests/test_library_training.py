"""The library's quantizer under our training loop: the run's codebook options (k-means, EMA,
dead-code restarts) reach vector-quantize-pytorch, which applies them itself, and such a run
resumes to the weights of a run never interrupted."""

import pytest
import torch

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model import ModelConfig, load
from vqvae_tui.model.config import POSITIONS
from vqvae_tui.training import TrainOptions, train

LIBRARY = ModelConfig(num_codes=8, dim=4, encoder="mlp", quantizer="library")
RECIPE = dict(batch_size=32, kmeans_init=True, ema_decay=0.9, dead_code_threshold=0.01)


def run(tiny_mnist, out, epochs=2, report=lambda p: None, resume=False, **options):
    return train(
        training_digits(tiny_mnist),
        validation_digits(tiny_mnist),
        out,
        LIBRARY,
        TrainOptions(epochs=epochs, **{**RECIPE, **options}),
        resume=resume,
        report=report,
    )


def test_the_runs_codebook_options_reach_the_library(tiny_mnist, tmp_path):
    seen = []
    torch.manual_seed(0)  # the codebook a run would start from, had it no k-means
    model = run(tiny_mnist, tmp_path / "w", report=seen.append)
    library = model.quantizer.library
    codebook = library._codebook
    assert library.ema_update and not library.learnable_codebook
    assert codebook.decay == 0.9
    assert bool(codebook.initted)  # k-means ran on the first batch
    assert codebook.threshold_ema_dead_code == pytest.approx(0.01 * 32 * POSITIONS)
    # EMA moves the codebook, so it is no parameter the optimizer steps
    assert not any(p.requires_grad for p in model.quantizer.parameters())
    epochs = [p.validation for p in seen if p.validation is not None]
    assert epochs[-1].mse < epochs[0].mse
    assert load(tmp_path / "w").config == LIBRARY


def test_without_ema_the_codebook_loss_trains_the_librarys_codebook(tiny_mnist, tmp_path):
    model = run(tiny_mnist, tmp_path / "w", ema_decay=0.0, kmeans_init=False)
    library = model.quantizer.library
    assert library.learnable_codebook and not library.ema_update
    assert all(p.requires_grad for p in model.quantizer.parameters())


def test_a_library_run_resumes_to_the_same_weights(tiny_mnist, tmp_path):
    """Without restarts (the library draws them from torch's global generator, which a resume
    file does not hold), a resumed run ends with the weights of an uninterrupted one: it
    continues with the library's EMA, not a codebook rebuilt without it."""

    def interrupt(progress):
        if progress.epoch == 3 and progress.step == 2:
            raise KeyboardInterrupt

    whole = run(tiny_mnist, tmp_path / "whole", epochs=3, dead_code_threshold=0.0)
    with pytest.raises(KeyboardInterrupt):
        run(tiny_mnist, tmp_path / "cut", epochs=3, dead_code_threshold=0.0, report=interrupt)
    resumed = run(tiny_mnist, tmp_path / "cut", epochs=3, dead_code_threshold=0.0, resume=True)
    assert resumed.quantizer.library.ema_update
    for name, tensor in whole.state_dict().items():
        assert torch.equal(resumed.state_dict()[name], tensor), name
