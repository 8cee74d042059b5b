"""The shipped Fashion-MNIST weights: made by our training command, reproducing their recorded
validation figures, and driving the explainer."""

from pathlib import Path

import numpy as np
import pytest
from scenarios import make_app

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.model import load, read_metadata, trace
from vqvae_tui.training import evaluate

FASHION_WEIGHTS = Path(__file__).resolve().parent.parent / "weights" / "fashion"


def test_fashion_weights_record_how_they_were_made():
    metadata = read_metadata(FASHION_WEIGHTS)
    assert metadata["model"]["num_codes"] == 20 and metadata["model"]["dim"] == 16
    assert metadata["data"] == {
        "name": "Fashion-MNIST", "train": "train", "train_count": 60000,
        "validation": "t10k[i % 10 == 9]", "validation_count": 1000,
    }  # fmt: skip
    assert metadata["options"]["epochs"] == metadata["epochs"] == 10
    assert {"prior", "atlas", "history"} <= set(metadata)


def test_fashion_weights_reproduce_their_validation_figures(fashion_dir):
    model = load(FASHION_WEIGHTS)
    recorded = read_metadata(FASHION_WEIGHTS)["validation"]
    metrics = evaluate(model, validation_digits(fashion_dir))
    assert metrics.count == recorded["count"] == 1000
    assert metrics.mse == pytest.approx(recorded["mse"], rel=1e-4)
    assert metrics.perplexity == pytest.approx(recorded["perplexity"], rel=1e-4)
    assert metrics.codes_used == recorded["codes_used"] == 20
    train = training_digits(fashion_dir)
    assert len(train) == 60000  # the split it was trained on, and the data set it names
    assert train.name == read_metadata(FASHION_WEIGHTS)["data"]["name"] == "Fashion-MNIST"


async def test_the_explainer_runs_with_the_fashion_weights(fashion_dir):
    model = load(FASHION_WEIGHTS)
    picture = validation_digits(fashion_dir).images[0]
    app = make_app(model, weights=FASHION_WEIGHTS.with_suffix(".safetensors"))
    async with app.run_test(size=(120, 40)) as pilot:
        app.session.load_picture(picture)  # a garment of the validation split as the drawing
        await pilot.pause()
        assert app.model is model
        np.testing.assert_array_equal(app.trace.codes, trace(model, picture).codes)
        assert np.abs(app.trace.reconstruction - picture).mean() < 0.1
