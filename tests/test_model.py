"""The model's mathematics: quantization, the straight-through estimator, the losses, Trace."""

import numpy as np
import pytest
import torch

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import VQVAE, ModelConfig, VectorQuantizer, trace

# The worked example of DESIGN.md, from a lecture on VQ-VAE.
CODEBOOK = [
    [0.15801739, 0.71236613, 0.34401087, 0.31100241, 0.19731029, 0.75124264],
    [0.17008199, 0.76689422, 0.82562077, 0.17558232, 0.82136028, 0.84026041],
    [0.89155776, 0.92834241, 0.56760302, 0.72009988, 0.43676168, 0.94838489],
    [0.38546037, 0.75875292, 0.90014871, 0.17816013, 0.06095272, 0.69844905],
]
VECTORS = [
    [[0.16, 0.75, 0.81, 0.12, 0.81, 0.90], [0.41, 0.76, 0.82, 0.17, 0.01, 0.72],
     [0.15, 0.70, 0.33, 0.30, 0.21, 0.76]],
    [[0.50, 0.72, 0.35, 0.13, 0.98, 0.52], [0.61, 0.54, 0.73, 0.28, 0.76, 0.57],
     [0.67, 0.12, 0.36, 0.55, 0.73, 0.71]],
]  # fmt: skip


def lecture_quantizer() -> VectorQuantizer:
    quantizer = VectorQuantizer(num_codes=4, dim=6)
    with torch.no_grad():
        quantizer.codebook.copy_(torch.tensor(CODEBOOK))
    return quantizer


def test_worked_example_gives_the_lectures_codes():
    z_e = torch.tensor(VECTORS).unsqueeze(0)  # (n=1, h=2, w=3, d=6)
    q = lecture_quantizer()(z_e)
    assert q.codes.reshape(2, 3).tolist() == [[1, 3, 0], [1, 1, 2]]
    assert q.distances.shape == (6, 4)
    expected = ((z_e.reshape(6, 1, 6) - torch.tensor(CODEBOOK)) ** 2).sum(-1)
    torch.testing.assert_close(q.distances, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(q.quantized, torch.tensor(CODEBOOK)[q.codes].reshape(1, 2, 3, 6))


def test_straight_through_forward_is_q_and_gradient_reaches_z_e_unchanged():
    z_e = torch.tensor(VECTORS).unsqueeze(0).requires_grad_()
    q = lecture_quantizer()(z_e)
    torch.testing.assert_close(q.z_q, q.selected.reshape(1, 2, 3, 6), atol=0, rtol=0)
    # z_e + (z_q - z_e) is z_q up to float rounding
    torch.testing.assert_close(q.quantized, q.z_q, atol=1e-6, rtol=0)
    upstream = torch.randn_like(q.quantized)
    q.quantized.backward(upstream)
    torch.testing.assert_close(z_e.grad, upstream, atol=0, rtol=0)


def model_and_batch(seed=0):
    torch.manual_seed(seed)
    model = VQVAE(ModelConfig(num_codes=8, dim=4))
    x = torch.rand(3, 1, 28, 28)
    return model, x


def gradients_of(loss_name: str) -> dict[str, bool]:
    """Which parts of the model a loss moves: part → any non-zero gradient."""
    model, x = model_and_batch()
    x_hat, _, q = model(x)
    getattr(model.losses(x, x_hat, q), loss_name).backward()

    def moved(module) -> bool:
        return any(p.grad is not None and p.grad.abs().sum() > 0 for p in module.parameters())

    return {part: moved(getattr(model, part)) for part in ("encoder", "quantizer", "decoder")}


def test_codebook_loss_moves_only_the_codebook():
    assert gradients_of("codebook") == {"encoder": False, "quantizer": True, "decoder": False}


def test_commitment_loss_moves_only_the_encoder():
    assert gradients_of("commitment") == {"encoder": True, "quantizer": False, "decoder": False}


def test_reconstruction_loss_moves_encoder_and_decoder_through_the_straight_through_path():
    assert gradients_of("reconstruction") == {"encoder": True, "quantizer": False, "decoder": True}


def test_commitment_loss_is_beta_times_the_codebook_loss_value():
    model, x = model_and_batch()
    x_hat, _, q = model(x)
    losses = model.losses(x, x_hat, q)
    torch.testing.assert_close(losses.commitment, model.config.beta * losses.codebook)


@pytest.mark.parametrize("seed", range(5))
def test_trace_is_consistent(seed):
    torch.manual_seed(seed)
    model = VQVAE(ModelConfig()).eval()
    image = np.random.default_rng(seed).random((28, 28), dtype=np.float32)
    t = trace(model, image)
    assert t.image.shape == (28, 28) and t.reconstruction.shape == (28, 28)
    assert t.features.shape == (7, 7, 16) and t.quantized.shape == (7, 7, 16)
    assert t.flat.shape == (49, 16) and t.selected.shape == (49, 16)
    assert t.distances.shape == (49, 20) and t.codes.shape == (49,)
    np.testing.assert_array_equal(t.distances.argmin(axis=1), t.codes)
    np.testing.assert_array_equal(t.selected, t.codebook[t.codes])
    np.testing.assert_array_equal(t.flat, t.features.reshape(49, 16))
    np.testing.assert_array_equal(t.quantized, t.selected.reshape(7, 7, 16))
    assert 0 <= t.reconstruction.min() and t.reconstruction.max() <= 1
    assert t.reconstruction_loss == pytest.approx(float(((t.reconstruction - image) ** 2).mean()))
    manual = ((t.flat - t.selected) ** 2).mean()
    assert t.codebook_loss == pytest.approx(manual, rel=1e-5)
    assert t.commitment_loss == pytest.approx(0.25 * manual, rel=1e-5)


def test_trace_copies_the_image_it_is_given():
    image = np.zeros((28, 28), dtype=np.float32)
    t = trace(VQVAE(ModelConfig()).eval(), image)
    image[0, 0] = 1
    assert t.image[0, 0] == 0


@pytest.mark.parametrize("bad", [np.zeros((28, 27)), np.zeros((1, 28, 28)), np.full((28, 28), 2.0)])
def test_trace_rejects_what_is_not_one_image_in_0_1(bad):
    with pytest.raises(ValueError):
        trace(VQVAE(ModelConfig()).eval(), bad)


def test_shipped_model_traces_every_sample_consistently(shipped_model):
    for digit, strokes in SAMPLES.items():
        t = trace(shipped_model, draw_strokes(strokes))
        np.testing.assert_array_equal(t.distances.argmin(axis=1), t.codes, err_msg=digit)
        np.testing.assert_array_equal(t.selected, t.codebook[t.codes], err_msg=digit)
