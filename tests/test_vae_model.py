"""The VAE's and the autoencoder's mathematics and traces: the sampling, the KL, the decoder,
the gradient path, and the `# step:` markers that link VAE.forward to the graph."""

import inspect
import textwrap

import numpy as np
import pytest
import torch

from vqvae_tui.drawing import SAMPLES, draw_strokes
from vqvae_tui.model import (
    VAE,
    Autoencoder,
    LatentConfig,
    decode_points,
    encode,
    one_pass,
    trace_ae,
    trace_vae,
    trace_vae_and_gradients,
)
from vqvae_tui.model.latent_tracing import GRAPH_NODES
from vqvae_tui.model.steps import (
    SAMPLING_NODES,
    line_of_node,
    marked_lines,
    nodes_of_line,
    sampling_steps,
    vae_source,
)

IMAGES = [draw_strokes(SAMPLES["3"]), draw_strokes(SAMPLES["7"])]


@pytest.fixture
def vae():
    torch.manual_seed(0)
    return VAE(LatentConfig()).eval()


@pytest.fixture
def autoencoder():
    torch.manual_seed(1)
    return Autoencoder(LatentConfig()).eval()


def as_input(image):
    return torch.from_numpy(image).reshape(1, 1, 28, 28)


def test_the_networks_are_the_vqvaes_with_a_dense_layer_each_way(vae):
    from vqvae_tui.model.vqvae import Decoder, Encoder

    assert isinstance(vae.encoder.convolutions, Encoder)
    assert isinstance(vae.decoder.convolutions, Decoder)
    x = torch.rand(5, 1, 28, 28)
    assert vae.encoder(x).shape == (5, 4)  # μ and log σ² of two dimensions
    assert Autoencoder().encoder(x).shape == (5, 2)
    assert vae.decoder(torch.zeros(5, 2)).shape == (5, 1, 28, 28)


def test_the_trace_holds_the_models_own_numbers(vae):
    for noise, image in enumerate(IMAGES):
        t = trace_vae(vae, image, noise)
        with torch.no_grad():
            x_hat, s = vae(as_input(image), torch.Generator().manual_seed(noise))
            losses = vae.losses(as_input(image), x_hat, s)
        for name in ("mean", "log_variance", "sigma", "epsilon", "z"):
            np.testing.assert_array_equal(getattr(t, name), getattr(s, name)[0].numpy())
        np.testing.assert_array_equal(t.reconstruction, x_hat[0, 0].numpy())
        assert t.reconstruction_loss == pytest.approx(float(losses.reconstruction), rel=1e-6)
        np.testing.assert_allclose(t.kl, losses.kl.numpy(), rtol=1e-6)
        np.testing.assert_array_equal(t.image, image)
        assert t.noise == noise and t.cursor is None and t.cursor_reconstruction is None


def test_sigma_is_exp_half_log_variance_and_z_is_mean_plus_sigma_epsilon(vae):
    for image in IMAGES:
        t = trace_vae(vae, image, 5)
        np.testing.assert_allclose(t.sigma, np.exp(0.5 * t.log_variance), rtol=1e-6)
        np.testing.assert_allclose(t.z, t.mean + t.sigma * t.epsilon, rtol=1e-6, atol=1e-7)


def test_epsilon_comes_from_its_seed_and_only_epsilon_changes_with_it(vae):
    a, b, again = (trace_vae(vae, IMAGES[0], noise) for noise in (0, 1, 0))
    np.testing.assert_array_equal(a.epsilon, again.epsilon)
    np.testing.assert_array_equal(
        a.epsilon, torch.randn(2, generator=torch.Generator().manual_seed(0))
    )
    assert not np.allclose(a.epsilon, b.epsilon)
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.sigma, b.sigma)


def test_the_kl_is_the_closed_form_of_each_dimension(vae):
    for image in IMAGES:
        t = trace_vae(vae, image)
        closed_form = 0.5 * (t.mean**2 + np.exp(t.log_variance) - t.log_variance - 1)
        np.testing.assert_allclose(t.kl, closed_form, rtol=1e-5)
        assert (t.kl >= 0).all()
        # and the KL of a diagonal Gaussian against N(0, I), as torch.distributions has it
        posterior = torch.distributions.Normal(torch.from_numpy(t.mean), torch.from_numpy(t.sigma))
        prior = torch.distributions.Normal(torch.zeros(2), torch.ones(2))
        np.testing.assert_allclose(
            t.kl, torch.distributions.kl_divergence(posterior, prior).numpy(), rtol=1e-4
        )


def test_the_reconstruction_loss_is_the_bce_summed_over_pixels(vae):
    t = trace_vae(vae, IMAGES[0])
    x, x_hat = IMAGES[0].astype(np.float64), t.reconstruction.astype(np.float64)
    bce = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)).sum()
    assert t.reconstruction_loss == pytest.approx(bce, rel=1e-4)
    assert t.mse == pytest.approx(((x_hat - x) ** 2).mean(), rel=1e-5)


def test_a_chosen_point_decodes_to_exactly_the_decoders_output(vae):
    point = np.array([1.25, -0.5], np.float32)
    t = trace_vae(vae, IMAGES[0], 0, point)
    with torch.no_grad():
        expected = vae.decoder(torch.tensor([[1.25, -0.5]]))[0, 0].numpy()
    np.testing.assert_array_equal(t.cursor, point)
    np.testing.assert_array_equal(t.cursor_reconstruction, expected)
    np.testing.assert_array_equal(decode_points(vae, [point])[0], expected)


