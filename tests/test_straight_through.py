"""The straight-through estimator measured live on one image: z_q forward, z_e's gradient back."""

import numpy as np
import pytest
import torch

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import VQVAE, ModelConfig, straight_through, trace, trace_and_straight_through

IMAGES = [draw_strokes(SAMPLES["3"]), draw_strokes(SAMPLES["7"])]


@pytest.fixture
def model():
    torch.manual_seed(0)
    return VQVAE(ModelConfig())


def test_forward_is_z_q_and_the_gradient_is_copied_to_z_e(model):
    for image in IMAGES:
        measured = straight_through(model, image)
        assert measured.forward_difference < 1e-6
        assert measured.gradient_difference == 0
        assert measured.gradient_norm > 0


def test_measurements_are_live_and_agree_with_trace(model):
    first, second = (straight_through(model, image) for image in IMAGES)
    assert first.gradient_norm != pytest.approx(second.gradient_norm)
    for name in ("reconstruction_loss", "codebook_loss", "commitment_loss"):
        assert getattr(first, name) != pytest.approx(getattr(second, name)), name
        for image, measured in zip(IMAGES, (first, second)):
            expected = getattr(trace(model, image), name)
            assert getattr(measured, name) == pytest.approx(expected, rel=1e-5), name


@pytest.mark.parametrize("training", [True, False])
def test_leaves_no_gradient_and_keeps_the_mode(model, training):
    model.train(training)
    straight_through(model, IMAGES[0])
    assert all(parameter.grad is None for parameter in model.parameters())
    assert all(module.training == training for module in model.modules())


def test_rejects_what_is_not_one_image_in_0_1(model):
    with pytest.raises(ValueError, match="straight_through takes one 28×28 image"):
        straight_through(model, IMAGES[0][:27])


def test_one_pass_gives_the_trace_and_the_straight_through_measurements(model):
    for image in IMAGES:
        traced, measured = trace_and_straight_through(model, image)
        alone = trace(model, image)
        for field in ("features", "flat", "distances", "codes", "selected", "quantized",
                      "reconstruction", "codebook"):  # fmt: skip
            np.testing.assert_allclose(getattr(traced, field), getattr(alone, field), atol=1e-6)
        assert traced.reconstruction_loss == pytest.approx(alone.reconstruction_loss, rel=1e-6)
        assert measured == straight_through(model, image)
