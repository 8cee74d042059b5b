"""The latent space directly: decoding any grid of codes, sampling, the prior."""

import json

import numpy as np
import pytest
import torch
from scenarios import line_text, make_app

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.errors import WeightsError
from vqvae_tui.model import (
    VQVAE,
    ModelConfig,
    code_prior,
    decode,
    default_path,
    load,
    read_prior,
    sample_codes,
    save,
    trace,
)

FULL = (120, 40)


def test_decoding_a_traces_codes_gives_its_reconstruction(shipped_model):
    for digit in "0358":
        t = trace(shipped_model, draw_strokes(SAMPLES[digit]))
        decoded = decode(shipped_model, t.codes.reshape(7, 7))
        np.testing.assert_allclose(decoded, t.reconstruction, atol=1e-5)


@pytest.mark.parametrize("bad", [np.zeros((7, 6), int), np.full((7, 7), 20), np.full((7, 7), -1)])
def test_decode_rejects_what_is_not_a_grid_of_codes(shipped_model, bad):
    with pytest.raises(ValueError):
        decode(shipped_model, bad)


def test_sampling_uniform_and_from_a_prior():
    rng = np.random.default_rng(0)
    grids = np.stack([sample_codes(20, rng) for _ in range(200)])
    assert grids.shape == (200, 7, 7) and grids.min() == 0 and grids.max() == 19
    prior = np.zeros((49, 20))
    prior[:, 3] = 1.0
    prior[10] = 0
    prior[10, 11] = 1.0
    grid = sample_codes(20, rng, prior)
    assert (np.delete(grid.reshape(49), 10) == 3).all() and grid.reshape(49)[10] == 11


def test_code_prior_counts_the_codes_at_each_position(shipped_model):
    images = np.stack([draw_strokes(SAMPLES[d]) for d in "0123456789"])
    prior = code_prior(shipped_model, images)
    assert prior.shape == (49, 20)
    np.testing.assert_allclose(prior.sum(axis=1), 1)
    codes = np.stack([trace(shipped_model, image).codes for image in images])
    for position in (0, 24, 30):
        expected = np.bincount(codes[:, position], minlength=20) / len(images)
        np.testing.assert_allclose(prior[position], expected)


def test_shipped_weights_carry_their_prior():
    prior = read_prior(default_path())
    assert prior.shape == (49, 20)
    np.testing.assert_allclose(prior.sum(axis=1), 1)


def test_a_bad_prior_is_a_clear_error(tmp_path):
    torch.manual_seed(0)
    save(VQVAE(ModelConfig()), tmp_path / "w", {"prior": [[0.05] * 20] * 49})
    sidecar = tmp_path / "w.json"
    values = json.loads(sidecar.read_text())
    sidecar.write_text(json.dumps({**values, "prior": [[1.0] * 3] * 49}))
    with pytest.raises(WeightsError, match="prior is not 49 rows of 20 frequencies"):
        read_prior(tmp_path / "w")
    with pytest.raises(WeightsError, match="prior is not 49 rows of 20 frequencies"):
        load(tmp_path / "w")  # refused when the weights load, not later on the generate screen
    del values["prior"]
    sidecar.write_text(json.dumps(values))
    assert read_prior(tmp_path / "w") is None


async def test_generate_screen_decodes_valid_grids(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("g")
        await pilot.pause()
        screen = app.screen
        assert screen.mode == "prior"
        first = screen.codes.copy()
        assert first.shape == (7, 7) and 0 <= first.min() and first.max() < 20
        np.testing.assert_array_equal(screen.image, decode(shipped_model, first))
        assert 0 <= screen.image.min() and screen.image.max() <= 1
        grid = screen.grid
        shown = "".join(line_text(grid, 2 * row)[::2] for row in range(7))
        assert shown == "".join("0123456789ABCDEFGHIJ"[c] for c in first.reshape(49))
        await pilot.press("space")
        await pilot.pause()
        assert not np.array_equal(first, screen.codes)
        await pilot.press("m")
        await pilot.pause()
        assert screen.mode == "uniform" and "uniform" in str(screen.about.render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_a_prior_changed_on_disk_after_the_weights_loaded_is_not_read(tmp_path):
    """The weights file changed on disk after it loaded: g draws from the prior that loaded."""
    torch.manual_seed(0)
    model = VQVAE(ModelConfig())
    save(model, tmp_path / "w", {"prior": [[0.05] * 20] * 49})
    app = make_app(load(tmp_path / "w"), weights=tmp_path / "w.safetensors")
    async with app.run_test(size=FULL) as pilot:
        sidecar = tmp_path / "w.json"
        sidecar.write_text(sidecar.read_text().replace("0.05", "0.5"))
        await pilot.press("g")
        await pilot.pause()
        assert app.screen.id == "generate" and app.screen.mode == "prior"
        np.testing.assert_allclose(app.screen.prior, 0.05)
