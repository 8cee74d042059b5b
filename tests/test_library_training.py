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


@pytest.mark.parametrize("ema_decay", [0.9, 0.0])
def test_the_codes_the_library_restarts_are_read_exactly(tiny_mnist, ema_decay):
    """The library restarts dead codes inside its forward pass; `restarted_codes` reads them
    after it: exactly the codes its `replace` wrote, batch after batch (recorded here by
    wrapping `replace`, which the app never does)."""
    torch.manual_seed(0)
    options = TrainOptions(**{**RECIPE, "ema_decay": ema_decay, "kmeans_init": False,
                              "dead_code_threshold": 0.05})  # fmt: skip
    model = new_model(LIBRARY, options).train()
    codebook = model.quantizer.library._codebook
    replace, written = codebook.replace, []

    def recording(batch_samples, batch_mask, seq_mask=None):
        replace(batch_samples, batch_mask, seq_mask)
        written.append(set(batch_mask[0].nonzero().flatten().tolist()))

    codebook.replace = recording
    images = torch.from_numpy(training_digits(tiny_mnist).images).unsqueeze(1)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], 2e-3)
    seen = []
    for start in range(0, len(images), 32):
        x = images[start : start + 32]
        written.clear()
        x_hat, _, q = model(x)
        restarted = model.quantizer.restarted_codes()
        assert set(restarted) == set().union(*written), start
        seen.append(restarted)
        losses = model.losses(x, x_hat, q)
        optimizer.zero_grad()
        (losses.reconstruction + losses.commitment + losses.codebook).backward()
        optimizer.step()
    assert any(seen)  # restarts happened, and not of every code at every batch
    assert not all(len(codes) == LIBRARY.num_codes for codes in seen)
