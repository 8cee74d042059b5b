"""The library's quantizer under our training loop (that the recipe's options reach it as its
own: tests/test_variants.py): without EMA our codebook loss trains its codebook, and a run with
its EMA resumes to the weights of a run never interrupted."""

import pytest
import torch

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model import ModelConfig
from vqvae_tui.training import TrainOptions, train
from vqvae_tui.training.train import new_model

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


def test_without_ema_the_codebook_loss_trains_the_librarys_codebook(tiny_mnist, tmp_path):
    plain = dict(ema_decay=0.0, kmeans_init=False)
    torch.manual_seed(0)  # as the run starts: its seed, then the model
    start = new_model(LIBRARY, TrainOptions(**{**RECIPE, **plain})).quantizer.codebook.clone()
    model = run(tiny_mnist, tmp_path / "w", **plain)
    library = model.quantizer.library
    assert library.learnable_codebook and not library.ema_update
    assert all(p.requires_grad for p in model.quantizer.parameters())
    assert not torch.equal(model.quantizer.codebook, start)  # the loss moved it


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
