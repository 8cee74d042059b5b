"""The model's variants: the lecture's MLP encoder and decoder, and vector-quantize-pytorch's
quantizer (with its rotation trick and cosine distance) behind our quantizer's interface."""

import json

import numpy as np
import pytest
import torch
from test_model import CODEBOOK, VECTORS

from vqvae_tui.data import training_digits, validation_digits
from vqvae_tui.errors import WeightsError
from vqvae_tui.model import VQVAE, ModelConfig, decode, load, save, trace
from vqvae_tui.model.steps import STEP_MATRICES, quantizer_source, quantizer_steps
from vqvae_tui.model.tracing import trace_and_straight_through
from vqvae_tui.training import TrainOptions, train

LIBRARY = ModelConfig(num_codes=4, dim=6, quantizer="library")
VARIANTS = {
    "conv+ours": ModelConfig(num_codes=12, dim=8),
    "mlp+ours": ModelConfig(num_codes=12, dim=8, encoder="mlp"),
    "conv+library": ModelConfig(num_codes=12, dim=8, quantizer="library"),
    "mlp+library+rotation": ModelConfig(
        num_codes=12, dim=8, encoder="mlp", quantizer="library", rotation_trick=True
    ),
    "conv+library+cosine": ModelConfig(num_codes=12, dim=8, quantizer="library", distance="cosine"),
}
LECTURE_CODES = [[1, 3, 0], [1, 1, 2]]


def model_of(config: ModelConfig, seed: int = 0) -> VQVAE:
    torch.manual_seed(seed)
    return VQVAE(config).eval()


def with_lecture_codebook(config: ModelConfig) -> VQVAE:
    model = model_of(config)
    codebook = torch.tensor(CODEBOOK)
    if config.distance == "cosine":  # a cosine codebook holds unit vectors
        codebook = codebook / codebook.norm(dim=1, keepdim=True)
    with torch.no_grad():
        model.quantizer.codebook.copy_(codebook)
    return model


@pytest.mark.parametrize(
    "config",
    [
        ModelConfig(num_codes=4, dim=6),
        LIBRARY,
        ModelConfig(num_codes=4, dim=6, quantizer="library", rotation_trick=True),
        ModelConfig(num_codes=4, dim=6, quantizer="library", distance="cosine"),
    ],
    ids=["ours", "library", "library+rotation", "library+cosine"],
)
def test_both_quantizers_give_the_lectures_codes(config):
    quantizer = with_lecture_codebook(config).quantizer
    q = quantizer(torch.tensor(VECTORS).unsqueeze(0))
    assert q.codes.reshape(2, 3).tolist() == LECTURE_CODES
    assert (q.distances.argmin(dim=1) == q.codes).all()
    assert torch.equal(q.selected, quantizer.codebook[q.codes])
    assert torch.equal(q.z_q, q.selected.reshape(1, 2, 3, 6))


