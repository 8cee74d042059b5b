"""The atlas data: measured on the training digits when a run ends, stored in the sidecar,
validated at load; and the facts it rests on (what the encoder sees, where the decoder draws)."""

import json
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from vqvae_tui.data import training_digits
from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.errors import WeightsError
from vqvae_tui.model import (
    VQVAE,
    ModelConfig,
    atlas_of,
    decode,
    empty_canvas_codes,
    load,
    measure_atlas,
    placed,
    read_prior,
    save,
    trace,
)
from vqvae_tui.model.code_atlas import CONTEXT, EXAMPLES, WINDOW
from vqvae_tui.model.config import PATCH, RECEPTIVE_FIELD


@dataclass
class Digits:  # what measure_atlas reads of a data.Digits
    images: np.ndarray
    labels: np.ndarray


@pytest.fixture(scope="module")
def samples() -> Digits:
    """Forty drawn digits: each sample, shifted about."""
    rng = np.random.default_rng(0)
    images, labels = [], []
    for i in range(40):
        dx, dy = rng.uniform(-4, 4, size=2)
        digit = str(i % 10)
        strokes = [[(x + dx, y + dy) for x, y in stroke] for stroke in SAMPLES[digit]]
        images.append(draw_strokes(strokes))
        labels.append(int(digit))
    return Digits(np.stack(images).astype(np.float32), np.array(labels))


def window(image: np.ndarray, position: int) -> np.ndarray:
    """A position's window, cut by hand: its patch with CONTEXT pixels around, black outside."""
    padded = np.pad(image, CONTEXT)
    row, col = divmod(position, 7)
    return padded[row * PATCH : row * PATCH + WINDOW, col * PATCH : col * PATCH + WINDOW]


def test_the_atlas_counts_averages_and_finds_the_nearest_windows(shipped_model, samples):
    atlas = measure_atlas(shipped_model, samples)
    traces = [trace(shipped_model, image) for image in samples.images]
    codes = np.stack([t.codes for t in traces])  # (n, 49)
    nearness = np.stack([t.distances[np.arange(49), t.codes] for t in traces])
    assert atlas.positions == len(samples.images) * 49
    for code, entry in enumerate(atlas.codes):
        chosen = np.argwhere(codes == code)  # (digit, position) pairs
        assert entry.count == len(chosen)
        if len(chosen):
            mean = np.mean([window(samples.images[d], p) for d, p in chosen], axis=0)
            np.testing.assert_allclose(entry.mean, mean, atol=0.5 / 255 + 1e-6)
        digits = [patch.digit for patch in entry.nearest]
        assert len(set(digits)) == len(digits) == min(EXAMPLES, len({d for d, _ in chosen}))
        best = {}  # each digit's nearest position that chose the code
        for d, p in chosen:
            if d not in best or nearness[d, p] < nearness[d, best[d]]:
                best[d] = p
        expected = sorted(best, key=lambda d: nearness[d, best[d]])[:EXAMPLES]
        assert digits == expected
        for patch in entry.nearest:
            assert codes[patch.digit, patch.position] == code
            assert patch.label == samples.labels[patch.digit]
            np.testing.assert_allclose(
                patch.pixels, window(samples.images[patch.digit], patch.position), atol=0.5 / 255
            )


def test_the_atlas_round_trips_through_the_sidecar(shipped_model, samples, tmp_path):
    atlas = measure_atlas(shipped_model, samples)
    read = atlas_of(json.loads(json.dumps({"atlas": atlas.to_json()})), 20)
    for measured, stored in zip(atlas.codes, read.codes, strict=True):
        assert measured.count == stored.count
        np.testing.assert_array_equal(measured.mean, stored.mean)
        assert [p.digit for p in measured.nearest] == [p.digit for p in stored.nearest]
        for a, b in zip(measured.nearest, stored.nearest, strict=True):
            np.testing.assert_array_equal(a.pixels, b.pixels)
    assert atlas_of({}, 20) is None  # weights saved without one


def corrupt(atlas: dict, how: str) -> dict:
    atlas = json.loads(json.dumps(atlas))
    first = atlas["codes"][0]
    if how == "window":
        atlas["window"] = 8
    elif how == "codes":
        atlas["codes"] = atlas["codes"][:5]
    elif how == "count":
        first["count"] = True
    elif how == "mean":
        first["mean"] = "zz" * WINDOW * WINDOW
    elif how == "short pixels":
        first["nearest"][0]["pixels"] = "00"
    elif how == "position":
        first["nearest"][0]["position"] = 49
    elif how == "too many":
        first["nearest"] = first["nearest"] * 3
    elif how == "not a list":
        first["nearest"] = "none"
    return atlas


