"""Every sentence is true of the loaded model: the texts read how its codebook was trained from
its weights' sidecar, and the numbers they name are the trace's."""

import json

import numpy as np
import pytest
import torch
from scenarios import make_app

from vqvae_tui.errors import WeightsError
from vqvae_tui.model import VQVAE, ModelConfig, codebook_training, load, save, trace
from vqvae_tui.model.trained import CodebookTraining
from vqvae_tui.ui.screens.summary import captions
from vqvae_tui.ui.screens.walkthrough import TOUR_STEPS

FULL = (120, 40)
LOSS_TRAINED = {"ema_decay": 0.0, "kmeans_init": False, "dead_code_threshold": 0.0}
LOSSES_STEP = next(i for i, s in enumerate(TOUR_STEPS) if s.title == "The losses and β")
TRAINING_STEP = next(i for i, s in enumerate(TOUR_STEPS) if s.title.startswith("How this"))


def test_the_shipped_sidecar_says_ema_kmeans_and_restarts(shipped_model):
    training = codebook_training(shipped_model.sidecar)
    assert training == CodebookTraining(ema_decay=0.95, kmeans_init=True, dead_code_threshold=0.01)
    story = training.story()
    assert "EMA updates with decay 0.95" in story and "no gradient moved these codes" in story
    assert "k-means" in story and "below 1%" in story
    assert "running mean of the encoder vectors that chose it" in story  # the EMA, in a sentence


def test_weights_trained_by_the_codebook_loss_say_so():
    training = CodebookTraining(**LOSS_TRAINED)
    assert "the gradient of the codebook loss moved these codes" in training.story()
    assert "random vectors" in training.story() and "no dead-code restarts" in training.story()
    assert training.codebook_loss_role().startswith("its gradient moved these codes")


@pytest.mark.parametrize(
    "options",
    [
        "fast",
        {**LOSS_TRAINED, "ema_decay": 1.5},
        {**LOSS_TRAINED, "ema_decay": True},
        {**LOSS_TRAINED, "kmeans_init": "yes"},
        {**LOSS_TRAINED, "dead_code_threshold": None},
    ],
)
def test_malformed_training_options_are_refused_at_load(tmp_path, options):
    torch.manual_seed(0)
    save(VQVAE(ModelConfig()), tmp_path / "w", {"options": LOSS_TRAINED})  # save refuses bad ones
    sidecar = json.loads((tmp_path / "w.json").read_text())
    (tmp_path / "w.json").write_text(json.dumps({**sidecar, "options": options}))
    with pytest.raises(WeightsError, match=r"w\.json: options"):
        load(tmp_path / "w")


def weights(tmp_path, options: dict | None):
    """Weights of the shipped model's tensors, saved with other training options (or none)."""
    shipped = load()
    metadata = {} if options is None else {"options": options}
    save(shipped, tmp_path / "w", metadata)
    return load(tmp_path / "w")


async def tour_text(model, step: int) -> str:
    app = make_app(model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("3")
        await pilot.pause()
        app.screen.start_tour(step)
        await pilot.pause()
        return str(app.screen.tour.render()).replace("\n", " ")


async def test_the_walkthrough_says_what_trained_the_shipped_codebook(shipped_model):
    losses = await tour_text(shipped_model, LOSSES_STEP)
    assert "no gradient of it moved these codes: EMA updates (decay 0.95) did" in losses
    assert "pulls codes toward" not in losses
    story = await tour_text(shipped_model, TRAINING_STEP)
    assert "EMA updates with decay 0.95" in story and "k-means" in story
    assert "some texts call the codebook term the commitment loss" in story  # the aside


async def test_the_walkthrough_says_the_codebook_loss_trained_such_weights(tmp_path):
    model = weights(tmp_path, LOSS_TRAINED)
    losses = await tour_text(model, LOSSES_STEP)
    assert "its gradient moved these codes towards the encoder's vectors" in losses
    assert "EMA" not in losses
    assert "the gradient of the codebook loss moved these codes" in await tour_text(
        model, TRAINING_STEP
    )


async def test_weights_that_do_not_record_their_training_are_not_guessed_at(tmp_path):
    model = weights(tmp_path, None)
    assert "do not record whether it trained them" in await tour_text(model, LOSSES_STEP)
    assert "does not record how their codebook was trained" in await tour_text(model, TRAINING_STEP)


@pytest.mark.parametrize(
    ("options", "note"),
    [(None, "training not recorded"), (LOSS_TRAINED, "its gradient moved e")],
)
async def test_the_details_losses_say_what_trained_the_codes(tmp_path, options, note):
    for model, expected in (
        (load(), "no gradient: EMA moved e"),
        (weights(tmp_path, options), note),
    ):
        app = make_app(model)
        async with app.run_test(size=FULL) as pilot:
            await pilot.press("3", "d")
            await pilot.pause()
            await pilot.pause()
            shown = str(app.screen.losses.render())
            assert expected in shown and f"{app.straight.codebook_loss:.5f}" in shown


def test_the_losses_step_numbers_are_the_traces(shipped_model):
    """The codebook loss is the chosen codes' mean d² ÷ D, and the commitment loss β times it."""
    from vqvae_tui.drawing import SAMPLES, draw_strokes

    t = trace(shipped_model, draw_strokes(SAMPLES["3"]))
    chosen = t.distances[np.arange(49), t.codes]
    assert chosen.mean() / t.codebook.shape[1] == pytest.approx(t.codebook_loss, rel=1e-4)
    assert t.commitment_loss == pytest.approx(shipped_model.config.beta * t.codebook_loss)
    text = TOUR_STEPS[LOSSES_STEP].explain(t, 24, shipped_model)
    assert f"{t.codebook_loss:.4f}" in text and f"({chosen.mean():.3f}) ÷ D" in text


def test_the_caption_names_the_pixels_each_vector_depends_on():
    assert "encoder: 7×7 pixels → one D-vector" in captions("conv")  # test_atlas measures it


async def test_the_caption_of_the_mlp_encoder_is_every_pixel(tmp_path):
    """The lecture's MLP computes each vector from the whole picture: no 7×7 window."""
    torch.manual_seed(0)
    save(VQVAE(ModelConfig(encoder="mlp")).eval(), tmp_path / "mlp", {"seed": 0})
    app = make_app(load(tmp_path / "mlp"), weights=tmp_path / "mlp")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        shown = str(app.screen.query_one("#captions").render())
        assert "encoder: all pixels → one D-vector" in shown and "7×7 pixels" not in shown


def test_the_shipped_sidecar_is_the_one_the_texts_read(shipped_model):
    from vqvae_tui.model import default_path
    from vqvae_tui.model.weights import paths

    assert shipped_model.sidecar == json.loads(paths(default_path())[1].read_text())


async def test_the_generate_screen_claims_only_what_its_prior_does(shipped_model):
    app = make_app(shipped_model)
    async with app.run_test(size=FULL) as pilot:
        await pilot.press("g")
        await pilot.pause()
        about = str(app.screen.about.render()).replace("\n", " ")
        assert "draws each position on its own" in about and "look like digits" not in about