def test_the_librarys_distances_are_squared_distances():
    q = with_lecture_codebook(LIBRARY).quantizer(torch.tensor(VECTORS).unsqueeze(0))
    expected = ((torch.tensor(VECTORS).reshape(6, 1, 6) - torch.tensor(CODEBOOK)) ** 2).sum(-1)
    torch.testing.assert_close(q.distances, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(q.selected, torch.tensor(CODEBOOK)[q.codes])


def test_cosine_compares_unit_vectors():
    model = model_of(VARIANTS["conv+library+cosine"])
    t = trace(model, np.random.default_rng(0).random((28, 28), dtype=np.float32))
    np.testing.assert_allclose(np.linalg.norm(t.flat, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(t.codebook, axis=1), 1, atol=1e-5)
    squared = ((t.flat[:, None] - t.codebook[None]) ** 2).sum(-1)
    np.testing.assert_allclose(t.distances, squared, atol=1e-5)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_traces_consistently(variant):
    config = VARIANTS[variant]
    model = model_of(config)
    image = np.random.default_rng(1).random((28, 28), dtype=np.float32)
    t = trace(model, image)
    d, k = config.dim, config.num_codes
    assert t.features.shape == (7, 7, d) and t.distances.shape == (49, k)
    np.testing.assert_array_equal(t.distances.argmin(axis=1), t.codes)
    np.testing.assert_array_equal(t.selected, t.codebook[t.codes])
    np.testing.assert_array_equal(t.flat, t.features.reshape(49, d))
    np.testing.assert_array_equal(t.quantized, t.selected.reshape(7, 7, d))
    assert 0 <= t.reconstruction.min() and t.reconstruction.max() <= 1
    # the decoder of the codes alone gives the reconstruction (up to the estimator's rounding)
    np.testing.assert_allclose(decode(model, t.codes.reshape(7, 7)), t.reconstruction, atol=1e-5)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_straight_through_estimator_of_each_variant(variant):
    config = VARIANTS[variant]
    image = np.random.default_rng(2).random((28, 28), dtype=np.float32)
    _, straight = trace_and_straight_through(model_of(config), image)
    assert straight.forward_difference < 1e-5  # forward: z_q, whichever estimator
    assert straight.gradient_norm > 0
    if config.rotation_trick or config.distance == "cosine":  # z_e's gradient is not a copy
        assert straight.gradient_difference > 1e-7
    else:
        assert straight.gradient_difference == 0


def gradients_of(config: ModelConfig, loss_name: str) -> dict[str, bool]:
    model = model_of(config).train()
    x = torch.rand(3, 1, 28, 28)
    x_hat, _, q = model(x)
    getattr(model.losses(x, x_hat, q), loss_name).backward()

    def moved(module) -> bool:
        return any(p.grad is not None and p.grad.abs().sum() > 0 for p in module.parameters())

    return {part: moved(getattr(model, part)) for part in ("encoder", "quantizer", "decoder")}


@pytest.mark.parametrize("variant", ["mlp+ours", "conv+library", "mlp+library+rotation"])
def test_each_loss_moves_what_it_should(variant):
    config = VARIANTS[variant]
    assert gradients_of(config, "codebook") == {
        "encoder": False,
        "quantizer": True,
        "decoder": False,
    }
    assert gradients_of(config, "commitment") == {
        "encoder": True,
        "quantizer": False,
        "decoder": False,
    }
    assert gradients_of(config, "reconstruction") == {
        "encoder": True,
        "quantizer": False,
        "decoder": True,
    }


def test_out_of_training_the_librarys_codebook_does_not_learn():
    model = model_of(ModelConfig(num_codes=8, dim=4, quantizer="library"), seed=3)
    ema = VQVAE(ModelConfig(num_codes=8, dim=4, quantizer="library"), {"ema_decay": 0.5})
    ema.load_state_dict(model.state_dict())
    ema.eval()
    before = ema.quantizer.codebook.clone()
    ema(torch.rand(4, 1, 28, 28))
    assert torch.equal(ema.quantizer.codebook, before)
    ema.train()
    ema(torch.rand(4, 1, 28, 28))
    assert not torch.equal(ema.quantizer.codebook, before)  # EMA moves it in training


def test_the_adapters_source_marks_every_step_in_order():
    from vqvae_tui.model.library import LibraryQuantizer

    source = quantizer_source(LibraryQuantizer)
    assert source.title == "LibraryQuantizer.forward — model/library.py"
    assert [step.name for step in quantizer_steps(LibraryQuantizer)] == list(STEP_MATRICES)
    lines = {step.name: source.lines[step.line] for step in quantizer_steps(LibraryQuantizer)}
    assert "self.library(" in lines["argmin"]
    assert quantizer_source().title == "VectorQuantizer.forward — model/vqvae.py"


@pytest.mark.parametrize(
    "variant", ["mlp+ours", "conv+library", "mlp+library+rotation", "conv+library+cosine"]
)
def test_weights_of_every_variant_save_and_load(tmp_path, variant):
    config = VARIANTS[variant]
    model = model_of(config)
    save(model, tmp_path / "w", {"seed": 0})
    loaded = load(tmp_path / "w")
    assert loaded.config == config and type(loaded.encoder) is type(model.encoder)
    assert type(loaded.quantizer) is type(model.quantizer)
    for name, tensor in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[name], tensor), name
    image = np.random.default_rng(4).random((28, 28), dtype=np.float32)
    np.testing.assert_array_equal(trace(loaded, image).codes, trace(model, image).codes)


def test_an_old_sidecar_is_the_conv_model_with_our_quantizer(tmp_path):
    save(model_of(ModelConfig(num_codes=12, dim=8)), tmp_path / "w", {})
    sidecar = tmp_path / "w.json"
    values = json.loads(sidecar.read_text())
    values["model"] = {"num_codes": 12, "dim": 8, "beta": 0.25}  # as saved before the variants
    sidecar.write_text(json.dumps(values))
    model = load(tmp_path / "w")
    assert (model.config.encoder, model.config.quantizer) == ("conv", "ours")


def test_weights_of_one_variant_do_not_load_as_another(tmp_path):
    save(model_of(VARIANTS["mlp+ours"]), tmp_path / "w", {})
    sidecar = tmp_path / "w.json"
    values = json.loads(sidecar.read_text())
    values["model"]["encoder"] = "conv"
    sidecar.write_text(json.dumps(values))
    with pytest.raises(WeightsError, match="tensors do not fit the model") as error:
        load(tmp_path / "w")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"encoder": "rnn"}, "encoder must be one of conv, mlp"),
        ({"quantizer": "theirs"}, "quantizer must be one of ours, library"),
        ({"distance": "manhattan"}, "distance must be one of euclidean, cosine"),
        ({"rotation_trick": True}, "need quantizer library"),
        ({"distance": "cosine"}, "need quantizer library"),
        ({"quantizer": "library", "rotation_trick": "yes"}, "rotation_trick must be true"),
        ({"num_codes": 65}, "num_codes must be an integer from 2 to 64"),
        ({"dim": 65}, "dim must be an integer from 1 to 64"),
    ],
)
def test_a_config_that_names_no_variant_is_refused(changes, message):
    with pytest.raises(WeightsError, match=message):
        ModelConfig.from_dict({"num_codes": 12, "dim": 8, "beta": 0.25, **changes})