@pytest.mark.parametrize(
    "how",
    ["window", "codes", "count", "mean", "short pixels", "position", "too many", "not a list"],
)
def test_a_corrupt_atlas_is_refused_at_load_in_one_line(shipped_model, samples, tmp_path, how):
    atlas = measure_atlas(shipped_model, samples).to_json()
    save(shipped_model, tmp_path / "w", {"atlas": atlas})  # save refuses a corrupt one
    sidecar = json.loads((tmp_path / "w.json").read_text())
    sidecar["atlas"] = corrupt(atlas, how)
    (tmp_path / "w.json").write_text(json.dumps(sidecar))
    with pytest.raises(WeightsError, match=r"w\.json: atlas") as error:
        load(tmp_path / "w")
    assert "\n" not in str(error.value)


def test_a_training_run_stores_the_atlas_of_its_training_split(tiny_mnist, tmp_path):
    from vqvae_tui.training import TrainOptions, train

    digits = training_digits(tiny_mnist)
    model = train(
        digits, digits, tmp_path / "w", ModelConfig(num_codes=8, dim=4),
        TrainOptions(epochs=1, batch_size=32),
    )  # fmt: skip
    loaded = load(tmp_path / "w")
    atlas = atlas_of(loaded.sidecar, 8)
    assert atlas.positions == len(digits) * 49
    assert atlas.to_json() == measure_atlas(model, digits).to_json()  # the final model's
    shares = np.array([atlas.share(code) for code in range(8)])
    np.testing.assert_allclose(shares, read_prior(tmp_path / "w").mean(axis=0), atol=1e-5)


def test_the_shipped_weights_carry_the_atlas_of_their_training_split(shipped_model, mnist_dir):
    sidecar = shipped_model.sidecar
    atlas = atlas_of(sidecar, 20)
    assert atlas.positions == sidecar["data"]["train_count"] * 49 == 9000 * 49
    shares = np.array([atlas.share(code) for code in range(20)])
    np.testing.assert_allclose(shares, read_prior().mean(axis=0), atol=1e-5)  # the prior's split
    digits = training_digits(mnist_dir)
    assert digits.source == sidecar["data"]["train"]
    assert measure_atlas(shipped_model, digits).to_json() == sidecar["atlas"]  # reproduced


def test_the_empty_canvas_and_a_placed_code(shipped_model):
    background = empty_canvas_codes(shipped_model)
    np.testing.assert_array_equal(
        background.reshape(49), trace(shipped_model, np.zeros((28, 28))).codes
    )
    own = int(background.reshape(49)[24])
    np.testing.assert_array_equal(
        placed(shipped_model, background, own, 24), decode(shipped_model, background)
    )
    grid = background.copy()
    grid[3, 4] = 11
    np.testing.assert_array_equal(
        placed(shipped_model, background, 11, 25), decode(shipped_model, grid)
    )


def test_a_window_holds_what_the_encoder_sees_and_where_the_decoder_draws(shipped_model):
    """The caption's and the atlas's claims: the vector at (3,3) depends on the 7×7 pixels that
    end at its patch's bottom-right corner; its code changes pixels within 4 of its patch."""
    x = torch.rand(1, 1, 28, 28, requires_grad=True)
    (gradient,) = torch.autograd.grad(shipped_model.encoder(x)[0, 3, 3].sum(), x)
    rows, cols = np.nonzero(gradient[0, 0].numpy())
    patch = 3 * PATCH
    assert (rows.min(), rows.max()) == (cols.min(), cols.max())
    assert rows.max() == patch + PATCH - 1 and rows.max() - rows.min() + 1 == RECEPTIVE_FIELD
    torch.manual_seed(0)
    z_q = torch.randn(1, 7, 7, 16)
    moved = z_q.clone()
    moved[0, 3, 3] += 5
    with torch.inference_mode():
        changed = (shipped_model.decoder(moved) - shipped_model.decoder(z_q)).abs()[0, 0] > 0
    rows, cols = np.nonzero(changed.numpy())
    window_rows = (patch - CONTEXT, patch - CONTEXT + WINDOW - 1)
    for seen in (rows, cols):  # both within the window around the patch
        assert window_rows[0] <= seen.min() and seen.max() <= window_rows[1]
    assert window_rows[0] <= patch + PATCH - RECEPTIVE_FIELD


def test_a_model_saved_without_training_options_or_atlas_still_loads(tmp_path):
    torch.manual_seed(0)
    save(VQVAE(ModelConfig()), tmp_path / "w", {})
    model = load(tmp_path / "w")
    assert atlas_of(model.sidecar, 20) is None and "options" not in model.sidecar


def test_the_atlas_does_not_depend_on_how_the_model_computes(shipped_model, samples):
    """Training measures it on a channels-last model with two threads; the app loads a plain
    one: the same atlas (the nearest windows once differed in a near tie of d²)."""
    import copy

    plain = measure_atlas(shipped_model, samples).to_json()
    channels_last = copy.deepcopy(shipped_model).to(memory_format=torch.channels_last)
    assert measure_atlas(channels_last, samples).to_json() == plain
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert measure_atlas(shipped_model, samples).to_json() == plain
    finally:
        torch.set_num_threads(threads)