def test_encode_gives_the_vaes_mean_and_the_autoencoders_z(vae, autoencoder):
    images = np.stack(IMAGES)
    np.testing.assert_allclose(encode(vae, images)[0], trace_vae(vae, IMAGES[0]).mean, atol=1e-6)
    np.testing.assert_allclose(
        encode(autoencoder, images)[1], trace_ae(autoencoder, IMAGES[1]).z, atol=1e-6
    )


def test_the_autoencoders_trace(autoencoder):
    t = trace_ae(autoencoder, IMAGES[0])
    with torch.no_grad():
        x_hat, z = autoencoder(as_input(IMAGES[0]))
    np.testing.assert_array_equal(t.z, z[0].numpy())
    np.testing.assert_array_equal(t.reconstruction, x_hat[0, 0].numpy())
    assert t.mse == pytest.approx(float(((x_hat - as_input(IMAGES[0])) ** 2).mean()))


def test_the_gradient_reaches_mean_and_sigma_not_epsilon(vae):
    for image in IMAGES:
        traced, path = trace_vae_and_gradients(vae, image, 3)
        unreached = {node for node, reached in path.reached.items() if not reached}
        assert unreached == {"x", "epsilon"}  # the input and the noise: neither requires grad
        assert list(path.reached) == list(GRAPH_NODES)
        assert path.backward["z"] == path.backward["plus"] == "AddBackward0"
        assert path.backward["times"] == path.backward["half"] == "MulBackward0"
        assert path.backward["sigma"] == "ExpBackward0" and "epsilon" not in path.backward
        assert path.backward["encoder"] == "AccumulateGrad"
        # measured against autograd run by hand
        x = as_input(image)
        x_hat, s = vae(x, torch.Generator().manual_seed(3))
        for tensor in (s.mean, s.sigma, s.z, s.log_variance):
            tensor.retain_grad()
        vae.losses(x, x_hat, s).reconstruction.backward()
        for name in ("mean", "log_variance", "sigma", "z"):
            np.testing.assert_allclose(
                path.gradients[name], getattr(s, name).grad[0].numpy(), rtol=1e-5, atol=1e-6
            )
        assert s.epsilon.grad is None and not s.epsilon.requires_grad
        assert path.mean_difference == 0  # z = μ + σ·ε: ∂L/∂μ = ∂L/∂z exactly
        assert path.sigma_difference < 1e-5  # ∂L/∂σ = ε·∂L/∂z
        assert path.encoder_gradient_norm > 0 and path.decoder_gradient_norm > 0
        np.testing.assert_array_equal(traced.z, trace_vae(vae, image, 3).z)


def test_measuring_leaves_no_gradient_and_keeps_the_mode(vae):
    vae.train()
    trace_vae_and_gradients(vae, IMAGES[0])
    assert all(parameter.grad is None for parameter in vae.parameters())
    assert all(module.training for module in vae.modules())


def test_one_pass_dispatches_by_kind(vae, autoencoder):
    traced, measured = one_pass("vae", vae, IMAGES[0], 2, (0.5, 0.5), True)
    assert traced.noise == 2 and measured.reached["z"]
    assert one_pass("vae", vae, IMAGES[0])[1] is None
    assert set(measured.reached) == {n for nodes in SAMPLING_NODES.values() for n in nodes} | {"x"}
    assert one_pass("ae", autoencoder, IMAGES[0])[0].z.shape == (2,)


def test_bad_input_is_refused(vae):
    with pytest.raises(ValueError, match="trace_vae takes one 28×28 image"):
        trace_vae(vae, IMAGES[0][:27])
    with pytest.raises(ValueError, match="a point of 2 finite numbers"):
        trace_vae(vae, IMAGES[0], 0, (np.nan, 0))
    with pytest.raises(ValueError, match="decode_points takes"):
        decode_points(vae, [[1.0, 2.0, 3.0]])


# ---- the step markers of VAE.forward and the graph's nodes ---------------------------------

CLAIMS = {  # what each step's line must compute
    "encoder": "mean, log_variance = self.encoder(x).chunk(2, dim=1)",
    "log-var trick": "sigma = torch.exp(0.5 * log_variance)",
    "noise": "epsilon = torch.randn(",
    "reparameterization": "z = mean + sigma * epsilon",
    "decoder": "x_hat = self.decoder(z)",
}


def test_the_source_is_the_running_vaes():
    source = vae_source()
    assert source.text == textwrap.dedent(inspect.getsource(VAE.forward))
    with open(inspect.getsourcefile(VAE)) as file:
        assert file.read().splitlines()[source.first_line - 1].strip() == source.lines[0]


@pytest.mark.parametrize("step", CLAIMS)
def test_each_steps_line_computes_what_it_claims(step):
    assert vae_source().lines[sampling_steps()[step]].strip().startswith(CLAIMS[step])


def test_markers_map_to_graph_nodes_and_back():
    nodes = [node for step_nodes in SAMPLING_NODES.values() for node in step_nodes]
    assert len(nodes) == len(set(nodes))  # a node is computed by one line
    for step, line in sampling_steps().items():
        assert nodes_of_line(line) == SAMPLING_NODES[step]
        for node in SAMPLING_NODES[step]:
            assert line_of_node(node) == line
    assert list(sampling_steps()) == list(SAMPLING_NODES)  # in the order of the data
    assert nodes_of_line(0) == () and line_of_node("kl") is None


def test_a_doctored_vae_source_is_refused():
    text = vae_source().text
    with pytest.raises(ValueError, match="no `# step:` marker for 'noise'"):
        marked_lines(text.replace("# step: noise", ""), SAMPLING_NODES)
    with pytest.raises(ValueError, match="unknown step 'sampling'"):
        marked_lines(text.replace("# step: noise", "# step: sampling"), SAMPLING_NODES)