def test_k_and_d_up_to_64():
    config = ModelConfig(num_codes=64, dim=64)
    t = trace(model_of(config), np.zeros((28, 28), dtype=np.float32))
    assert t.distances.shape == (49, 64) and t.features.shape == (7, 7, 64)


def test_a_cosine_codebook_learns_by_ema_only():
    with pytest.raises(ValueError, match="EMA only"):
        VQVAE(VARIANTS["conv+library+cosine"], {"ema_decay": 0.0})


@pytest.mark.parametrize("variant", ["mlp+ours", "mlp+library+rotation"])
def test_the_mlp_model_trains(tiny_mnist, tmp_path, variant):
    config = VARIANTS[variant]
    seen = []
    train(
        training_digits(tiny_mnist),
        validation_digits(tiny_mnist),
        tmp_path / "w",
        config,
        TrainOptions(  # the plainest training: the codebook loss, no k-means, no restarts
            epochs=2,
            batch_size=32,
            ema_decay=0,
            kmeans_init=False,
            dead_code_threshold=0,
            augment=0,
        ),
        report=seen.append,
    )
    batches = [p for p in seen if p.validation is None]
    assert batches[-1].reconstruction < 0.5 * batches[0].reconstruction
    epochs = [p.validation.mse for p in seen if p.validation is not None]
    assert epochs[1] < epochs[0]
    assert load(tmp_path / "w").config == config


def test_the_library_trains_with_its_own_ema_kmeans_and_restarts(tiny_mnist, tmp_path):
    """The recipe's options reach the library's quantizer as its own: its EMA decay, its
    k-means on the first batch and its restarts by EMA count (a share of a batch's positions)."""
    options = TrainOptions(epochs=1, batch_size=32)
    model = train(
        training_digits(tiny_mnist),
        validation_digits(tiny_mnist),
        tmp_path / "w",
        ModelConfig(num_codes=8, dim=4, quantizer="library"),
        options,
    )
    codebook = model.quantizer.library._codebook
    assert codebook.ema_update and codebook.decay == options.ema_decay
    assert bool(codebook.initted) and codebook.kmeans_iters > 0
    assert codebook.threshold_ema_dead_code == options.dead_code_threshold * 32 * 49
    loaded = load(tmp_path / "w")
    assert torch.equal(loaded.quantizer.codebook, model.quantizer.codebook)
